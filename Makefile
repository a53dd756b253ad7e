# Trestle: `make run` sets everything up and runs it; `make test` runs the test suite.
# `make browsers` installs Debian's Chromium for the browser tests (tests/e2e skip without it).
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install migrate demo run test test-postgres bench browsers check clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev,redis]'
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py migrate --noinput --database sage
	$(PY) manage.py createcachetable  # migrate creates it too; this one also covers a cache switched to the database later

demo: migrate
	$(PY) manage.py seed_demo

run: demo
	HOST=$(HOST) PORT=$(PORT) PY=$(PY) bin/run

test: install
	$(PY) -m pytest $(PYTEST_ARGS)

browsers:
	bin/install-chromium

check: install
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run

bench: install
	$(PY) -m pytest tests/bench -p no:randomly -s $(PYTEST_ARGS)

clean:
	rm -rf var/*.sqlite3 var/*.sqlite3-* var/static
