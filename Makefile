# `make run` and `make test` set everything up themselves (idempotently) on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup run test lint format schema bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: setup
	$(BIN)/python examples/customer_scan/build_db.py
	$(BIN)/wct validate examples/*/runbook.yaml
	$(BIN)/wct run examples/customer_scan/runbook.yaml

test: setup lint
	$(BIN)/python -m pytest -q

lint: setup
	$(BIN)/ruff check core server tests benchmarks
	$(BIN)/ruff format --check core server tests benchmarks
	$(BIN)/mypy

format: setup
	$(BIN)/ruff check --fix core server tests benchmarks
	$(BIN)/ruff format core server tests benchmarks

schema: setup
	$(BIN)/wct schema --dir schemas

bench: setup
	$(BIN)/python benchmarks/analyse.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
