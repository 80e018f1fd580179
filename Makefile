# The single entry point. On a fresh machine with Python 3.10+:
#   make book      build the website into _build/html (open _build/html/index.html)
#   make test      everything CI checks, stage by stage, stopping at the first failure
#   make timings   seconds per notebook, into timings.md
#   make robustness  every notebook under seed shifts k = 0..4 and with 1 thread, into robustness.md
#   make checkpoints  train the flagship experiments to convergence (hours; NAME=<run> for one)
#   make clean     remove the build, the execution cache and the test caches
# Each target first makes .venv from requirements.txt and installs code/ editable; a stamp
# file skips that when nothing changed, and the venv is recreated when requirements.txt
# (or code/pyproject.toml) changes.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CHROMIUM ?= /usr/bin/chromium
# Notebooks run in parallel: nbval workers, and the build's execution (prime-cache).
JOBS ?= 2
# With several notebooks at once, each gets one thread: two notebooks of two threads each on two
# cores fight for them and run many times slower.
PARALLEL_ENV := $(if $(filter-out 1,$(JOBS)),OMP_NUM_THREADS=1 MKL_NUM_THREADS=1,)
TIMES := _build/test-times.txt
export CHROMIUM

.PHONY: help venv book test timings robustness checkpoints clean chromium \
        test-package test-nbval test-build test-site

help:
	@echo "make book | make test | make timings | make robustness | make checkpoints | make clean   (see README.md)"

venv: $(STAMP)

$(STAMP): requirements.txt requirements-nodeps.txt code/pyproject.toml
	@want="$$( (cat requirements.txt requirements-nodeps.txt code/pyproject.toml; echo "$(CURDIR)") | sha256sum | cut -c1-16)"; \
	if [ -f $(STAMP) ] && [ "$$(cat $(STAMP))" != "$$want" ]; then \
	  echo "requirements changed: recreating $(VENV)"; rm -rf $(VENV); fi; \
	if [ ! -x $(BIN)/python ]; then \
	  $(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 10))' || \
	    { echo "Python 3.10 or newer is needed: run make with PYTHON=/path/to/python3.x"; exit 1; }; \
	  echo "creating $(VENV) with $$($(PYTHON) --version)"; $(PYTHON) -m venv $(VENV); fi; \
	$(BIN)/python -m pip install -q -r requirements.txt; \
	$(BIN)/python -m pip install -q --no-deps -r requirements-nodeps.txt; \
	$(BIN)/python -m pip install -q -e code; \
	echo "$$want" > $(STAMP)

# The book. The build executes the notebooks (execute_notebooks: cache in _config.yml) one by
# one; prime-cache first executes those not yet cached, $(JOBS) at a time, into the same cache.
book: venv
	$(PARALLEL_ENV) $(BIN)/python scripts/nbtools.py prime-cache --jobs $(JOBS)
	$(BIN)/jupyter-book build . -W -n --keep-going
	@echo "open _build/html/index.html"

# ---- make test: each stage timed; the first failure stops the run ------------------------
define stage
	@start=$$(date +%s); echo; echo "==== stage $(1): $(2)"; \
	if $(MAKE) --no-print-directory $(1); then \
	  echo "==== stage $(1) passed in $$(( $$(date +%s) - start )) s" | tee -a $(TIMES); \
	else \
	  echo "==== stage $(1) FAILED after $$(( $$(date +%s) - start )) s"; exit 1; fi
endef

test: venv chromium
	@mkdir -p _build; : > $(TIMES); start=$$(date +%s); echo "started $$(date -u +%FT%TZ), $$(nproc) cores"
	$(call stage,test-package,package tests and notebook hygiene)
	$(call stage,test-nbval,every notebook in _toc.yml runs (nbval))
	$(call stage,test-build,the book builds with warnings as errors)
	$(call stage,test-site,the browser test of every page)
	@echo; echo "all stages passed:"; cat $(TIMES)

# 1. Package tests (hypothesis included) and the notebook hygiene checks; not the site test.
test-package: venv
	$(BIN)/python -m pytest tests -p no:cacheprovider -q --ignore=tests/test_site.py

# 2. Every notebook of the toc, in toc order, runs top to bottom (outputs are not compared).
#    Two workers (pytest-xdist), one notebook per worker at a time: notebooks are independent.
#    Each notebook that passes is saved with its outputs (scripts/nbval_executed.py); stage 3's
#    prime-cache puts it in the book's cache, so each notebook executes once per `make test`.
test-nbval: venv
	@notebooks="$$($(BIN)/python scripts/nbtools.py list)"; \
	echo "$$(echo "$$notebooks" | wc -l) notebooks, $(JOBS) workers"; \
	rm -rf _build/nbval-executed; \
	$(PARALLEL_ENV) PYTHONPATH=scripts $(BIN)/python -m pytest -p no:cacheprovider -p nbval_executed -q \
	  --nbval-lax --nbval-current-env --nbval-save-executed _build/nbval-executed \
	  -n $(JOBS) --dist loadfile $$notebooks

# 3. The book, warnings as errors (jupyter-book exits non-zero on any warning).
test-build: book

# 4. The browser test of the built site.
test-site: venv chromium
	$(BIN)/python -m pytest tests/test_site.py -p no:cacheprovider -q

# Chromium for the browser test: installed when missing and we can (root with apt-get).
chromium:
	@if [ -x "$(CHROMIUM)" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get > /dev/null; then \
	  echo "installing Chromium with apt-get"; \
	  DEBIAN_FRONTEND=noninteractive apt-get update -q && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; \
	else \
	  echo "The browser test needs Chromium at $(CHROMIUM). Install it as root:"; \
	  echo "  apt-get update && apt-get install -y chromium"; \
	  echo "or point to one: make test CHROMIUM=/path/to/chromium"; exit 1; fi; \
	[ -x "$(CHROMIUM)" ] || { echo "Chromium is still not at $(CHROMIUM): set CHROMIUM=..."; exit 1; }

timings: venv
	$(BIN)/python scripts/timings.py

# A benchmark, not part of `make test`: do the claims hold on other seeds and thread counts?
robustness: venv
	$(BIN)/python scripts/robustness.py

# A benchmark, not part of `make test`: the converged models the notebooks load (data/checkpoints).
# Skips the runs already up to date; NAME=<run> trains one (scripts/checkpoints.py --list names them).
checkpoints: venv
	$(BIN)/python scripts/checkpoints.py $(NAME)

clean:
	rm -rf _build .pytest_cache .hypothesis timings.md robustness.md
