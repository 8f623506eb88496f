"""Fit the effects layer to the published trials; write the fit and its report.

Writes ``src/mgbrain/data/parameters/effects_fit.json`` (posterior draws, identifiability,
profiles, leave-one-trial-out rows) and ``docs/effects_report.md``.

Decided before fitting (and not changed after):

* the fit uses randomised, placebo-controlled, not open-label trials without a confounding
  co-ingredient (:attr:`mgbrain.brain.trial_data.Trial.fit_status`); one representative
  outcome per trial, class and visit;
* both exposures are fitted (``elemental_dose``, ``brain_csf``) and compared by their
  leave-one-trial-out score (sum over the fitted trials of the log predictive density of the
  held-out trial's data). ``elemental_dose``, the simpler one that assumes nothing about
  transport, is the default unless ``brain_csf`` scores higher by more than 2 (nats);
* priors: :data:`mgbrain.brain.exposure_response.PRIORS`.

Run: .venv/bin/python scripts/fit_effects.py   (about 4-5 minutes; --quick for a smaller run into the
temporary folder)
"""

from __future__ import annotations

import argparse
import json
import logging
import tempfile
from dataclasses import replace
from pathlib import Path

import numpy as np

from mgbrain.brain.effects import CLASS_LABELS, EffectFit, exposure_key
from mgbrain.brain.effects_fit import (
    build_model,
    data_fingerprint,
    identifiability,
    leave_one_trial_out,
    profile_likelihood,
    sample_posterior,
)
from mgbrain.brain.exposure import exposure_function
from mgbrain.brain.exposure_response import EXPOSURES, PRIORS, Prior, describe_priors
from mgbrain.brain.trial_data import FITTED_CLASSES, load_trials
from mgbrain.provenance.references import load_references

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src/mgbrain/data/parameters/effects_fit.json"
REPORT = ROOT / "docs/effects_report.md"
SEED = 20261202
STORED_DRAWS = 2000
CHOICE_MARGIN = 2.0
#: Alternative priors the pooled effects are re-estimated under (a sensitivity, not a choice)
PRIOR_SENSITIVITY = {
    "tau ~ HalfNormal(0.6)": {"tau": Prior("halfnormal", 0.6)},
    "E ~ Normal(0, 1)": {"effect": Prior("normal", 0.0, 1.0)},
    "E ~ Normal(0, 0.25)": {"effect": Prior("normal", 0.0, 0.25)},
}


