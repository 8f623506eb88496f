"""Fill the FDC ids of src/mgbrain/data/planner/foods.csv.

Each row is joined on its exact (data type, USDA description) to the redistributed FDC food list
(scripts/fdc_reference.py; ``fdc_id_source = fdc_food_list``). An SR Legacy row the list
leaves out takes its id from data/planner/fdc_ids_public_files.csv (``fdc_id_source =
fdc_ids_public_files``), and that id must be one the list assigns to no other food. A row that
gets no id this way is printed and the script exits 1 without writing.

Run: .venv/bin/python scripts/fill_fdc_ids.py
"""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

from fdc_reference import (  # this folder
    public_file_ids,
    reference_ids,
    unassigned_sr_legacy_ids,
)

FOODS = Path(__file__).resolve().parents[1] / "src" / "mgbrain" / "data" / "planner" / "foods.csv"


def fill(row: dict, listed: dict, public: dict, unassigned: frozenset) -> str | None:
    """Set ``row``'s id and id source; return a problem, or None."""
    if (row["usda_data_type"], row["usda_description"]) in listed:
        row["fdc_id"] = str(listed[row["usda_data_type"], row["usda_description"]])
        row["fdc_id_source"] = "fdc_food_list"
    elif row["usda_data_type"] == "SR Legacy" and row["usda_description"] in public:
        fdc_id, _ = public[row["usda_description"]]
        if fdc_id not in unassigned:
            return f"{row['id']}: public-file id {fdc_id} is not an unassigned SR Legacy id"
        row["fdc_id"], row["fdc_id_source"] = str(fdc_id), "fdc_ids_public_files"
    else:
        return f"{row['id']}: no FDC id for {row['usda_data_type']} {row['usda_description']!r}"
    return None


def main() -> int:
    lines = FOODS.read_text(encoding="utf-8").splitlines(keepends=True)
    reader = csv.DictReader(io.StringIO("".join(line for line in lines if not line.startswith("#"))))
    fields = list(reader.fieldnames)
    if "fdc_id_source" not in fields:
        fields.insert(fields.index("fdc_id") + 1, "fdc_id_source")
    listed, public, unassigned = reference_ids(), public_file_ids(), unassigned_sr_legacy_ids()
    rows, problems, changes = list(reader), [], []
    for row in rows:
        before = row["fdc_id"]
        if problem := fill(row, listed, public, unassigned):
            problems.append(problem)
        elif before and before != row["fdc_id"]:
            changes.append(f"{row['id']}: {before} -> {row['fdc_id']}")
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    FOODS.write_text("".join(line for line in lines if line.startswith("#")) + out.getvalue(), encoding="utf-8")
    print("\n".join(changes))
    print(f"{len(rows)} foods: {sum(r['fdc_id_source'] == 'fdc_food_list' for r in rows)} ids from the food list, "
          f"{sum(r['fdc_id_source'] == 'fdc_ids_public_files' for r in rows)} from public files; "
          f"{len(changes)} earlier ids changed")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
