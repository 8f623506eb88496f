"""Compile a :class:`~mgbrain.model.spec.ModelSpec` into callables (cached per model)."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import numpy as np

from mgbrain.model.spec import ModelSpec

__all__ = ["CompiledModel", "compile_model"]


@dataclass(frozen=True)
class CompiledModel:
    """Generated right-hand side and observables of one model.

    ``rhs(y, p, u, out)`` works on floats (``math``); ``observe`` on numpy arrays over time.
    """

    spec: ModelSpec
    rhs: Callable
    observe: Callable
    mg_body_index: np.ndarray  # Mg-holding species that are inside the body or gut
    sink_index: np.ndarray     # cumulative sinks (urine, feces)


@cache
def compile_model(spec: ModelSpec) -> CompiledModel:
    rhs, _ = spec.compile({"sqrt": math.sqrt, "exp": math.exp, "log": math.log})
    _, observe = spec.compile({"sqrt": np.sqrt, "exp": np.exp, "log": np.log})
    mg = set(spec.magnesium_species())
    sinks = [i for i, s in enumerate(spec.species) if s.cumulative and s.name in mg]
    body = [i for i, s in enumerate(spec.species) if not s.cumulative and s.name in mg]
    return CompiledModel(spec, rhs, observe, np.array(body), np.array(sinks))
