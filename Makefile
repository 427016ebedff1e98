# jobmojito-sync — every target installs what it needs into .venv by itself.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install demo test test-all lint bench clean

install: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

## demo: a live sync of sample_data/ against the local sandbox -> results.xlsx
demo: $(STAMP)
	$(BIN)/python -m sync.demo

## test: the whole test suite, real Airflow included (cached in ~/.cache/jobmojito-sync;
##       JOBMOJITO_SYNC_CACHE moves it, RUN_AIRFLOW_TEST=0 skips it)
test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check sync tests bench examples sample_data
	$(BIN)/ruff format --check sync tests bench examples sample_data
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
