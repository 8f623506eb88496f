"""Simulate each published experiment's protocol and compute what the study measured.

One experiment is run as one batch-kernel call over every parameter set asked for (the
calibration's finite differences, or draws from the parameter uncertainty) and two arms: the
protocol as published and a control arm with the same diet and meals but no Mg doses (for
changes versus placebo, IV retention and urinary increments). Each subject starts at the steady
state of its habitual diet (:func:`~mgbrain.solver.steady.batch_steady_state`).

Isotope labels follow the unlabelled solution: the label moves with every flux in proportion
to its share of the source pool (``x' = A(t) x``, ``A`` from the simulated fluxes on a
15-minute grid, exact matrix exponential per step), so a label given with a carrier dose sees
the carrier's own kinetics.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.linalg import expm

from mgbrain.compounds import find_compound
from mgbrain.dosing.regimen import Diet
from mgbrain.errors import ProvenanceError
from mgbrain.model import LUMEN_SPECIES, SOLID_SPECIES, WHOLE_BODY
from mgbrain.model.parameters import ParameterSet
from mgbrain.model.spec import ModelSpec
from mgbrain.model.whole_body import MEAL_SPECIES
from mgbrain.solver.batch import BatchOptions, EventTable, solve_batch
from mgbrain.solver.compiled import compile_model
from mgbrain.solver.events import EventKind, SolveStatus
from mgbrain.solver.steady import batch_steady_state
from mgbrain.solver.subject import Subject
from mgbrain.units import mg_to_mmol
from mgbrain.validation.experiment_data import Experiment, Measurement

__all__ = ["ExperimentRun", "subject_of", "run_experiment", "LABEL_GRID_H"]

#: Step of the label-kinetics grid (h).
LABEL_GRID_H = 0.25
#: A protocol's t = 0 is 08:00 of the first study day (breakfast when habitual meals continue);
#: the simulation starts at the preceding midnight's steady state (no meal in between).
STUDY_START_H = 8.0
#: The pre-dose sample is taken this long before t = 0 (h).
PRE_DOSE_H = 1e-3
_LABEL_QUANTITIES = {"label_urine_recovery", "label_feces_recovery", "exchangeable_pool", "apparent_absorption"}
_FECES = ("feces_diet", "feces_supplement", "feces_endogenous")
_SUPPLEMENT_GUT = (*SOLID_SPECIES.values(), *LUMEN_SPECIES["supplement"])
_DEFAULT_MEAL_CLOCK = (8.0, 13.0, 19.0)


def subject_of(exp: Experiment) -> Subject:
    """The experiment's mean subject (defaults where the source gives nothing)."""
    def value(name: str, default: float) -> float:
        v = exp.subjects.get(name, default)
        return float(v) if isinstance(v, (int, float)) else default

    return Subject(weight_kg=value("weight_kg", 70.0), egfr_ml_min=value("egfr_ml_min", 90.0),
                   diet=Diet(value("diet_mg_per_day", 300.0)),
                   age_years=min(max(value("age_years", 57.3), 18.0), 100.0))


#: Doses given already dissolved (water, mixed salts of unknown form) dissolve like soluble salts.
_DISSOLVED = {"mineral_water", "dissolved", ""}


def _dissolution_class(compound: str) -> str:
    return "soluble" if compound in _DISSOLVED else find_compound(compound, argument="compound").solubility_class


@dataclass(frozen=True)
class _Plan:
    """Events of the dosed and control arms, the grid and the amounts given."""

    dosed: list[tuple[float, int, int, float]]
    control: list[tuple[float, int, int, float]]
    grid: np.ndarray
    oral_times_mmol: tuple[tuple[float, float], ...]   # (time, mmol) of each oral dose
    meal_times_mmol: tuple[tuple[float, float], ...]   # (time, mmol) of each meal (study + habitual)
    iv_mmol: float
    iv_label_input: tuple[tuple[float, float, float], ...]  # (start, end, mmol) of IV doses
    offset: float = 0.0                                # simulation time of the protocol's t = 0 (h)

    def at(self, t: np.ndarray) -> np.ndarray:
        """Grid indices of protocol times ``t``."""
        return np.searchsorted(self.grid, np.asarray(t) + self.offset - 1e-9)


