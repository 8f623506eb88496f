"""Run the Sobol analysis at the CLI default size and ship it for `mgbrain params --assumptions`.

Run: .venv/bin/python scripts/sensitivity_brain.py   (about 5 minutes; same as `mgbrain sensitivity --json`)
"""

import json
from pathlib import Path

from mgbrain.brain.sensitivity import run_sobol
from mgbrain.model import BRAIN, default_parameters

OUT = Path(__file__).resolve().parents[1] / "src/mgbrain/data/sensitivity_brain.json"

if __name__ == "__main__":
    result = run_sobol(default_parameters(BRAIN), n_base=32)
    OUT.write_text(json.dumps(result.to_dict(), indent=1) + "\n", encoding="utf-8")
    print(json.dumps(result.to_dict()["top"], indent=1))
