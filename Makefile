# AIMS: the two commands a newcomer needs are `make run` and `make test`; the rest is for maintainers.
# Recipes use bash so the run target can hand over to scripts/run-all.sh with its traps intact.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
# Written after a successful install; pip only runs again when pyproject.toml is newer than it.
STAMP := $(VENV)/.installed
# Extra pytest arguments, e.g. `make test ARGS="tests/aims -x"`; TEST_WORKERS=0 runs in one process.
ARGS ?=
TEST_WORKERS ?= 2

.PHONY: help install run test crawl bench lint format clean distclean

help:
	@echo "make run    start AIMS at http://127.0.0.1:8000 with demo data (Ctrl-C stops everything)"
	@echo "make test   run the whole test suite against PostgreSQL and Redis"
	@echo "make bench  run the benchmarks (PostgreSQL database aims_bench)"
	@echo "make lint   ruff check, ruff format --check and the import contract (lint-imports)"
	@echo "make clean  remove local data (var/), collected static files and caches"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# The embedded defaults (SQLite and a filesystem Celery broker under var/) apply when DATABASE_URL and
# REDIS_URL are unset; if you export them, `make run` uses your PostgreSQL and Redis instead.
run: export DJANGO_SETTINGS_MODULE = aims.settings.local
run: $(STAMP)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/python manage.py seed_demo --print-logins
	exec scripts/run-all.sh

test: export DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/aims
test: export REDIS_URL ?= redis://127.0.0.1:6379/15
# Playwright's sync API runs an event loop in the test thread; Django refuses ORM calls there without this.
test: export DJANGO_ALLOW_ASYNC_UNSAFE = true
# pytest exits 5 when it collected nothing: a broken test path, never a pass.
test: $(STAMP)
	@echo "$(BIN)/pytest -n $(TEST_WORKERS) $(ARGS)"
	@$(BIN)/pytest -n $(TEST_WORKERS) $(ARGS); rc=$$?; \
	if [ $$rc = 5 ]; then echo "make test: pytest collected no tests" >&2; fi; exit $$rc

# The crawler of the whole demo, as every role: every link and filter choice, no answer of 500 or above.
crawl: export DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/aims
crawl: export REDIS_URL ?= redis://127.0.0.1:6379/15
crawl: $(STAMP)
	$(BIN)/pytest -n 0 -m crawl tests/test_crawl.py $(ARGS)

bench: export DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/aims_bench
bench: export DJANGO_SETTINGS_MODULE = aims.settings.test
bench: export AIMS_PREPARED_CHECK = false
# The load test's server uses Redis as production does (cache, Celery broker).
bench: export REDIS_URL ?= redis://127.0.0.1:6379/14
# Files the bench makes (evidence for the pack) stay under var/bench between runs, beside their rows.
bench: export AIMS_VAR_DIR ?= $(CURDIR)/var/bench
# bench migrates and fills the database it is given, so it gets its own; create it when missing.
bench: $(STAMP)
	@db="$${DATABASE_URL##*/}"; db="$${db%%\?*}"; admin="$${DATABASE_URL%/*}/postgres"; \
	for name in "$$db" "$${db}_pack" "$${db}_load" "$${db}_demo"; do \
	  if [[ $$DATABASE_URL == postgres* ]] && ! psql "$$admin" -tAc \
	      "SELECT 1 FROM pg_database WHERE datname = '$$name'" | grep -q 1; then \
	    echo "make bench: creating database $$name"; psql "$$admin" -qc "CREATE DATABASE \"$$name\""; \
	  fi; \
	done
	$(BIN)/python manage.py bench $(ARGS)
# Measures on a database of their own, each after the one above (measure:database suffix): the evidence
# pack (it holds every record of its database), every PDF report of the demo (seed_demo), and 50 then 100
# people at once against gunicorn with production settings at 10,000 risks (BENCHMARKS.md).
	@if [[ -z "$(ARGS)" && $$DATABASE_URL == postgres* ]]; then \
	  for pair in pack:pack reports:demo load:load; do \
	    measure="$${pair%%:*}"; suffix="$${pair##*:}"; \
	    DATABASE_URL="$${DATABASE_URL%%\?*}_$$suffix" $(BIN)/python manage.py bench --only "$$measure" \
	      --output "var/bench-$$measure-results.json" || exit 1; \
	  done; \
	fi

# The one lint CI runs too: ruff's rules, ruff's formatting, and the import contract of DESIGN.md's layers
# (reviews -> audits -> lifecycle -> registers -> aims, never back; see [tool.importlinter] in pyproject.toml).
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf var staticfiles build .pytest_cache .ruff_cache *.egg-info
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +

# Also drops the virtualenv: the next make target reinstalls everything.
distclean: clean
	rm -rf $(VENV)
