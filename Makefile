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

# The browser tests drive Debian's Chromium (never a downloaded browser); root in CI, sudo elsewhere.
CHROMIUM := /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

$(CHROMIUM):
	$(SUDO) apt-get update
	$(SUDO) apt-get install -y --no-install-recommends chromium

.PHONY: demo test lint clean serve
demo: $(BIN)/mgbrain
	$(BIN)/mgbrain demo

# The gates CI runs (.ci/run -> make test): lint, types, layers, then the tests and doctests.
test: lint $(CHROMIUM)
	$(BIN)/python -m pytest

serve: $(BIN)/mgbrain
	$(BIN)/mgbrain serve

lint: $(BIN)/mgbrain
	$(BIN)/ruff check src tests scripts benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info
