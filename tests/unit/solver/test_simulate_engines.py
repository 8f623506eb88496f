"""`simulate` on the compiled engine (default) against the scipy loop it replaced (LSODA)."""

import numpy as np
import pytest

from mgbrain.dosing.regimen import Infusion, IVBolus, Regimen, daily_regimen
from mgbrain.errors import ParameterError
from mgbrain.model import WHOLE_BODY, default_parameters
from mgbrain.solver import SolverOptions, Subject, simulate, steady_state
from mgbrain.solver.compiled import compile_model
from mgbrain.solver.integrate import integrate_schedule
from mgbrain.testing import assert_close_relative

SCIPY = SolverOptions(method="LSODA", rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("regimen, subject", [
    (daily_regimen("magtein", "2 g/day", days=3), Subject()),
    (daily_regimen("citrate", "300 mg/day", days=3, elemental=True, clock_times=(21.0,)), Subject(60, 25)),
    (Regimen(boluses=(IVBolus(30.0, 10.0),), infusions=(Infusion(5.0, 6.0, 20.0),)), Subject(85, 110)),
])
def test_compiled_simulate_agrees_with_scipy(regimen, subject):
    fast = simulate(regimen, subject, days=3, output_every_h=0.5)
    ref = simulate(regimen, subject, days=3, output_every_h=0.5, options=SCIPY)
    assert_close_relative(fast.initial_state, ref.initial_state, rtol=1e-6, floor=1e-3)
    assert_close_relative(fast.states, ref.states, rtol=1e-6, floor=1e-3)
    np.testing.assert_allclose(fast.intake_mmol, ref.intake_mmol, rtol=1e-12, atol=1e-12)  # from the schedule alone
    # the infusion's intake and the bolus are in the states: mass is conserved on the compiled path
    assert np.abs(fast.frame()["mass_balance_error_mmol"]).max() < 1e-6


def test_steady_state_is_the_same_by_either_engine():
    y_fast, ok_fast = steady_state(Subject(), default_parameters())
    y_ref, ok_ref = steady_state(Subject(), default_parameters(), options=SCIPY)
    assert ok_fast and ok_ref
    assert_close_relative(y_fast, y_ref, rtol=1e-6, floor=1e-3)


def test_unknown_method_names_the_option():
    with pytest.raises(ParameterError, match=r"method.*compiled.*LSODA.*got 'Euler'"):
        SolverOptions(method="Euler")


def test_max_step_is_refused_on_the_compiled_engine():
    with pytest.raises(ParameterError, match="max_step"):
        SolverOptions(max_step=0.5)
    assert SolverOptions(method="LSODA", max_step=0.5).max_step == 0.5


def test_the_scipy_loop_refuses_the_compiled_method():
    compiled = compile_model(WHOLE_BODY)
    with pytest.raises(ParameterError, match="scipy"):
        integrate_schedule(lambda t, y, u: compiled.rhs(y, np.zeros(1), u, np.empty_like(y)), np.zeros(3), [], 1.0,
                           np.array([1.0]), SolverOptions())


def test_one_subject_and_read_only_inputs_reuse_the_batch_signature():
    """A batch of one (its broadcast output grid is read-only) and read-only arrays run on the
    kernel already compiled for populations: one signature, not a second ~30 s compilation."""
    from mgbrain.solver.batch import EventTable, solve_batch
    from mgbrain.solver.kernel import batch_kernel

    simulate(daily_regimen("magtein", "2 g/day", days=1), days=1)
    y0, _ = steady_state(Subject(), default_parameters())
    p = Subject().parameters(default_parameters()).vector()
    frozen = [np.repeat(a[None, :], 2, axis=0) for a in (y0, p)]
    for a in frozen:
        a.flags.writeable = False
    solve_batch(WHOLE_BODY, *frozen, EventTable.empty(2), np.array([0.0, 12.0]))
    assert len(batch_kernel(WHOLE_BODY).solve.signatures) == 1


def test_stops_a_rounding_error_apart_do_not_set_the_step_size():
    """An infusion ending 1.4e-14 h before an output time: the step size must come from the next
    real span, not from that sliver (it was a step-size underflow at t = 12 h)."""
    regimen = Regimen(infusions=(Infusion(10.0, 1.9999999999999858, 0.0),))
    traj = simulate(regimen, Subject(40.0, 5.0), days=1, output_every_h=1.0)
    ref = simulate(regimen, Subject(40.0, 5.0), days=1, output_every_h=1.0, options=SCIPY)
    assert_close_relative(traj.states, ref.states, rtol=1e-6, floor=1e-3)


def test_a_first_compilation_is_announced_and_a_cached_kernel_is_not(tmp_path, monkeypatch, caplog):
    import types

    from mgbrain.solver import kernel

    monkeypatch.setenv("MGBRAIN_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(kernel, "_import_generated", lambda name, path: types.SimpleNamespace(solve_batch=None))
    kernel.batch_kernel.cache_clear()
    try:
        with caplog.at_level("INFO", logger="mgbrain.engine"):
            kernel.batch_kernel(WHOLE_BODY)
        assert "compiling the integration engine for model 'mgbrain_whole_body'" in caplog.text
        # numba's index of the compiled kernel next to the generated module: loaded, not compiled
        (name,) = [p.stem for p in (tmp_path / "kernels").glob("*.py")]
        (tmp_path / "kernels" / "__pycache__").mkdir()
        (tmp_path / "kernels" / "__pycache__" / f"{name}.solve_batch-1.py311.nbi").write_bytes(b"")
        kernel.batch_kernel.cache_clear()
        caplog.clear()
        with caplog.at_level("INFO", logger="mgbrain.engine"):
            kernel.batch_kernel(WHOLE_BODY)
        assert "compiling" not in caplog.text
    finally:
        kernel.batch_kernel.cache_clear()


def test_warm_engine_leaves_the_kernel_ready_with_the_population_signature():
    from mgbrain.solver.kernel import batch_kernel
    from mgbrain.solver.simulate import warm_engine

    warm_engine((WHOLE_BODY,))
    assert len(batch_kernel(WHOLE_BODY).solve.signatures) == 1
