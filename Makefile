# Qingdao Project Atlas. Quick start: `make site` builds the atlas, `make test` runs every test.
# Windows without make: see README.md ("Without make").
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
CONTENT ?= content
BASE_URL ?=  # the public address, e.g. make site BASE_URL=https://example.org/atlas/ (else atlas.yaml's base_url)

.PHONY: site build serve bundle check test lint bench clean i18n-extract i18n-update i18n-compile

site: build bundle

build: $(VENV)/.installed node_modules/.installed
	$(PY) build.py build --content $(CONTENT) $(if $(BASE_URL),--base-url $(BASE_URL))

serve: $(VENV)/.installed node_modules/.installed
	$(PY) build.py serve --content $(CONTENT)

bundle: $(VENV)/.installed node_modules/.installed
	$(PY) build.py bundle --content $(CONTENT)

check: $(VENV)/.installed
	$(PY) build.py check --content $(CONTENT)

test: $(VENV)/.installed-test node_modules/.installed /usr/bin/chromium
	$(PY) -m ruff check atlas tests build.py
	$(PY) -m pytest -q

lint: $(VENV)/.installed-test
	$(PY) -m ruff check atlas tests build.py

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(PY) -m pip install --quiet -e ".[test]"
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Browser tests use Debian's Chromium (Playwright drives it; it never downloads a browser) and
# CJK fonts so screenshots show Chinese. Needs root or sudo on a new machine.
/usr/bin/chromium:
	$(if $(shell command -v sudo 2>/dev/null),sudo,) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(if $(shell command -v sudo 2>/dev/null),sudo,) apt-get install -y -qq chromium fonts-noto-cjk

# Figures, not tests: maps and search at 10,000 synthetic projects, then whole builds beside Hugo at
# 1,000, 10,000 and 100,000 projects, 3 runs each: about two hours (BENCH_SIZES=1000,10000 for a quick look).
bench: $(VENV)/.installed-test node_modules/.installed /usr/bin/chromium /usr/bin/hugo
	$(PY) bench/maps_bench.py
	$(PY) bench/search_bench.py
	$(PY) bench/build_bench.py

# Debian's Hugo, the peer the build benchmark compares with. Needs root or sudo on a new machine.
/usr/bin/hugo:
	$(if $(shell command -v sudo 2>/dev/null),sudo,) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(if $(shell command -v sudo 2>/dev/null),sudo,) apt-get install -y -qq hugo

# Interface strings: Chinese msgids in atlas/ and templates/, translated in locales/en/LC_MESSAGES/messages.po.
# The build compiles the .po itself; i18n-compile only checks that it compiles (and writes an ignored .mo).
i18n-extract: $(VENV)/.installed
	$(VENV)/bin/pybabel extract -F locales/babel.cfg --no-location --sort-output --ignore-dirs "node_modules site dist tests bench .* _*" -o locales/messages.pot .

i18n-update: i18n-extract
	$(VENV)/bin/pybabel update -i locales/messages.pot -d locales -l en --no-fuzzy-matching --ignore-obsolete

i18n-compile: $(VENV)/.installed
	$(VENV)/bin/pybabel compile -d locales -l en --statistics

clean:
	rm -rf site dist .atlas-cache
