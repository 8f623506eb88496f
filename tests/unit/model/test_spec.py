import math

import numpy as np
import pytest

from mgbrain.errors import ParameterError
from mgbrain.model import WHOLE_BODY
from mgbrain.model.spec import Assignment, Flux, ModelSpec, ParameterSpec, Species


def _tiny(**kw):
    base = dict(name="tiny", species=(Species("a", "c", "a"), Species("b", "c", "b")),
                parameters=(ParameterSpec("k", "1/h", 0, 10, "rate"),),
                assignments=(Assignment("twice_k", "2 * k", "1/h", "2k"),),
                fluxes=(Flux("ab", "a", "b", "twice_k * a", "a to b"),))
    base.update(kw)
    return ModelSpec(**base)


def test_generated_rhs_is_the_declared_flux():
    rhs, observe = _tiny().compile({"sqrt": math.sqrt, "exp": math.exp, "log": math.log})
    out = rhs(np.array([3.0, 0.0]), np.array([0.5]), np.array([]), np.zeros(2))
    assert out.tolist() == [-3.0, 3.0]
    assert observe(np.array([3.0, 0.0]), np.array([0.5]), np.array([]))["J_ab"] == 3.0


def test_undefined_name_rejected():
    with pytest.raises(ParameterError, match="undefined"):
        _tiny(fluxes=(Flux("ab", "a", "b", "kk * a", "a to b"),))


def test_duplicate_name_rejected():
    with pytest.raises(ParameterError, match="twice"):
        _tiny(parameters=(ParameterSpec("a", "1", 0, 1, "clash"),))


def test_unknown_species_in_flux_rejected():
    with pytest.raises(ParameterError, match="unknown species"):
        _tiny(fluxes=(Flux("ab", "a", "c", "k * a", "a to c"),))


def test_extended_keeps_the_original():
    bigger = _tiny().extended("tiny2", species=(Species("c", "c", "c"),))
    assert bigger.species_names == ("a", "b", "c")
    assert _tiny().species_names == ("a", "b")


def test_whole_body_fluxes_conserve_mg():
    # Every Mg flux either moves Mg between species or enters (infusion) the system; only
    # non-Mg fluxes (the meals' chyme) may leave it.
    for f in WHOLE_BODY.fluxes:
        if not f.magnesium:
            assert f.source == "meal_chyme"
            continue
        assert f.source is not None or f.name == "iv_infusion"
        assert f.target is not None


def test_parameter_bounds():
    spec = WHOLE_BODY.parameter_spec("weight_kg")
    assert spec.check(70.0) == 70.0
    with pytest.raises(ParameterError) as info:
        spec.check(500.0)
    assert info.value.argument == "weight_kg"
