# The two commands of the README:
#   make demo   install, generate the demo deliveries, refresh the whole history, publish, build the report site
#   make test   install, run the test suite
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export PIP_DISABLE_PIP_VERSION_CHECK := 1
export GX_ANALYTICS_ENABLED := false
export DO_NOT_TRACK := 1
# dbt must be found by dagster-dbt, which starts it as a subprocess
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: help install chromium demo test test-fast bench ui report docs lint clean clean-data

help:
	@echo "make demo    - install, write demo deliveries, run the full refresh, publish, build the report site"
	@echo "make test    - install and run the tests"
	@echo "make ui      - open the Dagster UI on http://127.0.0.1:3000"
	@echo "make bench   - run the performance benchmark (bench/results/; options: make bench BENCH_ARGS=\"--runs 2\")"
	@echo "make clean   - remove the virtual environment and all generated data"

$(STAMP): pyproject.toml requirements.lock
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade "pip>=24" 2>&1 | grep -v "^WARNING: Location" || true
	$(BIN)/pip install -q -r requirements.lock 2>&1 | grep -v "^WARNING: Location" ; test $${PIPESTATUS[0]} -eq 0
	$(BIN)/pip install -q --no-deps -e . 2>&1 | grep -v "^WARNING: Location" ; test $${PIPESTATUS[0]} -eq 0
	$(BIN)/sozialmonitor setup
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(BIN)/sozialmonitor demo

# Debian's Chromium for the browser tests (Playwright drives it; it never downloads a browser)
chromium:
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
	  { apt-get update -qq >/dev/null; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null; }; } || \
	  echo "WARNING: chromium is missing and cannot be installed here; the browser tests will fail"

test: install chromium
	$(BIN)/python -m pytest

test-fast: install
	$(BIN)/python -m pytest -m "not slow and not browser"

bench: install
	$(BIN)/python bench/run_bench.py $(BENCH_ARGS)

ui: install
	$(BIN)/sozialmonitor ui

report: install
	$(BIN)/sozialmonitor report

lint:
	$(BIN)/python -m ruff check orchestration tests bench || true

clean-data:
	rm -rf data

clean: clean-data
	rm -rf $(VENV) dbt_project/target dbt_project/logs reports/node_modules reports/build reports/.evidence
