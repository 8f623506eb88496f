"""Declarative model specification: the one place the equations live.

A :class:`ModelSpec` lists species (amounts in mmol), parameters (canonical units), assignment
rules (derived quantities, evaluated in order) and fluxes (rate expressions in a small infix
language shared by Python and SBML: ``+ - * /``, ``^``, ``sqrt(x)``, ``exp(x)``, parentheses).
From it we generate

* a right-hand side ``rhs(y, p, out)`` as Python source (scalar or numpy-vectorised, and
  numba-compilable because it only uses arithmetic), and
* the SBML export (``mgbrain.model.sbml``),

so there is never a second hand-written copy of the equations.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property

from mgbrain.errors import ParameterError

__all__ = ["Species", "ParameterSpec", "Assignment", "Flux", "ModelSpec", "FeedForwardSplit"]

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_FUNCTIONS = {"sqrt", "exp", "log"}


@dataclass(frozen=True)
class Species:
    """A state variable: an amount of Mg (or threonate) in one compartment, in mmol."""

    name: str
    compartment: str
    description: str
    unit: str = "mmol"
    cumulative: bool = False  # sinks (urine, feces): counted for mass balance, never read back
    #: too slow to follow the meal swings within a day: the steady-state start sets it from the
    #: day's mean state (its ``steady_<name>`` assignment), not from the midnight level
    slow: bool = False


@dataclass(frozen=True)
class ParameterSpec:
    """Meaning of a parameter: canonical unit and admissible bounds (values live in data files)."""

    name: str
    unit: str
    lower: float
    upper: float
    description: str

    def check(self, value: float) -> float:
        if not (self.lower <= value <= self.upper):
            raise ParameterError("parameter out of bounds", argument=self.name,
                                 expected=f"{self.lower} to {self.upper} {self.unit}", received=value)
        return float(value)


@dataclass(frozen=True)
class Assignment:
    """A derived quantity ``name = expression`` (e.g. a concentration from an amount)."""

    name: str
    expression: str
    unit: str
    description: str


@dataclass(frozen=True)
class Flux:
    """A transfer of amount from ``source`` to ``target`` (None = outside the system)."""

    name: str
    source: str | None
    target: str | None
    expression: str
    description: str
    #: mass balance: fluxes whose stoichiometry moves Mg; threonate fluxes set False.
    magnesium: bool = True


def _identifiers(expression: str) -> set[str]:
    return {m for m in _IDENT.findall(expression) if m not in _FUNCTIONS}


def _to_python(expression: str) -> str:
    return expression.replace("^", "**")


@dataclass(frozen=True)
class FeedForwardSplit:
    """A model cut into a feed-forward part (the gut) and the rest (the body).

    ``upstream`` species never depend on ``downstream`` ones, so for a regimen that repeats
    daily their orbit can be integrated once and replayed. The downstream part sees the
    upstream part only through ``forcing_fluxes`` (fluxes of downstream species whose rates
    read upstream species only: absorption) and through the ``interface`` species (upstream
    species read by fluxes that also read downstream ones: threonate carrying Mg into the CSF).
    """

    upstream: tuple[str, ...]
    downstream: tuple[str, ...]
    forcing_fluxes: tuple[str, ...]
    interface: tuple[str, ...]


@dataclass(frozen=True)
class ModelSpec:
    """A whole model. Build with :meth:`extended` to add layers without copying equations."""

    name: str
    species: tuple[Species, ...]
    parameters: tuple[ParameterSpec, ...]
    assignments: tuple[Assignment, ...]
    fluxes: tuple[Flux, ...]
    inputs: tuple[str, ...] = field(default=())  # piecewise-constant inputs, e.g. infusion rate

    def __post_init__(self) -> None:
        names = [s.name for s in self.species] + [p.name for p in self.parameters] \
            + [a.name for a in self.assignments] + list(self.inputs)
        dupes = {n for n in names if names.count(n) > 1}
        if dupes:
            raise ParameterError("name declared twice in the model", argument=self.name,
                                 received=sorted(dupes))
        for n in names:
            if keyword.iskeyword(n) or n in _FUNCTIONS or not _IDENT.fullmatch(n):
                raise ParameterError("invalid model identifier", argument=self.name, received=n)
        known = set(self.species_names) | set(self.parameter_names) | set(self.inputs)
        for a in self.assignments:
            missing = _identifiers(a.expression) - known
            if missing:
                raise ParameterError("assignment uses undefined names", argument=a.name,
                                     received=sorted(missing))
            known.add(a.name)
        species = set(self.species_names)
        for f in self.fluxes:
            missing = _identifiers(f.expression) - known
            if missing:
                raise ParameterError("flux uses undefined names", argument=f.name, received=sorted(missing))
            for end in (f.source, f.target):
                if end is not None and end not in species:
                    raise ParameterError("flux connects an unknown species", argument=f.name, received=end)

    # -- lookups -----------------------------------------------------------------------
    @cached_property
    def species_names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.species)

    @cached_property
    def parameter_names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.parameters)

    def species_index(self, name: str) -> int:
        try:
            return self.species_names.index(name)
        except ValueError:
            raise ParameterError("unknown species", argument="species",
                                 expected=list(self.species_names), received=name) from None

    def parameter_spec(self, name: str) -> ParameterSpec:
        for p in self.parameters:
            if p.name == name:
                return p
        raise ParameterError("unknown parameter", argument="parameter",
                             expected="a name declared in the model", received=name)

    def extended(self, name: str, *, species=(), parameters=(), assignments=(), fluxes=(),
                 inputs=()) -> ModelSpec:
        """A new model with extra layers (the original is unchanged)."""
        return ModelSpec(name, self.species + tuple(species), self.parameters + tuple(parameters),
                         self.assignments + tuple(assignments), self.fluxes + tuple(fluxes),
                         self.inputs + tuple(inputs))

    # -- code generation -----------------------------------------------------------------
    def python_source(self, func_name: str = "rhs", precomputed: Sequence[str] | None = None) -> str:
        """Source of ``rhs(y, p, u, out)``: y[i] species, p[j] parameters, u[k] inputs.

        Works on floats and on numpy arrays of shape ``(subject,)`` alike (only arithmetic
        and sqrt/exp/log, which the caller supplies). With ``precomputed`` (assignment names, an
        empty list included), the signature is ``rhs(y, p, d, u, out)`` and those assignments are
        read from d[k] instead of being computed.
        """
        args = "y, p, d, u, out" if precomputed is not None else "y, p, u, out"
        lines = [f"def {func_name}({args}):"]
        lines += [f"    {s} = y[{i}]" for i, s in enumerate(self.species_names)]
        lines += [f"    {n} = p[{j}]" for j, n in enumerate(self.parameter_names)]
        lines += [f"    {n} = u[{k}]" for k, n in enumerate(self.inputs)]
        precomputed = precomputed or ()
        lines += [f"    {n} = d[{k}]" for k, n in enumerate(precomputed)]
        lines += [f"    {a.name} = {_to_python(a.expression)}" for a in self.assignments
                  if a.name not in precomputed]
        lines += [f"    J_{f.name} = {_to_python(f.expression)}" for f in self.fluxes]
        for i, s in enumerate(self.species_names):
            terms = [f"- J_{f.name}" for f in self.fluxes if f.source == s]
            terms += [f"+ J_{f.name}" for f in self.fluxes if f.target == s]
            lines.append(f"    out[{i}] = 0.0 {' '.join(terms)}")
        lines.append("    return out")
        return "\n".join(lines)

    def observables_source(self, func_name: str = "observe") -> str:
        """Source of ``observe(y, p, u)`` returning a dict of every assignment and flux."""
        lines = [f"def {func_name}(y, p, u):"]
        lines += [f"    {s} = y[{i}]" for i, s in enumerate(self.species_names)]
        lines += [f"    {n} = p[{j}]" for j, n in enumerate(self.parameter_names)]
        lines += [f"    {n} = u[{k}]" for k, n in enumerate(self.inputs)]
        lines += [f"    {a.name} = {_to_python(a.expression)}" for a in self.assignments]
        names = [a.name for a in self.assignments]
        lines += [f"    J_{f.name} = {_to_python(f.expression)}" for f in self.fluxes]
        names += [f"J_{f.name}" for f in self.fluxes]
        lines.append("    return {" + ", ".join(f"'{n}': {n}" for n in names) + "}")
        return "\n".join(lines)

    def compile(self, namespace: dict) -> tuple[Callable, Callable]:
        """Compile ``rhs`` and ``observe`` with math functions from ``namespace``."""
        ns = dict(namespace)
        exec(compile(self.python_source(), f"<{self.name} rhs>", "exec"), ns)
        exec(compile(self.observables_source(), f"<{self.name} observe>", "exec"), ns)
        return ns["rhs"], ns["observe"]

    def reads(self, expressions: Sequence[str]) -> set[str]:
        """Every name the expressions read, directly or through assignments."""
        by_name = {a.name: a.expression for a in self.assignments}
        seen: set[str] = set()
        stack = [n for e in expressions for n in _identifiers(e)]
        while stack:
            name = stack.pop()
            if name not in seen:
                seen.add(name)
                stack.extend(_identifiers(by_name.get(name, "")))
        return seen

    def flux_species(self, flux: Flux) -> set[str]:
        """Species a flux's rate reads, directly or through assignments."""
        return self.reads([flux.expression]) & set(self.species_names)

    def species_dependencies(self) -> dict[str, set[str]]:
        """For each species, the species its rate of change depends on, transitively (itself included)."""
        direct = {s: {s} for s in self.species_names}
        for f in self.fluxes:
            reads = self.flux_species(f)
            for end in (f.source, f.target):
                if end is not None:
                    direct[end] |= reads
        closure = {s: set(d) for s, d in direct.items()}
        changed = True
        while changed:
            changed = False
            for deps in closure.values():
                grown = set().union(*(closure[d] for d in deps))
                if grown - deps:
                    deps |= grown
                    changed = True
        return closure

    def feed_forward_split(self) -> FeedForwardSplit | None:
        """The part upstream of every slow pool (species whose rates depend on no slow species,
        directly or through others) and the rest; None when the model has no such cut.

        For the whole-body model the upstream part is the gut and its faecal sinks: the body
        never acts back on it.
        """
        slow = {s.name for s in self.species if s.slow}
        closure = self.species_dependencies()
        upstream = tuple(s for s in self.species_names if not closure[s] & slow)
        downstream = tuple(s for s in self.species_names if s not in upstream)
        if not upstream or not downstream or not slow:
            return None
        up, down = set(upstream), set(downstream)
        forcing, interface = [], set()
        for f in self.fluxes:
            if f.source not in down and f.target not in down:
                continue
            reads = self.flux_species(f)
            if reads & up and not reads & down:
                forcing.append(f.name)
            elif reads & up:
                interface |= reads & up
        return FeedForwardSplit(upstream, downstream, tuple(forcing),
                                tuple(s for s in upstream if s in interface))

    def magnesium_species(self) -> tuple[str, ...]:
        """Species that hold Mg (for mass balance)."""
        mg_nodes = {f.source for f in self.fluxes if f.magnesium} | {f.target for f in self.fluxes if f.magnesium}
        return tuple(s for s in self.species_names if s in mg_nodes)
