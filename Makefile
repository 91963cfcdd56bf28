# segmart: `make demo` and `make test` are all a newcomer needs. Everything else is a step of those.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
DBT := $(VENV)/bin/dbt
SQLFLUFF := $(VENV)/bin/sqlfluff

export DBT_PROFILES_DIR := $(CURDIR)/profiles
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export PYTHONPATH := $(CURDIR)/scripts

# The demo: a generated shop, built as of its last day.
DEMO_CUSTOMERS ?= 20000
DEMO_END_DATE ?= 2026-10-31
DEMO_RAW_DIR ?= data/raw
DEMO_DB ?= warehouse/segmart.duckdb
# Marts publish salted email hashes. The demo and the tests use this public salt; set your own secret
# SEGMART_EMAIL_SALT for real data (dbt stops with an explanation when it is missing).
DEMO_EMAIL_SALT ?= segmart-demo-salt-not-a-secret
DEMO_ENV := SEGMART_RAW_DIR=$(DEMO_RAW_DIR) SEGMART_DB=$(DEMO_DB) SEGMART_EMAIL_SALT=$${SEGMART_EMAIL_SALT:-$(DEMO_EMAIL_SALT)}

# The test build: small, with injected bad rows, in its own folders.
TEST_CUSTOMERS ?= 1500
TEST_END_DATE ?= 2026-10-31
TEST_RAW_DIR ?= data/test_raw
TEST_DB ?= warehouse/test.duckdb
TEST_ENV := SEGMART_RAW_DIR=$(TEST_RAW_DIR) SEGMART_DB=$(TEST_DB) SEGMART_EMAIL_SALT=$(DEMO_EMAIL_SALT)
TEST_VARS := '{as_of_date: $(TEST_END_DATE)}'
# pytest's workers: its slow tests each wait on a dbt process, and a test file stays on one worker (its tests may
# share a module fixture and run in order). 0 runs them all in this process.
PYTEST_WORKERS ?= 2

.PHONY: help install demo test lint validate refresh bench bench-predictive docs clean lock

help:
	@echo "make demo   - install, generate a demo shop, build and validate the warehouse, print a summary"
	@echo "make test   - lint, build on generated data with injected bad rows, run every test"
	@echo "make validate - great-expectations checks of the demo warehouse"
	@echo "make refresh - the scheduled job on the demo: lock, build, validate, publish read-only, export audiences"
	@echo "make bench  - time a full build at BENCH_CUSTOMERS (default 100000)"
	@echo "make report - the visual segment report of the demo warehouse (target/reports/segment_report.html)"
	@echo "make backfill - past month-ends (BACKFILL_FROM..BACKFILL_TO) into the demo's segment history"
	@echo "make bench-predictive - time fit + score + clusters of PREDICTIVE_CUSTOMERS simulated customers (default 1000000)"
	@echo "make bench-incremental - time a full build, a one-day incremental build and one with no new data, at 100000 customers, a refresh's fixed cost (1500 customers), and the one-day build without the customer-level layer"
	@echo "make bench-backfill - time a full build, then a backfill of 12 month-ends, at 100000 customers"
	@echo "make clean  - remove built artefacts (keeps .venv)"

# --- environment -------------------------------------------------------------------------
$(VENV)/.installed: requirements.lock requirements-data.lock orchestration/requirements-dagster.txt pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "segmart needs Python 3.11, found " + sys.version' \
		|| { echo "Set PYTHON=/path/to/python3.11"; exit 1; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -r requirements-data.lock
	@# the optional Dagster integration is installed too, so that its test runs in CI
	$(PY) -m pip install --quiet --disable-pip-version-check -r orchestration/requirements-dagster.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $@

install: $(VENV)/.installed

lock: install
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.in
	{ echo "# Exact versions of every Python package segmart installs (direct and transitive)."; \
	  echo "# Regenerate with: make lock   (after changing requirements.in)"; \
	  $(PY) -m pip freeze --exclude-editable | grep -v -i -e '^segmart' -e '^lifetimes' \
	  | grep -v -x -F -f orchestration/requirements-dagster.txt; } > requirements.lock

