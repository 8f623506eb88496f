"""Readers for the data files shipped in ``mgbrain/data`` (package resources, never a network)."""

from __future__ import annotations

import tomllib
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any

from mgbrain.errors import ProvenanceError

__all__ = ["data_path", "read_data_text", "read_data_toml", "data_files"]


def data_path(*parts: str) -> Traversable:
    """The packaged file ``mgbrain/data/<parts...>``."""
    path = resources.files("mgbrain") / "data"
    for part in parts:
        path = path / part
    return path


def read_data_text(*parts: str) -> str:
    """Text of ``mgbrain/data/<parts...>`` (UTF-8)."""
    return data_path(*parts).read_text(encoding="utf-8")


def read_data_toml(*parts: str) -> dict[str, Any]:
    """Parsed TOML of ``mgbrain/data/<parts...>``; a syntax error names the file."""
    try:
        return tomllib.loads(read_data_text(*parts))
    except tomllib.TOMLDecodeError as exc:
        raise ProvenanceError("data file is not valid TOML", argument="/".join(parts),
                              received=str(exc)) from exc


def data_files(folder: str, suffix: str) -> list[Traversable]:
    """Files of ``mgbrain/data/<folder>`` ending in ``suffix``, sorted by name."""
    return sorted((f for f in data_path(folder).iterdir() if f.name.endswith(suffix)), key=lambda f: f.name)