def _fit(trials, exposure: str, steps: int, loo_steps: int) -> dict:
    exposure_of, x_ref = exposure_function(exposure)
    model = build_model(trials, exposure, exposure_of, x_ref=x_ref)
    post = sample_posterior(model, seed=SEED, steps=steps, burn=steps // 3)
    rows, lppd = leave_one_trial_out(trials, model, exposure_of, seed=SEED, steps=loo_steps, full_posterior=post,
                                     progress=lambda t: print(f"  [{exposure}] leave out {t}", flush=True))
    return {"model": model, "posterior": post, "rows": rows, "lppd": lppd}


def _round(a: np.ndarray) -> list:
    return [[float(f"{v:.6g}") for v in row] for row in a]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="shorter chains, a check of the pipeline: writes to the temporary folder, never over the "
                             "committed fit")
    args = parser.parse_args()
    tmp = Path(tempfile.gettempdir())
    out, report = (OUT, REPORT) if not args.quick else (tmp / "effects_fit.quick.json", tmp / "effects_report.quick.md")
    logging.getLogger("emcee").setLevel(logging.ERROR)
    steps, loo_steps = (1500, 800) if args.quick else (10000, 3000)
    trials = load_trials()
    fits = {}
    for exposure in EXPOSURES:
        print(f"fitting with exposure {exposure}", flush=True)
        fits[exposure] = _fit(trials, exposure, steps, loo_steps)
    score = {e: sum(f["lppd"].values()) for e, f in fits.items()}
    chosen = "brain_csf" if score["brain_csf"] > score["elemental_dose"] + CHOICE_MARGIN else "elemental_dose"
    fit = fits[chosen]
    model, post = fit["model"], fit["posterior"]
    rng = np.random.default_rng(SEED)
    keep = rng.choice(post.draws.shape[0], size=min(STORED_DRAWS, post.draws.shape[0]), replace=False)
    ident = identifiability(post)
    profiles = {name: profile_likelihood(model, post.map_theta, k, (-2.0, -1.0, -0.5, 0.5, 1.0, 2.0))
                for k, name in enumerate(model.names)}
    sensitivity = {}
    for label, change in PRIOR_SENSITIVITY.items():
        print(f"prior sensitivity: {label}", flush=True)
        alt = replace(model, priors=PRIORS | change)
        alt_post = sample_posterior(alt, seed=SEED, steps=loo_steps, burn=loo_steps // 3)
        alt_fit = EffectFit(alt, alt_post.draws, {})
        sensitivity[label] = {c: alt_fit.estimate(c, "magtein", model.x_ref, 84.0).to_dict() for c in alt.classes}
    not_fitted = {}
    for c in FITTED_CLASSES:
        if c not in model.classes:
            seen = sorted({o.trial for t in trials.values() for o in fit["rows"] if o.instrument_class == c})
            not_fitted[c] = ("no randomised placebo-controlled trial in the fit reports it"
                             + (f" (reported only by {', '.join(seen)}, which the fit leaves out)" if seen else ""))
    no_rows = [{"trial": t.id, "outcomes": len(t.outcomes), "reason": _why_no_result(t)}
               for t in trials.values() if not any(r.trial == t.id for r in fit["rows"])]
    stored = {
        "generated_by": "scripts/fit_effects.py", "seed": SEED, "exposure": chosen, "x_ref": model.x_ref,
        "exposure_choice": {"loo_score": score, "margin": CHOICE_MARGIN,
                            "rule": "elemental_dose unless brain_csf's LOO score is higher by more than the margin",
                            "per_trial": {e: f["lppd"] for e, f in fits.items()}},
        "fingerprint": data_fingerprint(model), "names": list(model.names),
        "priors": {k: p.describe() for k, p in PRIORS.items()},
        "exposures": {exposure_key(o.trial, o.instrument_class, o.day): x
                      for o, x in zip(model.observations, model.exposures)},
        "diagnostics": {"acceptance": post.acceptance, "autocorrelation_steps": post.autocorrelation_steps,
                        "draws": int(post.draws.shape[0]), "steps": steps, "walkers": 48},
        "map": [float(v) for v in post.map_theta],
        "identifiability": ident, "profiles": profiles, "not_fitted": not_fitted, "prior_sensitivity": sensitivity,
        "loo": [r.to_dict() for r in fit["rows"]],
        "loo_other_exposure": [r.to_dict() for r in fits[next(e for e in EXPOSURES if e != chosen)]["rows"]],
        "no_results": no_rows,
        "draws": _round(post.draws[keep]),
    }
    out.write_text(json.dumps(stored, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {out}")
    effect_fit = EffectFit(model, post.draws[keep], stored)
    report.write_text(_report(trials, effect_fit, stored, fits), encoding="utf-8")
    print(f"wrote {report}")


def _why_no_result(trial) -> str:
    """Why a trial gives no effect against placebo (so no leave-one-out prediction)."""
    if not trial.outcomes:
        return "no outcome values could be read (see the file's `unknown`)"
    if not any(a.role != "active" for a in trial.arms):
        return trial.fit_status[1]
    if any(a.role == "active" and a.elemental_mg_per_day is None for a in trial.arms):
        return "elemental Mg per day unknown (see the file's `unknown`), so no exposure"
    return "no controlled result could be standardised (see the file's `unknown`)"


def _report(trials, fit: EffectFit, stored: dict, fits: dict) -> str:
    refs = load_references()
    lines = ["# Effects layer: fit to the published trials", "",
             "Written by `scripts/fit_effects.py`; numbers below are from that run. Effects are Hedges' g of the "
             "change from baseline, active minus placebo, improvement positive. The model, its priors and the "
             "rules fixed before fitting are in `src/mgbrain/brain/exposure_response.py` and the script's "
             "docstring.", "", "## Trials", "",
             "| trial | source | n (active/placebo) | product, elemental Mg/day | days | classes reported | "
             "in the fit | risk of bias |", "|---|---|---|---|---|---|---|---|"]
    for t in sorted(trials.values(), key=lambda t: t.id):
        active = [a for a in t.arms if a.role == "active"]
        control = [a for a in t.arms if a.role != "active"]
        n = "/".join(str(a.n) if a.n else "?" for a in active + control)
        if t.n_total and "?" in n:
            n += f" (total {t.n_total})"
        dose = "; ".join(f"{a.product} {a.elemental_mg_per_day:g} mg" if a.elemental_mg_per_day else f"{a.product} ?"
                         for a in active)
        classes = ", ".join(sorted({o.instrument_class for o in t.outcomes})) or "none read"
        used, why = t.fit_status
        lines.append(f"| {t.id} | {refs[t.source].short()} | {n} | {dose} | {t.duration_days:g} | {classes} | "
                     f"{'yes' if used else 'no: ' + why} | {t.risk_of_bias} |")
    score = stored["exposure_choice"]["loo_score"]
    lines += ["", "## Exposure", "",
              "Leave-one-trial-out score (sum of held-out log predictive densities, higher is better): "
              + ", ".join(f"{e} {v:.2f}" for e, v in score.items())
              + f". Rule fixed before fitting: elemental dose unless the brain-model exposure scores higher by more "
                f"than {stored['exposure_choice']['margin']:g}. Used: **{stored['exposure']}**.", "",
              "| trial | " + " | ".join(score) + " |", "|---|" + "---|" * len(score)]
    per_trial = stored["exposure_choice"]["per_trial"]
    for tid in per_trial[stored["exposure"]]:
        lines.append(f"| {tid} | " + " | ".join(f"{per_trial[e].get(tid, float('nan')):.2f}" for e in score) + " |")
    lines += ["", "## Priors", "", "| parameter | prior |", "|---|---|"]
    lines += [f"| {n} | {p} |" for n, p in describe_priors(fit.model)]
    lines += ["", "## Posterior and identifiability", "",
              f"emcee, {stored['diagnostics']['walkers']} walkers x {stored['diagnostics']['steps']} steps, "
              f"acceptance {stored['diagnostics']['acceptance']:.2f}, integrated autocorrelation "
              f"{stored['diagnostics']['autocorrelation_steps']:.0f} steps. sd ratio = posterior SD / prior SD "
              "(near 1: the data say little; the value is the prior's). Profile: drop of the log posterior with the "
              "parameter fixed at MAP -1 and +1 (others refitted); below 0.5 means flat.", "",
              "| parameter | MAP | median | 95% interval | sd ratio | strongest correlation | profile -1 / +1 |",
              "|---|---|---|---|---|---|---|"]
    for r in stored["identifiability"]:
        prof = dict((round(v - r["map"], 3), d) for v, d in stored["profiles"][r["parameter"]])
        other, c = r["strongest_correlation"]
        lines.append(f"| {r['parameter']} | {r['map']:.2f} | {r['median']:.2f} | {r['p025']:.2f} to {r['p975']:.2f} | "
                     f"{r['sd_ratio']:.2f} | {other} ({c:+.2f}) | {prof.get(-1.0, float('nan')):.2f} / "
                     f"{prof.get(1.0, float('nan')):.2f} |")
    lines += ["", "## Pooled effects (2 g/day Magtein, 144 mg/day elemental Mg)", "",
              "| class | trials | mean g at 6 weeks (95% CrI) | at 12 weeks | P(g > 0) | new trial of 50/arm, 12 weeks "
              "(95% PI) | tau (95% interval) | I^2 |", "|---|---|---|---|---|---|---|---|"]
    for c in fit.classes:
        e6 = fit.estimate(c, "magtein", 144.0, 42.0)
        e12 = fit.estimate(c, "magtein", 144.0, 84.0)
        new = fit.estimate(c, "magtein", 144.0, 84.0, new_trial_n_per_arm=50)
        h = fit.heterogeneity(c)
        lines.append(f"| {CLASS_LABELS[c]} | {h['trials']} | {e6.median:+.2f} ({e6.lower:+.2f} to {e6.upper:+.2f}) | "
                     f"{e12.median:+.2f} ({e12.lower:+.2f} to {e12.upper:+.2f}) | {e12.probability_positive:.2f} | "
                     f"{new.median:+.2f} ({new.lower:+.2f} to {new.upper:+.2f}) | {h['tau_median']:.2f} "
                     f"({h['tau_p025']:.2f}-{h['tau_p975']:.2f}) | {100 * h['i2']:.0f}% |")
    for c, why in stored["not_fitted"].items():
        lines.append(f"| {CLASS_LABELS[c]} | 0 | not fitted: {why} | | | | | |")
    lines += ["", "Prior sensitivity: mean g at 12 weeks (95% CrI) with the default priors and with each alternative "
              "(the fit rerun; not a choice among them).", "",
              "| class | default | " + " | ".join(stored["prior_sensitivity"]) + " |",
              "|---|---|" + "---|" * len(stored["prior_sensitivity"])]
    for c in fit.classes:
        e = fit.estimate(c, "magtein", 144.0, 84.0)
        cells = [f"{e.median:+.2f} ({e.lower:+.2f} to {e.upper:+.2f})"]
        for alt in stored["prior_sensitivity"].values():
            a = alt[c]
            cells.append(f"{a['median']:+.2f} ({a['lower']:+.2f} to {a['upper']:+.2f})")
        lines.append(f"| {CLASS_LABELS[c]} | " + " | ".join(cells) + " |")
    lines += ["", "## Leave-one-trial-out", "",
              "A fitted trial is predicted by the model refitted without it; a trial the fit leaves out is predicted "
              "by the full fit (which never saw it). 95% prediction interval = mean effect + a new trial's own "
              "deviation (tau) + its sampling error. A result given only as bounds (p < x, 'no difference') passes "
              "when the bounds overlap the interval.", "",
              "| trial | class | day | published | predicted (95% PI) | status | note |",
              "|---|---|---|---|---|---|---|"]
    for r in stored["loo"]:
        lo, hi = r["model_interval"]
        note = r["criterion"] if r["status"] != "pass" else ""
        lines.append(f"| {r['trial']} | {r['instrument_class']} | {r['day']:g} | {r['published']} | "
                     f"{r['model']:+.2f} ({lo:+.2f} to {hi:+.2f}) | {r['status']} | {note} |")
    for r in stored["no_results"]:
        lines.append(f"| {r['trial']} | - | - | no controlled result | - | info | {r['reason']} |")
    counts = {s: sum(1 for r in stored["loo"] if r["status"] == s) for s in ("pass", "fail", "info")}
    lines += ["", f"Rows: {counts['pass']} pass, {counts['fail']} fail, {counts['info']} info.", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
