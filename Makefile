# One command to set up and run the demo, one to run every test (see README.md).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install demo test test-fast lint bench-aggregation clean

$(STAMP): backend/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e "backend[dev]"
	touch $(STAMP)

install: $(STAMP)

## Simulate a week of parks into the embedded SQLite database, aggregate it, show rankings.
demo: install
	$(BIN)/themepark demo

## The whole test suite, on SQLite and on the local MariaDB (127.0.0.1:3306, root).
test: install
	cd backend && ../$(BIN)/python -m pytest -q

## ruff, mypy (strict) and the layer contract (import-linter, pyproject.toml); CI runs it.
lint: install
	cd backend && ../$(BIN)/ruff check src tests scripts && ../$(BIN)/mypy && ../$(BIN)/lint-imports

bench-aggregation: install
	$(BIN)/python bench/aggregation.py

clean:
	rm -rf $(VENV) backend/.pytest_cache