# --- the two commands ---------------------------------------------------------------------
demo: install
	@mkdir -p $(dir $(DEMO_DB))
	$(PY) -m segmart.generate --customers $(DEMO_CUSTOMERS) --seed 42 --end-date $(DEMO_END_DATE) \
		--out $(DEMO_RAW_DIR) --inject-bad-rows
	$(DEMO_ENV) $(DBT) build --vars '{as_of_date: $(DEMO_END_DATE)}'
	$(DEMO_ENV) $(PY) -m segmart.validate
	$(DEMO_ENV) $(PY) -m segmart.summary

test: install
	@mkdir -p $(dir $(TEST_DB))
	rm -f $(TEST_DB) $(TEST_DB).wal
	$(PY) -m segmart.generate --customers $(TEST_CUSTOMERS) --seed 7 --end-date $(TEST_END_DATE) \
		--out $(TEST_RAW_DIR) --inject-bad-rows --quiet
	$(MAKE) --no-print-directory lint
	$(TEST_ENV) $(DBT) build --vars $(TEST_VARS)
	$(TEST_ENV) $(PY) -m segmart.validate
	$(TEST_ENV) SEGMART_TEST_RAW_DIR=$(TEST_RAW_DIR) SEGMART_TEST_DB=$(TEST_DB) $(PY) -m pytest -q \
		--numprocesses $(PYTEST_WORKERS) --dist loadfile --durations 15

# Great-expectations validation of the demo warehouse (make test validates the test warehouse).
validate: install
	$(DEMO_ENV) $(PY) -m segmart.validate

# Unattended refresh of the demo warehouse: lock, build, validate, publish read-only, export audiences, run report
# (docs/operations.md). The demo's raw files are a fixed sample, so their age is not checked (--allow-stale).
refresh: install
	$(DEMO_ENV) $(VENV)/bin/segmart refresh --as-of $(DEMO_END_DATE) --allow-stale $(REFRESH_ARGS)

# sqlfluff compiles models through dbt, so it needs raw files to read: run after generating.
lint: install
	$(TEST_ENV) $(SQLFLUFF) lint models macros analyses tests --processes 2

bench: install
	SEGMART_EMAIL_SALT=$${SEGMART_EMAIL_SALT:-$(DEMO_EMAIL_SALT)} $(PY) -m segmart.bench --customers $${BENCH_CUSTOMERS:-100000}

# Predictive layer (issue 5): fit, score and cluster PREDICTIVE_CUSTOMERS simulated customers (default 1,000,000).
bench-predictive: install
	$(PY) -m segmart.bench --predictive-customers $${PREDICTIVE_CUSTOMERS:-1000000}

# --- incremental builds (issue 6) ---
# Full build with the last day held back, then that day arrives and an incremental build runs, then the same build
# again with no new data: the timings and their ratios. Then the same on a generated 1,500-customer shop, whose
# no-new-data refresh is a refresh's fixed cost. Last, the one-day build again without BENCH_WITHOUT: the models a
# refresh rebuilds in full for the new as_of_date (the customer-level layer and the data-quality marts) and all
# that reads them; what the rest of a refresh costs, whatever that layer costs. Reuses data/bench_raw (make bench
# generates it).
BENCH_WITHOUT ?= path:models/intermediate/customers+ path:models/intermediate/segments+ \
	path:models/intermediate/predictive+ path:models/marts/customers+ path:models/marts/data_quality+ \
	config.materialized:table,path:models/intermediate/web config.materialized:table,path:models/intermediate/email
.PHONY: bench-incremental
bench-incremental: install
	SEGMART_EMAIL_SALT=$${SEGMART_EMAIL_SALT:-$(DEMO_EMAIL_SALT)} $(PY) -m segmart.bench --incremental-day --skip-generate \
		--without $(BENCH_WITHOUT)

# --- segment history backfill (issue 7) ---
# A full build as of the data's last day, then `segmart backfill` of the last 12 month-ends: every date's time and
# the total against the full build. Reuses data/bench_raw (make bench generates it).
.PHONY: bench-backfill
bench-backfill: install
	SEGMART_EMAIL_SALT=$${SEGMART_EMAIL_SALT:-$(DEMO_EMAIL_SALT)} $(PY) -m segmart.bench --backfill-months 12 \
		--skip-generate --work-dir data/bench_backfill

