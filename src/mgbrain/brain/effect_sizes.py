"""Published trial summaries as standardised effects on one scale, with their uncertainty.

Every controlled result becomes an :class:`EffectObservation`: the standardised mean difference
of the change from baseline, active minus placebo, improvement positive (Hedges' g), as

* ``exact``: a value with its standard error (per-arm means and SDs of the change; a mean
  difference with its SE or CI; a published d; an exact p with its direction);
* ``interval``: only bounds are known (``p < 0.001`` gives g above a bound; "no difference"
  gives |g| below the p = 0.05 bound);
* ``folded``: an exact p without a direction (|g| is known, its sign is not).

p-values become g through the t distribution with the arms' degrees of freedom
(``g = t * sqrt(1/n_a + 1/n_p)``); a p from an ANCOVA or mixed model therefore gives the
adjusted effect, which is usually larger than the change-score g: each observation keeps
``basis`` saying which. The SE of g is the large-sample formula
``sqrt(1/n_a + 1/n_p + g^2 / (2 (n_a + n_p)))`` (Hedges & Olkin), with Hedges' small-sample
correction ``J = 1 - 3 / (4 (n_a + n_p) - 9)``.

The placebo arm's own change, in units of its SD of change (the scale of g), is a
:class:`PlaceboObservation` where the paper gives per-arm changes: it informs the
placebo/practice model of each instrument class.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from scipy import stats

from mgbrain.brain.trial_data import FITTED_CLASSES, Outcome, Trial

__all__ = ["EffectObservation", "PlaceboObservation", "effect_observations", "placebo_observations",
           "hedges_g_se", "g_from_p"]


@dataclass(frozen=True)
class EffectObservation:
    """One trial result as Hedges' g (active minus placebo, improvement positive)."""

    trial: str
    instrument_class: str
    outcome: str
    day: float
    kind: str                      # exact | interval | folded
    g: float                       # exact/folded: the value; interval: NaN
    se: float                      # SE of g at g (for intervals: at the bound nearest zero)
    lower: float                   # interval bounds (exact: g -/+ 1.96 SE)
    upper: float
    n_active: int
    n_placebo: int
    product: str
    elemental_mg_per_day: float
    basis: str                     # how g was obtained
    locator: str

    def to_dict(self) -> dict:
        return dict(self.__dict__)

    @property
    def published(self) -> str:
        if self.kind == "exact":
            return f"g {self.g:+.2f} (SE {self.se:.2f})"
        if self.kind == "folded":
            return f"|g| {abs(self.g):.2f} (sign not reported)"
        lo = "-inf" if math.isinf(self.lower) else f"{self.lower:+.2f}"
        hi = "+inf" if math.isinf(self.upper) else f"{self.upper:+.2f}"
        return f"g in [{lo}, {hi}]"


@dataclass(frozen=True)
class PlaceboObservation:
    """The placebo arm's change from baseline in units of its SD of change (improvement positive)."""

    trial: str
    instrument_class: str
    day: float
    value: float
    se: float
    n: int


def hedges_g_se(g: float, n_a: int, n_p: int) -> float:
    """Large-sample SE of a standardised mean difference (Hedges & Olkin 1985)."""
    return math.sqrt(1.0 / n_a + 1.0 / n_p + g * g / (2.0 * (n_a + n_p)))


def _j(n_a: int, n_p: int) -> float:
    return 1.0 - 3.0 / (4.0 * (n_a + n_p) - 9.0)


def g_from_p(p: float, n_a: int, n_p: int, *, paired: bool = False) -> float:
    """|g| that a two-sided p of a two-sample t test with ``n_a + n_p - 2`` df corresponds to.

    ``paired`` (a crossover, ``n_a`` people in both periods): ``d = t / sqrt(n)`` from the paired t
    with ``n - 1`` df, which equals the between-condition d when the within-person correlation is
    0.5 (an assumption; a two-sample formula would give sqrt(2) times more).

    Examples
    --------
    >>> round(g_from_p(0.05, 20, 20), 3)
    0.627
    """
    if paired:
        return float((1.0 - 3.0 / (4.0 * (n_a - 1) - 1.0)) * stats.t.isf(p / 2.0, n_a - 1) / math.sqrt(n_a))
    t = stats.t.isf(p / 2.0, n_a + n_p - 2)
    return float(_j(n_a, n_p) * t * math.sqrt(1.0 / n_a + 1.0 / n_p))


def _sd(o: Outcome, arm: str, n: int) -> float:
    sd = o.get(f"{arm}_change_sd")
    return sd if sd is not None else o.get(f"{arm}_change_se") * math.sqrt(n)  # type: ignore[operator]


