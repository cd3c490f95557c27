# Sala — the two commands: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: install run test lint migrate demo clean

$(VENV)/.installed: requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	touch $@

install: $(VENV)/.installed

migrate: install
	mkdir -p instance
	$(FLASK) db upgrade

demo: migrate
	$(FLASK) demo

run: demo
	$(FLASK) run --host $(HOST) --port $(PORT)

test: install
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis

# Benchmarks (bench/README.md): bench-only packages, then the search benchmark (BENCH_ENTRIES entries).
BENCH_ENTRIES ?= 100000
.PHONY: bench-deps bench-search

bench-deps: install
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r bench/requirements.txt

bench-search: bench-deps
	$(BIN)/python bench/search/run.py --entries $(BENCH_ENTRIES)

# axe-core for the accessibility tests (tests/browser/test_accessibility.py), vendored from the npm package so
# neither the tests nor CI fetch it. `make vendor-axe` reproduces static/vendor/axe-core/ from the pinned version.
AXE_VERSION := 4.14.1
AXE_DIR := static/vendor/axe-core
.PHONY: vendor-axe

vendor-axe:
	tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	npm pack --silent --pack-destination "$$tmp" axe-core@$(AXE_VERSION) >/dev/null && \
	tar -xzf "$$tmp/axe-core-$(AXE_VERSION).tgz" -C "$$tmp" && \
	mkdir -p $(AXE_DIR) && \
	cp "$$tmp/package/axe.min.js" "$$tmp/package/LICENSE" "$$tmp/package/LICENSE-3RD-PARTY.txt" $(AXE_DIR)/
