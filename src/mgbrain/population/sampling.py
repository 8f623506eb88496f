"""Counter-based random numbers: a subject's draws depend only on (seed, stream, subject id).

Subjects are grouped in fixed blocks of :data:`BLOCK` ids; block ``b`` of stream ``s`` draws
from ``Generator(PCG64(SeedSequence(seed, spawn_key=(s, b))))`` for the whole block, and a
population of ``n`` keeps its first ``n`` rows. So the same seed gives the same subjects
whatever ``n`` is, however the run is chunked and however many workers run it.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from mgbrain.errors import ParameterError

__all__ = ["BLOCK", "STREAMS", "subject_draws", "block_generator"]

BLOCK = 1024
#: One stream per kind of randomness, so adding draws to one kind never shifts another.
STREAMS = {"covariates": 1, "iiv": 2, "bov": 3, "regimen": 4, "uncertainty": 5}


def block_generator(seed: int, stream: str, block: int) -> np.random.Generator:
    if stream not in STREAMS:
        raise ParameterError("unknown random stream", argument="stream", expected=sorted(STREAMS),
                             received=stream)
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(int(seed),
                                                                      spawn_key=(STREAMS[stream], block))))


def subject_draws(seed: int, stream: str, n: int, draw: Callable[[np.random.Generator, int], dict],
                  start: int = 0) -> dict:
    """Rows ``start .. start + n - 1`` of a stream: ``draw(rng, BLOCK)`` is called for each block
    they touch (it returns arrays whose first axis is the subject) and the rows are cut out."""
    if not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ParameterError("seed must be a non-negative integer", argument="seed", received=seed)
    if n < 0 or start < 0:
        raise ParameterError("subject range must be >= 0", argument="n", received=(start, n))
    first, last = start // BLOCK, -(-(start + n) // BLOCK)
    parts = [draw(block_generator(seed, stream, b), BLOCK) for b in range(first, max(last, first + 1))]
    offset = start - first * BLOCK
    return {k: np.concatenate([p[k] for p in parts])[offset:offset + n] for k in parts[0]}
