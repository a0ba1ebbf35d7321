# The two commands: `make dev` (the embedded stack) and `make test` (every test tier).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: dev test lint typecheck browser compose promtool unit integration workflows e2e faults soak bench histories openapi clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

dev: $(STAMP)
	$(BIN)/casus dev

# Every tier on TEST_WORKERS processes, each test file whole on one of them (its module fixtures set
# up once); each test makes its own databases, folders and ports, so files run side by side.
TEST_WORKERS ?= 2
test: $(STAMP) lint typecheck browser compose promtool
	$(BIN)/python -m pytest -q -p no:cacheprovider -n $(TEST_WORKERS) --dist loadfile --durations=20 tests

# The audit page and the Temporal UI are checked in headless Chromium (and ChromeDriver), Debian's packages; installed when missing and possible.
browser:
	@{ command -v chromium && command -v chromedriver; } >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; \
	  else echo "chromium or chromedriver is not installed: the audit page and Temporal UI tests skip outside CI"; fi; }

# The deploy files are checked with Debian's docker-compose (`config` needs no engine); installed when missing and possible.
compose:
	@command -v docker-compose >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose >/dev/null; \
	  else echo "docker-compose is not installed: the compose file test skips outside CI"; fi; }

# The alert rules are checked and unit-tested with promtool, from Debian's prometheus package; installed when missing and possible.
promtool:
	@command -v promtool >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null; \
	  else echo "promtool is not installed: the alert rule tests skip outside CI"; fi; }

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

unit integration workflows e2e: $(STAMP)
	$(BIN)/python -m pytest -q -p no:cacheprovider tests/$@

# The fault, tamper and durability tests, FAULT_REPEAT times each, reported in docs/RELIABILITY.md.
FAULT_REPEAT ?= 5
faults: $(STAMP)
	rm -f .casus-faults.jsonl
	for i in $$(seq $(FAULT_REPEAT)); do \
	  HERSTEL_AANTAL=100 CASUS_FAULT_RESULTS=$(CURDIR)/.casus-faults.jsonl $(BIN)/python -m pytest -q -p no:cacheprovider -m storing tests || exit 1; \
	done
	SOAK_CLIENTS=50 SOAK_SECONDS=120 CASUS_FAULT_RESULTS=$(CURDIR)/.casus-faults.jsonl $(BIN)/python -m pytest -q -p no:cacheprovider -m soak tests
	$(BIN)/python -m tests.faults.verslag .casus-faults.jsonl docs/RELIABILITY.md $(FAULT_REPEAT)

# The soak alone: 50 clients for two minutes against `casus dev` (make faults runs it too).
soak: $(STAMP)
	SOAK_CLIENTS=50 SOAK_SECONDS=120 $(BIN)/python -m pytest -q -p no:cacheprovider -m soak tests

# Records the current workflow code's histories for the replay test: make histories LABEL=v3
histories: $(STAMP)
	$(BIN)/python -m tests.workflows.opnemen $(or $(LABEL),huidig)

# The committed OpenAPI document, from the app itself (tests/api/test_openapi.py checks it is current).
openapi: $(STAMP)
	$(BIN)/python -m api.server docs/openapi.json

# Every performance figure with its baseline; BENCH_QUICK=1 for a short smoke run.
bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
