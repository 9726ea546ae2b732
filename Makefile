# Two entry points for a fresh machine: `make serve` and `make test`.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin

.PHONY: serve test install lint bench

$(BIN)/tn-mock: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(BIN)/tn-mock

serve: install
	$(BIN)/tn-mock serve

lint: install
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy

test: lint
	$(BIN)/python -m pytest
	$(BIN)/python benchmarks/run.py --quick --output $(VENV)/bench-quick.md

bench: install
	$(BIN)/python benchmarks/run.py
