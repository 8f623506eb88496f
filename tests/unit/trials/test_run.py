"""run_trial: power curves, the n for a target power, chunk-independence, closed-form power, honesty rules."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

import mgbrain.trials.run as run_module
from mgbrain.errors import ParameterError, TrialDesignError
from mgbrain.trials import TrialDesign, run_trial
from mgbrain.trials.effect_endpoints import prepare_effects
from mgbrain.trials.safety import check_arms

EXAMPLES = Path(__file__).parents[3] / "examples" / "trials"


@pytest.fixture(scope="module")
def liu() -> TrialDesign:
    return TrialDesign.from_toml(EXAMPLES / "liu2016_cognition.toml")


@pytest.fixture(scope="module")
def liu_result(liu):
    return run_trial(liu, replicates=400, n_grid=[10, 20, 40, 80, 160])


def test_power_rises_with_n(liu_result):
    s = liu_result.summary
    p, se = s["power"].values, s["power_mcse"].values          # (kind, endpoint, n, arm)
    step = np.diff(p, axis=2)
    allowed = 2.0 * np.sqrt(se[:, :, 1:] ** 2 + se[:, :, :-1] ** 2) + 1e-12
    assert np.all(step >= -allowed)
    # and it rises overall for the fitted cognition effect
    cog = s["power"].sel(kind="conditional", endpoint="objective_cognition").values[:, 0]
    assert cog[-1] > cog[0] + 0.5


def test_n_for_target_agrees_with_the_curve(liu_result):
    s = liu_result.summary
    target = s.attrs["target_power"]
    grid = s["n"].values
    for kind in s["kind"].values:
        for e in s["endpoint"].values:
            curve = s["power"].sel(kind=kind, endpoint=e).values[:, 0]
            n = s["n_for_target"].sel(kind=kind, endpoint=e).values[0]
            if np.isnan(n):
                assert np.all(curve < target)
            else:
                k = list(grid).index(int(n))
                assert curve[k] >= target and np.all(curve[:k] < target)


@pytest.mark.parametrize("analysis", ["ancova", "mmrm"])
def test_same_numbers_whatever_the_chunking_and_workers(liu, analysis):
    design = dataclasses.replace(liu, dropout_per_week=0.03, analysis=analysis)
    a = run_trial(design, replicates=60, n_grid=[20, 40], chunk_size=60)
    b = run_trial(design, replicates=60, n_grid=[20, 40], chunk_size=7)
    c = run_trial(design, replicates=60, n_grid=[20, 40], chunk_size=25, workers=2)
    for other in (b, c):
        for name in ("power", "d_lower", "d_upper", "n_for_target"):
            np.testing.assert_array_equal(a.summary[name].values, other.summary[name].values)


def test_ancova_power_matches_the_noncentral_t(liu):
    """One endpoint, no dropout, no multiplicity: simulated power = the exact ANCOVA power within MC error."""
    design = dataclasses.replace(liu, endpoints=("objective_cognition",), multiplicity="none")
    result = run_trial(design, replicates=2000, n_grid=[20, 60])
    g = float(prepare_effects(design).g_point[0, 0])
    rho = design.baseline_correlation
    for n in (20, 60):
        # change ~ N(g * treated, 1), corr(change, baseline) = -sqrt((1 - rho) / 2): residual var (1 + rho) / 2;
        # the estimate's variance also holds the chance imbalance of baseline (the 1 + 1/(2n-4) factor)
        df = 2 * n - 3
        se = np.sqrt((1 + rho) / 2 * 2 / n * (1 + 1 / (2 * n - 4)))
        crit = stats.t.ppf(1 - design.alpha / 2, df)
        exact = stats.nct.sf(crit, df, g / se)
        sim = float(result.summary["power"].sel(kind="conditional", endpoint="objective_cognition", n=n).values[0])
        mcse = float(result.summary["power_mcse"].sel(kind="conditional", endpoint="objective_cognition",
                                                      n=n).values[0])
        assert abs(sim - exact) < 3 * mcse, (n, sim, exact, mcse)


def test_the_mixed_model_recovers_power_the_completers_ancova_loses_to_dropout(liu):
    design = dataclasses.replace(liu, endpoints=("objective_cognition",), dropout_per_week=0.08)
    power = {}
    for analysis in ("ancova", "mmrm"):
        result = run_trial(dataclasses.replace(design, analysis=analysis), replicates=600, n_grid=[40])
        power[analysis] = float(result.summary["power"].sel(kind="conditional", endpoint="objective_cognition",
                                                            n=40).values[0])
        assert ("mixed model" in " ".join(result.notes)) == (analysis == "mmrm")
    # the same simulated trials (common random numbers): the MMRM uses the dropouts' day-42 visit
    assert power["mmrm"] > power["ancova"] + 0.03, power  # measured: 0.300 against 0.229 (1,000 replicates)


def test_endpoints_without_a_fitted_effect_get_no_power(liu):
    design = dataclasses.replace(liu, endpoints=("objective_cognition", "subjective_cognition", "adhd"))
    result = run_trial(design, replicates=20, n_grid=[20])
    assert set(result.not_fitted) == {"subjective_cognition", "adhd"}
    assert list(result.summary["endpoint"].values) == ["objective_cognition"]
    rows = {r["endpoint"]: r for r in result.to_dict()["endpoints"]}
    assert rows["adhd"]["status"] == "no fitted effect" and "power" not in rows["adhd"]
    assert "fit leaves out" in rows["adhd"]["reason"] or "trial" in rows["adhd"]["reason"]


def test_a_failing_chunk_is_reported_not_fatal(liu, monkeypatch):
    real = run_module.simulate_replicates

    def flaky(inputs, start, stop):
        if start == 10:
            raise RuntimeError("worker lost")
        return real(inputs, start, stop)

    monkeypatch.setattr(run_module, "simulate_replicates", flaky)
    result = run_trial(liu, replicates=30, n_grid=[20], chunk_size=10)
    assert result.replicates_run == 20
    assert result.to_dict()["failed_replicates"] == [{"replicates": [10, 19], "error": "RuntimeError: worker lost"}]
    assert np.isfinite(result.summary["power"].sel(kind="conditional").values).all()


def test_dangerous_arms_are_flagged(liu):
    arms = (dataclasses.replace(liu.arms[0], product="oxide", dose="20 g/day"), liu.arms[1])
    flags = check_arms(dataclasses.replace(liu, arms=arms))
    assert flags[0].flag == "danger" and flags[0].not_advised
    kidney = check_arms(dataclasses.replace(liu, egfr_min_ml_min=20.0))
    assert kidney[0].flag == "danger"
    assert check_arms(liu)[0].flag is None  # 2 g/day Magtein: 144 mg/day, within the UL


def test_bad_arguments_are_named(liu):
    with pytest.raises(ParameterError) as info:
        run_trial(liu, n_grid=[40, 20])
    assert info.value.argument == "n_grid"
    with pytest.raises(ParameterError) as info:
        run_trial(liu, target_power=1.0)
    assert info.value.argument == "target_power"
    mixed = dataclasses.replace(liu, analysis="mmrm", dropout_per_week=0.05)  # 2 visits: 5 must complete
    with pytest.raises(ParameterError, match="at least 5 randomised per arm") as info:
        run_trial(mixed, n_grid=[4, 20])
    assert info.value.argument == "n_grid"
    with pytest.raises(TrialDesignError) as info:
        run_trial(dataclasses.replace(mixed, n_per_arm=4), n_grid=[20])
    assert info.value.argument == "trial.n_per_arm"
