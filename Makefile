# The two commands: `make run` (the portal on 127.0.0.1:$(PORT) with a demo trust) and `make test`.
# Both run on PostgreSQL, the one database engine: the server in DATABASE_URL when it is set,
# otherwise an embedded PostgreSQL 16 from a pip wheel (scripts/with_database.py).
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PORT ?= 8000
DEV := DJANGO_SETTINGS_MODULE=config.settings.dev
WITH_DB := $(PY) scripts/with_database.py
# `make test` uses the PostgreSQL answering here when DATABASE_URL is not set, else an embedded
# one in a throw-away folder.
DEFAULT_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/smp_portal
# A fresh test database each run: browser tests empty every table when they end (seeded rows
# included), so a reused database would start the next run without them.
PYTEST_ARGS ?= --create-db
# The tests without a browser in two processes (pytest-xdist; each its own test database), then
# the browser tests in one (one live server, one Chromium at a time).
PYTEST_WORKERS ?= -n 2

.PHONY: run serve test test-steps install demo oidc-demo check-db bench-deps scale-data bench clean

$(STAMP): requirements/base.txt requirements/dev.txt package.json package-lock.json
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements/dev.txt
	npm ci --no-audit --no-fund --loglevel=error
	touch $(STAMP)

install: $(STAMP)

## make run: PostgreSQL (embedded, data in var/postgres, unless DATABASE_URL is set), migrate,
## the demo trust, logins printed, then the development server until Ctrl-C (which also stops
## the embedded PostgreSQL). Celery runs eager; email prints in this console.
run: install
	@$(WITH_DB) -- $(MAKE) --no-print-directory serve

# What `make run` does once it has a database (DATABASE_URL set by with_database.py).
serve:
	$(DEV) $(PY) manage.py migrate --noinput
	$(DEV) SITE_URL=$${SITE_URL:-http://127.0.0.1:$(PORT)} $(PY) manage.py load_demo
	$(DEV) SITE_URL=$${SITE_URL:-http://127.0.0.1:$(PORT)} $(PY) manage.py runserver 127.0.0.1:$(PORT)

demo: install
	@$(WITH_DB) -- bash -c '$(DEV) $(PY) manage.py migrate --noinput && $(DEV) $(PY) manage.py load_demo'

## make oidc-demo (in a second terminal): a local OpenID Connect provider on 127.0.0.1:9000 with
## the demo trust's people; its "Microsoft 365 (demo)" and "Google (demo)" buttons then appear
## on the sign-in page of `make run` (issue 20, docs/deploy.md).
oidc-demo: install
	mkdir -p var
	@# The provider's configuration needs no database: any URL keeps the settings from looking
	@# for the embedded one, so this works before or after `make run`.
	DATABASE_URL=$${DATABASE_URL:-postgres://unused@127.0.0.1:1/unused} $(DEV) $(PY) manage.py sso_demo_provider > var/oidc-demo.json
	node scripts/oidc_provider.mjs var/oidc-demo.json

## make test: lint, checks, compose validation and the whole pytest suite, on PostgreSQL (as
## above; see DEFAULT_DATABASE_URL). Says in one sentence what to install when a program the
## tests need is missing.
test: install
	@$(PY) scripts/check_test_tools.py
	@$(WITH_DB) --tests --default-url "$(DEFAULT_DATABASE_URL)" -- $(MAKE) --no-print-directory test-steps

# What `make test` does once it has a database.
test-steps: check-db
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache
	DJANGO_SETTINGS_MODULE=config.settings.test $(VENV)/bin/mypy
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) manage.py check --fail-level WARNING
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/djlint templates */templates --lint
	$(VENV)/bin/check-jsonschema --builtin-schema vendor.compose-spec docker-compose.yml
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) -m pytest $(PYTEST_ARGS) -m "not browser" $(PYTEST_WORKERS) || test $$? -eq 5
	@# Exit 5 is "no test selected" (PYTEST_ARGS naming files without browser tests): not a failure.
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) -m pytest $(PYTEST_ARGS) -m browser || test $$? -eq 5

check-db: install
	@$(PY) scripts/check_database.py

## Scale benchmark (issue 9, docs/benchmarks.md): wrk from Debian, the scale data set, the run
SCALE_DB ?= postgres://postgres@127.0.0.1:5432/smp_scale
bench-deps:
	command -v wrk >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk)

scale-data: install
	createdb -h 127.0.0.1 -U postgres smp_scale 2>/dev/null || true
	DATABASE_URL=$(SCALE_DB) DJANGO_SETTINGS_MODULE=config.settings.dev $(PY) manage.py migrate --noinput
	DATABASE_URL=$(SCALE_DB) DJANGO_SETTINGS_MODULE=config.settings.dev $(PY) manage.py seed_scale

bench: install bench-deps
	DATABASE_URL=$(SCALE_DB) $(PY) bench/pages.py $(BENCH_ARGS)

# Everything `make run` made, the embedded PostgreSQL's data (var/postgres) included: stopped first.
clean:
	test ! -x $(PY) || $(WITH_DB) --stop
	rm -rf $(VENV) node_modules staticfiles var
