"""Global sensitivity (Sobol indices, SALib) of the 12-week cognition effect and the CSF change.

The model is run for a 70 kg adult on MgT 2 g/day (Magtein label, 08:00 and 20:00) for
``weeks`` weeks, once for every row of a Saltelli design over the mechanistic parameters
(observation-model parameters cannot move these outputs and are left out). Log-uniform
parameters are sampled on the log scale. Outputs: change of the cognition drug effect (z)
from the pre-dose steady state at the end, and the % change of CSF Mg (mean of the last day).
"""

from __future__ import annotations

from dataclasses import dataclass

from mgbrain.brain.ensemble import simulate_ensemble
from mgbrain.brain.uncertainty import parameter_distributions
from mgbrain.dosing.regimen import daily_regimen
from mgbrain.errors import ParameterError
from mgbrain.model.parameters import ParameterSet
from mgbrain.solver import Subject

__all__ = ["SensitivityResult", "run_sobol", "OUTPUTS"]

OUTPUTS = ("cognition_effect_z_end", "csf_change_percent_end")


@dataclass(frozen=True)
class SensitivityResult:
    """First-order (S1) and total (ST) Sobol indices with 95% CIs, per output and parameter."""

    parameters: tuple[str, ...]
    indices: dict  # output -> {parameter -> {S1, S1_conf, ST, ST_conf}}
    n_base: int
    n_runs: int
    weeks: float
    regimen: str
    seed: int

    def ranked(self, output: str) -> list[tuple[str, float]]:
        """Parameters by total index, largest first."""
        return sorted(((p, v["ST"]) for p, v in self.indices[output].items()), key=lambda x: -x[1])

    def to_dict(self) -> dict:
        return {"parameters": list(self.parameters), "indices": self.indices, "n_base": self.n_base,
                "n_runs": self.n_runs, "weeks": self.weeks, "regimen": self.regimen, "seed": self.seed,
                "method": "Sobol (SALib Saltelli/Sobol design, first and total order)",
                "top": {o: [p for p, _ in self.ranked(o)[:5]] for o in OUTPUTS}}


def run_sobol(params: ParameterSet, *, n_base: int = 32, weeks: float = 12.0, seed: int = 0) -> SensitivityResult:
    """Sobol indices of :data:`OUTPUTS` (``n_base * (D + 2)`` model runs, D parameters).

    ``n_base`` must be a power of 2 (Sobol sequence); 8 gives a rough screen, 64+ stable indices.
    """
    from SALib.analyze import sobol as sobol_analyze
    from SALib.sample import sobol as sobol_sample

    if n_base < 2 or n_base & (n_base - 1):
        raise ParameterError("base sample size must be a power of 2", argument="samples",
                             expected="2, 4, 8, ..., 64", received=n_base)
    dists = parameter_distributions(params, include_observation=False)
    names = [d.name for d in dists]
    problem = {"num_vars": len(dists), "names": names, "bounds": [[0.0, 1.0]] * len(dists)}
    unit = sobol_sample.sample(problem, n_base, calc_second_order=False, seed=seed)
    draws = {d.name: d.ppf(unit[:, k]) for k, d in enumerate(dists)}
    regimen = daily_regimen("magtein", "2 g/day", days=7 * weeks)
    ens = simulate_ensemble(regimen, Subject(), draws, days=7 * weeks, base=params, output_every_h=12.0)
    cog = ens.observable("cognition_drug_effect_z")
    csf = ens.observable("csf_mmol_per_l")
    outputs = {"cognition_effect_z_end": cog[:, -1] - cog[:, 0],
               "csf_change_percent_end": 100.0 * (csf[:, -3:-1].mean(axis=1) / csf[:, 0] - 1.0)}
    indices = {}
    for name, y in outputs.items():
        res = sobol_analyze.analyze(problem, y, calc_second_order=False, seed=seed)
        indices[name] = {p: {"S1": float(res["S1"][k]), "S1_conf": float(res["S1_conf"][k]),
                             "ST": float(res["ST"][k]), "ST_conf": float(res["ST_conf"][k])}
                         for k, p in enumerate(names)}
    return SensitivityResult(tuple(names), indices, n_base, len(unit), weeks, regimen.label, seed)
