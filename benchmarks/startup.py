"""Start-up benchmark: how long `mgbrain` takes before it does any work.

Every command runs in a fresh interpreter (``sys.executable``), N times, round-robin so that a
change of machine load falls on every command alike, after one untimed warm-up each (bytecode
written, files in the page cache). The yardstick is ``python -c pass`` run the same way by the
same benchmark process: a ratio of 1 is the interpreter's own start-up.

* ``mgbrain ...`` runs what the console script runs (``from mgbrain.interfaces.cli import main``).
* ``import pint`` and ``pint.UnitRegistry()`` bound ``convert``, which has to parse units: they
  show what pint itself costs (its import loads numpy and, when installed, dask).
  ``mgbrain.units.unit_registry()`` is the same registry built from pint's cache of parsed
  definitions (the code before it existed exits 1 there: no figure).

The package is imported from ``--src`` (default: this checkout's ``src``), so the same script
measures another checkout, e.g. the code before a change. Results are merged into the JSON under
``--label``, so one file keeps a "before" and an "after".

Usage: python benchmarks/startup.py [--n 21] [--src DIR] [--label after] [--json benchmarks/startup.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
#: "well under a second": the goals of the start-up work, checked on every label's medians
GOALS_S = {"mgbrain --help": 0.5, 'mgbrain convert "2 g" --form threonate': 1.0}
ENTRY = "import sys; from mgbrain.interfaces.cli import main; sys.argv[0] = 'mgbrain'; sys.exit(main())"
YARDSTICK = "python -c pass"
COMMANDS = {
    YARDSTICK: ["-c", "pass"],
    "mgbrain --help": ["-c", ENTRY, "--help"],
    "mgbrain --version": ["-c", ENTRY, "--version"],
    'mgbrain convert "2 g" --form threonate': ["-c", ENTRY, "convert", "2 g", "--form", "threonate"],
    "import mgbrain": ["-c", "import mgbrain"],
    "import pint": ["-c", "import pint"],
    "pint.UnitRegistry()": ["-c", "import pint; pint.UnitRegistry()"],
    # mgbrain's registry: pint's import plus a build from its cache of parsed definitions
    "mgbrain.units.unit_registry()": ["-c", "from mgbrain.units import unit_registry; unit_registry()"],
}


def run_once(args: list[str], env: dict[str, str]) -> tuple[float, int]:
    """Wall time (s) and exit code of one fresh interpreter."""
    t0 = time.perf_counter()
    rc = subprocess.run([sys.executable, *args], env=env, stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL, check=False).returncode
    return time.perf_counter() - t0, rc


def git_commit(src: Path) -> str | None:
    try:
        out = subprocess.run(["git", "-C", str(src), "rev-parse", "--short", "HEAD"], capture_output=True,
                             text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return None
    return out.stdout.strip() or None


def measure(src: Path, n: int) -> dict:
    env = dict(os.environ, PYTHONPATH=str(src))
    times: dict[str, list[float]] = {name: [] for name in COMMANDS}
    codes: dict[str, int] = {}
    for name, args in COMMANDS.items():  # warm-up, not timed
        _, codes[name] = run_once(args, env)
    for _ in range(n):
        for name, args in COMMANDS.items():
            dt, _ = run_once(args, env)
            times[name].append(dt)
    base_median = statistics.median(times[YARDSTICK])
    base_min = min(times[YARDSTICK])
    rows = {}
    for name, ts in times.items():
        med, low = statistics.median(ts), min(ts)
        rows[name] = {"median_s": med, "min_s": low, "median_vs_yardstick": med / base_median,
                      "min_vs_yardstick": low / base_min, "exit_code": codes[name]}
    return rows


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=21, help="timed runs per command")
    ap.add_argument("--src", type=Path, default=HERE.parent / "src", help="folder that holds the mgbrain package")
    ap.add_argument("--label", default="after", help="key of these results in the JSON")
    ap.add_argument("--commit", help="commit of --src when it is not a git checkout")
    ap.add_argument("--json", type=Path, default=HERE / "startup.json", help="merge the figures into this file")
    args = ap.parse_args(argv)

    load = os.getloadavg()
    rows = measure(args.src.resolve(), args.n)
    print(f"{'command':42s} {'median s':>9s} {'min s':>7s} {'x yardstick':>12s}  exit")
    for name, r in rows.items():
        print(f"{name:42s} {r['median_s']:9.3f} {r['min_s']:7.3f} {r['median_vs_yardstick']:12.1f}  {r['exit_code']}")
    result = json.loads(args.json.read_text()) if args.json.is_file() else {}
    result["machine"] = {"cpus": os.cpu_count(), "python": sys.version.split()[0], "platform": platform.platform()}
    result["method"] = {"runs_per_command": args.n, "order": "round-robin after one untimed warm-up each",
                        "yardstick": YARDSTICK, "entry": ENTRY}
    result.setdefault("results", {})[args.label] = {"src": str(args.src), "commit": args.commit or git_commit(args.src),
                                                    "load_average_at_start": load, "commands": rows}
    for entry in result["results"].values():
        entry["goals"] = {f"{name} median <= {limit:g} s": entry["commands"][name]["median_s"] <= limit
                          for name, limit in GOALS_S.items()}
    print(json.dumps({label: e["goals"] for label, e in result["results"].items()}, indent=2))
    args.json.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
