"""Model checks: the registry's numbers, recomputed from mgbrain's own code.

A claim names a check (``model_check.name``) and gives its arguments and verdict bands in the
data file. :data:`MODEL_CHECKS` maps each name to a function: dose conversion and compound
stoichiometry, the whole-body kinetics (:mod:`mgbrain.evidence.kinetic_checks`) and the brain
model. Each docstring says what is simulated and what the number is compared with.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Callable, Mapping

from mgbrain.errors import ParameterError

__all__ = [
    "ModelValue",
    "ModelCheckResult",
    "MODEL_CHECKS",
    "run_model_check",
    "check_claims",
]


@dataclass(frozen=True)
class ModelValue:
    """A number computed by the model, its unit and how it was obtained."""

    value: float
    unit: str
    detail: str


@dataclass(frozen=True)
class ModelCheckResult:
    """Outcome of one claim's model check: the value and the verdict its bands imply."""

    claim_id: str
    name: str
    registry_verdict: str
    claimed: str
    unit: str
    value: float
    detail: str
    implied_verdict: str

    @property
    def would_change(self) -> bool:
        """True when a computed value implies another verdict than the registry's."""
        return self.implied_verdict != self.registry_verdict

    def to_dict(self) -> dict[str, Any]:
        out = dict(self.__dict__)
        out["would_change"] = self.would_change
        return out


def _arg(args: Mapping[str, Any], name: str, check: str) -> Any:
    if name not in args:
        raise ParameterError("model check argument missing", argument=f"{check}.args.{name}",
                             expected=f"'{name}' in the claim's model_check.args", received=dict(args))
    return args[name]


def elemental_mg_from_compound(args: Mapping[str, Any]) -> ModelValue:
    """Elemental Mg (mg) in ``amount`` of ``product`` on ``basis`` (label | stoichiometric).

    Uses :func:`mgbrain.dosing.convert_dose`, so the number comes from the compound's formula
    (stoichiometric) or from the product label (label ratio).
    """
    from mgbrain.dosing import convert_dose

    amount = _arg(args, "amount", "elemental_mg_from_compound")
    product = args.get("product", "threonate")
    basis = args.get("basis", "label")
    conv = convert_dose(amount, product)
    if basis not in conv.per_dose:
        raise ParameterError("unknown basis", argument="elemental_mg_from_compound.args.basis",
                             expected=" | ".join(conv.per_dose), received=basis)
    mg = conv.per_dose[basis]["elemental_mg"]
    frac = conv.elemental_fractions[basis]
    return ModelValue(mg, "mg", f"convert_dose({amount!r}, {product!r}): {basis} basis, "
                                f"{100 * frac:.3g}% Mg -> {mg:.1f} mg elemental Mg")


def elemental_percent_of_compound(args: Mapping[str, Any]) -> ModelValue:
    """Stoichiometric % elemental Mg of ``form``, from its formula (:func:`load_compounds`)."""
    from mgbrain.compounds import find_compound

    compound = find_compound(_arg(args, "form", "elemental_percent_of_compound"))
    pct = 100 * compound.elemental_fraction
    return ModelValue(pct, "% w/w", f"{compound.hydrated_formula}: "
                                    f"{compound.molar_mass_g_per_mol:.2f} g/mol -> {pct:.2f}% Mg")


def elemental_percent_rank(args: Mapping[str, Any]) -> ModelValue:
    """Fraction of the other compounds that carry more % Mg than ``form`` (0 = richest)."""
    from mgbrain.compounds import find_compound, load_compounds

    compound = find_compound(_arg(args, "form", "elemental_percent_rank"))
    others = [c for c in load_compounds().values() if c.id != compound.id]
    richer = [c for c in others if c.elemental_fraction > compound.elemental_fraction]
    share = len(richer) / len(others)
    return ModelValue(share, "fraction", f"{len(richer)} of {len(others)} other forms carry more "
                                         f"Mg per gram than {compound.name} "
                                         f"({100 * compound.elemental_fraction:.2f}%)")


def _kinetic(name: str) -> Callable[[Mapping[str, Any]], ModelValue]:
    def run(args: Mapping[str, Any]) -> ModelValue:
        from mgbrain.evidence import kinetic_checks  # imports the solver only when needed

        return getattr(kinetic_checks, name)(args)
    run.__doc__ = f"See mgbrain.evidence.kinetic_checks.{name}."
    return run



