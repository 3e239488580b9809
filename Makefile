# Two commands set everything up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: venv demo test test-slow lint format migrations-check wheel clean

venv: $(VENV)/.installed

$(VENV)/.installed: setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[testing,dev]"
	touch $@

demo: venv
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py spinecare_demo --port $(PORT)
	@echo
	@echo "Serving on http://127.0.0.1:$(PORT)/ (admin: http://127.0.0.1:$(PORT)/admin/). Ctrl+C stops."
	@echo "Create an admin login with: $(BIN)/python manage.py createsuperuser"
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: venv
	$(BIN)/python -m pytest

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: venv
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

migrations-check: venv
	$(BIN)/python -m django makemigrations --check --dry-run --settings=tests.settings wagtail_spinecare

wheel: venv
	rm -rf dist build
	$(BIN)/python -m build --wheel --outdir dist .

clean:
	rm -rf $(VENV) dist build *.egg-info example_site.sqlite3 media

test-slow: venv
	SPINECARE_SLOW=1 $(BIN)/python -m pytest -m slow
