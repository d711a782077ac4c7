# `make serve` and `make test` work on a fresh machine with only python3: both install first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PG_TEST_URL ?= postgresql+asyncpg://postgres:postgres@127.0.0.1:5432/surveylink_test

.PHONY: install serve test test-pg check format bench screenshots clean

$(BIN)/surveylink: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/surveylink

serve: install
	$(BIN)/surveylink serve

test: install
	$(BIN)/python -m pytest

test-pg: install
	SURVEYLINK_TEST_DATABASE_URL=$(PG_TEST_URL) $(BIN)/python -m pytest

check: install
	$(BIN)/ruff format --check src tests bench
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy

format: install
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

bench: install
	@command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	$(BIN)/python bench/seed_endpoint.py
	$(BIN)/python bench/write_latency.py
	$(BIN)/python bench/webhook_throughput.py
	$(BIN)/python bench/campaign_mail.py
	$(BIN)/python bench/export_links.py

screenshots: install
	$(BIN)/python bench/screenshots.py

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache
