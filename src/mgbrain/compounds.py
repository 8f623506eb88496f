"""Magnesium compounds and products: formula -> molar mass -> elemental Mg fraction.

Compounds are declared in ``data/compounds.toml`` by formula and water of hydration; the
numbers are computed here from standard atomic weights so that a typo in a table cannot
creep in. A :class:`Product` is a compound plus, where the label differs from
stoichiometry, its label ratio (Magtein: 144 mg Mg per 2,000 mg = 7.2 %, vs 8.25 %).
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from types import MappingProxyType

from mgbrain.errors import ParameterError, ProvenanceError, UnitError
from mgbrain.provenance import (
    check_confidence,
    check_provenance,
    read_data_toml,
    resolve_reference,
)
from mgbrain.units import MG_MOLAR_MASS_G_PER_MOL, parse_mass_amount

__all__ = [
    "ATOMIC_WEIGHTS",
    "Compound",
    "Product",
    "parse_formula",
    "molar_mass",
    "load_compounds",
    "load_products",
    "find_compound",
    "find_product",
    "product_from_label",
]

#: Standard atomic weights, g/mol (IUPAC/CIAAW conventional values; source key
#: ``ciaaw_atomic_weights``). The literature table of section 12 uses the same values.
ATOMIC_WEIGHTS: Mapping[str, float] = MappingProxyType({
    "Mg": MG_MOLAR_MASS_G_PER_MOL, "C": 12.011, "H": 1.008, "O": 15.999,
    "N": 14.007, "S": 32.06, "Cl": 35.45,
})

SOLUBILITY_CLASSES = ("soluble", "slightly", "poorly")

_TOKEN = re.compile(r"([A-Z][a-z]?|\(|\)|\d+)")


def parse_formula(formula: str) -> Counter:
    """Count atoms in a formula such as ``"Mg(C4H7O5)2"`` (nested parentheses allowed).

    Examples
    --------
    >>> dict(parse_formula("Mg(OH)2"))
    {'Mg': 1, 'O': 2, 'H': 2}
    """
    tokens = _TOKEN.findall(formula)
    if "".join(tokens) != formula:
        raise ParameterError("malformed chemical formula", argument="formula",
                             expected="element symbols, digits and parentheses", received=formula)
    stack: list[Counter] = [Counter()]
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        i += 1
        count = 1
        if i < len(tokens) and tokens[i].isdigit():
            count = int(tokens[i])
            i += 1
        if tok == "(":
            if count != 1:
                raise ParameterError("number after '('", argument="formula", received=formula)
            stack.append(Counter())
        elif tok == ")":
            if len(stack) == 1:
                raise ParameterError("unbalanced parentheses", argument="formula", received=formula)
            for el, n in stack.pop().items():
                stack[-1][el] += n * count
        elif tok.isdigit():
            raise ParameterError("number without an element", argument="formula", received=formula)
        elif tok not in ATOMIC_WEIGHTS:
            raise ParameterError("unknown element", argument="formula",
                                 expected=sorted(ATOMIC_WEIGHTS), received=tok)
        else:
            stack[-1][tok] += count
    if len(stack) != 1:
        raise ParameterError("unbalanced parentheses", argument="formula", received=formula)
    return stack[0]


def molar_mass(formula: str, water: int = 0) -> float:
    """Molar mass in g/mol of ``formula`` with ``water`` molecules of hydration."""
    atoms = parse_formula(formula)
    atoms["H"] += 2 * water
    atoms["O"] += water
    return sum(ATOMIC_WEIGHTS[el] * n for el, n in atoms.items())


@dataclass(frozen=True)
class Compound:
    """A magnesium salt, with everything derived from its formula."""

    id: str
    name: str
    formula: str
    water: int
    formula_source: str
    solubility_class: str
    solubility_source: str
    solubility_confidence: str
    solubility_g_per_100ml: float | None = None
    solubility_note: str | None = None
    label_elemental_fraction: float | None = None
    label_source: str | None = None
    label_note: str | None = None
    aliases: tuple[str, ...] = field(default=())

    @property
    def hydrated_formula(self) -> str:
        return f"{self.formula}·{self.water}H2O" if self.water else self.formula

    @property
    def molar_mass_g_per_mol(self) -> float:
        return molar_mass(self.formula, self.water)

    @property
    def mg_atoms(self) -> int:
        return parse_formula(self.formula)["Mg"]

    @property
    def elemental_fraction(self) -> float:
        """Stoichiometric mass fraction of Mg (0-1)."""
        return self.mg_atoms * MG_MOLAR_MASS_G_PER_MOL / self.molar_mass_g_per_mol

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "name": self.name,
            "formula": self.hydrated_formula,
            "molar_mass_g_per_mol": round(self.molar_mass_g_per_mol, 3),
            "elemental_mg_percent": round(100 * self.elemental_fraction, 3),
            "label_elemental_mg_percent": (None if self.label_elemental_fraction is None
                                           else round(100 * self.label_elemental_fraction, 3)),
            "solubility_g_per_100ml": self.solubility_g_per_100ml,
            "solubility_class": self.solubility_class,
            "solubility_note": self.solubility_note,
            "sources": sorted({self.formula_source, self.solubility_source}
                              | ({self.label_source} if self.label_source else set())),
        }


@dataclass(frozen=True)
class Product:
    """What a person takes: a compound and the elemental fraction its label states.

    ``label_elemental_fraction`` is None when the product follows stoichiometry.
    """

    id: str
    name: str
    compound: Compound
    label_elemental_fraction: float | None = None
    units_per_serving: float | None = None
    unit_name: str | None = None
    serving_compound_mg: float | None = None
    source: str | None = None

    @property
    def elemental_fraction(self) -> float:
        """The fraction used for dosing: the label's where it has one, else stoichiometry."""
        if self.label_elemental_fraction is not None:
            return self.label_elemental_fraction
        return self.compound.elemental_fraction

    @property
    def compound_mg_per_unit(self) -> float | None:
        if self.units_per_serving and self.serving_compound_mg:
            return self.serving_compound_mg / self.units_per_serving
        return None

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "name": self.name,
            "form": self.compound.id,
            "elemental_mg_percent_label": (None if self.label_elemental_fraction is None
                                           else round(100 * self.label_elemental_fraction, 4)),
            "elemental_mg_percent_stoichiometric": round(100 * self.compound.elemental_fraction, 4),
            "units_per_serving": self.units_per_serving,
            "unit_name": self.unit_name,
            "serving_compound_mg": self.serving_compound_mg,
            "source": self.source,
        }


