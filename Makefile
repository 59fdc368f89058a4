# The README's two commands: `make run` and `make test`. Everything else helps them.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORTAIL := $(BIN)/portail
FRONTEND_SOURCES := $(shell find frontend/src frontend/public -type f 2>/dev/null) \
	frontend/index.html frontend/graphiql.html frontend/vite.config.ts frontend/package.json schema.graphql

.PHONY: run test setup backend frontend db lint test-api test-e2e chromium schema clean fuzz bench soak

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

# The GraphQL fuzzer at length (`make test` runs it bounded): FUZZ_EXAMPLES operations of each kind.
FUZZ_EXAMPLES ?= 2000
fuzz: setup
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/pytest -q tests/api/test_fuzz.py

schema: backend
	$(PORTAIL) export-schema

clean:
	rm -rf $(VENV) frontend/node_modules frontend/dist var

# Benchmarks (bench/README.md): data sets of BENCH_SIZES on BENCH_DATABASES, load runs against
# `portail serve`, raw-SQL baseline, SIRENE import, exports; writes bench/RESULTS.md and bench/p95.png.
BENCH_SIZES ?= S M L
BENCH_DATABASES ?= sqlite postgres
bench: backend
	$(BIN)/pip install --quiet -e '.[bench]'
	BENCH_SIZES="$(BENCH_SIZES)" BENCH_DATABASES="$(BENCH_DATABASES)" bash bench/all.sh

# Soak (issue 8, item 8): SOAK_CLIENTS concurrent clients mixing reads and writes for SOAK_SECONDS
# on loopback against a SOAK_SIZE data set on SQLite: zero 5xx, zero lost writes, memory flat.
SOAK_CLIENTS ?= 200
SOAK_SECONDS ?= 300
SOAK_SIZE ?= S
soak: backend
	$(BIN)/pip install --quiet -e '.[bench]'
	@test -f bench/out/sqlite-$(SOAK_SIZE)/dataset.json || \
		$(BIN)/python -m bench.generate --size $(SOAK_SIZE) --database sqlite://$(CURDIR)/var/bench-$(SOAK_SIZE).sqlite3
	$(BIN)/python -m bench.soak --dataset bench/out/sqlite-$(SOAK_SIZE)/dataset.json \
		--clients $(SOAK_CLIENTS) --seconds $(SOAK_SECONDS)
	$(BIN)/python -m bench.report
