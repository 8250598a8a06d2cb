# Two commands: `make lab` opens the course, `make test` runs every test.
# Both create .venv on first use and install gan_edu against constraints.txt; later runs reuse it.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
PYTEST := $(PY) -m pytest
CELL_TIMEOUT ?= 600
# Claims run in parallel, one pytest-xdist worker per CPU the machine allows (cgroup quota included),
# each worker on one torch thread so that the workers do not fight over the cores, and so that a
# claim's run is the one-thread run the text describes (on some CPUs two threads round sums
# differently: tests/test_train.py), whichever worker trains it.
JOBS ?= $(shell GAN_EDU_THREADS= $(PY) -c 'from gan_edu.runtime import cpu_threads; print(cpu_threads())' 2>/dev/null || echo 1)
DURATIONS ?= 15

.PHONY: help setup lab lab-zh present test unit notebooks claims book release bench lint clean

help:
	@echo "make lab     set up .venv (first time) and open the course in JupyterLab"
	@echo "make lab-zh  the same, with JupyterLab's interface in Chinese (installs the language pack)"
	@echo "make test    set up .venv (first time) and run lint, unit and browser tests (these run every notebook)"
	@echo "make unit    only the unit and browser tests;  make notebooks: the notebooks in quick mode, cell by cell"
	@echo "make claims  check every number the notebooks state, at full budget"
	@echo "make book    run every notebook (full budget; QUICK=1 for quick mode) into a static site, build/book/html"
	@echo "make present NB=04_live_lab  a notebook as live slides in the browser (widgets work; Voila + reveal.js)"
	@echo "make release student copies of the graded notebooks (answers removed) in release/, for nbgrader"
	@echo "make bench   print the benchmark ratios"
	@echo "make lint    ruff check and format check, and every stated number accounted for (tools/accountable.py)"

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

# The same course with JupyterLab's menus in Chinese: installs the language pack (extra `zh`) and
# starts JupyterLab with a settings folder of its own that selects it (your usual settings stay as they are).
ZH_SETTINGS := $(VENV)/lab-settings-zh
lab-zh: setup
	$(PY) -m pip install --quiet -c constraints.txt -e ".[zh]"
	@mkdir -p $(ZH_SETTINGS)/@jupyterlab/translation-extension
	@echo '{ "locale": "zh_CN" }' > $(ZH_SETTINGS)/@jupyterlab/translation-extension/plugin.jupyterlab-settings
	@echo ">> starting JupyterLab in Chinese on notebooks/00_start_here.ipynb (Ctrl-C to stop)"
	JUPYTERLAB_SETTINGS_DIR=$(ZH_SETTINGS) $(VENV)/bin/jupyter lab $(if $(filter 0,$(shell id -u)),--allow-root) \
		notebooks/00_start_here.ipynb

# ruff, then tools/accountable.py: every number and finding of the notebooks' text claimed by an
# assertion in tests/test_claims.py or registered in tests/claims_registry.json (a second; trains nothing)
lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) tools/accountable.py

# Every notebook runs top to bottom in quick mode inside `make unit`: tests/test_book.py builds the
# course's site from them and fails, naming the notebook and the cell, if one cell fails. The build
# runs at low CPU priority beside the other tests (tests/conftest.py), on the core they leave idle. `make
# notebooks` runs them again with nbval, cell by cell: useful while writing one, not needed twice in CI.
test: setup lint unit

unit: setup
	@echo ">> unit and browser tests"
	GAN_EDU_QUICK=1 $(PYTEST) -q --durations=$(DURATIONS)

notebooks: setup
	@echo ">> every notebook, top to bottom, in quick mode (GAN_EDU_QUICK=1), $(JOBS) at a time"
	GAN_EDU_QUICK=1 GAN_EDU_THREADS=1 $(PYTEST) -q -p no:cacheprovider --nbval-lax --nbval-current-env \
		--nbval-cell-timeout=$(CELL_TIMEOUT) -n $(JOBS) --dist loadfile --durations=$(DURATIONS) notebooks/

claims: setup
	@echo ">> claims: the numbers the notebooks state, at full budget, on $(JOBS) workers"
	GAN_EDU_THREADS=1 $(PYTEST) -q -m claims -n $(JOBS) --dist loadscope --no-loadscope-reorder --durations=0 \
		tests/test_claims.py

# The course as a static site (tools/book.py says how and why): every notebook run, JOBS at a time.
book: setup
	$(PY) tools/book.py --jobs $(JOBS) $(if $(filter 1,$(QUICK)),--quick)

# Live slides for a lecture: Voila's reveal.js slideshow of one notebook, widgets live (tools/present.py).
NB ?= 00_start_here
present: setup
	$(PY) tools/present.py $(NB)

# Graded exercises: nbgrader's student copies (tools/grading.py says how to autograde them).
release: setup
	$(PY) tools/grading.py release

bench: setup
	@for script in bench/*.py; do echo ">> $$script"; $(PY) $$script || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
