# The two commands: `make dev` (the embedded stack) and `make test` (every test tier).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: dev test lint typecheck unit integration workflows e2e bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

dev: $(STAMP)
	$(BIN)/casus dev

test: $(STAMP) lint typecheck
	$(BIN)/python -m pytest -q -p no:cacheprovider tests

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

unit integration workflows e2e: $(STAMP)
	$(BIN)/python -m pytest -q -p no:cacheprovider tests/$@

bench: $(STAMP)
	@echo "make bench: not yet (the performance issue brings bench/)"

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
