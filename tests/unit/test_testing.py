import numpy as np
import pytest

from mgbrain.testing import assert_close_relative


def test_passes_within_tolerance_and_below_the_floor():
    assert_close_relative(np.array([1.0, 5e-10]), np.array([1.0 + 5e-7, 0.0]), rtol=1e-6, floor=1e-3)


def test_fails_naming_the_worst_index():
    with pytest.raises(AssertionError, match=r"index \(1,\)"):
        assert_close_relative(np.array([1.0, 1.1]), np.array([1.0, 1.0]), rtol=1e-6, floor=1e-3)


def test_nan_only_where_both_are_nan():
    assert_close_relative(np.array([np.nan, 1.0]), np.array([np.nan, 1.0]), rtol=1e-12, floor=1.0)
    with pytest.raises(AssertionError):
        assert_close_relative(np.array([np.nan, 1.0]), np.array([0.0, 1.0]), rtol=1e-12, floor=1.0)


def test_shapes_must_match():
    with pytest.raises(AssertionError, match="shapes"):
        assert_close_relative(np.zeros(2), np.zeros(3), rtol=1.0, floor=1.0)
