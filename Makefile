# The two entry points of the README: `make demo` and `make test`. Each creates or
# refreshes .venv and installs what it needs from pyproject.toml. `make test-oldest`
# runs the suite in .venv-oldest, against the oldest versions the package supports.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP = $(VENV)/.installed-$(1)

.PHONY: demo test test-oldest lint format bench bench-quick docs clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall whenever pyproject.toml changes.
$(VENV)/.installed-%: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[$*]"
	touch $@

$(VENV)/.installed-base: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

demo: $(VENV)/.installed-base
	$(BIN)/python examples/demo.py

test: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest

# scikit-learn's floor (1.6; 1.6.1 is the oldest that the test extra's dask-ml
# accepts) with the oldest NumPy and SciPy that the test extras install on Python
# 3.11. pyarrow 26 needs NumPy 2.
OLDEST_VENV := .venv-oldest
OLDEST_PINS := "scikit-learn==1.6.1" "numpy==1.24.4" "scipy==1.10.1" "pyarrow<26"

$(OLDEST_VENV)/.installed: pyproject.toml Makefile
	$(PYTHON) -m venv $(OLDEST_VENV)
	$(OLDEST_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(OLDEST_VENV)/bin/python -m pip install --quiet -e ".[test]" $(OLDEST_PINS)
	touch $@

test-oldest: $(OLDEST_VENV)/.installed
	$(OLDEST_VENV)/bin/python -m pip list | grep -E "^(numpy|scipy|scikit-learn) "
	$(OLDEST_VENV)/bin/python -m pytest

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed-test
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# The full benchmark rewrites docs/benchmarks.md; bench-quick only prints, at tiny
# sizes. Extra options: make bench BENCH_ARGS="--configs B,E --threads 1".
bench: $(VENV)/.installed-bench
	$(BIN)/python benchmarks/bench_fit.py $(BENCH_ARGS)

bench-quick: $(VENV)/.installed-bench
	$(BIN)/python benchmarks/bench_fit.py --quick $(BENCH_ARGS)

docs: $(VENV)/.installed-docs
	$(BIN)/python -m sphinx -W --keep-going -b html docs docs/_build/html

clean:
	rm -rf $(VENV) $(OLDEST_VENV) docs/_build docs/auto_examples docs/generated