# --- checks on the brain model ----------------------------------------------------------------

def csf_rise_after_oral_mgt(args: Mapping[str, Any]) -> ModelValue:
    """CSF Mg rise after weeks of oral MgT ("raises brain fluid Mg by over 50%").

    Simulate: oral magnesium L-threonate, ``dose`` (default 2 g/day MgT, 144 mg elemental Mg
    by label) in ``doses_per_day`` doses for ``days`` (default 24 days: the rat time course
    quoted in literature.md section 1), in a 70 kg adult with normal kidneys, on the brain
    model. Output: CSF total Mg (mean of the last day), % change from the pre-dose steady
    state. Compare: the claimed +50%; V23 (about +15% in rats at ~3.4x the human dose per
    body surface, low confidence). The uptake enhancement ``emax_bbb_thr`` carries most of
    the uncertainty (Sobol, ``mgbrain sensitivity``).
    """
    from mgbrain.brain.experiments import csf_rise_percent
    from mgbrain.model import BRAIN
    from mgbrain.solver.subject import default_parameters
    from mgbrain.units import parse_mass_amount

    mg, _ = parse_mass_amount(args.get("dose", "2 g/day"), argument="csf_rise_after_oral_mgt.args.dose")
    per_day = int(args.get("doses_per_day", 2))
    days = float(args.get("days", 24))
    times = {1: (20.0,), 2: (8.0, 20.0), 3: (8.0, 14.0, 20.0)}.get(per_day, (8.0, 20.0))
    params = default_parameters(BRAIN)
    rise = csf_rise_percent(params, "magtein", mg, days, clock_times=times)
    low = csf_rise_percent(params.replace(emax_bbb_thr=params.values["emax_bbb_thr"].range[0]), "magtein", mg,
                           days, clock_times=times)
    high = csf_rise_percent(params.replace(emax_bbb_thr=params.values["emax_bbb_thr"].range[1]), "magtein", mg,
                            days, clock_times=times)
    return ModelValue(rise, "%", f"{mg / 1000:g} g/day Magtein in {per_day} doses for {days:g} days, 70 kg: "
                                 f"CSF Mg {rise:+.1f}% (emax_bbb_thr over its range: {low:+.1f}% to {high:+.1f}%)")


def csf_rise_mgt_vs_other_salt(args: Mapping[str, Any]) -> ModelValue:
    """Ratio of CSF Mg rise with MgT to that with another salt at equal elemental Mg.

    Simulate: ``weeks`` (default 4) of oral dosing twice daily at the same elemental Mg
    (default 144 mg/day) as threonate and as ``other`` (default chloride), same subject, brain
    model. Output: (CSF % rise with MgT) / (CSF % rise with the other salt) at the end.
    Compare: the claim that MgT escapes the blood-CSF decoupling; V23/V24 (CSF rises with MgT
    only, in rats and mice). A ratio near 1 means no threonate advantage.
    """
    from mgbrain.brain.experiments import csf_rise_percent
    from mgbrain.model import BRAIN
    from mgbrain.solver.subject import default_parameters

    mg = float(args.get("elemental_mg_per_day", 144))
    days = 7.0 * float(args.get("weeks", 4))
    other = str(args.get("other", "chloride"))
    params = default_parameters(BRAIN)
    mgt = csf_rise_percent(params, "threonate", mg, days, elemental=True, clock_times=(8.0, 20.0))
    salt = csf_rise_percent(params, other, mg, days, elemental=True, clock_times=(8.0, 20.0))
    return ModelValue(mgt / salt, "ratio", f"{mg:g} mg/day elemental for {days:g} days: CSF {mgt:+.2f}% with "
                                           f"threonate vs {salt:+.2f}% with {other}")


def _liu_cognition(stop_day: float | None = None):
    from mgbrain.brain.trials import LIU2016, mechanistic_effects, run_virtual_trial
    from mgbrain.model import BRAIN
    from mgbrain.solver.subject import default_parameters

    params = default_parameters(BRAIN)
    eff = mechanistic_effects(LIU2016, params, dosing_stops_day=stop_day)
    return params, run_virtual_trial(LIU2016, params, "cognition", seed=11, replicates=0, effects=eff)


