import re
import tomllib
from importlib import resources

import pytest

from mgbrain.errors import ProvenanceError
from mgbrain.provenance.references import load_references, resolve_reference

KEY_FIELD = re.compile(r"(source|_source|label_source)$")


def _data_rows():
    """Every (file, row, field, key) in data/*.toml that names a reference."""
    root = resources.files("mgbrain") / "data"
    for path in sorted(root.rglob("*.toml")):
        if path.parent.name == "references":
            continue
        table = tomllib.loads(path.read_text())

        def walk(node, where, name=path.name):
            if isinstance(node, dict):
                for k, v in node.items():
                    if KEY_FIELD.search(k) and isinstance(v, str):
                        yield name, where, k, v
                    elif KEY_FIELD.search(k) and isinstance(v, list):
                        for item in v:
                            yield name, where, k, item
                    else:
                        yield from walk(v, f"{where}.{k}", name)
            elif isinstance(node, list):
                for i, v in enumerate(node):
                    yield from walk(v, f"{where}[{i}]", name)
        yield from walk(table, "")


def test_every_data_row_points_to_a_known_reference():
    refs = load_references()
    dangling = [(f, w, k, v) for f, w, k, v in _data_rows()
                if v != "user label" and v not in refs]
    assert not dangling


def test_data_files_do_reference_sources():
    assert sum(1 for _ in _data_rows()) > 40


def test_dangling_key_raises():
    with pytest.raises(ProvenanceError) as info:
        resolve_reference("nobody2099", where="test.source")
    assert info.value.argument == "test.source"


def test_doi_and_pmid_shapes():
    for ref in load_references().values():
        if ref.doi:
            assert ref.doi.startswith("10."), ref.key
        if ref.pmid:
            assert ref.pmid.isdigit(), ref.key
