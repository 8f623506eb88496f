"""Assertions for tests of mgbrain and of code built on it (as ``numpy.testing``, for our arrays)."""

from __future__ import annotations

import numpy as np

__all__ = ["assert_close_relative"]


def assert_close_relative(actual: np.ndarray, desired: np.ndarray, *, rtol: float, floor: float,
                          scale: np.ndarray | None = None) -> None:
    """Assert ``|actual - desired| <= rtol * max(|scale|, floor)`` everywhere.

    ``scale`` defaults to ``desired``; ``floor`` keeps states near zero (an empty gut segment)
    from turning round-off into a large relative error. NaN in both arrays at the same place
    counts as equal.

    Examples
    --------
    >>> assert_close_relative(np.array([1.0, 1e-9]), np.array([1.0 + 1e-7, 0.0]), rtol=1e-6, floor=1e-3)
    """
    actual, desired = np.asarray(actual, float), np.asarray(desired, float)
    if actual.shape != desired.shape:
        raise AssertionError(f"shapes differ: {actual.shape} vs {desired.shape}")
    ref = np.abs(desired if scale is None else np.asarray(scale, float))
    both_nan = np.isnan(actual) & np.isnan(desired)
    err = np.where(both_nan, 0.0, np.abs(actual - desired) / np.maximum(ref, floor))
    worst = np.unravel_index(np.argmax(np.where(np.isnan(err), np.inf, err)), err.shape) if err.size else ()
    if err.size and not err[worst] <= rtol:
        raise AssertionError(f"relative error {err[worst]:.3g} > {rtol:g} at index {tuple(int(i) for i in worst)}: "
                             f"actual {actual[worst]!r}, desired {desired[worst]!r}")