def _plan(model: ModelSpec, exp: Experiment, subject: Subject) -> _Plan:
    pr = exp.protocol
    s0 = STUDY_START_H
    t_end = pr.duration_h + s0  # simulation times from here on: protocol time + s0
    lumen = model.species_index(LUMEN_SPECIES["diet"][0])
    chyme = model.species_index(MEAL_SPECIES)
    plasma = model.species_index("plasma")
    meals: list[tuple[float, float]] = [(m.time_h + s0, float(mg_to_mmol(m.mg))) for m in pr.meals]
    if not pr.fasted:
        diet = Diet(pr.diet_mg_per_day if pr.diet_mg_per_day is not None else subject.diet.mg_per_day,
                    _DEFAULT_MEAL_CLOCK)
        meals += [(m.time_h, m.elemental_mmol) for m in diet.meals(t_end / 24.0) if m.time_h >= s0]
    common: list[tuple[float, int, int, float]] = []
    for t, mmol in meals:
        if t < t_end:
            common += [(t, EventKind.ADD_SPECIES, lumen, mmol), (t, EventKind.ADD_SPECIES, chyme, 1.0)]
    dosed = list(common)
    oral = []
    for item in pr.oral:
        species = model.species_index(SOLID_SPECIES[_dissolution_class(item.compound)])
        for t in (t + s0 for t in item.times_h()):
            if t < t_end:
                oral.append((t, float(mg_to_mmol(item.mg))))
                dosed.append((t, EventKind.ADD_SPECIES, species, float(mg_to_mmol(item.mg))))
    iv_total = 0.0
    iv_input: list[tuple[float, float, float]] = []
    for iv in pr.iv:
        if iv.mmol is not None:
            mmol = iv.mmol
        elif iv.mmol_per_kg is not None:
            mmol = iv.mmol_per_kg * subject.weight_kg
        else:  # the loader guarantees one of the three
            fraction = find_compound(iv.compound).elemental_fraction
            mmol = float(mg_to_mmol((iv.mg_per_kg or 0.0) * subject.weight_kg * fraction))
        iv_total += mmol
        start, end = iv.start_h + s0, iv.start_h + iv.duration_h + s0
        if iv.duration_h == 0.0:
            dosed.append((start, EventKind.ADD_SPECIES, plasma, mmol))
        else:
            dosed += [(start, EventKind.SET_INPUT, 0, mmol / iv.duration_h), (end, EventKind.SET_INPUT, 0, 0.0)]
        iv_input.append((start, end, mmol))
    times = {0.0, s0 - PRE_DOSE_H, s0, t_end} | {t for a, b, _ in iv_input for t in (a, b) if t <= t_end}
    for m in exp.measurements:
        if m.times_h is not None:
            times |= set((m.times_h + s0).tolist())
        if m.intervals_h is not None:
            times |= set((m.intervals_h + s0).ravel().tolist())
    if any(m.quantity in _LABEL_QUANTITIES for m in exp.measurements) or any(
            m.quantity == "urine_fractional_excretion" for m in exp.measurements):
        times |= set(np.arange(s0, t_end, LABEL_GRID_H).tolist())
    return _Plan(dosed, common, np.array(sorted(times)), tuple(oral), tuple(meals), iv_total, tuple(iv_input), s0)


@dataclass(frozen=True)
class ExperimentRun:
    """Model values of every measurement of one experiment, one row per parameter set.

    ``values[k]`` has shape ``(parameter set, point)`` in canonical units (see
    :meth:`Measurement.canonical`); ``ok`` marks parameter sets whose runs all succeeded.
    """

    experiment: Experiment
    values: tuple[np.ndarray, ...]
    ok: np.ndarray


def run_experiment(exp: Experiment, params: ParameterSet | Sequence[ParameterSet] | np.ndarray,
                   model: ModelSpec = WHOLE_BODY, options: BatchOptions = BatchOptions()) -> ExperimentRun:
    """Simulate ``exp`` for one or several parameter sets (or vectors, shape (set, parameter)).

    Vectors are taken as given (the experiment's covariates are written into them).
    """
    subject = subject_of(exp)
    if isinstance(params, ParameterSet):
        params = [params]
    if isinstance(params, np.ndarray):
        P = np.atleast_2d(np.array(params, float))
        base = np.array(P)
        for name, value in _covariates(exp, subject).items():
            base[:, model.parameter_names.index(name)] = value
        P = base
    else:
        P = np.array([subject.parameters(p).replace(**_extra_covariates(exp)).vector() for p in params])
    n_sets = len(P)
    plan = _plan(model, exp, subject)
    y0, at_ss = batch_steady_state(model, P, [subject.diet] * n_sets, options)
    ok = at_ss.copy()
    rows = np.concatenate([P, P])
    start = np.concatenate([y0, y0])
    events = EventTable.from_rows([plan.dosed] * n_sets + [plan.control] * n_sets)
    res = solve_batch(model, start, rows, events, plan.grid, options)
    ok &= (res.status[:n_sets] == SolveStatus.OK) & (res.status[n_sets:] == SolveStatus.OK)
    states = res.states
    obs = _observe(model, rows, states)
    pre = int(np.searchsorted(plan.grid, plan.offset - PRE_DOSE_H - 1e-9))  # just before the first dose
    arms = _Arms(model, states, obs, {k: v[:, pre:pre + 1] for k, v in obs.items()}, rows, n_sets)
    values = tuple(_measure(exp, m, plan, arms) for m in exp.measurements)
    return ExperimentRun(exp, values, ok)


