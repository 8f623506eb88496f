"""mgbrain's integrator against an independent high-accuracy scipy solution (DOP853 and
Radau at rtol 1e-12), stepping through the same doses with its own loop."""

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from mgbrain.dosing.regimen import Infusion, IVBolus, Regimen, daily_regimen
from mgbrain.solver import Subject, simulate
from mgbrain.solver.compiled import compile_model
from mgbrain.solver.schedule import build_schedule
from mgbrain.testing import assert_close_relative


def reference_solution(traj, method):
    """Integrate the generated RHS from the same initial state, one dose interval at a time."""
    compiled = compile_model(traj.model)
    t_end = traj.times_h[-1]
    schedule = build_schedule(traj.model, traj.regimen, traj.subject.diet.meals(t_end / 24), t_end)
    y = traj.initial_state.copy()
    out = {}
    bounds = [b.time_h for b in schedule[1:]] + [t_end]
    for bp, t1 in zip(schedule, bounds):
        y = y + bp.jump
        wanted = traj.times_h[(traj.times_h >= bp.time_h) & (traj.times_h <= t1)]
        sol = solve_ivp(lambda t, yy, u: compiled.rhs(yy, traj.params, u, np.empty_like(yy)), (bp.time_h, t1), y,
                        method=method, rtol=1e-12, atol=1e-14, dense_output=True, args=(bp.inputs,))
        for t in wanted:
            if t < t1 or t == t_end:
                out[t] = sol.sol(t)
        y = sol.y[:, -1]
    return np.array([out[t] for t in traj.times_h])


CASES = {
    "magtein_bid": (daily_regimen("magtein", "2 g/day", days=2), Subject()),
    "oxide_ckd": (daily_regimen("oxide", "400 mg/day", days=2, elemental=True, clock_times=(9.0,)), Subject(60, 25)),
    "iv_bolus_infusion": (Regimen(boluses=(IVBolus(1.0, 17.0),), infusions=(Infusion(20.0, 12.0, 40.0),)),
                          Subject(85, 110)),
}


@pytest.mark.parametrize("case, method", [(c, "DOP853") for c in sorted(CASES)] + [("magtein_bid", "Radau")])
def test_matches_high_accuracy_reference(case, method):
    regimen, subject = CASES[case]
    traj = simulate(regimen, subject, days=2, output_every_h=2.0)
    ref = reference_solution(traj, method)
    assert_close_relative(traj.states, ref, rtol=1e-6, floor=1e-3)  # every non-trivial state


def test_brain_model_matches_high_accuracy_reference():
    """The brain layer (threonate jumps, neuronal Mg, synapse index) through the same check."""
    from mgbrain.model import BRAIN
    traj = simulate(daily_regimen("magtein", "2 g/day", days=2), Subject(), days=2, output_every_h=2.0, model=BRAIN)
    ref = reference_solution(traj, "DOP853")
    assert_close_relative(traj.states, ref, rtol=1e-6, floor=1e-3)