def _check_choice(value, choices, where):
    if value not in choices:
        raise ProvenanceError("invalid value", argument=where, expected=choices, received=value)


@cache
def load_compounds() -> Mapping[str, Compound]:
    """All compounds of ``data/compounds.toml``, validated, keyed by id."""
    out: dict[str, Compound] = {}
    for cid, row in read_data_toml("compounds.toml").items():
        where = f"compounds.toml:{cid}"
        for key in ("formula_source", "solubility_source", "label_source"):
            if row.get(key):
                resolve_reference(row[key], where=f"{where}.{key}")
        _check_choice(row.get("solubility_class"), SOLUBILITY_CLASSES, f"{where}.solubility_class")
        check_confidence(row.get("solubility_confidence"), f"{where}.solubility_confidence")
        row = dict(row)
        row["aliases"] = tuple(_normalise(a) for a in row.get("aliases", ()))
        row.setdefault("water", 0)
        try:
            out[cid] = Compound(id=cid, **row)
        except TypeError as exc:
            raise ProvenanceError("unknown or missing field", argument=where, received=str(exc)) from exc
        molar_mass(row["formula"], row["water"])  # validates the formula
    return MappingProxyType(out)


@cache
def load_products() -> Mapping[str, Product]:
    """Built-in products (``data/products.toml``) plus one stoichiometric product per compound."""
    compounds = load_compounds()
    out: dict[str, Product] = {
        cid: Product(id=cid, name=c.name, compound=c, source=c.formula_source)
        for cid, c in compounds.items()
    }
    for pid, row in read_data_toml("products.toml").items():
        where = f"products.toml:{pid}"
        check_provenance(row, where)
        compound = find_compound(row["form"])
        out[pid] = Product(
            id=pid, name=row["name"], compound=compound,
            label_elemental_fraction=row["label_elemental_mg"] / row["label_compound_mg"],
            serving_compound_mg=row["label_compound_mg"], source=row["source"],
        )
    return MappingProxyType(out)


def _normalise(name: str) -> str:
    name = name.strip().lower().replace("-", " ").replace("_", " ")
    return re.sub(r"^magnesium\s+|^mg\s+", "", name).strip()


def _lookup(name: str, table: Mapping, argument: str, kind: str):
    if not isinstance(name, str) or not name.strip():
        raise ParameterError(f"empty {kind} name", argument=argument,
                             expected=f"one of {sorted(table)}", received=name)
    key = _normalise(name).replace(" ", "_")
    if key in table:
        return table[key]
    wanted = _normalise(name)
    for item in table.values():
        compound = item if isinstance(item, Compound) else item.compound
        if item is compound and wanted in compound.aliases:
            return item
    candidates = list(table)
    close = difflib.get_close_matches(key, candidates, n=3, cutoff=0.5)
    hint = f"did you mean {', '.join(close)}?" if close else f"known: {', '.join(sorted(table))}"
    raise ParameterError(f"unknown {kind}", argument=argument, received=name, hint=hint)


