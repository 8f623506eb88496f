"""The references every data row points to.

References live in ``mgbrain/data/references/*.toml`` (one table per key). Files are merged;
a key defined twice is an error, so two modules cannot silently disagree on a source.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType

from mgbrain.errors import ProvenanceError
from mgbrain.provenance.files import data_files

__all__ = ["Reference", "load_references", "resolve_reference", "ACCESS_LEVELS"]

#: How much of a source was read: P-abs the abstract; P-txt text beyond the abstract (a page or
#: table of the paper or book); SEC a secondary source quoting or paraphrasing the primary;
#: DERIVED arithmetic from sourced numbers, shown where it is used.
ACCESS_LEVELS = ("P-abs", "P-txt", "SEC", "DERIVED")

_FIELDS = {"title", "authors", "journal", "publisher", "year", "doi", "pmid", "url", "access", "note"}


@dataclass(frozen=True)
class Reference:
    """One source: enough to find it again, and how much of it was read."""

    key: str
    title: str
    access: str
    authors: str | None = None
    journal: str | None = None
    publisher: str | None = None
    year: int | None = None
    doi: str | None = None
    pmid: str | None = None
    url: str | None = None
    note: str | None = None

    def short(self) -> str:
        """``First author (year)`` or the title, for tables (a title is kept whole: it may hold commas)."""
        who = self.authors.split(",")[0] if self.authors else self.title
        return f"{who} {self.year}" if self.year else who

    def to_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v is not None}


@cache
def load_references() -> Mapping[str, Reference]:
    """All references, keyed by their key (read once, then cached).

    Examples
    --------
    >>> load_references()["fine1991"].pmid
    '1864954'
    """
    merged: dict[str, Reference] = {}
    for file in data_files("references", ".toml"):
        table = tomllib.loads(file.read_text(encoding="utf-8"))
        for key, fields in table.items():
            if key in merged:
                raise ProvenanceError("reference key defined twice", argument=key,
                                      expected="one definition", received=file.name)
            unknown = set(fields) - _FIELDS
            if unknown:
                raise ProvenanceError("unknown reference field", argument=f"{file.name}:{key}",
                                      expected=sorted(_FIELDS), received=sorted(unknown))
            if "title" not in fields:
                raise ProvenanceError("reference has no title", argument=f"{file.name}:{key}")
            if fields.get("access") not in ACCESS_LEVELS:
                raise ProvenanceError("reference access level invalid",
                                      argument=f"{file.name}:{key}.access",
                                      expected=ACCESS_LEVELS, received=fields.get("access"))
            merged[key] = Reference(key=key, **fields)
    return MappingProxyType(merged)


def resolve_reference(key: str, *, where: str = "source") -> Reference:
    """Return the reference for ``key`` or raise :class:`ProvenanceError` naming ``where``."""
    refs = load_references()
    if key not in refs:
        raise ProvenanceError("unknown reference key", argument=where,
                              expected="a key of data/references/*.toml", received=key)
    return refs[key]
