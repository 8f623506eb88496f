"""A redistributed copy of FoodData Central's food list, used to fill and check the FDC ids in ``foods.csv``.

The copy is ``fdc_ingredients.csv.gz`` (columns fdc_id, data_type, description, category) in the
ingredient-parser-nlp wheel, MIT licence; the FDC data themselves are public domain. It lists the
SR Legacy, Foundation and FNDDS foods of one FDC release, but leaves out the SR Legacy record of a
food that also has a Foundation record of the same description, and the records "(Includes foods
for USDA's Food Distribution Program)". The SR Legacy ids it does not use are therefore the only
ids such a left-out food can have, which makes a wrong id for it detectable. The ids of the
left-out foods in our table come from public source files (``data/planner/fdc_ids_public_files.csv``).

Not part of the package: the planner never reads this at run time. scripts/fill_fdc_ids.py and
tests/unit/planner/test_fdc_ids.py import it from this folder.
"""

from __future__ import annotations

import csv
import gzip
import io
from functools import cache
from importlib import metadata

from mgbrain.errors import ProvenanceError
from mgbrain.provenance import read_data_text

__all__ = ["FDC_DATA_TYPES", "REFERENCE_PACKAGE", "reference_ids", "unassigned_sr_legacy_ids",
           "public_file_ids"]

#: Our data-type labels -> the ``data_type`` values of FDC's food.csv.
FDC_DATA_TYPES = {"SR Legacy": "sr_legacy_food", "Foundation": "foundation_food"}

REFERENCE_PACKAGE = "ingredient-parser-nlp"
_TABLE = "ingredient_parser/en/data/fdc_ingredients.csv.gz"


@cache
def reference_ids() -> dict[tuple[str, str], int]:
    """``{(our data type, exact USDA description): fdc_id}`` from the redistributed table."""
    try:
        path = metadata.distribution(REFERENCE_PACKAGE).locate_file(_TABLE)
        raw = gzip.decompress(path.read_bytes()).decode("utf-8")
    except (metadata.PackageNotFoundError, FileNotFoundError) as err:
        raise ProvenanceError("FDC reference table not available", argument=REFERENCE_PACKAGE,
                              expected=f"{REFERENCE_PACKAGE} installed with {_TABLE}",
                              received=str(err),
                              hint="install the development extras: pip install -e '.[dev]'") from err
    ours = {fdc: label for label, fdc in FDC_DATA_TYPES.items()}
    table: dict[tuple[str, str], int] = {}
    for row in csv.DictReader(io.StringIO(raw)):
        if row["data_type"] in ours:
            key = (ours[row["data_type"]], row["description"])
            if key in table:
                raise ProvenanceError("FDC reference table names a food twice", argument=_TABLE, received=key)
            table[key] = int(row["fdc_id"])
    return table


@cache
def unassigned_sr_legacy_ids() -> frozenset[int]:
    """SR Legacy ids inside the block the table spans that no listed food uses (the left-out foods' ids)."""
    used = {fdc_id for (data_type, _), fdc_id in reference_ids().items() if data_type == "SR Legacy"}
    return frozenset(range(min(used), max(used) + 1)) - used


def public_file_ids() -> dict[str, tuple[int, int]]:
    """``{SR Legacy description: (fdc_id, files agreeing)}`` for the foods the table leaves out."""
    text = read_data_text("planner", "fdc_ids_public_files.csv")
    rows = csv.DictReader(line for line in text.splitlines() if not line.startswith("#"))
    return {row["usda_description"]: (int(row["fdc_id"]), int(row["files_agreeing"])) for row in rows}
