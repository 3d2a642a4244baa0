# The two commands of the README:
#   make quick   install into .venv, run the quick benchmark sweep, render the leaderboard
#   make test    install into .venv (with test extras) and run the test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# Real datasets come from the offline mirror when one sits beside the checkout.
export NETARENA_DATA_MIRROR ?= $(abspath $(wildcard ../shared/datasets))

.PHONY: install quick test bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

install: $(BIN)/python
	# torch first, pinned: the local CPU build (an unpinned torch pulls CUDA wheels).
	$(BIN)/pip install --disable-pip-version-check -q torch==2.13.0
	$(BIN)/pip install --disable-pip-version-check -q -e '.[test,ray]'

quick: install
	$(BIN)/netarena run --suite quick

test: install
	$(BIN)/python -m pytest -q tests; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests: failing" >&2; exit 1; fi; exit $$rc

bench: install
	$(BIN)/python benchmarks/bench_overhead.py
