"""Results as plain JSON values: the command line's ``--json`` and the web API write the same numbers."""

from __future__ import annotations

import math
from typing import Any

__all__ = ["to_jsonable"]


def to_jsonable(obj: Any) -> Any:
    """``obj`` with NaN and infinities as None, floats rounded to 10 decimals, numpy scalars and
    arrays as numbers and lists, tuples as lists and keys as strings.

    Examples
    --------
    >>> to_jsonable({"a": float("nan"), 1: (0.1 + 0.2, "x")})
    {'a': None, '1': [0.3, 'x']}
    """
    if isinstance(obj, float):
        return None if not math.isfinite(obj) else round(obj, 10)
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_jsonable(v) for v in obj]
    if hasattr(obj, "tolist") and callable(obj.tolist):  # numpy array or scalar
        return to_jsonable(obj.tolist())
    return obj