def cognitive_age_change_12wk(args: Mapping[str, Any]) -> ModelValue:
    """Change in "cognitive age" after 12 weeks of MgT ("reversed brain aging by 9 years").

    Simulate: a virtual trial of the Liu 2016 design: age 50-70, MgT 1.5 g/day (50-70 kg) or
    2 g/day (70-100 kg) vs placebo for 12 weeks, outcomes at weeks 0, 6 and 12. Output: mean
    treatment-minus-placebo change of the composite at week 12, in years of the assumed
    age-norm decline (``cognitive_age_slope_z_per_year``, 0.05 z/year, range 0.03-0.10), with
    d at weeks 6 and 12. Compare: the claimed 9 years (9.4 in a secondary source; V25:
    d = 0.67 at week 6, 0.91 at week 12). The model is calibrated on the d's of this trial.
    """
    from mgbrain.brain.trials import cognitive_age_years

    params, out = _liu_cognition()
    years = cognitive_age_years(out.mean_difference[1], params)
    lo, hi = params.values["cognitive_age_slope_z_per_year"].range
    return ModelValue(years, "years", f"composite +{out.mean_difference[1]:.2f} z vs placebo at week 12 "
                                      f"(d = {out.expected_d[0]:.2f} at week 6, {out.expected_d[1]:.2f} at week 12) "
                                      f"/ {params['cognitive_age_slope_z_per_year']:g} z per year = {years:.1f} years "
                                      f"({out.mean_difference[1] / hi:.1f}-{out.mean_difference[1] / lo:.1f} over the "
                                      f"slope's range)")


def cognition_effect_growth(args: Mapping[str, Any]) -> ModelValue:
    """Ratio of the cognition effect at week 12 to week 6 with consistent daily dosing.

    Simulate: the Liu 2016 virtual trial above. Output: d(week 12) / d(week 6), and the same
    ratio when dosing stops at week 6. Compare: V25 (0.91 / 0.67 = 1.36) and the claim that
    consistent use matters (the effect builds with synapse turnover over weeks).
    """
    _, on = _liu_cognition()
    _, off = _liu_cognition(42.0)
    ratio = on.expected_d[1] / on.expected_d[0]
    stop = off.expected_d[1] / off.expected_d[0]
    return ModelValue(ratio, "d(week 12) / d(week 6)",
                      f"daily dosing: d {on.expected_d[0]:.2f} -> {on.expected_d[1]:.2f} (ratio {ratio:.2f}); "
                      f"dosing stopped at week 6: ratio {stop:.2f}")


#: Every check: name -> function(args) -> ModelValue.
MODEL_CHECKS: Mapping[str, Callable[[Mapping[str, Any]], ModelValue]] = MappingProxyType({
    "elemental_mg_from_compound": elemental_mg_from_compound,
    "elemental_percent_of_compound": elemental_percent_of_compound,
    "elemental_percent_rank": elemental_percent_rank,
    "csf_response_to_plasma_rise": _kinetic("csf_response_to_plasma_rise"),
    "absorption_rate_ratio": _kinetic("absorption_rate_ratio"),
    "csf_rise_after_oral_mgt": csf_rise_after_oral_mgt,
    "csf_rise_mgt_vs_other_salt": csf_rise_mgt_vs_other_salt,
    "cognitive_age_change_12wk": cognitive_age_change_12wk,
    "cognition_effect_growth": cognition_effect_growth,
})


_RESULTS: dict = {}


def run_model_check(claim) -> ModelCheckResult:
    """Run the model check of ``claim`` (a :class:`~mgbrain.evidence.claims.Claim`).

    The value is computed once per (check, arguments) in a process: the brain checks
    simulate for seconds.
    """
    spec = claim.model_check
    if spec is None:
        raise ParameterError("claim has no model check", argument="claim", received=claim.id)
    common = dict(claim_id=claim.id, name=spec.name, registry_verdict=claim.verdict,
                  claimed=spec.claimed, unit=spec.unit)
    key = (spec.name, repr(sorted(dict(spec.args).items())))
    if key not in _RESULTS:
        _RESULTS[key] = MODEL_CHECKS[spec.name](spec.args)
    result = _RESULTS[key]
    return ModelCheckResult(value=result.value, detail=result.detail,
                            implied_verdict=spec.implied_verdict(result.value), **common)


def check_claims(claims=None) -> list[ModelCheckResult]:
    """Run every model check of ``claims`` (default: the whole registry), sorted by claim id."""
    from mgbrain.evidence.claims import load_claims

    claims = load_claims() if claims is None else claims
    return [run_model_check(c) for _, c in sorted(claims.items()) if c.model_check]
