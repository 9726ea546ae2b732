# Two entry points for a fresh machine: `make serve` and `make test`.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
# Root installs Debian packages directly; anyone else through sudo.
APT := $(if $(filter 0,$(shell id -u)),,sudo )apt-get

.PHONY: serve test install lint browser-deps bench

$(BIN)/tn-mock: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/tn-mock

serve: install
	$(BIN)/tn-mock serve

lint: install
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy

# The browser tests drive Debian's Chromium through Playwright (the project
# never downloads a browser build) and check pages with axe-core from npm.
browser-deps:
	@command -v chromium >/dev/null 2>&1 || { \
		$(APT) update -qq && \
		DEBIAN_FRONTEND=noninteractive $(APT) install -y -qq chromium >/dev/null; }
	@test -d tests/browser/node_modules/axe-core || \
		npm ci --prefix tests/browser --no-audit --no-fund --silent

test: lint browser-deps
	$(BIN)/python -m pytest -n 2

bench: install
	$(BIN)/python benchmarks/run.py
