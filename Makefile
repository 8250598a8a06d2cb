# Two commands: `make lab` opens the course, `make test` runs every test.
# Both create .venv on first use and install gan_edu against constraints.txt; later runs reuse it.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
PYTEST := $(PY) -m pytest
CELL_TIMEOUT ?= 600

.PHONY: help setup lab test claims bench lint clean

help:
	@echo "make lab     set up .venv (first time) and open the course in JupyterLab"
	@echo "make test    set up .venv (first time) and run unit, notebook (quick mode) and browser tests"
	@echo "make claims  check every number the notebooks state, at full budget"
	@echo "make bench   print the benchmark ratios"
	@echo "make lint    ruff check and format check"

$(STAMP): pyproject.toml constraints.txt
	@echo ">> creating $(VENV) with $(PYTHON) and installing gan_edu[test] against constraints.txt"
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e ".[test]"
	@touch $(STAMP)
	@echo ">> $(VENV) is ready"

setup: $(STAMP)
	@echo ">> $(VENV) is set up ($(shell $(PY) -c 'import torch; print("torch", torch.__version__)'))"

lab: setup
	@echo ">> starting JupyterLab on notebooks/00_start_here.ipynb (Ctrl-C to stop)"
	$(VENV)/bin/jupyter lab $(if $(filter 0,$(shell id -u)),--allow-root) notebooks/00_start_here.ipynb

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

test: setup lint
	@echo ">> unit and browser tests"
	GAN_EDU_QUICK=1 $(PYTEST) -q
	@echo ">> every notebook, top to bottom, in quick mode (GAN_EDU_QUICK=1)"
	GAN_EDU_QUICK=1 $(PYTEST) -q -p no:cacheprovider --nbval-lax --nbval-current-env \
		--nbval-cell-timeout=$(CELL_TIMEOUT) notebooks/

claims: setup
	@echo ">> claims: the numbers the notebooks state, at full budget"
	$(PYTEST) -q -m claims tests/test_claims.py

bench: setup
	@for script in bench/*.py; do echo ">> $$script"; $(PY) $$script || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
