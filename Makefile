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

.PHONY: demo test clean
demo: $(BIN)/mgbrain
	$(BIN)/mgbrain demo

test: $(BIN)/mgbrain
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info
