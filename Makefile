# The two commands of the README:
#   make quick   install into .venv, run the quick benchmark sweep, render the leaderboard
#   make test    install into .venv (with test extras) and run the test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# Real datasets come from the offline mirror when one sits beside the checkout.
export NETARENA_DATA_MIRROR ?= $(abspath $(wildcard ../shared/datasets))

.PHONY: install browser quick test bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

install: $(BIN)/python
	# torch first, pinned: the local CPU build (an unpinned torch pulls CUDA wheels).
	$(BIN)/pip install --disable-pip-version-check -q torch==2.13.0
	$(BIN)/pip install --disable-pip-version-check -q -e '.[test,ray]'

quick: install
	$(BIN)/netarena run --suite quick --html

# The browser tests (tests/test_browser.py) drive Debian's headless Chromium through Playwright (the test extra);
# without chromium on PATH they are skipped, so the test setup installs it where apt-get can.
browser:
	@command -v chromium >/dev/null || { SUDO=$$([ "$$(id -u)" -eq 0 ] || echo sudo); \
	  ($$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) \
	  || echo "could not install chromium: the browser tests will be skipped" >&2; }
	@echo "chromium: $$(chromium --version 2>/dev/null || echo missing)"

test: install browser
	$(BIN)/python -m pytest -q tests; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests: failing" >&2; exit 1; fi; exit $$rc

bench: install
	$(BIN)/python benchmarks/bench_overhead.py
	$(BIN)/python -m pytest benchmarks/test_aggregate.py --benchmark-only -s --benchmark-json=benchmarks/results/aggregate.json
