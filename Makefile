# The README's two commands: `make run` and `make test`. Everything else helps them.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORTAIL := $(BIN)/portail
FRONTEND_SOURCES := $(shell find frontend/src frontend/public -type f 2>/dev/null) \
	frontend/index.html frontend/graphiql.html frontend/vite.config.ts frontend/package.json schema.graphql

.PHONY: run test setup backend frontend db lint test-api test-e2e chromium schema clean

run: setup db
	@$(PORTAIL) serve

test: setup db lint chromium
	$(BIN)/pytest -q

setup: backend frontend

backend: $(VENV)/.installed
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@

frontend: frontend/dist/index.html
frontend/node_modules/.installed: frontend/package.json frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund
	@touch $@
frontend/dist/index.html: frontend/node_modules/.installed $(FRONTEND_SOURCES)
	cd frontend && npm run build

# Creates and migrates the database, loads reference data and, the first time, the demo data set.
db: backend
	@$(PORTAIL) migrate
	@$(PORTAIL) seed --demo

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	cd frontend && npm run lint && npm run type-check

chromium:
	@bash scripts/ensure-chromium.sh

test-api: setup
	$(BIN)/pytest -q -m api

test-e2e: setup chromium
	$(BIN)/pytest -q -m e2e

schema: backend
	$(PORTAIL) export-schema

clean:
	rm -rf $(VENV) frontend/node_modules frontend/dist var
