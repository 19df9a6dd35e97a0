# `make report` and `make test` set up .venv on first use (Python 3.11+, see README).
VENV ?= .venv
PYTHON ?= python3
PY := $(VENV)/bin/python

.PHONY: setup report test clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $@

report: setup
	$(VENV)/bin/arithbench report

test: setup
	$(PY) -m pytest -q

clean:
	rm -rf build