docs: install
	$(DEMO_ENV) $(DBT) docs generate --vars '{as_of_date: $(DEMO_END_DATE)}'
	@echo "Browse with: DBT_PROFILES_DIR=profiles $(DBT) docs serve --port 8080"

clean:
	rm -rf target logs warehouse exports data/raw data/test_raw

# --- segment history and report (issue 7) ------------------------------------------------------
.PHONY: report chromium backfill
BACKFILL_FROM ?= 2025-11-01
BACKFILL_TO ?= $(DEMO_END_DATE)

# The visual segment report of the demo warehouse, read-only: target/reports/segment_report.html (offline HTML).
report: install
	$(DEMO_ENV) $(PY) -m segmart.report

# Past month-ends into marts.segment_membership_history (one dbt build per date), then transitions and sizes.
backfill: install
	$(DEMO_ENV) $(VENV)/bin/segmart backfill --from $(BACKFILL_FROM) --to $(BACKFILL_TO) --every month

# Headless Chromium renders the report in tests/python/test_report.py (Debian package chromium).
chromium:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || { \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium; \
		else sudo apt-get update -qq && sudo apt-get install -y -qq chromium; fi; }

# make test needs the browser for the report's screenshot test (an extra prerequisite, recipe unchanged).
test: chromium

# --- Apache Spark (issue 8, docs/spark.md) ---------------------------------------------------------------------
# The same project on Spark through dbt-spark's `session` method (pyspark in local mode, Java 17): a small shop is
# built on DuckDB and on Spark (models, seeds, data and unit tests), then python -m segmart.compare_engines checks that
# dim_customers, customer_segments and segment_summary agree, and that neither build's target and log folders hold
# the email salt. Not part of make test.
.PHONY: install-spark test-spark
SPARK_CUSTOMERS ?= 500
SPARK_RAW_DIR ?= data/spark_raw
SPARK_DUCKDB ?= warehouse/spark_compare.duckdb
SPARK_DIR ?= warehouse/spark_compare
SPARK_ENV := SEGMART_RAW_DIR=$(SPARK_RAW_DIR) SEGMART_EMAIL_SALT=$(DEMO_EMAIL_SALT)

$(VENV)/.spark-installed: $(VENV)/.installed requirements-spark.txt
	@command -v java >/dev/null 2>&1 || { echo "Spark needs a Java 17 runtime (Debian: apt-get install openjdk-17-jre-headless)"; exit 1; }
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-spark.txt
	@touch $@

install-spark: $(VENV)/.spark-installed

test-spark: install-spark
	@mkdir -p $(dir $(SPARK_DUCKDB))
	rm -rf $(SPARK_DUCKDB) $(SPARK_DUCKDB).wal $(SPARK_DIR) target/duckdb-compare target/spark-compare
	$(PY) -m segmart.generate --customers $(SPARK_CUSTOMERS) --seed 7 --end-date $(TEST_END_DATE) \
		--out $(SPARK_RAW_DIR) --inject-bad-rows --quiet
	@start=$$(date +%s.%N); \
	$(SPARK_ENV) SEGMART_DB=$(SPARK_DUCKDB) $(DBT) build --vars $(TEST_VARS) --target-path target/duckdb-compare \
		--log-path target/duckdb-compare/logs; status=$$?; \
	end=$$(date +%s.%N); echo "$$start $$end" | awk '{ printf "%.1f", $$2 - $$1 }' > $(SPARK_DIR).duckdb-seconds; \
	exit $$status
	@start=$$(date +%s.%N); \
	$(SPARK_ENV) SEGMART_TARGET=spark SEGMART_SPARK_DIR=$(SPARK_DIR) $(DBT) build --vars $(TEST_VARS) \
		--target-path target/spark-compare --log-path target/spark-compare/logs; status=$$?; \
	end=$$(date +%s.%N); echo "$$start $$end" | awk '{ printf "%.1f", $$2 - $$1 }' > $(SPARK_DIR).spark-seconds; \
	exit $$status
	$(SPARK_ENV) $(PY) -m segmart.compare_engines --duckdb $(SPARK_DUCKDB) --spark-dir $(SPARK_DIR) \
		--salt-free target/duckdb-compare --salt-free target/spark-compare \
		--times "$$(cat $(SPARK_DIR).duckdb-seconds),$$(cat $(SPARK_DIR).spark-seconds)"
