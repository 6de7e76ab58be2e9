# The two commands of the README: `make run` and `make test`. Everything CI does is here.
SHELL := /bin/bash
PORT ?= 8000
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
SECRET_FILE := .secret_key
CHROMIUM := /usr/bin/chromium

.PHONY: run superuser dev install install-test chromium migrate seed static test test-fast lint bench bench-data check-deploy clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(PY)
	$(PIP) install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-test: requirements.txt requirements-test.txt $(VENV)/.installed
	$(PIP) install --quiet -r requirements-test.txt
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test chromium

# Debian's Chromium for the browser tests (never a browser downloaded by Playwright).
chromium:
	@if [ ! -x $(CHROMIUM) ]; then \
	  echo "Installing Debian's chromium for browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; \
	fi

$(SECRET_FILE):
	@$(PYTHON) -c "import secrets; print(secrets.token_urlsafe(50))" > $@
	@chmod 600 $@

# Production-like serving: DEBUG off, gunicorn (two workers per core: gunicorn.conf.py) + whitenoise,
# fixtures only into a new database.
run: install $(SECRET_FILE)
	@export DJANGO_SECRET_KEY="$$(cat $(SECRET_FILE))"; \
	$(PY) manage.py migrate --noinput && \
	$(PY) manage.py load_seed && \
	$(PY) manage.py collectstatic --noinput -v 0 && \
	echo "Serving on http://127.0.0.1:$(PORT)/" && \
	exec $(VENV)/bin/gunicorn portal.wsgi --bind 127.0.0.1:$(PORT) --access-logfile -

# The first staff account: asks for username, email and password on a terminal; without one, reads
# DJANGO_SUPERUSER_USERNAME, DJANGO_SUPERUSER_EMAIL and DJANGO_SUPERUSER_PASSWORD. Validated either way.
superuser: install $(SECRET_FILE)
	DJANGO_SECRET_KEY="$$(cat $(SECRET_FILE))" $(PY) manage.py migrate --noinput -v 0
	DJANGO_SECRET_KEY="$$(cat $(SECRET_FILE))" $(PY) manage.py create_admin

dev: install
	DJANGO_DEBUG=true $(PY) manage.py migrate --noinput
	DJANGO_DEBUG=true $(PY) manage.py load_seed
	DJANGO_DEBUG=true $(PY) manage.py runserver 127.0.0.1:$(PORT)

# Tests run in one pytest-xdist worker per core (TEST_WORKERS=0: in this process, e.g. for a debugger).
TEST_WORKERS ?= auto
test: install-test
	DJANGO_ALLOW_ASYNC_UNSAFE=true $(PY) -m pytest -n $(TEST_WORKERS) --maxprocesses 8 $(PYTEST_ARGS)

lint: install-test
	$(VENV)/bin/ruff check .

check-deploy: install
	DJANGO_SECRET_KEY="$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))')" \
	DJANGO_SECURE_SSL=true DJANGO_ALLOWED_HOSTS=portal.example.org \
	$(PY) manage.py check --deploy --fail-level WARNING

# Benchmarks: synthetic datasets in their own SQLite files and PostgreSQL databases (never the real
# database), then the figures. Quick by default (3,300 agencies); BENCH_ARGS="--full" adds 100,000,
# e.g. BENCH_ARGS="--sizes 100000 --db postgres --parts load http-search --json bench.json".
bench: install-test
	DJANGO_ALLOW_ASYNC_UNSAFE=true $(PY) benchmarks/run.py $(BENCH_ARGS)

# Only build (or check) the benchmark datasets.
bench-data: install-test
	DJANGO_ALLOW_ASYNC_UNSAFE=true $(PY) benchmarks/run.py --parts data $(BENCH_ARGS)

clean:
	rm -rf $(VENV) staticfiles .pytest_cache test-output var
