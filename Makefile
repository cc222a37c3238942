# The README's commands. `make run` serves the site as production would (gunicorn + WhiteNoise,
# DEBUG off) on plain-HTTP localhost; `make test` runs the whole suite. Both build .venv themselves.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DATA := var
PORT ?= 8000

export DJANGO_DATA_DIR := $(CURDIR)/$(DATA)

.PHONY: run dev test lint lock clean bench reliability

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements.txt
	touch $@

$(VENV)/.installed-test: requirements-test.txt | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements-test.txt
	touch $@ $(VENV)/.installed

$(DATA)/secret_key:
	mkdir -p $(DATA)
	umask 077 && $(PYTHON) -c "import secrets; print(secrets.token_urlsafe(64))" > $@

$(DATA)/inquiry_key:
	mkdir -p $(DATA)
	umask 077 && $(PYTHON) -c "import base64, os; print(base64.urlsafe_b64encode(os.urandom(32)).decode())" > $@

# The settings make run serves with: its own secret, localhost only, no HTTPS redirect (plain HTTP).
RUN_ENV = DJANGO_SECRET_KEY="$$(cat $(DATA)/secret_key)" \
	INQUIRY_ENCRYPTION_KEY="$${INQUIRY_ENCRYPTION_KEY:-$$(cat $(DATA)/inquiry_key)}" \
	DJANGO_ALLOWED_HOSTS="$${DJANGO_ALLOWED_HOSTS:-127.0.0.1,localhost}" \
	DJANGO_SITE_URL="$${DJANGO_SITE_URL:-http://127.0.0.1:$(PORT)}" \
	DJANGO_LOCAL_HTTP=1 DJANGO_SERVE_MEDIA=1 DJANGO_DEBUG=0 PORT=$(PORT)

run: $(VENV)/.installed $(DATA)/secret_key $(DATA)/inquiry_key
	@$(RUN_ENV) $(BIN)/python manage.py migrate --noinput --verbosity 0
	@$(RUN_ENV) $(BIN)/python manage.py load_content
	@$(RUN_ENV) $(BIN)/python manage.py create_first_admin
	@$(RUN_ENV) $(BIN)/python manage.py collectstatic --noinput --verbosity 0
	@echo "Serving the clinic site at http://127.0.0.1:$(PORT)/ (Ctrl+C stops it)"
	@$(RUN_ENV) $(BIN)/python manage.py send_pending_notifications --every 60 & \
	$(RUN_ENV) $(BIN)/python manage.py publish_scheduled --every 60 & \
	$(RUN_ENV) exec $(BIN)/gunicorn --config clinic_site/gunicorn.conf.py clinic_site.wsgi

dev: $(VENV)/.installed $(DATA)/inquiry_key
	mkdir -p $(DATA)
	DJANGO_DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DJANGO_DEBUG=1 $(BIN)/python manage.py load_content
	DJANGO_DEBUG=1 $(BIN)/python manage.py create_first_admin
	DJANGO_DEBUG=1 INQUIRY_ENCRYPTION_KEY="$$(cat $(DATA)/inquiry_key)" $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# The Nu Html Checker (vnu-jar) for the tests and Lighthouse for `make bench`, pinned in package-lock.json.
# Neither downloads a browser: the browser is Debian's chromium.
# Without npm the HTML check is skipped on a developer's machine; in CI (CI=true) that is an error.
node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null; then \
		CHROMEDRIVER_SKIP_DOWNLOAD=true PUPPETEER_SKIP_DOWNLOAD=true npm ci --no-audit --no-fund --loglevel=error && touch $@; \
	elif [ "$${CI:-}" = true ]; then echo "npm not found: CI runs the HTML validity check (.ci/run installs npm)." >&2; exit 1; \
	else echo "npm not found: the HTML validity check will be skipped (CI requires it)."; fi

# Tests run with DEBUG off, as production does; a throwaway secret is made for each run.
TEST_ENV = DJANGO_SECRET_KEY="$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(64))')" \
	DJANGO_ALLOWED_HOSTS=testserver,localhost,127.0.0.1 DJANGO_LOCAL_HTTP=1 DJANGO_DEBUG=0

# pytest-xdist: one worker per core (at most 4); the browser tests all go to one worker (their site and
# Chromium start once) while the others run the rest. TEST_WORKERS=0 runs everything in one process.
TEST_WORKERS ?= auto
test: $(VENV)/.installed-test node_modules/.installed
	$(BIN)/ruff check .
	$(TEST_ENV) $(BIN)/pytest --numprocesses=$(TEST_WORKERS) --maxprocesses=4 --dist=loadgroup $(PYTEST_ARGS)

# Measurements written into docs/ (not part of make test): see docs/performance.md, docs/reliability.md.
bench: $(VENV)/.installed-test
	PYTHONPATH=tests $(BIN)/python tests/load/bench.py

reliability: $(VENV)/.installed-test
	PYTHONPATH=tests $(BIN)/python tests/load/reliability.py

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Re-pin every dependency (with hashes) from pyproject.toml, with a pinned pip-tools: another version may
# write the files differently.
PIP_TOOLS := pip-tools==7.6.2
lock: | $(BIN)/python
	$(BIN)/pip install --quiet "$(PIP_TOOLS)"
	$(BIN)/pip-compile --quiet --strip-extras --generate-hashes --allow-unsafe -o requirements.txt pyproject.toml
	$(BIN)/pip-compile --quiet --strip-extras --generate-hashes --allow-unsafe --extra test -o requirements-test.txt pyproject.toml
	sed -i '/^--extra-index-url file:/d;/^--find-links/d' requirements.txt requirements-test.txt

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
