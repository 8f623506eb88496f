"""The README's power-curve figure: `mgbrain trial` on the published Liu 2016 design, 1,000 replicates.

Usage: python scripts/trial_power_curve.py [--out docs/images/trial_power_curve.png]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from mgbrain.reporting.trial_plots import plot_power_curves
from mgbrain.trials import TrialDesign, run_trial

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "images" / "trial_power_curve.png")
    ap.add_argument("--replicates", type=int, default=1000)
    args = ap.parse_args()
    design = TrialDesign.from_toml(ROOT / "examples" / "trials" / "liu2016_cognition.toml")
    result = run_trial(design, replicates=args.replicates)
    fig = plot_power_curves(result)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(args.out, dpi=100, bbox_inches="tight")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
