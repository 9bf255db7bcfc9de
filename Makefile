# Relais: `make html` builds the sample site, `make test` runs the suite.
# Both create .venv on first use and install the project into it.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PORT   ?= 8000

.PHONY: html test serve publish lint clean bench

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

html: $(STAMP)
	$(BIN)/relais build

AXE := tests/js/node_modules/axe-core/axe.min.js

# axe-core (accessibility checks in the browser tests) from the npm registry, test-only.
$(AXE): tests/js/package.json tests/js/package-lock.json
	cd tests/js && npm ci --no-audit --no-fund --silent
	touch $(AXE)

PEER := .venv-peer/.installed

# bovine-herd, a real ActivityPub server for the fediverse tests: test-only, in its own venv.
$(PEER): tests/peer/requirements.txt
	test -x .venv-peer/bin/python || $(PYTHON) -m venv .venv-peer
	.venv-peer/bin/python -m pip install --quiet -r tests/peer/requirements.txt
	touch $(PEER)

# The test files run in parallel, one file per worker (module fixtures built once), one
# worker per core up to four; `make test PYTEST_PARALLEL=` runs them one after another.
PYTEST_PARALLEL ?= -n auto --maxprocesses 4 --dist loadfile

test: $(STAMP) $(AXE) $(PEER)
	$(BIN)/ruff check relais plugins theme tests bench scripts
	$(BIN)/python -m pytest -q $(PYTEST_PARALLEL)

serve: $(STAMP)
	$(BIN)/relais serve --port $(PORT)

publish: $(STAMP)
	$(BIN)/relais publish

lint: $(STAMP)
	$(BIN)/ruff check relais plugins theme tests bench scripts

bench: $(STAMP)
	$(BIN)/python bench/build_speed.py

clean:
	rm -rf output __pycache__ .pytest_cache
	find . -name __pycache__ -prune -exec rm -rf {} +
