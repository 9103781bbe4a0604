# Atelier: `make run` serves the demo, `make test` runs every check. Both set up .venv on their own.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
PIP_FLAGS ?= --quiet --disable-pip-version-check

.PHONY: help run run-prod stop-prod prod-services test fuzz lint typecheck pytest coverage services install install-dev clean messages catalogs check-catalogs

help:
	@echo "make run    set up .venv, install, serve the demo catalog on http://$(HOST):$(PORT)"
	@echo "make run-prod  production on this machine: PostgreSQL, Redis, gunicorn, Celery (state in .prod/)"
	@echo "make stop-prod stop what run-prod started"
	@echo "make test   set up .venv with the dev extra, run ruff, mypy and pytest"
	@echo "make fuzz   the long schemathesis run of the API (CI's step after make test)"
	@echo "make coverage  pytest under coverage.py"
	@echo "make messages  extract the texts the code writes into the translation catalogs (then translate)"
	@echo "make clean  remove .venv and caches"

# A bare Debian python3 lacks ensurepip; as root we can add it, otherwise say what to install.
$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
		|| { echo "Atelier needs Python 3.11 or newer ($(PYTHON) is older)." >&2; exit 1; }
	@$(PYTHON) -c 'import ensurepip, venv' 2>/dev/null || { \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			apt-get update -qq && apt-get install -y -qq python3-venv; \
		else echo "Install the venv module first: sudo apt-get install python3-venv" >&2; exit 1; fi; }
	$(PYTHON) -m venv $(VENV)

# Stamps: reinstall only when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install $(PIP_FLAGS) -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install $(PIP_FLAGS) -e '.[dev]'
	@touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# Translations: one gettext domain per layer, beside its code (rules/locales, configurator/translations,
# storefront/translations; rules/i18n.py says how they are read). `make messages` extracts the texts
# the code writes into each .pot and merges them into every language's .po, for translators;
# `make catalogs` compiles the .mo files the app reads (run and pytest do it first); `make
# check-catalogs` (part of lint) fails when a .pot is behind the code or a .po has an untranslated,
# fuzzy or mis-parameterised entry.
messages: $(VENV)/.installed
	$(BIN)/python scripts/catalogs.py extract

catalogs: $(VENV)/.installed
	$(BIN)/python scripts/catalogs.py compile

check-catalogs: $(VENV)/.installed
	$(BIN)/python scripts/catalogs.py check

run: $(VENV)/.installed catalogs
	$(BIN)/atelier run --host $(HOST) --port $(PORT)

# Production's shape on one machine: local PostgreSQL and Redis (Debian's packages, data in
# $(PROD_STATE)), migrations and publishing, then gunicorn, a Celery worker and beat. Ctrl-C stops all.
PROD_STATE ?= .prod
run-prod: $(VENV)/.installed catalogs prod-services
	HOST=$(HOST) PORT=$(PORT) scripts/run-prod --state $(PROD_STATE)

stop-prod:
	scripts/run-prod --state $(PROD_STATE) --stop

prod-services:
	@missing=""; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null || missing="$$missing postgresql"; \
	command -v redis-server >/dev/null || missing="$$missing redis-server"; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
		else echo "run-prod needs:$$missing (sudo apt-get install$$missing)" >&2; exit 1; fi; \
	fi

# ruff, then the layers (pyproject.toml's [tool.importlinter]): rules stays pure, the storefront
# talks to the API only, no import cycle among the application's domains, the API above the services.
lint: $(VENV)/.installed-dev check-catalogs
	$(BIN)/ruff check .
	$(BIN)/lint-imports

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy

# The tests start their own PostgreSQL and Redis servers from Debian's packages and drive Debian's
# Chromium; previews shape text with FriBiDi (libfribidi0, which Pillow loads at run time). Print files
# need no package: their sheet font ships in rules/preview/fonts and uharfbuzz's wheel holds HarfBuzz. As root
# we install the packages when they are missing, otherwise say what to install.
TEST_PACKAGES := postgresql redis-server chromium libfribidi0
services:
	@missing=""; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null || missing="$$missing postgresql"; \
	command -v redis-server >/dev/null || missing="$$missing redis-server"; \
	test -x /usr/bin/chromium || missing="$$missing chromium"; \
	ls /usr/lib/*/libfribidi.so.0 >/dev/null 2>&1 || missing="$$missing libfribidi0"; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
		else echo "The tests need:$$missing (sudo apt-get install$$missing)" >&2; exit 1; fi; \
	fi

# The suite runs on PYTEST_WORKERS processes (pytest-xdist), each with its own PostgreSQL, Redis, served
# shop and Chromium, taking a test file at a time: a file's tests keep their order and share their
# module's fixtures. The tests marked slow start first (tests/conftest.py), so the workers finish
# together. `python -m pytest` alone runs them in one process, as before.
PYTEST_WORKERS ?= 2
XDIST := -n $(PYTEST_WORKERS) --dist loadfile --no-loadscope-reorder
pytest: $(VENV)/.installed-dev services catalogs
	$(BIN)/python -m pytest $(XDIST)

# The same tests under coverage.py (about twice the CPU time of `make pytest`, so not part of `make test`).
coverage: $(VENV)/.installed-dev services catalogs
	$(BIN)/python -m pytest $(XDIST) --cov --cov-report=term

test: lint typecheck pytest

# The long property-based run of the API against its OpenAPI document, a separate CI step after `make
# test` (which runs the same test with 25 examples per operation). Zero 5xx, zero answers outside the
# document. FUZZ_EXAMPLES per operation bounds the work (120 for 76 operations: about 9,000 requests;
# on two workers, PYTEST_WORKERS, about a minute and a half on a quiet 2-core machine, more on a busy one).
# FUZZ_TIMEOUT (seconds) only stops a run that hangs: it is no speed target, so it leaves room for a
# busy machine and still keeps the whole of CI under 90 minutes there.
FUZZ_EXAMPLES ?= 120
FUZZ_TIMEOUT ?= 1800
fuzz: $(VENV)/.installed-dev catalogs
	ATELIER_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) timeout $(FUZZ_TIMEOUT) \
		$(BIN)/python -m pytest tests/api/test_api_schemathesis.py -n $(PYTEST_WORKERS) -q -p no:cacheprovider --durations=5

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .coverage htmlcov instance
