# Huddle: `make run` serves the demo, `make test` runs the whole suite. Both set themselves up.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export DJANGO_SETTINGS_MODULE := crm.settings

.PHONY: run test test-fast lint bench loadtest install install-test chromium clean

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is needed ($(PYTHON) not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

# The load test's own test guards its URLs, so the suite installs locust too.
$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test,load,bench]'
	touch $@ $(VENV)/.installed $(VENV)/.installed-load $(VENV)/.installed-bench

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

run: install
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py migrate --no-input
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py seed_demo --if-empty
	@echo ""
	@echo "  Huddle is at http://127.0.0.1:$(PORT)/"
	@echo "  Demo logins (password huddle-demo): admin (admin), maria (manager, North),"
	@echo "  ana and ben (reps, North), carla (rep, South), sam (manager, South)."
	@echo ""
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

chromium:
	@test -x /usr/bin/chromium || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

# Tests run with DEBUG off, as in production, so they need a key of their own.
TEST_ENV := SECRET_KEY=test-only-not-secret DJANGO_ALLOW_ASYNC_UNSAFE=true

test: install-test chromium lint
	$(TEST_ENV) $(BIN)/pytest $(PYTEST_ARGS)

# The suite without the browser, e.g. for PostgreSQL: make test-fast DATABASE_URL=postgres://…
test-fast: install-test
	$(TEST_ENV) $(BIN)/pytest -m "not e2e" $(PYTEST_ARGS)

bench: $(VENV)/.installed-bench
	$(BIN)/python -m bench $(BENCH_ARGS)

$(VENV)/.installed-bench: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[bench]'
	touch $@ $(VENV)/.installed

$(VENV)/.installed-load: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[load]'
	touch $@ $(VENV)/.installed

# gunicorn on 127.0.0.1 against a seeded bench database, 50 simulated people for 3 minutes (locust);
# e.g. make loadtest LOAD_ARGS="--database postgres". Options: python -m bench.load --help.
loadtest: $(VENV)/.installed-load
	$(BIN)/python -m bench.load $(LOAD_ARGS)

clean:
	rm -rf $(VENV) huddle.sqlite3* staticfiles .pytest_cache
