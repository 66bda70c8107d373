# Every target creates .venv on first use, so a fresh clone needs only Python 3.11 and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test test-live lint typecheck screenshots bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/budgettui --demo

lint: $(STAMP)
	$(BIN)/ruff check budgettui tests
	$(BIN)/ruff format --check budgettui tests

typecheck: $(STAMP)
	$(BIN)/mypy budgettui

test: lint typecheck
	$(BIN)/pytest -q -m "not live" -p no:cacheprovider

test-live: $(STAMP)
	$(BIN)/pytest -q -m live tests/live -p no:cacheprovider

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