def _observation(trial: Trial, o: Outcome) -> EffectObservation | None:
    active, placebo = trial.active_and_placebo(o)
    sizes = None if placebo is None else trial.arm_sizes(active, placebo)
    if sizes is None or active.elemental_mg_per_day is None:
        return None
    n_a, n_p, assumed = sizes
    note = "; arm sizes ASSUMED equal (only the total n is reported)" if assumed else ""
    paired = trial.design == "crossover"
    if paired:
        note += "; crossover: paired d, equal to d at an ASSUMED within-person correlation of 0.5"
    sign = 1.0 if o.higher_is_better else -1.0
    j = _j(n_a, n_p)
    z = stats.norm.isf(0.025)

    def exact(g: float, basis: str) -> EffectObservation:
        se = math.sqrt(1.0 / n_a + g * g / (2.0 * n_a)) if paired else hedges_g_se(g, n_a, n_p)
        return EffectObservation(trial.id, o.instrument_class, o.name, o.day, "exact", g, se, g - z * se, g + z * se,
                                 n_a, n_p, active.product, active.elemental_mg_per_day or 0.0, basis + note,
                                 o.locator)

    def bounded(lower: float, upper: float, basis: str, kind: str = "interval", g: float = math.nan
                ) -> EffectObservation:
        at = 0.0 if lower <= 0.0 <= upper else min(abs(lower), abs(upper))
        se = math.sqrt(1.0 / n_a + at * at / (2.0 * n_a)) if paired else hedges_g_se(at, n_a, n_p)
        return EffectObservation(trial.id, o.instrument_class, o.name, o.day, kind, g, se,
                                 lower, upper, n_a, n_p, active.product, active.elemental_mg_per_day or 0.0,
                                 basis + note, o.locator)

    if o.summary == "arm_change":
        sd_a, sd_p = _sd(o, "active", n_a), _sd(o, "placebo", n_p)
        pooled = math.sqrt(((n_a - 1) * sd_a ** 2 + (n_p - 1) * sd_p ** 2) / (n_a + n_p - 2))
        diff = sign * (o.get("active_change") - o.get("placebo_change"))  # type: ignore[operator]
        return exact(j * diff / pooled, "per-arm change means and SDs (change-score g)")
    if o.summary == "difference":
        se = o.get("difference_se")
        if se is None and o.values.get("difference_ci") is None:
            return None  # a difference published without its spread cannot be standardised
        if se is None:
            ci = o.values["difference_ci"]
            se = (float(ci[1]) - float(ci[0])) / (2 * z)  # type: ignore[index]
        if paired:  # the SE of a within-person difference: SD of the differences = SE sqrt(n)
            return exact(sign * o.get("difference") / (se * math.sqrt(n_a)),  # type: ignore[operator]
                         "mean within-person difference and its SE")
        pooled = se / math.sqrt(1.0 / n_a + 1.0 / n_p)
        return exact(j * sign * o.get("difference") / pooled,  # type: ignore[operator]
                     "mean difference and its SE (SD implied by a two-sample SE)")
    if o.summary == "smd":
        return exact(j * sign * o.get("d"),  # type: ignore[operator]
                     f"published d ({o.values.get('d_method', 'method not stated')})")
    if o.summary == "p":
        p = o.get("p")
        g = g_from_p(p, n_a, n_p, paired=paired)  # type: ignore[arg-type]
        direction = o.values["direction"]
        bound = o.values.get("p_bound", "=")
        test = o.values.get("p_test", "test not stated")
        if direction == "unknown":
            if bound == "=":
                return bounded(-g, g, f"p = {p:g} ({test}), direction not reported", "folded", g)
            if bound == ">":
                return bounded(-g, g, f"p > {p:g} ({test})")
            return None  # "p < x" without a direction bounds nothing usable
        s = 1.0 if direction == "active_better" else -1.0
        if bound == "=":
            return exact(s * g, f"exact p = {p:g} ({test}) with direction")
        if bound == "<":
            return bounded(g, math.inf, f"p < {p:g} ({test})") if s > 0 else \
                bounded(-math.inf, -g, f"p < {p:g} ({test})")
        return bounded(-g, g, f"p > {p:g} ({test})")
    if o.summary == "not_significant":
        g = g_from_p(0.05, n_a, n_p, paired=paired)
        return bounded(-g, g, "reported as no difference: |g| below the p = 0.05 bound")
    return None


def effect_observations(trial: Trial, *, representative_only: bool = True) -> list[EffectObservation]:
    """The trial's controlled results on the g scale (one per representative outcome and visit).

    Any trial with a control arm gives them, randomised or not: whether the fit uses them is
    :attr:`Trial.fit_status`'s decision.
    """
    if not any(a.role != "active" for a in trial.arms):
        return []
    out = []
    for o in trial.outcomes:
        if o.instrument_class not in FITTED_CLASSES or (representative_only and not o.representative):
            continue
        obs = _observation(trial, o)
        if obs is not None:
            out.append(obs)
    return out


def placebo_observations(trial: Trial) -> list[PlaceboObservation]:
    """Placebo-arm changes in units of that arm's SD of change (the scale of g), where reported."""
    out: list[PlaceboObservation] = []
    if not trial.placebo_controlled:
        return out
    for o in trial.outcomes:
        if not o.representative or o.summary != "arm_change" or o.instrument_class not in FITTED_CLASSES:
            continue
        active, placebo = trial.active_and_placebo(o)
        sizes = None if placebo is None else trial.arm_sizes(active, placebo)
        if placebo is None or sizes is None or placebo.role != "placebo":
            continue
        n = sizes[1]
        sign = 1.0 if o.higher_is_better else -1.0
        value = sign * o.get("placebo_change") / _sd(o, "placebo", n)  # type: ignore[operator]
        se = math.sqrt(1.0 / n + value * value / (2.0 * n))  # SE of a one-sample standardised mean
        out.append(PlaceboObservation(trial.id, o.instrument_class, o.day, value, se, n))
    return out
