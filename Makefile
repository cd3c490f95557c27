# Sala — the two commands: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: install run test lint migrate demo clean translations

# Interface translations (README, "Development"): Thai is the source text, translations/<lang>/ the others.
# The compiled .mo files are build output (git-ignored), made from the .po files by `install`.
TRANSLATIONS := translations
MO_FILES := $(patsubst %.po,%.mo,$(wildcard $(TRANSLATIONS)/*/LC_MESSAGES/messages.po))
# How messages are found; tests/i18n/test_catalog.py runs exactly these arguments, so keep them on one line.
PYBABEL_EXTRACT_ARGS := -F babel.cfg -k _l -k lazy_gettext --ignore-dirs ".* __pycache__ node_modules" --sort-by-file

$(VENV)/.installed: requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	touch $@

install: $(VENV)/.installed $(MO_FILES)

$(TRANSLATIONS)/%/LC_MESSAGES/messages.mo: $(TRANSLATIONS)/%/LC_MESSAGES/messages.po $(VENV)/.installed
	$(BIN)/pybabel compile --statistics -d $(TRANSLATIONS) -l $*

# After adding or changing user-facing text: refresh the template and every catalog, then translate what
# `pybabel compile --statistics` reports as untranslated (empty or fuzzy msgstr) and run `make translations` again.
translations: install
	$(BIN)/pybabel extract $(PYBABEL_EXTRACT_ARGS) --project Sala -o $(TRANSLATIONS)/messages.pot .
	$(BIN)/pybabel update --ignore-obsolete -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS)
	$(BIN)/pybabel compile --statistics -d $(TRANSLATIONS)

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
