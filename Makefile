# Two commands set everything up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
# pytest-xdist workers for make test: one a core; browser tests stay together on one.
WORKERS ?= auto
# tox environments for make matrix, comma-separated (all of tox.ini's env_list when empty),
# and pytest arguments in place of the default --ignore=tests/e2e (ARGS=tests runs them all).
ENVS ?=
ARGS ?=
# tox looks for python3.12 and python3.13 on PATH: add pyenv's, where they are installed but
# not selected (pyenv's own shims refuse to run them then).
PYENV_BINS := $(wildcard $(or $(PYENV_ROOT),$(HOME)/.pyenv)/versions/3.1[123].*/bin)
empty :=
MATRIX_PATH := $(if $(PYENV_BINS),PATH="$(subst $(empty) $(empty),:,$(PYENV_BINS)):$$PATH")

# Debian packages the browser tests and the benchmark use; installed when missing and root.
apt_install = command -v $(1) >/dev/null 2>&1 || { if [ "$$(id -u)" = 0 ]; then \
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(2) >/dev/null; \
	else echo "$(2) is missing: install it with apt to run $(3)"; fi; }

.PHONY: venv demo test test-slow matrix lint format migrations-check dist docs messages clean browser \
	npm bench screenshots

venv: $(VENV)/.installed

# One marker a set of extras: the demo installs only what the example project needs, and a
# later `make test` in the same .venv still installs the rest.
$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: setup.cfg pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[example,testing,dev,bench,docs]"
	touch $@ $(VENV)/.installed-example

$(VENV)/.installed-example: setup.cfg pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[example]"
	touch $@

# axe-core, html-validate and Lighthouse, for the browser tests.
npm: node_modules/.installed

node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund --loglevel=error && touch $@; \
	else echo "npm is missing: the browser tests will be skipped"; fi

browser:
	@$(call apt_install,chromium,chromium,the browser tests)
	@$(call apt_install,varnishd,varnish,the test across two servers behind Varnish)
	@$(call apt_install,wrk,wrk,the test across two servers behind Varnish)
	@$(call apt_install,xgettext,gettext,the check that every string is in the catalogues)

# The clinics' addresses and logins come last, once the server answers.
demo: $(VENV)/.installed-example
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py spinecare_demo --port $(PORT) --no-summary
	$(BIN)/python -m example_site.serve_demo $(PORT)

test: venv npm browser
	$(BIN)/python -m pytest -n $(WORKERS) --dist loadgroup

# Each supported Python, Wagtail and Django (tox.ini), against the built wheel.
matrix: venv
	$(MATRIX_PATH) $(BIN)/tox run $(if $(ENVS),-e $(ENVS)) $(if $(ARGS),-- $(ARGS))

# Bandit: medium and high findings fail; each accepted one has a `# nosec` saying why.
lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/bandit -r wagtail_spinecare --severity-level medium --quiet

format: venv
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

migrations-check: venv
	$(BIN)/python -m django makemigrations --check --dry-run --settings=tests.settings wagtail_spinecare

# The source distribution and the wheel, as they would be uploaded.
dist: venv
	rm -rf dist build
	$(BIN)/python -m build --outdir dist .
	$(BIN)/twine check --strict dist/*

# Warnings fail the build (strict in mkdocs.yml, and here too).
# The translation catalogues: every string found, the English ones worked out from the word
# list (tests/catalogues.py), then compiled. Spanish strings left empty fail the tests.
messages: venv
	@$(call apt_install,xgettext,gettext,make messages)
	cd wagtail_spinecare && DJANGO_SETTINGS_MODULE=tests.settings PYTHONPATH=.. ../$(BIN)/django-admin makemessages --no-obsolete $(foreach l,en_GB en_US es,-l $(l))
	cd wagtail_spinecare && DJANGO_SETTINGS_MODULE=tests.settings PYTHONPATH=.. ../$(BIN)/django-admin makemessages --no-obsolete -d djangojs $(foreach l,en_GB en_US es,-l $(l))
	$(BIN)/python -m tests.catalogues
	cd wagtail_spinecare && DJANGO_SETTINGS_MODULE=tests.settings PYTHONPATH=.. ../$(BIN)/django-admin compilemessages

docs: venv
	$(BIN)/mkdocs build --strict --site-dir build/docs

clean:
	rm -rf $(VENV) .tox dist build *.egg-info example_site.sqlite3 media node_modules artifacts

bench: venv
	@$(call apt_install,wrk,wrk,the cached-throughput benchmark)
	$(BIN)/python bench/run.py

# The screenshots in docs/images/, drawn from the demo in Chromium; commit what changed.
screenshots: venv browser
	$(BIN)/python -m tests.e2e.screenshots

test-slow: venv
	SPINECARE_SLOW=1 $(BIN)/python -m pytest -m slow
