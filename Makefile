# The two commands: `make run` and `make test`. Everything they need is installed from here.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SUDO := $(shell [ "$$(id -u)" = "0" ] || echo sudo)
PYTEST_ARGS ?= -n auto --dist loadgroup

.PHONY: run run-fresh test lint typecheck template-check unit e2e bench chromium clean help deploy deploy-dry-run deploy-setup

help:
	@echo "make run   - install into .venv and start the whole system locally (helpdesk local --demo); data in .helpdesk/"
	@echo "make run-fresh - the same, after deleting the data in .helpdesk/ (asks first)"
	@echo "make test  - install what tests need (incl. Debian's chromium) and run lint, types, template checks, tests"
	@echo "make deploy - build the Lambda artefacts (no python3.12, no Docker needed) and deploy with deploy.toml (docs/deploy.md)"
	@echo "make deploy-dry-run - the same up to the first step that needs AWS credentials"
	@echo "make deploy-setup - check SES and finish the set-up of the deployed stack (first admin, first mailbox)"

$(VENV)/bin/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed")'
	@$(PYTHON) -m venv $(VENV) 2>/dev/null || { \
	  echo "python3 -m venv is missing: installing Debian's python3-venv"; \
	  $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq python3-venv >/dev/null && \
	  rm -rf $(VENV) && $(PYTHON) -m venv $(VENV); }

$(STAMP): $(VENV)/bin/python pyproject.toml layers/helpdesk/requirements.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev,local]'
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/helpdesk local --demo

run-fresh: $(STAMP)
	$(BIN)/helpdesk local --demo --fresh

chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium for the browser tests"; \
	  $(SUDO) apt-get update -qq && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null; }

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache

typecheck: $(STAMP)
	$(BIN)/mypy

template-check: $(STAMP)
	$(BIN)/cfn-lint template.yaml

test: $(STAMP) chromium lint typecheck template-check
	$(BIN)/pytest $(PYTEST_ARGS)

bench: $(STAMP)
	@for script in bench/*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

deploy: $(STAMP)
	$(BIN)/python -m helpdesk_deploy

deploy-dry-run: $(STAMP)
	$(BIN)/python -m helpdesk_deploy --dry-run

deploy-setup: $(STAMP)
	$(BIN)/python -m helpdesk_deploy --setup-only

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache test-artifacts
