# Two entry points for a fresh machine: `make run` and `make test`. Each installs what it needs first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 5000

.PHONY: run test check install browser postgres bench clean

run: install
	$(BIN)/repo-engine check
	$(BIN)/repo-engine seed
	$(BIN)/repo-engine users demo
	@echo "Serving every instance at http://$(HOST):$(PORT)/ (Ctrl+C to stop)"
	$(BIN)/repo-engine serve --host $(HOST) --port $(PORT)

# On every core (pytest-xdist): each test has its own folders and its own database schema, so none waits.
test: install browser postgres
	$(BIN)/python -m pytest -n auto $(PYTEST_ARGS)

check: install
	$(BIN)/repo-engine check

install: $(STAMP) node_modules/.installed

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

# NHS.UK frontend (CSS, JS, assets) and axe-core come from npm, pinned in package.json.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	touch $@

# Browser tests drive Debian's Chromium through Playwright (Playwright's own browser download cannot be used).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# The PostgreSQL tests use the machine's server at 127.0.0.1:5432: started when it is down, installed from
# Debian's packages when it is missing (REPO_ENGINE_TEST_POSTGRES names another server instead).
postgres:
	@bash scripts/postgres.sh

bench: install
	$(BIN)/python bench/store.py
	$(BIN)/python bench/web.py
	$(BIN)/python bench/import.py
	$(BIN)/python bench/search.py

clean:
	rm -rf $(VENV) node_modules .pytest_cache
