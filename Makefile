# Every target creates .venv on first use, so a fresh clone needs only Python 3.11 and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test test-live lint typecheck screenshots clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/budgettui --demo

lint: $(STAMP)
	$(BIN)/ruff check budgettui tests benchmarks
	$(BIN)/ruff format --check budgettui tests benchmarks
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy budgettui benchmarks

test: lint typecheck
	$(BIN)/pytest -q -m "not live" -p no:cacheprovider

test-live: $(STAMP)
	$(BIN)/pytest -q -m live tests/live -p no:cacheprovider

# The SVG of every screen, from the snapshot tests' own code path (fixed data, clock and size).
screenshots: $(STAMP)
	$(BIN)/pytest -q tests/snapshots --snapshot-update
	mkdir -p screenshots
	rm -f screenshots/*.svg
	for f in tests/snapshots/__snapshots__/test_snapshots/*.svg; do \
		name=$$(basename "$$f" .svg | sed -e 's/^test_//' -e 's/\[/-/' -e 's/\]//'); \
		cp "$$f" "screenshots/$$name.svg"; \
	done

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache

# The soak: the dashboard refreshing 2,000 tenants every second, 300 times, against the
# simulator on loopback, with new spend arriving; fails when memory, sockets or tasks grow.
# Figures go to benchmarks/RESULTS.md. About 6 minutes; not part of `make test`.
.PHONY: soak
soak: $(STAMP)
	$(BIN)/python benchmarks/soak.py --write

# The speed benchmark (issue 10): budgettui at 12, 2,000 and 20,000 tenants against bare httpx
# scripts, on the simulator and on a real LiteLLM (skipped, and said so, where its dev kit cannot
# start one). Rewrites its own section of benchmarks/RESULTS.md. Under 15 minutes; not part of
# `make test`. `BENCH_ARGS=--skip-real` for the simulator only.
.PHONY: bench
bench: $(STAMP)
	$(BIN)/python -m benchmarks.bench --write $(BENCH_ARGS)
