# Two entry points for a fresh machine: `make demo` and `make test`.
# Both bootstrap .venv from the package registry on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

$(BIN)/mgbrain: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(BIN)/mgbrain

.PHONY: demo test lint clean
demo: $(BIN)/mgbrain
	$(BIN)/mgbrain demo

# The gates CI runs (.ci/run -> make test): lint, types, layers, then the tests and doctests.
test: lint
	$(BIN)/python -m pytest

lint: $(BIN)/mgbrain
	$(BIN)/ruff check src tests scripts benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info