def find_compound(name: str, *, argument: str = "form") -> Compound:
    """Find a compound by id or alias (``"threonate"``, ``"MgT"``, ``"Epsom salt"``).

    Unknown names raise :class:`ParameterError` suggesting close names.

    Examples
    --------
    >>> round(find_compound("threonate").molar_mass_g_per_mol, 2)
    294.5
    """
    return _lookup(name, load_compounds(), argument, "form")


def find_product(name: str, *, argument: str = "product") -> Product:
    """Find a built-in product (``"magtein"``) or a compound used as a product."""
    products = load_products()
    key = _normalise(name).replace(" ", "_") if isinstance(name, str) else name
    if key in products:
        return products[key]
    compound = _lookup(name, load_compounds(), argument, "product")
    return products[compound.id]


_LABEL = re.compile(
    r"^\s*(?:(?P<units>\d+(?:\.\d+)?)\s*(?P<unit_name>[a-z]+?)s?\s*=\s*)?"
    r"(?P<compound>\d[\d,]*(?:\.\d+)?\s*(?:mg|g))\b[^0-9]*?"
    r"(?:providing|provides|with|containing|=|:|->)\s*"
    r"(?P<elemental>\d[\d,]*(?:\.\d+)?\s*(?:mg|g))\b"
    r"(?P<rest>.*)$",
    re.IGNORECASE | re.DOTALL,
)
#: What may follow the elemental amount: a word saying that it is magnesium, nothing else
#: ("144 mg Mg", "144 mg elemental magnesium", "144 mg (elemental)"). Anything more ("... per
#: 3 capsules", "... and 10 mg zinc") could change the amount, so it is refused.
_LABEL_TAIL = re.compile(
    r"\s*\(?\s*(?:of\s+)?(?:elemental\s+)?(?:mg|magnesium|elemental)?(?:\s+elemental)?\s*\)?\s*\.?\s*",
    re.IGNORECASE,
)
_LABEL_EXPECTED = "'[N units =] <compound mass> providing <elemental mass> [Mg]'"


def product_from_label(label: str, form: str, *, name: str | None = None) -> Product:
    """Define a product from its label text.

    Parameters
    ----------
    label
        e.g. ``"2 capsules = 2,000 mg MgT providing 144 mg Mg"`` or ``"2000 mg : 144 mg"``.
    form
        The compound the label declares (``"threonate"``).

    Examples
    --------
    >>> p = product_from_label("2 capsules = 2,000 mg MgT providing 144 mg Mg", "threonate")
    >>> round(p.elemental_fraction, 4), p.compound_mg_per_unit
    (0.072, 1000.0)
    """
    if not isinstance(label, str):
        raise ParameterError("the label must be text", argument="label", expected=_LABEL_EXPECTED,
                             received=label)
    if name is not None and not isinstance(name, str):
        raise ParameterError("the product name must be text", argument="name", expected="a string or None",
                             received=name)
    compound = find_compound(form)
    match = _LABEL.match(label)
    if not match:
        raise ParameterError("cannot read the label", argument="label", expected=_LABEL_EXPECTED,
                             received=label)
    if not _LABEL_TAIL.fullmatch(match["rest"]):
        raise ParameterError("unexpected text after the elemental amount", argument="label",
                             expected=f"{_LABEL_EXPECTED}, nothing after it", received=label,
                             hint="give the compound and elemental amounts of one serving, nothing after them")
    try:
        compound_mg, _ = parse_mass_amount(match["compound"], argument="label")
        elemental_mg, _ = parse_mass_amount(match["elemental"], argument="label")
    except UnitError as exc:  # name the whole label the user typed, not the fragment
        raise UnitError(exc.message, argument="label", expected=exc.expected, received=label,
                        hint=exc.hint) from exc
    if compound_mg <= 0 or elemental_mg <= 0:
        raise ParameterError("label amounts must be positive", argument="label", received=label)
    fraction = elemental_mg / compound_mg
    stoich = compound.elemental_fraction
    if fraction > stoich * 1.05:
        raise ParameterError(
            f"label claims more Mg than the compound can hold ({100 * fraction:.2f}%)", argument="label",
            expected=f"at most {100 * stoich:.2f}% Mg for {compound.name}", received=label)
    units = float(match["units"]) if match["units"] else None
    if units is not None and units <= 0:
        raise ParameterError("the number of units per serving must be positive", argument="label",
                             expected="e.g. '2 capsules = ...'", received=label)
    return Product(
        id="custom", name=name or f"custom {compound.name}", compound=compound,
        label_elemental_fraction=fraction, units_per_serving=units,
        unit_name=(match["unit_name"].lower() if match["unit_name"] else None),
        serving_compound_mg=compound_mg, source="user label",
    )
