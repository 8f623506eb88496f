"""Simulation results: a labelled time series plus daily summaries."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from mgbrain.dosing.regimen import Regimen
from mgbrain.model import LUMEN_SPECIES, SOLID_SPECIES
from mgbrain.model.spec import ModelSpec
from mgbrain.solver.compiled import CompiledModel
from mgbrain.units import MG_MOLAR_MASS_G_PER_MOL, mmol_per_l_to_mg_per_dl

__all__ = ["Trajectory", "SERUM_REFERENCE_MMOL_PER_L"]

#: Serum total Mg reference range, mmol/L (iom1997 ch. 6; validation target V2).
SERUM_REFERENCE_MMOL_PER_L = (0.75, 0.95)

_GUT_SUPPLEMENT = (*SOLID_SPECIES.values(), *LUMEN_SPECIES["supplement"])


@dataclass(frozen=True, eq=False)
class Trajectory:
    """One subject's simulated time course.

    ``states`` has shape ``(time, species)``; times are hours from midnight of day 0.
    """

    model: ModelSpec
    compiled: CompiledModel
    params: np.ndarray
    subject: object
    regimen: Regimen
    times_h: np.ndarray
    states: np.ndarray
    intake_mmol: np.ndarray       # cumulative Mg given (diet + supplements + IV), mmol
    diet_intake_mmol: np.ndarray  # cumulative dietary Mg, mmol
    initial_state: np.ndarray
    started_at_steady_state: bool
    sources: tuple[str, ...]

    def species(self, name: str) -> np.ndarray:
        return self.states[:, self.model.species_index(name)]

    @cached_property
    def observables(self) -> dict[str, np.ndarray]:
        u = np.zeros((len(self.model.inputs), 1))
        return self.compiled.observe(self.states.T, self.params, u)

    def baseline(self) -> dict[str, float]:
        """Observables of the state before any dose (``initial_state``, no input running).

        The output at t = 0 is taken after the doses given at t = 0 (an IV bolus), so the
        baseline is computed from the initial state instead.
        """
        u = np.zeros((len(self.model.inputs), 1))
        obs = self.compiled.observe(self.initial_state[:, None], self.params, u)
        return {k: float(np.asarray(v).reshape(-1)[0]) for k, v in obs.items()}

    def serum_extremes(self) -> dict[str, float]:
        """Peak and minimum serum total Mg (mmol/L) on the output grid, with their times (h)."""
        serum = np.asarray(self.observables["serum_mmol_per_l"])
        hi, lo = int(np.argmax(serum)), int(np.argmin(serum))
        return {"peak_serum_mmol_per_l": float(serum[hi]), "peak_serum_time_h": float(self.times_h[hi]),
                "min_serum_mmol_per_l": float(serum[lo]), "min_serum_time_h": float(self.times_h[lo])}

    def serum_warnings(self) -> list[str]:
        """One sentence for a serum excursion outside :data:`SERUM_REFERENCE_MMOL_PER_L`."""
        low, high = SERUM_REFERENCE_MMOL_PER_L
        ext = self.serum_extremes()
        out = []
        if not np.isfinite(ext["peak_serum_mmol_per_l"]) or not np.isfinite(ext["min_serum_mmol_per_l"]):
            return ["serum Mg is not a finite number in this run: the result is not usable"]
        if ext["peak_serum_mmol_per_l"] > high:
            out.append(f"serum Mg peaks at {ext['peak_serum_mmol_per_l']:.3g} mmol/L at "
                       f"{ext['peak_serum_time_h']:g} h, above the reference range {low:g}-{high:g} mmol/L")
        if ext["min_serum_mmol_per_l"] < low:
            out.append(f"serum Mg falls to {ext['min_serum_mmol_per_l']:.3g} mmol/L at "
                       f"{ext['min_serum_time_h']:g} h, below the reference range {low:g}-{high:g} mmol/L")
        return out

    def body_mmol(self) -> np.ndarray:
        """Mg in gut and body (everything but the cumulative sinks), shape ``(time,)``."""
        return self.states[:, self.compiled.mg_body_index].sum(axis=1)

    def excreted_mmol(self) -> np.ndarray:
        return self.states[:, self.compiled.sink_index].sum(axis=1)

    def mass_balance_error(self) -> np.ndarray:
        """``intake - (change in body Mg + urine + feces)``, mmol, shape ``(time,)``."""
        change = self.body_mmol() - self.initial_state[self.compiled.mg_body_index].sum()
        return self.intake_mmol - change - self.excreted_mmol()

    def supplement_absorbed_mmol(self) -> np.ndarray:
        """Cumulative absorbed supplement Mg (oral), from the labelled gut pools."""
        given = self.intake_mmol - self.diet_intake_mmol - self._iv_given()
        in_gut = sum(self.species(s) for s in _GUT_SUPPLEMENT)
        return given - in_gut - self.species("feces_supplement")

    def diet_absorbed_mmol(self) -> np.ndarray:
        in_gut = sum(self.species(s) for s in LUMEN_SPECIES["diet"])
        in_gut0 = sum(self.initial_state[self.model.species_index(s)] for s in LUMEN_SPECIES["diet"])
        return self.diet_intake_mmol - (in_gut - in_gut0) - self.species("feces_diet")

    def _iv_given(self) -> np.ndarray:
        t = self.times_h
        out = np.zeros_like(t)
        for b in self.regimen.boluses:
            out += np.where(t >= b.time_h, b.elemental_mmol, 0.0)
        for i in self.regimen.infusions:
            out += np.clip(t - i.start_h, 0.0, i.duration_h) * i.rate_mmol_per_h
        return out

    def frame(self) -> pd.DataFrame:
        """Time series with units in the column names."""
        obs = self.observables
        serum = obs["serum_mmol_per_l"]
        data = {
            "time_h": self.times_h,
            "day": self.times_h / 24.0,
            "serum_total_mmol_per_l": serum,
            "serum_total_mg_per_dl": mmol_per_l_to_mg_per_dl(serum),
            "serum_ionized_mmol_per_l": obs["ionized_mmol_per_l"],
            "serum_ultrafilterable_mmol_per_l": obs["ultrafilterable_mmol_per_l"],
            "csf_mmol_per_l": obs["csf_mmol_per_l"],
        }
        for s in self.model.species:
            data[f"{s.name}_mmol"] = self.species(s.name)
        data["intake_cumulative_mmol"] = self.intake_mmol
        data["supplement_absorbed_cumulative_mmol"] = self.supplement_absorbed_mmol()
        data["mass_balance_error_mmol"] = self.mass_balance_error()
        return pd.DataFrame(data)

    def daily(self) -> pd.DataFrame:
        """One row per whole day: urine mg/24 h, absorbed fractions, mean and end-of-day levels.

        Needs output times on every midnight (the default hourly grid has them).
        """
        t = self.times_h
        days = int(np.floor(t[-1] / 24.0 + 1e-9))
        rows = []
        obs = self.observables
        for d in range(days):
            i0 = np.searchsorted(t, 24.0 * d - 1e-9)
            i1 = np.searchsorted(t, 24.0 * (d + 1) - 1e-9)
            if i1 >= len(t) or abs(t[i0] - 24.0 * d) > 1e-9 or abs(t[i1] - 24.0 * (d + 1)) > 1e-9:
                continue
            window = slice(i0, i1 + 1)
            supp_given = (self.intake_mmol - self.diet_intake_mmol - self._iv_given())
            s_given = supp_given[i1] - supp_given[i0]
            s_abs = self.supplement_absorbed_mmol()
            d_given = self.diet_intake_mmol[i1] - self.diet_intake_mmol[i0]
            d_abs = self.diet_absorbed_mmol()
            urine = self.species("urine")
            rows.append({
                "day": d + 1,
                "serum_mean_mmol_per_l": float(np.mean(obs["serum_mmol_per_l"][window])),
                "serum_end_mmol_per_l": float(obs["serum_mmol_per_l"][i1]),
                "csf_end_mmol_per_l": float(obs["csf_mmol_per_l"][i1]),
                "urine_mg_per_24h": float((urine[i1] - urine[i0]) * MG_MOLAR_MASS_G_PER_MOL),
                "supplement_mg": float(s_given * MG_MOLAR_MASS_G_PER_MOL),
                "supplement_absorbed_fraction": float((s_abs[i1] - s_abs[i0]) / s_given) if s_given > 0 else np.nan,
                "diet_mg": float(d_given * MG_MOLAR_MASS_G_PER_MOL),
                "diet_absorbed_fraction": float((d_abs[i1] - d_abs[i0]) / d_given) if d_given > 0 else np.nan,
                "bone_surface_mmol": float(self.species("bone_surface")[i1]),
                "deep_bone_mmol": float(self.species("deep_bone")[i1]),
                "tissue_pool_mmol": float(self.species("tissue")[i1]),
                "body_mg_total_mmol": float(self.body_mmol()[i1]),
            })
        return pd.DataFrame(rows)
