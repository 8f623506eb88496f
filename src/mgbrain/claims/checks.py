"""Model checks: the registry's numbers, recomputed from mgbrain's own code.

A claim names a check (``model_check.name``) and gives its arguments and verdict bands in the
data file. A check is a function ``(args) -> ModelValue`` registered under its name with
:func:`model_check`; the modules that define checks (:mod:`~mgbrain.claims.conversion_checks`,
:mod:`~mgbrain.claims.kinetic_checks`, :mod:`~mgbrain.claims.brain_checks`) are imported by
:mod:`mgbrain.claims.catalogue`, which hands the registered names to the claims loader. Each
check's docstring says what is simulated and what the number is compared with.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType
from typing import Any

from mgbrain.claims.registry import Claim
from mgbrain.errors import ParameterError

__all__ = [
    "ModelValue",
    "ModelCheckResult",
    "MODEL_CHECKS",
    "model_check",
    "check_argument",
    "run_model_check",
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
    implied_verdict: str | None
    verdict_basis: str = "model"

    @property
    def would_change(self) -> bool:
        """True when a computed value implies another verdict than the registry's (only for a
        verdict that rests on the model: one that rests on primary data keeps it)."""
        return self.verdict_basis == "model" and self.implied_verdict != self.registry_verdict

    @property
    def model_disagrees(self) -> bool:
        """The model's number implies another verdict than the registry's, whatever the basis."""
        return self.implied_verdict != self.registry_verdict

    def to_dict(self) -> dict[str, Any]:
        out = dict(self.__dict__)
        out["would_change"] = self.would_change
        out["model_disagrees"] = self.model_disagrees
        return out


CheckFunction = Callable[[Mapping[str, Any]], ModelValue]
_CHECKS: dict[str, CheckFunction] = {}
#: Every registered check: name -> function(args) -> ModelValue (read-only view).
MODEL_CHECKS: Mapping[str, CheckFunction] = MappingProxyType(_CHECKS)


def model_check(function: CheckFunction) -> CheckFunction:
    """Register ``function`` as the model check named after it."""
    if function.__name__ in _CHECKS:
        raise ParameterError("model check registered twice", argument=function.__name__,
                             expected="one function per check name", received=function.__module__)
    _CHECKS[function.__name__] = function
    return function


def check_argument(args: Mapping[str, Any], name: str, check: str) -> Any:
    """``args[name]``, or an error naming the claim's missing ``model_check.args`` entry."""
    if name not in args:
        raise ParameterError("model check argument missing", argument=f"{check}.args.{name}",
                             expected=f"'{name}' in the claim's model_check.args", received=dict(args))
    return args[name]


@cache
def _computed(name: str, args: tuple[tuple[str, Any], ...]) -> ModelValue:
    # the brain checks simulate for seconds: each (check, arguments) runs once per process
    return MODEL_CHECKS[name](dict(args))


def run_model_check(claim: Claim) -> ModelCheckResult:
    """Run the model check of ``claim``: its value and the verdict its bands imply."""
    spec = claim.model_check
    if spec is None:
        raise ParameterError("claim has no model check", argument="claim", received=claim.id)
    result = _computed(spec.name, tuple(sorted((k, _frozen(v)) for k, v in spec.args.items())))
    return ModelCheckResult(claim_id=claim.id, name=spec.name, registry_verdict=claim.verdict,
                            claimed=spec.claimed, unit=spec.unit, value=result.value, detail=result.detail,
                            implied_verdict=spec.implied_verdict(result.value), verdict_basis=spec.verdict_basis)


def _frozen(value: Any) -> Any:
    """A hashable stand-in for a TOML value (lists become tuples)."""
    return tuple(_frozen(v) for v in value) if isinstance(value, list) else value