def _covariates(exp: Experiment, subject: Subject) -> dict[str, float]:
    out = {"weight_kg": subject.weight_kg, "egfr_ml_min": subject.egfr_ml_min}
    out.update(_extra_covariates(exp))
    return out


def _extra_covariates(exp: Experiment) -> dict[str, float]:
    albumin = exp.subjects.get("albumin_g_per_l")
    return {"albumin_g_per_l": float(albumin)} if isinstance(albumin, (int, float)) else {}


def _observe(model: ModelSpec, rows: np.ndarray, states: np.ndarray) -> dict[str, np.ndarray]:
    """Observables of states (row, time, species) -> arrays (row, time)."""
    compiled = compile_model(model)
    n, t, s = states.shape
    flat = states.reshape(n * t, s)
    p = np.repeat(rows, t, axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = compiled.observe(flat.T, p.T, np.zeros((len(model.inputs), n * t)))
    return {k: np.broadcast_to(np.asarray(v, float), (n * t,)).reshape(n, t) for k, v in out.items()}


@dataclass(frozen=True)
class _Arms:
    """States and observables of both arms: rows ``[:n]`` dosed, ``[n:]`` control."""

    model: ModelSpec
    states: np.ndarray                # (row, time, species)
    obs: dict[str, np.ndarray]        # (row, time)
    base: dict[str, np.ndarray]       # (row, 1): before any dose
    rows: np.ndarray                  # (row, parameter)
    n: int
    #: the dosed arm's label kinetics, computed once for all label measurements of a run
    _labels: dict[str, np.ndarray] = field(default_factory=dict, repr=False)

    def labels(self, exp: Experiment, plan: _Plan) -> dict[str, np.ndarray]:
        if not self._labels:
            n = self.n
            self._labels.update(_label(self.model, exp, plan, self.states[:n], self.obs, self.rows[:n]))
        return self._labels

    def control_only(self) -> _Arms:
        """Both halves read from the control arm (a measurement taken in the undosed arm)."""
        n = self.n
        return _Arms(self.model, np.concatenate([self.states[n:], self.states[n:]]),
                     {k: np.concatenate([v[n:], v[n:]]) for k, v in self.obs.items()}, self.base, self.rows, n)

    def species(self, *names: str) -> np.ndarray:
        return np.sum([self.states[:, :, self.model.species_index(s)] for s in names], axis=0)

    def weight(self) -> np.ndarray:
        return self.rows[:, self.model.parameter_names.index("weight_kg")][:, None]


_CONCENTRATION_KEYS = {"serum_total": "serum_mmol_per_l", "serum_ionized": "ionized_mmol_per_l",
                       "csf_total": "csf_mmol_per_l", "csf_ionized": "csf_ionized_mmol_per_l"}


def _tubular_maximum(o: dict[str, np.ndarray]) -> np.ndarray:
    """Tubular maximum per litre of glomerular filtrate (ultrafilterable Mg)."""
    return o["reabs_capacity"] / (o["gfr_l_per_h"] * o["reabsorbable_fraction"])


def _measure(exp: Experiment, m: Measurement, plan: _Plan, arms: _Arms) -> np.ndarray:
    if m.arm == "control":
        arms = arms.control_only()
    if m.times_h is not None:
        return _at_times(exp, m, m.times_h, plan, arms)
    if m.intervals_h is None:
        raise ProvenanceError("a measurement needs times_h or intervals_h", argument=f"{exp.id}.{m.quantity}")
    return _over_intervals(exp, m, m.intervals_h, plan, arms)


def _at_times(exp: Experiment, m: Measurement, times: np.ndarray, plan: _Plan, arms: _Arms) -> np.ndarray:
    n = arms.n
    if m.quantity == "exchangeable_pool":
        return _exchangeable_pool(exp, plan, arms, times)
    idx = plan.at(times)
    key = _CONCENTRATION_KEYS.get(m.quantity)
    if key is None:
        series, b = _tubular_maximum(arms.obs), _tubular_maximum(arms.base)
    else:
        series, b = arms.obs[key], arms.base[key]
    # a sample at t = 0 is taken before the doses of t = 0 (the grid's first state is after them)
    pre = times <= 0.0
    dosed = np.where(pre[None, :], b[:n, :1], series[:n, idx])
    reference = np.where(pre[None, :], b[n:, :1], series[n:, idx]) if m.versus == "control" else b[:n, :1]
    return _scaled(m, dosed, reference)


def _over_intervals(exp: Experiment, m: Measurement, intervals: np.ndarray, plan: _Plan, arms: _Arms) -> np.ndarray:
    n, grid = arms.n, plan.grid
    a, e = plan.at(intervals[:, 0]), plan.at(intervals[:, 1])
    hours = intervals[:, 1] - intervals[:, 0]
    shifted = intervals + plan.offset  # simulation times of the collections

    def over(x: np.ndarray) -> np.ndarray:  # increment of a cumulative series over each interval
        return x[:, e] - x[:, a]

    q = m.quantity
    if q in ("urine", "feces", "endogenous_fecal"):
        names = {"urine": ("urine",), "feces": _FECES, "endogenous_fecal": ("feces_endogenous",)}[q]
        amount = over(arms.species(*names))
        if m.unit.endswith("/day"):
            amount = amount / (hours / 24.0)
        elif m.unit.endswith("/kg"):
            amount = amount / arms.weight()
        reference = amount[n:] if (m.versus == "control" or m.scale != "absolute") else None
        return _scaled(m, amount[:n], reference)
    if q == "urine_fractional_excretion":
        return (over(arms.species("urine")) / over(_cumulative(grid, arms.obs["filtered_mmol_per_h"])))[:n]
    if q == "retention":
        urine = over(arms.species("urine"))
        return 1.0 - (urine[:n] - urine[n:]) / plan.iv_mmol
    if q in ("label_urine_recovery", "label_feces_recovery", "apparent_absorption"):
        label = arms.labels(exp, plan)
        x = label["urine" if q == "label_urine_recovery" else "feces_endogenous"]
        if q != "label_urine_recovery" and exp.protocol.label == "oral":
            x = x + label["unabsorbed"]
        recovered = x[:, e] - x[:, a]
        return 1.0 - recovered if q == "apparent_absorption" else recovered  # faecal monitoring: 1 - label in stool
    oral_in = np.array([sum(mm for t, mm in plan.oral_times_mmol if lo <= t < hi) for lo, hi in shifted])
    supplement_absorbed = (_given(plan.oral_times_mmol, grid)[None, :] - arms.species(*_SUPPLEMENT_GUT)
                           - arms.species("feces_supplement"))
    endo = over(arms.species("feces_endogenous"))
    if q == "true_absorption":
        return over(supplement_absorbed)[:n] / oral_in
    if q == "dose_net_absorption":
        return (over(supplement_absorbed)[:n] - (endo[:n] - endo[n:])) / oral_in
    intake = oral_in + np.array([sum(mm for t, mm in plan.meal_times_mmol if lo <= t < hi) for lo, hi in shifted])
    feces = over(arms.species(*_FECES))[:n]
    if q == "balance":  # intake - faeces - urine, per day
        return (intake - feces - over(arms.species("urine"))[:n]) / (hours / 24.0)
    if q == "net_absorption":  # balance studies: every faecal Mg counts (apparent absorption)
        return (intake - feces) / intake
    if q == "meal_net_absorption":  # faecal Mg above what the control arm loses endogenously
        unabsorbed = over(arms.species("feces_diet", "feces_supplement"))[:n]
        return (intake - unabsorbed - (endo[:n] - endo[n:])) / intake
    raise ProvenanceError("quantity cannot be measured over intervals", argument=f"{exp.id}.{q}")


def _cumulative(grid: np.ndarray, rate: np.ndarray) -> np.ndarray:
    steps = np.diff(grid)[None, :] * 0.5 * (rate[:, 1:] + rate[:, :-1])
    return np.concatenate([np.zeros((rate.shape[0], 1)), np.cumsum(steps, axis=1)], axis=1)


def _given(doses: tuple[tuple[float, float], ...], grid: np.ndarray) -> np.ndarray:
    return np.array([sum(mm for t, mm in doses if t <= g + 1e-9) for g in grid])


def _scaled(m: Measurement, dosed: np.ndarray, reference: np.ndarray | None) -> np.ndarray:
    if m.scale == "absolute" and (reference is None or m.versus != "control"):
        return dosed
    if reference is None:
        raise AssertionError("a relative scale needs a reference")
    if m.scale in ("change", "absolute"):
        return dosed - reference
    if m.scale == "fold":
        return dosed / reference
    return dosed / reference - 1.0


_LABEL_BODY = ("plasma", "rapid_pool", "tissue", "bone_surface", "deep_bone", "csf", "brain_isf")


def _label(model: ModelSpec, exp: Experiment, plan: _Plan, states: np.ndarray, obs: dict[str, np.ndarray],
           rows: np.ndarray) -> dict[str, np.ndarray]:
    """Fraction of the label in each body pool and sink over the grid, shape (set, time) each.

    The label enters plasma with the IV doses (``label = "iv"``) or with the absorbed
    supplement (``label = "oral"``); each flux carries label in proportion to the labelled
    share of its source pool.
    """
    grid = plan.grid
    nodes = (*_LABEL_BODY, "urine", "feces_endogenous")
    pos = {s: k for k, s in enumerate(nodes)}
    n_sets, n_t = states.shape[0], len(grid)
    out = np.zeros((n_sets, n_t, len(nodes) + 1))  # last column: unabsorbed oral label
    fluxes = [(f, model.species_index(f.source), pos[f.source], pos.get(f.target) if f.target else None)
              for f in model.fluxes if f.magnesium and f.source is not None and f.source in pos]
    route = exp.protocol.label
    dose_oral = sum(mm for _, mm in plan.oral_times_mmol)
    absorbed_names = [f.name for f in model.fluxes if f.source in LUMEN_SPECIES["supplement"] and f.target == "plasma"]
    for i in range(n_sets):
        x = np.zeros(len(nodes))
        for k in range(n_t - 1):
            t0, t1 = grid[k], grid[k + 1]
            if route == "iv":  # boluses enter at their grid time (the grid holds every dose time)
                x[pos["plasma"]] += sum(mmol for start, end, mmol in plan.iv_label_input
                                        if start == end and abs(start - t0) < 1e-9) / plan.iv_mmol
            A = np.zeros((len(nodes) + 1, len(nodes) + 1))
            for f, src, j, target in fluxes:
                amount = 0.5 * (states[i, k, src] + states[i, k + 1, src])
                rate = 0.5 * (obs[f"J_{f.name}"][i, k] + obs[f"J_{f.name}"][i, k + 1]) / max(amount, 1e-300)
                A[j, j] -= rate
                if target is not None:
                    A[target, j] += rate
            if route == "iv":
                b = sum(mmol / (end - start) for start, end, mmol in plan.iv_label_input
                        if end > start and start <= t0 < end) / plan.iv_mmol
                A[pos["plasma"], -1] = b
            elif route == "oral" and dose_oral > 0:
                absorbed = sum(0.5 * (obs[f"J_{nm}"][i, k] + obs[f"J_{nm}"][i, k + 1]) for nm in absorbed_names)
                A[pos["plasma"], -1] = absorbed / dose_oral
            z = np.append(x, 1.0)
            z = expm(A * (t1 - t0)) @ z
            x = z[:-1]
            out[i, k + 1, :-1] = x
    result = {s: out[:, :, pos[s]] for s in nodes}
    if route == "oral" and dose_oral > 0:
        result["unabsorbed"] = states[:, :, model.species_index("feces_supplement")] / dose_oral
    else:
        result["unabsorbed"] = np.zeros((n_sets, n_t))
    return result


def _exchangeable_pool(exp: Experiment, plan: _Plan, arms: _Arms, times: np.ndarray) -> np.ndarray:
    """Label retained in the body / plasma specific activity, per kg (mmol/kg) at ``times``."""
    label = arms.labels(exp, plan)
    idx = plan.at(times)
    retained = np.sum([label[s] for s in _LABEL_BODY], axis=0)[:, idx]
    activity = label["plasma"][:, idx] / arms.states[:arms.n, idx, arms.model.species_index("plasma")]
    with np.errstate(divide="ignore", invalid="ignore"):
        return retained / activity / arms.weight()[:arms.n]

