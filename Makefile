# The two commands: `make run` (portal on 127.0.0.1:8000 with a demo trust) and `make test`.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# A fresh test database each run: browser tests empty every table when they end (seeded rows
# included), so a reused database would start the next run without them.
PYTEST_ARGS ?= --create-db

.PHONY: run test install demo oidc-demo lint check-db bench-deps scale-data bench clean

$(STAMP): requirements/base.txt requirements/dev.txt package.json package-lock.json
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements/dev.txt
	npm ci --no-audit --no-fund --loglevel=error
	touch $(STAMP)

install: $(STAMP)

## make run: fresh machine -> SQLite, Celery eager, console email, demo trust, logins printed
run: install
	DJANGO_SETTINGS_MODULE=config.settings.dev $(PY) manage.py migrate --noinput
	DJANGO_SETTINGS_MODULE=config.settings.dev $(PY) manage.py load_demo
	DJANGO_SETTINGS_MODULE=config.settings.dev $(PY) manage.py runserver 127.0.0.1:8000

demo: install
	DJANGO_SETTINGS_MODULE=config.settings.dev $(PY) manage.py migrate --noinput
	DJANGO_SETTINGS_MODULE=config.settings.dev $(PY) manage.py load_demo

## make oidc-demo (in a second terminal): a local OpenID Connect provider on 127.0.0.1:9000 with
## the demo trust's people; its "Microsoft 365 (demo)" and "Google (demo)" buttons then appear
## on the sign-in page of `make run` (issue 20, docs/deploy.md).
oidc-demo: install
	mkdir -p var
	DJANGO_SETTINGS_MODULE=config.settings.dev $(PY) manage.py sso_demo_provider > var/oidc-demo.json
	node scripts/oidc_provider.mjs var/oidc-demo.json

## make test: lint, checks, compose validation and the whole pytest suite on PostgreSQL
test: install check-db
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) manage.py check --fail-level WARNING
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/djlint templates */templates --lint
	$(VENV)/bin/check-jsonschema --builtin-schema vendor.compose-spec docker-compose.yml
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) -m pytest $(PYTEST_ARGS)

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

clean:
	rm -rf $(VENV) node_modules staticfiles db.sqlite3 var
