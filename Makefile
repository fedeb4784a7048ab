# Two entry points for a fresh machine: `make run` and `make test`. Each installs what it needs first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 5000

.PHONY: run test check install browser bench clean

run: install
	$(BIN)/repo-engine check
	$(BIN)/repo-engine seed
	$(BIN)/repo-engine users demo
	@echo "Serving every instance at http://$(HOST):$(PORT)/ (Ctrl+C to stop)"
	$(BIN)/repo-engine serve --host $(HOST) --port $(PORT)

test: install browser
	$(BIN)/python -m pytest $(PYTEST_ARGS)

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

bench: install
	$(BIN)/python bench/store.py
	$(BIN)/python bench/web.py
	$(BIN)/python bench/import.py
	$(BIN)/python bench/search.py

clean:
	rm -rf $(VENV) node_modules .pytest_cache
