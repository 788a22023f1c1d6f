# MATRIX Portal. `make run` serves the portal at http://127.0.0.1:8000; `make test` runs the checks and tests.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test test-browser bench audit prereqs install setup lint format messages clean worker beat

prereqs:
	@$(PYTHON) scripts/check_prereqs.py

$(STAMP): pyproject.toml
	@$(MAKE) --no-print-directory prereqs
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	@$(PY) -m pip install --quiet --disable-pip-version-check '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

messages: $(STAMP)
	@$(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules -v 0

setup: $(STAMP) messages
	@mkdir -p var var/static
	@$(PY) manage.py migrate --noinput -v 0
	@$(PY) manage.py load_reference_data
	@$(PY) manage.py create_demo_staff

run: setup
	@echo "MATRIX Portal: http://$(HOST):$(PORT)/  (dev outbox: http://$(HOST):$(PORT)/dev/outbox/)"
	@$(PY) scripts/run_dev.py --host $(HOST) --port $(PORT)

lint: $(STAMP)
	@$(VENV)/bin/ruff check .
	@$(VENV)/bin/ruff format --check .

format: $(STAMP)
	@$(VENV)/bin/ruff format .
	@$(VENV)/bin/ruff check --fix .

test: $(STAMP) messages
	@$(VENV)/bin/ruff check .
	@$(VENV)/bin/ruff format --check .
	@DJANGO_SETTINGS_MODULE=matrix_portal.settings.test $(PY) manage.py makemigrations --check --dry-run -v 1
	@$(PY) -m pytest $(PYTEST_ARGS)

test-browser: $(STAMP) messages
	@$(PY) -m pytest -m browser $(PYTEST_ARGS)

bench: $(STAMP) messages
	@$(PY) bench/run.py

# Known vulnerabilities in the installed dependencies (needs a network that reaches PyPI's JSON API or OSV).
audit: $(STAMP)
	@mkdir -p var
	@$(VENV)/bin/pip freeze --exclude matrix-portal --exclude-editable > var/audit-requirements.txt
	@$(VENV)/bin/pip-audit --strict --desc --no-deps --disable-pip -r var/audit-requirements.txt $(AUDIT_ARGS)

worker: $(STAMP)
	@$(VENV)/bin/celery -A matrix_portal worker -l info

beat: $(STAMP)
	@$(VENV)/bin/celery -A matrix_portal beat -l info

clean:
	rm -rf var test-artifacts
