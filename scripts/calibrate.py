"""Jointly calibrate the whole-body model on every calibration experiment; writes
src/mgbrain/data/parameters/calibrated.toml, calibration_uncertainty.json and
docs/calibration_report.md.

Inputs: the experiments of src/mgbrain/data/experiments/*.toml whose role is "calibration"
(roles are fixed in the data files before fitting; `mgbrain validate` checks all of them and
the independent checks with the same protocol code). The objective, the optimiser and the
uncertainty are described in mgbrain.validation.calibration.

Run: .venv/bin/python scripts/calibrate.py [--profiles] [--max-nfev N]   (tens of minutes)
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

from mgbrain.model import WHOLE_BODY
from mgbrain.model.parameters import PARAMETER_FILES, load_parameter_set
from mgbrain.validation.calibration import Calibration
from mgbrain.validation.experiment_data import load_experiments

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "src/mgbrain/data/parameters"
REPORT = ROOT / "docs/calibration_report.md"

#: Fitted parameters: what informs each, and its prior (value, log-scale SD, why).
FITTED = {
    "vmax_abs_mmol_per_h": ("transcellular capacity: absorption vs intake (Fine 1991), balance",
                            0.8, 1.0, "earlier single-experiment fit to Fine 1991 and IOM 50%"),
    "km_abs_mmol_per_l": ("saturation of absorption with luminal concentration (Fine 1991)",
                          5.0, 1.5, "Brannan 1976: jejunal uptake tends to saturate within 0-20 mM"),
    "t_transit_h": ("residence in the absorptive gut (Fine 1991, isotope absorption)",
                    12.0, 1.0, "small bowel ~3 h (davis1986) plus part of colonic transit 16-29 h (nandhra2023); "
                               "absorption mainly distal (Hardwick 1991)"),
    "laxation_mmol": ("fall of absorption at large loads (Fine 1991 80 mEq)",
                      80.0, 1.5, "expert review: K_lax ~80 mmol"),
    "endogenous_secretion_l_per_h": ("endogenous faecal Mg (IV isotope arm, balance)",
                                     0.14, 1.0, "expert review: 0.13-0.16 L/h reconciles urine and absorption"),
    "c_threshold_uf_mmol_per_l": ("renal threshold (tubular maximum titration, serum set-point)",
                                  0.576, 0.5, "Rude TmMg 1.4 mg/100 mL GF (tmmg_infusion_man)"),
    "rapid_pool_mmol_per_kg": ("plasma decay after an IV bolus (Fuchs-Buder 1997)",
                               0.4, 1.0, "earlier fit to Fuchs-Buder 1997"),
    "t_half_rapid_h": ("plasma decay after an IV bolus (Fuchs-Buder 1997), early urinary label",
                       1.4, 1.0, "28Mg rapid urinary components 1 h and 3 h"),
    "t_half_bone_surface_h": ("slow tracer component (Avioli & Berman 1966)",
                              1000.0, 1.0, "Avioli & Berman 1966: slowly exchanging compartment t1/2 ~1,000 h"),
    "km_choroid_mmol_per_l": ("CSF response to plasma rises (Fuchs-Buder 1997)",
                              0.1, 2.0, "expert review: entry nearly saturated at normal serum "
                                        "(Oppelt 1963: active transport)"),
    "csf_leak_l_per_h": ("CSF response to plasma rises (Fuchs-Buder 1997)",
                         0.005, 2.0, "a small passive leak (no human value found)"),
}


def _toml_row(name: str, value: float, sd_log: float, locator: str, ids: list[str], identifiable: bool,
              prior: float, prior_sd: float, why: str) -> str:
    conf = "medium" if identifiable else "low"
    note = (f"\nnote = \"prior {prior:g} (log-scale SD {prior_sd:g}): {why}\"" if identifiable else
            f"\nnote = \"not identified by the calibration experiments (posterior SD {sd_log:.2g} vs prior"
            f" {prior_sd:g} on the"
            f" log scale): the value rests mainly on its prior {prior:g}, {why}\"")
    return (f"[{name}]\nvalue = {value:.8g}\nunit = \"{WHOLE_BODY.parameter_spec(name).unit}\"\n"
            f"source = \"mgbrain_calibration\"\nlocator = \"{locator}\"\nconfidence = \"{conf}\"\n"
            f"derivation = \"joint weighted least squares on the calibration experiments ({', '.join(ids)});"
            f" log-scale SD {sd_log:.3g}\"{note}\n")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--profiles", action="store_true", help="also compute 1-D profile likelihoods")
    ap.add_argument("--max-nfev", type=int, default=40, help="bound on optimiser iterations")
    ap.add_argument("--profile-nfev", type=int, default=6, help="bound on each profile point's refit")
    args = ap.parse_args()
    t0 = time.time()
    start = load_parameter_set(WHOLE_BODY, PARAMETER_FILES)
    experiments = [e for e in load_experiments().values() if e.role == "calibration"]
    ids = [e.id for e in experiments]
    names = list(FITTED)
    cal = Calibration(start, experiments, names, [FITTED[n][1] for n in names], [FITTED[n][2] for n in names])
    theta0 = np.log([FITTED[n][1] for n in names])
    print(f"{len(experiments)} calibration experiments, {len(cal.residual(theta0))} points, "
          f"{len(names)} parameters; objective at start {float(cal.residual(theta0) @ cal.residual(theta0)):.4g}",
          flush=True)
    theta = cal.fit(theta0, max_nfev=args.max_nfev)
    res = cal.result(theta)
    print(f"chi2 {res.chi2:.4g} on {res.n_points} points ({res.dof} dof); inflation {res.inflation:.3g}; "
          f"{cal.evaluations} parameter sets simulated in {time.time() - t0:.0f} s", flush=True)
    if args.profiles:
        for k, n in enumerate(names):
            res.profiles[n] = cal.profile(theta, k, float(res.sd_log[k]), max_nfev=args.profile_nfev)
            print(f"profile {n}: {res.profiles[n]['chi2_rise']}", flush=True)
    draws, ess = cal.posterior_draws(theta, res)
    print(f"posterior draws: 200 resampled from 900 adaptive importance draws, effective sample size {ess:.0f}",
          flush=True)
    sd = res.sd_log
    identifiable = [bool(s < 0.5 * FITTED[n][2]) for s, n in zip(sd, names)]
    rows = ["# Written by scripts/calibrate.py; do not edit by hand. Experiments: data/experiments/*.toml"
            " (role calibration).\n"]
    for k, n in enumerate(names):
        rows.append(_toml_row(n, float(res.values[k]), float(sd[k]), FITTED[n][0], ids, identifiable[k],
                              FITTED[n][1], FITTED[n][2], FITTED[n][3]))
    (DATA / "calibrated.toml").write_text("\n".join(rows), encoding="utf-8")
    summary = {"chi2": res.chi2, "points": res.n_points, "dof": res.dof, "inflation": res.inflation,
               "per_experiment_chi2": res.per_experiment_chi2, "on_bound": res.on_bound,
               "profiles": res.profiles, "experiments": ids, "importance_ess": ess}
    (DATA / "calibration_uncertainty.json").write_text(json.dumps(
        {"names": names, "values": res.values.tolist(), "covariance_log": res.covariance_log.tolist(),
         "draws_log": draws.tolist(), "summary": summary}, indent=1), encoding="utf-8")
    n_assumed = sum(m.points for e in experiments for m in e.measurements
                    if m.standard_error(e.n) is not None and "SE ASSUMED" in (m.derivation or ""))
    strong = [(names[i], names[j], res.correlation[i, j]) for i in range(len(names)) for j in range(i)
              if abs(res.correlation[i, j]) > 0.9]
    lines = ["# Joint calibration of the whole-body model", "",
             "A parameter counts as identified when the data shrink its log-scale SD below half its prior SD.", "",
             f"Written by `scripts/calibrate.py`. {len(experiments)} calibration experiments, {res.n_points} published "
             f"points with SE, {len(names)} fitted parameters. Objective: sum of squared standardised residuals "
             f"(Gaussian likelihood of the published means).", "",
             f"- chi-square {res.chi2:.4g} on {res.dof} degrees of freedom (reduced {res.chi2 / res.dof:.3g}); the "
             f"covariance is inflated by {res.inflation:.3g}.",
             f"- parameters on a bound: {', '.join(res.on_bound) or 'none'}.",
             f"- {n_assumed} of the {res.n_points} fitted points have an SE the source does not give ('SE ASSUMED' "
             "in their derivation): the reduced chi-square rests on those values too.",
             f"- posterior draws (for prediction intervals): 200 resampled from 900 adaptive importance draws (three "
             f"rounds, the first from the Laplace approximation); effective sample size {ess:.0f}.", "",
             "| parameter | value | unit | prior | log-scale SD (prior) | 95% interval | identified |",
             "|---|---|---|---|---|---|---|"]
    for k, n in enumerate(names):
        lo, hi = np.exp(np.log(res.values[k]) + np.array([-1.96, 1.96]) * sd[k])
        lines.append(f"| {n} | {res.values[k]:.4g} | {WHOLE_BODY.parameter_spec(n).unit} | {FITTED[n][1]:g} | "
                     f"{sd[k]:.3g} ({FITTED[n][2]:g}) | "
                     f"{lo:.3g}-{hi:.3g} | {'yes' if identifiable[k] else 'no'} |")
    lines += ["", "Strongly correlated pairs (|r| > 0.9): " + (
        "; ".join(f"{a} / {b} (r = {r:.2f})" for a, b, r in strong) or "none") + ".", "",
        "| experiment | chi-square | points |", "|---|---|---|"]
    for e in experiments:
        lines.append(f"| {e.id} | {res.per_experiment_chi2[e.id]:.3g} | "
                     f"{sum(m.points for m in e.measurements if m.standard_error(e.n) is not None)} |")
    if res.profiles:
        lines += ["", "Profile likelihoods: rise of the objective (data and priors) with the others refitted, at the "
                  f"fitted value + c posterior SD; the 95% profile edge is a rise of 3.84 x {res.inflation:.3g} = "
                  f"{3.84 * res.inflation:.3g}:", ""]
        for n, pr in res.profiles.items():
            cells = ", ".join(f"{c:+g} SD: {r:.3g}" for c, r in zip(pr["offset_sd"], pr["chi2_rise"]))
            lines.append(f"- {n}: {cells}")
    REPORT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {DATA / 'calibrated.toml'}, calibration_uncertainty.json and {REPORT} "
          f"in {time.time() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
