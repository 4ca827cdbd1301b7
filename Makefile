# Two commands for a newcomer on a fresh machine (Python 3.10+ and apt):
#   make demo   set up, load the onboarding demo, write a report to out/
#   make test   set up, run the whole test suite (unit, doctests, spark, browser, notebooks)
SHELL := /bin/bash
VENV ?= .venv
PYTHON ?= python3
PY := $(VENV)/bin/python
SUDO := $(shell [ "$$(id -u)" = "0" ] || echo sudo)
PYTEST_ARGS ?=

.PHONY: setup system demo test test-fast lint bench docs clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@

setup: $(VENV)/.installed

# Debian packages: chromium (kaleido image export, page rendering, browser tests), a Java
# runtime for PySpark, and LibreOffice Impress (renders exported decks in a slow test).
APT_NEEDS := $(strip $(if $(shell command -v chromium),,chromium) \
	$(if $(shell command -v java),,default-jre-headless))
NEED_SOFFICE := $(if $(shell command -v soffice),,libreoffice-impress)
system:
ifneq ($(APT_NEEDS)$(NEED_SOFFICE),)
	$(SUDO) apt-get update
endif
ifneq ($(APT_NEEDS),)
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y $(APT_NEEDS)
endif
ifneq ($(NEED_SOFFICE),)
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $(NEED_SOFFICE)
endif

demo: setup system
	$(PY) -m uxlens demo --out out

test: setup system
	$(PY) -m pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

test-fast: setup
	$(PY) -m pytest -n 2 -m "not slow and not spark and not browser" $(PYTEST_ARGS)

lint: setup
	$(VENV)/bin/ruff check uxlens tests benchmarks

docs: setup
	NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs build --strict -d out/site

# The benchmark suite (1M and 10M events, every operation against its baselines);
# writes benchmarks/RESULTS.md. BENCH_ARGS="--quick" (1M only), "--only funnel", ...
BENCH_ARGS ?=
bench: setup
	$(PY) -m benchmarks $(BENCH_ARGS)

clean:
	rm -rf $(VENV) out .pytest_cache .ruff_cache
