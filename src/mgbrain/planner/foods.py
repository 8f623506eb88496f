"""The bundled food table (``data/planner/foods.csv``): magnesium per 100 g from USDA FoodData Central.

Each row keeps its USDA description and data type, its FDC id with the source of that id, and
a source, locator and confidence for the value. Intake is computed from servings or grams.
"""

from __future__ import annotations

import csv
import difflib
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType

from mgbrain.errors import ParameterError, ProvenanceError
from mgbrain.provenance import check_provenance, read_data_text, resolve_reference

__all__ = ["Food", "DietLine", "load_foods", "parse_foods", "find_food", "estimate_diet"]


@dataclass(frozen=True)
class Food:
    """One food of the table; ``mg_per_100g`` is elemental magnesium."""

    id: str
    name: str
    aliases: tuple[str, ...]
    article_group: str
    usda_description: str
    usda_data_type: str
    fdc_id: int
    fdc_id_source: str
    mg_per_100g: float
    serving: str
    serving_g: float
    source: str
    locator: str
    confidence: str

    @property
    def mg_per_serving(self) -> float:
        return self.mg_per_100g * self.serving_g / 100.0


@dataclass(frozen=True)
class DietLine:
    """One line of a diet estimate."""

    food: Food
    grams: float
    mg: float

    def to_dict(self) -> dict:
        return {"food": self.food.id, "name": self.food.name, "grams": round(self.grams, 1),
                "mg": round(self.mg, 1), "fdc_id": self.food.fdc_id,
                "usda_description": self.food.usda_description, "source": self.food.source}


def _key(text: str) -> str:
    return " ".join(str(text).lower().replace("_", " ").replace("-", " ").split())


@cache
def load_foods() -> Mapping[str, Food]:
    """All foods of the bundled table, validated, keyed by id."""
    return parse_foods(read_data_text("planner", "foods.csv"))


def parse_foods(text: str) -> Mapping[str, Food]:
    """Foods from the text of a food table (``#`` lines are comments): positive values, resolvable
    sources, one FDC id per food and no id twice."""
    lines = [line for line in text.splitlines() if not line.startswith("#")]
    out: dict[str, Food] = {}
    by_fdc_id: dict[int, str] = {}
    for row in csv.DictReader(io.StringIO("\n".join(lines))):
        where = f"foods.csv:{row['id']}"
        if row["id"] in out:
            raise ProvenanceError("food defined twice", argument=where)
        check_provenance(row, where)
        resolve_reference(row["fdc_id_source"], where=f"{where}.fdc_id_source")
        if not row["fdc_id"].isdigit():
            raise ProvenanceError("food row without an FDC id", argument=f"{where}.fdc_id",
                                  expected="a positive integer", received=row["fdc_id"])
        mg, grams = float(row["mg_per_100g"]), float(row["serving_g"])
        if not 0 <= mg <= 2000 or not 0 < grams <= 1000:
            raise ProvenanceError("implausible food value", argument=where,
                                  expected="0-2000 mg/100 g, 0-1000 g/serving", received=(mg, grams))
        if int(row["fdc_id"]) in by_fdc_id:
            raise ProvenanceError("FDC id used by two foods", argument=f"{where}.fdc_id",
                                  received=f"{row['fdc_id']}, already {by_fdc_id[int(row['fdc_id'])]}'s")
        by_fdc_id[int(row["fdc_id"])] = row["id"]
        out[row["id"]] = Food(
            id=row["id"], name=row["name"],
            aliases=tuple(_key(a) for a in row["aliases"].split(";") if a.strip()),
            article_group=row["article_group"], usda_description=row["usda_description"],
            usda_data_type=row["usda_data_type"], fdc_id=int(row["fdc_id"]),
            fdc_id_source=row["fdc_id_source"],
            mg_per_100g=mg, serving=row["serving"], serving_g=grams, source=row["source"],
            locator=row["locator"], confidence=row["confidence"])
    return MappingProxyType(out)


def find_food(name: str) -> Food:
    """A food by id, name, alias or exact USDA description; unknown names raise with suggestions.

    Examples
    --------
    >>> find_food("pumpkin seeds").fdc_id
    2515380
    """
    foods = load_foods()
    wanted = _key(name)
    if wanted.replace(" ", "_") in foods:
        return foods[wanted.replace(" ", "_")]
    for food in foods.values():
        if wanted in (_key(food.name), _key(food.usda_description), *food.aliases):
            return food
    choices = {_key(f.name): f.id for f in foods.values()}
    choices.update({a: f.id for f in foods.values() for a in f.aliases})
    close = difflib.get_close_matches(wanted, list(choices), n=3, cutoff=0.6)
    hint = (f"did you mean {', '.join(sorted({choices[c] for c in close}))}?" if close
            else "see 'mgbrain foods' for the table")
    raise ParameterError("unknown food", argument="diet", received=name, hint=hint)


def estimate_diet(items: Iterable) -> tuple[float, tuple[DietLine, ...]]:
    """Total dietary magnesium (mg/day) and per-food lines for :class:`~mgbrain.planner.profile.DietItem` s."""
    lines = []
    for item in items:
        food = find_food(item.food)
        grams = item.grams if item.grams is not None else item.servings * food.serving_g
        lines.append(DietLine(food=food, grams=grams, mg=food.mg_per_100g * grams / 100.0))
    return sum(line.mg for line in lines), tuple(lines)
