"""Model checks: the registry's numbers, recomputed from mgbrain's own code.

A claim names a check (``model_check.name``) and gives its arguments and verdict bands in the
data file. :data:`MODEL_CHECKS` holds the checks the existing code can answer (dose conversion,
compound stoichiometry). :data:`PENDING_MODEL_CHECKS` holds the checks that need the kinetics
and brain model; each docstring says exactly what must be simulated. They are reported as
"awaiting the kinetics model" by :func:`run_model_check`, never skipped silently.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Callable, Mapping

from mgbrain.errors import ParameterError

__all__ = [
    "ModelValue",
    "ModelCheckResult",
    "MODEL_CHECKS",
    "PENDING_MODEL_CHECKS",
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
    """Outcome of one claim's model check.

    ``status`` is ``"computed"`` (value and implied verdict set) or ``"pending"`` (the check
    awaits the kinetics model; ``spec`` says what must be simulated).
    """

    claim_id: str
    name: str
    status: str
    registry_verdict: str
    claimed: str
    unit: str
    value: float | None = None
    detail: str | None = None
    implied_verdict: str | None = None
    spec: str | None = None

    @property
    def would_change(self) -> bool:
        """True when a computed value implies another verdict than the registry's."""
        return self.status == "computed" and self.implied_verdict != self.registry_verdict

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


#: Checks the current code can answer: name -> function(args) -> ModelValue.
def _kinetic(name: str) -> Callable[[Mapping[str, Any]], ModelValue]:
    def run(args: Mapping[str, Any]) -> ModelValue:
        from mgbrain.evidence import kinetic_checks  # imports the solver only when needed

        value = getattr(kinetic_checks, name)(args)
        return ModelValue(float(value.value), value.unit, value.detail)
    run.__doc__ = f"See mgbrain.evidence.kinetic_checks.{name}."
    return run


MODEL_CHECKS: Mapping[str, Callable[[Mapping[str, Any]], ModelValue]] = MappingProxyType({
    "csf_response_to_plasma_rise": _kinetic("csf_response_to_plasma_rise"),
    "absorption_rate_ratio": _kinetic("absorption_rate_ratio"),
    "elemental_mg_from_compound": elemental_mg_from_compound,
    "elemental_percent_of_compound": elemental_percent_of_compound,
    "elemental_percent_rank": elemental_percent_rank,
})


# --- checks that need the kinetics and brain model --------------------------------------------

def csf_rise_after_oral_mgt(args: Mapping[str, Any]) -> ModelValue:
    """CSF Mg rise after weeks of oral MgT ("raises brain fluid Mg by over 50%").

    Simulate: oral magnesium L-threonate, ``dose`` (default 2 g/day MgT, 144 mg elemental Mg
    by label) in ``doses_per_day`` doses for ``days`` (default 24 days: the rat time course
    quoted in literature.md section 1), in a 70 kg adult with normal kidneys; and the same
    elemental dose as rat-scaled drinking-water MgT if the model has a rat parameter set.
    Output: CSF (brain extracellular) total Mg at the end, % change from the pre-dose steady
    state. Compare: the claimed +50%; the validation target V23 (about +15% in rats,
    low confidence). Report the sensitivity to the threonate-dependent uptake parameter.
    """
    raise NotImplementedError


def csf_rise_mgt_vs_other_salt(args: Mapping[str, Any]) -> ModelValue:
    """Ratio of CSF Mg rise with MgT to that with another salt at equal elemental Mg.

    Simulate: 4 weeks of oral dosing at the same elemental Mg (default 144 mg/day) as
    threonate and as ``other`` (default chloride; also sulfate), same subject. Output:
    (CSF % rise with MgT) / (CSF % rise with the other salt) at the end. Compare: the claim
    that MgT escapes the blood-CSF decoupling ("generally does not have this effect"); V23/V24
    (CSF rises with MgT only, in rats and mice). A ratio near 1 means no threonate advantage.
    """
    raise NotImplementedError


def cognitive_age_change_12wk(args: Mapping[str, Any]) -> ModelValue:
    """Change in "cognitive age" after 12 weeks of MgT ("reversed brain aging by 9 years").

    Simulate: a virtual trial of the Liu 2016 design: age 50-70 with cognitive impairment,
    MgT 1.5 g/day (50-70 kg) or 2 g/day (70-100 kg) vs placebo for 12 weeks, outcomes at weeks
    0, 6 and 12. Output: mean treatment-minus-placebo change in cognitive age (years) at week
    12, with the composite effect size d at weeks 6 and 12. Compare: the claimed 9 years
    (9.4 in a secondary source; V25: d = 0.67 at week 6, 0.91 at week 12).
    """
    raise NotImplementedError


def cognition_effect_growth(args: Mapping[str, Any]) -> ModelValue:
    """Ratio of the cognition effect at week 12 to week 6 with consistent daily dosing.

    Simulate: the Liu 2016 virtual trial above. Output: d(week 12) / d(week 6), and the same
    ratio when dosing stops at week 6. Compare: V25 (0.91 / 0.67 = 1.36) and the claim that
    consistent use matters (the effect builds with synapse turnover over weeks).
    """
    raise NotImplementedError


#: Checks awaiting the kinetics/brain model: name -> stub whose docstring is the spec.
PENDING_MODEL_CHECKS: Mapping[str, Callable[[Mapping[str, Any]], ModelValue]] = MappingProxyType({
    "csf_rise_after_oral_mgt": csf_rise_after_oral_mgt,
    "csf_rise_mgt_vs_other_salt": csf_rise_mgt_vs_other_salt,
    "cognitive_age_change_12wk": cognitive_age_change_12wk,
    "cognition_effect_growth": cognition_effect_growth,
})


def run_model_check(claim) -> ModelCheckResult:
    """Run the model check of ``claim`` (a :class:`~mgbrain.evidence.claims.Claim`).

    Returns a ``"computed"`` result with the value and the verdict its bands imply, or a
    ``"pending"`` result carrying the specification of what must be simulated.
    """
    spec = claim.model_check
    if spec is None:
        raise ParameterError("claim has no model check", argument="claim", received=claim.id)
    common = dict(claim_id=claim.id, name=spec.name, registry_verdict=claim.verdict,
                  claimed=spec.claimed, unit=spec.unit)
    if spec.name in MODEL_CHECKS:
        result = MODEL_CHECKS[spec.name](spec.args)
        return ModelCheckResult(status="computed", value=result.value, detail=result.detail,
                                implied_verdict=spec.implied_verdict(result.value), **common)
    doc = inspect.getdoc(PENDING_MODEL_CHECKS[spec.name]) or ""
    return ModelCheckResult(status="pending", spec=doc, **common)


def check_claims(claims=None) -> list[ModelCheckResult]:
    """Run every model check of ``claims`` (default: the whole registry), sorted by claim id."""
    from mgbrain.evidence.claims import load_claims

    claims = load_claims() if claims is None else claims
    return [run_model_check(c) for _, c in sorted(claims.items()) if c.model_check]
