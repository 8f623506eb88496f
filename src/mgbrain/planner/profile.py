"""Who the plan is for: a validated, frozen :class:`Profile`, from keywords, TOML or YAML.

Out-of-range inputs raise :class:`~mgbrain.errors.ParameterError` naming the argument, the
accepted range and the value received: age 1-120 years, weight 2-300 kg, height 40-250 cm,
eGFR within the model's ``egfr_ml_min`` bounds (0-200), given per 1.73 m2 as labs report it.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from mgbrain.dosing.clock import clock_minutes
from mgbrain.errors import ParameterError
from mgbrain.planner.rules import EGFR_SPEC, kidney_stage

__all__ = [
    "GOALS",
    "SEXES",
    "CKD_STAGES",
    "MedicineEntry",
    "ProductEntry",
    "DietItem",
    "Profile",
    "load_profile",
    "profile_from_mapping",
    "read_profile_mapping",
    "merge_overrides",
]

GOALS = ("cognition", "sleep", "general")
SEXES = ("female", "male")
#: CKD stages accepted instead of an eGFR (KDIGO G categories; "dialysis" counts as G5).
CKD_STAGES = ("G1", "G2", "G3a", "G3b", "G4", "G5")

AGE_RANGE = (1.0, 120.0)
WEIGHT_RANGE_KG = (2.0, 300.0)
HEIGHT_RANGE_CM = (40.0, 250.0)

def _minutes(text: str, argument: str) -> int:
    """A profile clock time in minutes after midnight (the one parser, :mod:`mgbrain.dosing.clock`)."""
    return clock_minutes(text, argument=argument, error=ParameterError)


def _number(value: Any, argument: str, bounds: tuple[float, float], unit: str) -> float:
    if isinstance(value, bool):
        raise ParameterError("must be a number", argument=argument,
                             expected=f"{bounds[0]:g}-{bounds[1]:g} {unit}", received=value)
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ParameterError("must be a number", argument=argument,
                             expected=f"{bounds[0]:g}-{bounds[1]:g} {unit}", received=value) from None
    if not math.isfinite(number) or not bounds[0] <= number <= bounds[1]:
        raise ParameterError("out of range", argument=argument,
                             expected=f"{bounds[0]:g}-{bounds[1]:g} {unit}", received=value)
    return number


@dataclass(frozen=True)
class MedicineEntry:
    """A medicine the person takes, with its clock times (empty: the rule table's usual times).

    ``days`` limits a course (ciprofloxacin for 7 days); None means ongoing.
    """

    name: str
    times: tuple[str, ...] = ()
    days: int | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise ParameterError("empty medicine name", argument="medicines.name",
                                 expected="a generic or brand name", received=self.name)
        for t in self.times:
            _minutes(t, f"medicines[{self.name}].times")
        if self.days is not None and (isinstance(self.days, bool) or not isinstance(self.days, int)
                                      or not 1 <= self.days <= 366):
            raise ParameterError("course length out of range", argument=f"medicines[{self.name}].days",
                                 expected="an integer from 1 to 366 days", received=self.days)


@dataclass(frozen=True)
class ProductEntry:
    """A magnesium product in the plan.

    Parameters
    ----------
    product
        Built-in product or compound id/alias (``"magtein"``, ``"citrate"``).
    dose
        ``"2 g/day"`` (compound) or, with ``elemental=True``, elemental Mg. None: the planner
        chooses (trial dosing for threonate).
    label, form
        A label text (``"2 capsules = 2,000 mg MgT providing 144 mg Mg"``) and its compound,
        used instead of ``product``.
    capsule_mg
        Compound mass per capsule, when the label does not say.
    """

    product: str = "magtein"
    dose: str | None = None
    elemental: bool = False
    label: str | None = None
    form: str | None = None
    capsule_mg: float | None = None

    def __post_init__(self) -> None:
        for name in ("product", "dose", "label", "form"):
            value = getattr(self, name)
            if not (isinstance(value, str) or (value is None and name != "product")):
                raise ParameterError("not text", argument=f"products.{name}",
                                     expected="text, e.g. 'magtein', '2 g/day'", received=value)
        if not isinstance(self.elemental, bool):
            raise ParameterError("not a yes/no value", argument="products.elemental",
                                 expected="true or false", received=self.elemental)
        if self.capsule_mg is not None:
            _number(self.capsule_mg, "products.capsule_mg", (1.0, 5000.0), "mg")


@dataclass(frozen=True)
class DietItem:
    """A food and how much of it per day: ``servings`` or ``grams`` (exactly one)."""

    food: str
    servings: float | None = None
    grams: float | None = None

    def __post_init__(self) -> None:
        if (self.servings is None) == (self.grams is None):
            raise ParameterError("give servings or grams, not both or neither",
                                 argument=f"diet[{self.food}]", expected="servings=N or grams=N",
                                 received=f"servings={self.servings}, grams={self.grams}")
        if self.servings is not None:
            _number(self.servings, f"diet[{self.food}].servings", (0.0, 50.0), "servings/day")
        if self.grams is not None:
            _number(self.grams, f"diet[{self.food}].grams", (0.0, 5000.0), "g/day")


def _stage(value: str | int | None) -> str | None:
    if value is None:
        return None
    text = str(value).strip().upper().removeprefix("CKD").strip().removeprefix("STAGE").strip()
    if text == "DIALYSIS":
        return "G5"
    text = text if text.startswith("G") else f"G{text}"
    for stage in CKD_STAGES:
        if stage.upper() == text:
            return stage
    raise ParameterError("unknown CKD stage", argument="ckd_stage",
                         expected="G1, G2, G3a, G3b, G4, G5 (or 1-5, 3a, 3b, dialysis)", received=value)


@dataclass(frozen=True)
class Profile:
    """Everything the planner needs about one person. Validated on construction.

    ``egfr_ml_min`` is the eGFR as labs report it, indexed to 1.73 m2 of body surface area
    (mL/min/1.73 m2); the planner converts it to the absolute mL/min the model needs with
    ``height_cm`` (see :func:`~mgbrain.planner.rules.absolute_egfr`).

    Examples
    --------
    >>> p = Profile(age_years=65, sex="female", weight_kg=62, medicines=(MedicineEntry("alendronate"),))
    >>> p.state, p.egfr_ml_min
    ('none', None)
    """

    age_years: float
    sex: str
    weight_kg: float
    pregnant: bool = False
    lactating: bool = False
    egfr_ml_min: float | None = None
    ckd_stage: str | None = None
    medicines: tuple[MedicineEntry, ...] = ()
    products: tuple[ProductEntry, ...] = (ProductEntry(),)
    goal: str = "cognition"
    diet: tuple[DietItem, ...] = ()
    diet_mg_per_day: float | None = None
    wake_time: str = "07:00"
    bed_time: str = "22:30"
    titrate: bool = False
    name: str | None = None
    height_cm: float | None = None
    #: command-line values applied on top of a profile file, as the user typed them ("--egfr 10")
    overrides: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "age_years", _number(self.age_years, "age", AGE_RANGE, "years"))
        object.__setattr__(self, "weight_kg", _number(self.weight_kg, "weight", WEIGHT_RANGE_KG, "kg"))
        if self.height_cm is not None:
            object.__setattr__(self, "height_cm", _number(self.height_cm, "height_cm", HEIGHT_RANGE_CM, "cm"))
        sex = str(self.sex).strip().lower()
        sex = {"f": "female", "m": "male", "woman": "female", "man": "male"}.get(sex, sex)
        if sex not in SEXES:
            raise ParameterError("unknown sex", argument="sex", expected=SEXES, received=self.sex)
        object.__setattr__(self, "sex", sex)
        if self.goal not in GOALS:
            raise ParameterError("unknown goal", argument="goal", expected=GOALS, received=self.goal)
        if self.egfr_ml_min is not None:
            object.__setattr__(self, "egfr_ml_min",
                               _number(self.egfr_ml_min, "egfr", (EGFR_SPEC.lower, EGFR_SPEC.upper),
                                       "mL/min/1.73 m2"))
        object.__setattr__(self, "ckd_stage", _stage(self.ckd_stage))
        if self.egfr_ml_min is not None and self.ckd_stage is not None:
            implied = kidney_stage(self.egfr_ml_min)["stage"]
            if implied != self.ckd_stage:  # never check one and silently drop the other
                raise ParameterError("eGFR and CKD stage disagree", argument="ckd_stage",
                                     expected=f"{implied} for eGFR {self.egfr_ml_min:g} (or give only one)",
                                     received=self.ckd_stage)
        if self.pregnant or self.lactating:
            if self.sex != "female":
                raise ParameterError("pregnancy or lactation needs sex 'female'", argument="pregnant",
                                     expected="sex = female", received=f"sex = {self.sex}")
            if not 9 <= self.age_years <= 60:
                raise ParameterError("pregnancy or lactation outside the reference age range",
                                     argument="age", expected="9-60 years", received=self.age_years)
        if self.pregnant and self.lactating:
            raise ParameterError("choose pregnant or lactating", argument="lactating",
                                 expected="at most one of pregnant, lactating", received="both")
        if self.diet_mg_per_day is not None:
            object.__setattr__(self, "diet_mg_per_day",
                               _number(self.diet_mg_per_day, "diet_mg_per_day", (0.0, 3000.0), "mg/day"))
        if self.diet and self.diet_mg_per_day is not None:
            raise ParameterError("give diet foods or an intake estimate, not both", argument="diet",
                                 expected="diet foods or diet_mg_per_day", received="both")
        wake = _minutes(self.wake_time, "wake_time")
        bed = _minutes(self.bed_time, "bed_time")
        if not 6 * 60 <= bed - wake <= 22 * 60:
            raise ParameterError("waking day out of range", argument="bed_time",
                                 expected="6-22 h after wake_time, same day", received=self.bed_time)
        if not self.products:
            raise ParameterError("no product", argument="products",
                                 expected="at least one product", received=())
        object.__setattr__(self, "medicines", tuple(self.medicines))
        object.__setattr__(self, "products", tuple(self.products))
        object.__setattr__(self, "diet", tuple(self.diet))

    @property
    def state(self) -> str:
        """``"pregnant"``, ``"lactating"`` or ``"none"``."""
        return "pregnant" if self.pregnant else "lactating" if self.lactating else "none"


_PROFILE_KEYS = {"name", "age", "sex", "weight_kg", "weight", "height_cm", "pregnant", "lactating",
                 "egfr", "ckd_stage", "goal", "medicines", "products", "product", "diet", "wake", "bed",
                 "titrate"}


def _entries(value: Any) -> list:
    """A profile list (a single entry is taken as a list of one)."""
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _table(value: Any, where: str, keys: set[str]) -> dict:
    """A profile table with only the known ``keys``; anything else names ``where``."""
    if not isinstance(value, Mapping):
        raise ParameterError("not a table", argument=where, expected=f"a table with {', '.join(sorted(keys))}",
                             received=value)
    if unknown := set(value) - keys:
        raise ParameterError("unknown field", argument=where, expected=sorted(keys), received=sorted(unknown))
    return dict(value)


def _flag(data: Mapping[str, Any], key: str, where: str) -> bool:
    """A yes/no field: ``true``/``false`` only (the string "no" must not read as true)."""
    value = data.get(key, False)
    if not isinstance(value, bool):
        raise ParameterError("not a yes/no value", argument=f"{where}.{key}", expected="true or false",
                             received=value)
    return value


def profile_from_mapping(data: Mapping[str, Any], *, where: str = "profile") -> Profile:
    """Build a :class:`Profile` from the profile-file layout (see ``examples/profiles``)."""
    unknown = set(data) - _PROFILE_KEYS
    if unknown:
        raise ParameterError("unknown profile field", argument=where,
                             expected=sorted(_PROFILE_KEYS), received=sorted(unknown))
    for key in ("age", "sex"):
        if key not in data:
            raise ParameterError("missing profile field", argument=f"{where}.{key}", expected=key)
    if "weight_kg" not in data and "weight" not in data:
        raise ParameterError("missing profile field", argument=f"{where}.weight_kg", expected="weight_kg")
    medicines = []
    for i, m in enumerate(_entries(data.get("medicines", []))):
        m = _table({"name": m} if isinstance(m, str) else m, f"{where}.medicines[{i}]", {"name", "times", "days"})
        medicines.append(MedicineEntry(name=m.get("name", ""), days=m.get("days"),
                                       times=tuple(_entries(m.get("times", [])))))
    products = []
    for i, p in enumerate(_entries(data.get("products", [data["product"]] if "product" in data else [{}]))):
        p = _table({"product": p} if isinstance(p, str) else p, f"{where}.products[{i}]",
                   {"product", "dose", "elemental", "label", "form", "capsule_mg"})
        products.append(ProductEntry(**p))
    diet = data.get("diet") or {}
    # a bare list of foods is accepted for the [diet] table's ``foods``
    diet = _table({"foods": diet} if isinstance(diet, list) else diet, f"{where}.diet", {"foods", "intake_mg"})
    items = []
    for i, f in enumerate(_entries(diet.get("foods", []))):
        f = _table(f, f"{where}.diet.foods[{i}]", {"food", "servings", "grams"})
        items.append(DietItem(food=f.get("food", ""), servings=f.get("servings"), grams=f.get("grams")))
    return Profile(
        name=data.get("name"), age_years=data["age"], sex=data["sex"],
        weight_kg=data.get("weight_kg", data.get("weight")),
        height_cm=data.get("height_cm"),  # unit in the name: a bare "height" is refused as unknown
        pregnant=_flag(data, "pregnant", where), lactating=_flag(data, "lactating", where),
        egfr_ml_min=data.get("egfr"), ckd_stage=data.get("ckd_stage"),
        medicines=tuple(medicines), products=tuple(products), goal=data.get("goal", "cognition"),
        diet=tuple(items), diet_mg_per_day=diet.get("intake_mg"),
        wake_time=str(data.get("wake", "07:00")), bed_time=str(data.get("bed", "22:30")),
        titrate=_flag(data, "titrate", where),
    )


_FIELD_WORDS = {"age": "an age", "sex": "a sex", "weight_kg": "a weight", "height_cm": "a height",
                "egfr": "an eGFR", "ckd_stage": "a CKD stage", "goal": "a goal", "wake": "a wake time",
                "bed": "a bed time", "pregnant": "pregnant", "lactating": "lactating", "titrate": "titrate",
                "product": "a product", "dose": "a dose", "elemental": "elemental", "label": "a label",
                "capsule_mg": "a capsule size", "diet": "a diet"}


def _fill(table: dict, key: str, option: str, value: Any, notes: list[str], what: str = "profile") -> None:
    """Set ``table[key]`` from a command-line ``option``; a different value already there is refused."""
    if key == "weight_kg" and "weight" in table:
        table["weight_kg"] = table.pop("weight")
    if key in table and table[key] is not None:
        old = table[key]
        same = old == value or (isinstance(old, (int, float)) and not isinstance(old, bool)
                                and isinstance(value, (int, float)) and float(old) == float(value))
        if not same:
            raise ParameterError(f"the {what} already gives {_FIELD_WORDS.get(key, key)}", argument=option,
                                 expected=f"the {what}'s {old!r} or no {option} (edit the file to change it)",
                                 received=value)
        return
    table[key] = value
    notes.append(f"{option} {value:g}" if isinstance(value, float) else
                 option if value is True else f"{option} {value}")


def merge_overrides(data: Mapping[str, Any], fields: Mapping[str, tuple[str, Any]],
                    product_fields: Mapping[str, tuple[str, Any]] = MappingProxyType({}),
                    medicines: tuple[MedicineEntry, ...] = (), diet: Mapping[str, Any] | None = None,
                    diet_option: str = "--food") -> tuple[dict, tuple[str, ...]]:
    """Apply command-line values to a profile file's fields; never ignore one, never overwrite one.

    ``fields`` maps a profile key to ``(option, value)``; ``product_fields`` does the same for
    the profile's one product; ``medicines`` are added to the profile's; ``diet`` (a ``[diet]``
    table) fills a profile that has none. A value the file leaves out is filled in and recorded
    (the returned notes, e.g. ``"--height 175"``); the same value is accepted; a different value is
    refused with a :class:`~mgbrain.errors.ParameterError` naming the option.

    Examples
    --------
    >>> merge_overrides({"age": 40, "sex": "male", "weight_kg": 78}, {"height_cm": ("--height", 175.0)})[1]
    ('--height 175',)
    """
    out = dict(data)
    notes: list[str] = []
    for key, (option, value) in fields.items():
        _fill(out, key, option, value, notes)
    if product_fields:
        products = _entries(out.pop("products", [out.pop("product")] if "product" in out else [{}]))
        if len(products) != 1:
            option = next(iter(product_fields.values()))[0]
            raise ParameterError("the profile lists several products", argument=option,
                                 expected="a profile with one product, or the option left out (edit the file)",
                                 received=f"{len(products)} products")
        entry = {"product": products[0]} if isinstance(products[0], str) else dict(products[0])
        for key, (option, value) in product_fields.items():
            _fill(entry, key, option, value, notes, what="profile's product")
        out["products"] = [entry]
    if medicines:
        given = _entries(out.get("medicines", []))
        out["medicines"] = [*given, *({"name": m.name, "times": list(m.times), "days": m.days}
                                      if m.days is not None else {"name": m.name, "times": list(m.times)}
                                      for m in medicines)]
        notes.extend(f"--medicine {m.name} added" for m in medicines)
    if diet is not None:
        if out.get("diet"):
            raise ParameterError("the profile already gives a diet", argument=diet_option,
                                 expected=f"the profile's diet or no {diet_option} (edit the file to change it)",
                                 received=diet_option)
        out["diet"] = dict(diet)
        notes.append(f"{diet_option} given")
    return out, tuple(notes)


def read_profile_mapping(path: str | Path) -> dict:
    """The fields of a ``.toml``, ``.yaml`` or ``.yml`` profile file, parsed but not yet validated."""
    path = Path(path)
    if not path.is_file():
        raise ParameterError("profile file not found", argument="--profile",
                             expected="an existing .toml or .yaml file", received=str(path))
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:  # Latin-1 or binary: one line, the position of the first bad byte
        raise ParameterError("the profile file is not UTF-8 text", argument="--profile",
                             expected="a UTF-8 .toml or .yaml file",
                             received=f"{path.name}: byte {exc.object[exc.start]:#04x} at position {exc.start}",
                             ) from None
    if "\x00" in text:
        raise ParameterError("the profile file is binary, not text", argument="--profile",
                             expected="a UTF-8 .toml or .yaml file", received=path.name)
    suffix = path.suffix.lower()
    try:
        if suffix == ".toml":
            data = tomllib.loads(text)
        elif suffix in (".yaml", ".yml"):
            import yaml

            data = yaml.safe_load(text)
        else:
            raise ParameterError("unknown profile format", argument="--profile",
                                 expected=".toml, .yaml or .yml", received=path.name)
    except ParameterError:
        raise
    except Exception as exc:  # tomllib / yaml parse errors
        raise ParameterError("cannot parse the profile file", argument="--profile",
                             expected="valid TOML or YAML",
                             received=f"{path.name}: {' '.join(str(exc).split())}") from exc
    if not isinstance(data, Mapping):
        raise ParameterError("profile must be a table of fields", argument="--profile",
                             received=type(data).__name__)
    return dict(data)


def load_profile(path: str | Path) -> Profile:
    """Read a profile from a ``.toml``, ``.yaml`` or ``.yml`` file.

    Examples
    --------
    >>> from pathlib import Path
    >>> p = load_profile(Path("examples/profiles/alendronate_65.toml"))  # doctest: +SKIP
    """
    return profile_from_mapping(read_profile_mapping(path), where=Path(path).name)
