# The README's two commands: `make run` and `make test`. Everything they need is installed here.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: run test serve worker bench lint format clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (set PYTHON=...).")'
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $@ $(VENV)/.installed

node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund --loglevel=error && touch $@; \
	else echo "npm not found: accessibility checks will be skipped"; fi

## run: set up, migrate the SQLite database, load the demo content, index it, and serve on
## 127.0.0.1:$(PORT) with the task worker beside it (payment events, gifts on their day, email and
## newsletters, which it prints); stopping the server stops the worker
run: $(VENV)/.installed
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py update_search_index
	@export TASK_BACKEND=database SITE_URL=$${SITE_URL:-http://127.0.0.1:$(PORT)}; \
	$(BIN)/python manage.py worker --interval 1 --no-startup-delay & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

## test: the whole suite, browser tests included (PostgreSQL when DATABASE_URL is set)
test: $(VENV)/.installed-dev
	@scripts/install-test-tools
	@$(MAKE) --no-print-directory node_modules/.installed
	$(BIN)/pytest

## serve: production serving with gunicorn (DEBUG off; needs SECRET_KEY and ALLOWED_HOSTS)
serve: $(VENV)/.installed
	@test -n "$$SECRET_KEY" || { echo "make serve: set SECRET_KEY (and ALLOWED_HOSTS, DATABASE_URL, REDIS_URL; see README)"; exit 1; }
	DEBUG=false $(BIN)/python manage.py migrate --noinput
	DEBUG=false $(BIN)/python manage.py collectstatic --noinput -v0
	DEBUG=false $(BIN)/gunicorn magazine.wsgi -c python:magazine.gunicorn

## worker: runs queued background tasks (email, newsletters, payment events) from the database queue
worker: $(VENV)/.installed
	DEBUG=false $(BIN)/python manage.py worker

## bench: the site against bare Django on PostgreSQL with a large archive; writes docs/benchmarks.md
bench: $(VENV)/.installed-dev
	@command -v wrk >/dev/null 2>&1 || scripts/install-bench-tools
	@scripts/ensure-postgres
	@scripts/ensure-redis
	$(BIN)/python bench/run.py

## lint: ruff, and the import contracts that keep the layers apart (pyproject.toml)
lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

format: $(VENV)/.installed-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) node_modules staticfiles
