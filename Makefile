# Sala — the two commands: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: install run serve test test-postgres lint migrate demo clean translations

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

# The task worker (huey_consumer, DEPLOY.md "The task worker") runs beside the server and stops with it: at a lower
# CPU priority, so pages come first under load, and looking at the queue at least every quarter second when idle,
# so a change reaches search within about a second.
WORKER := nice -n 10 $(BIN)/huey_consumer worker.huey --quiet --delay 0.05 --max-delay 0.25
WITH_WORKER = $(WORKER) & worker=$$!; trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM;

run: demo
	$(WITH_WORKER) $(FLASK) run --host $(HOST) --port $(PORT)

# Production serving: migrate, then gunicorn with gunicorn.conf.py (workers, timeouts, logs) and the task worker.
# Both run the production settings unless SALA_CONFIG says otherwise: set SECRET_KEY and SITE_URL; GUNICORN_BIND
# for the address.
serve: migrate
	export SALA_CONFIG=$${SALA_CONFIG:-production}; $(WITH_WORKER) $(BIN)/gunicorn -c gunicorn.conf.py wsgi:app

# The suite runs on TEST_WORKERS processes (pytest-xdist), one test file per worker at a time, so a module's
# corpus is built once. Each worker has its own databases, folders and Redis keys (README, "Development").
TEST_WORKERS ?= 2
PYTEST := $(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile

test: install
	$(PYTEST)

# The same suite on PostgreSQL (README, "Development"): the run makes its own databases on this server, named
# sala_test_<pid>_<random>, and drops them at the end; the database in the URL is only used to connect.
TEST_POSTGRES_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
test-postgres: install
	TEST_DATABASE_URL=$(TEST_POSTGRES_URL) $(PYTEST)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis

# Benchmarks (bench/README.md): bench-only packages, then the search benchmark (BENCH_ENTRIES entries).
BENCH_ENTRIES ?= 100000
.PHONY: bench-deps bench-search bench-http

bench-deps: install
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r bench/requirements.txt

bench-search: bench-deps
	$(BIN)/python bench/search/run.py --entries $(BENCH_ENTRIES)

# Pages under gunicorn against a bare 20 KB Flask page (needs wrk: apt-get install wrk).
bench-http: bench-deps
	$(BIN)/python bench/http/run.py

# The Thai webfont, vendored from its npm package into static/ (static/fonts/README.md): no CDN at page time.
# npm checks the tarball against the registry's checksum; we also check it against the one pinned here.
FONT_PACKAGE := @fontsource/sarabun
FONT_VERSION := 5.3.0
FONT_INTEGRITY := sha512-8GWxnEIG9g/2JlZxU+APaVwipcLMkZkBps9N1tEyBxXWaJEnAtHpuaDYmFVG7lzTgr28orG7//htD/rfxDlfFg==
FONT_WEIGHTS := 400 600 700
FONT_SUBSETS := thai latin
FONT_DIR := static/fonts/sarabun
.PHONY: vendor-fonts

vendor-fonts:
	@set -eu; tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	npm pack --silent --pack-destination "$$tmp" $(FONT_PACKAGE)@$(FONT_VERSION) >/dev/null; \
	tarball=$$(ls "$$tmp"/*.tgz); \
	actual="sha512-$$(openssl dgst -sha512 -binary "$$tarball" | base64 -w0)"; \
	if [ "$$actual" != "$(FONT_INTEGRITY)" ]; then echo "checksum mismatch: $$actual" >&2; exit 1; fi; \
	tar -xzf "$$tarball" -C "$$tmp"; \
	rm -rf $(FONT_DIR); mkdir -p $(FONT_DIR); \
	cp "$$tmp/package/LICENSE" $(FONT_DIR)/LICENSE; \
	for subset in $(FONT_SUBSETS); do for weight in $(FONT_WEIGHTS); do \
	  cp "$$tmp/package/files/sarabun-$$subset-$$weight-normal.woff2" $(FONT_DIR)/; \
	done; done; \
	echo "$(FONT_PACKAGE)@$(FONT_VERSION) -> $(FONT_DIR)"; ls $(FONT_DIR)

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
