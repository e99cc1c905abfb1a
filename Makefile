# The two commands: `make demo` and `make test`. Both install what is missing first.
SHELL := /bin/bash
.DEFAULT_GOAL := help
UV := $(shell command -v uv 2>/dev/null || echo $(CURDIR)/.tools/bin/uv)
PYTHON ?= python3.11
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
ASSETS := socialvalue/web/static/vendor/socialvalue.css

.PHONY: help demo test lint setup assets chromium clean

help:  ## List the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

demo: setup  ## Install, load demo data and serve the app at http://127.0.0.1:8000
	$(UV) run socialvalue demo
	DEBUG=true $(UV) run socialvalue serve --host 127.0.0.1 --port 8000

test: setup chromium  ## Install everything and run the whole test suite
	$(UV) run pytest $(PYTEST_ARGS)

lint: setup  ## ruff and mypy
	$(UV) run ruff check .
	SECRET_KEY=mypy-only $(UV) run mypy socialvalue

setup: $(UV) .venv/.synced assets

$(CURDIR)/.tools/bin/uv:
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is needed: install python3.11 and try again."; exit 1; }
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check uv

.venv/.synced: pyproject.toml uv.lock
	@# Compiled bytecode: this machine sets PYTHONDONTWRITEBYTECODE, so without it every command
	@# compiles pandas, Django and the rest again (about 1 s of each start-up).
	$(UV) sync --locked --compile-bytecode --extra dev --extra postgres --extra linkage
	@touch $@

assets: $(ASSETS)

$(ASSETS): package.json package-lock.json frontend/socialvalue.scss frontend/copy-assets.mjs
	@command -v npm >/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm; \
	  else echo "Node.js and npm are needed to build the front-end assets: install them and try again."; exit 1; fi; }
	npm ci --no-audit --no-fund --loglevel=error
	npm run --silent build

chromium:  ## Debian chromium for the browser tests (installed when run as root)
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	else echo "Note: /usr/bin/chromium is missing, so browser tests will be skipped (install Debian's chromium package)."; fi

clean:  ## Remove installed packages, built assets and the local database
	rm -rf .venv .tools node_modules socialvalue/web/static/vendor tests/e2e/axe.min.js var
