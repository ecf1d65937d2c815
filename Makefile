# The shop's two everyday commands are `make run` and `make test`.
# The first Python 3.11 or newer found (python3 itself when it is new enough).
PYTHON ?= $(shell for candidate in python3 python3.13 python3.12 python3.11; do \
	$$candidate -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1 \
	&& { command -v $$candidate; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
MANAGE := $(BIN)/python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
# Where load_demo keeps the storefront keys it issues (a file beside another database: make run DEMO_KEYS_FILE=...).
DEMO_KEYS_FILE ?= .demo-channel-keys.json

.PHONY: run test pytest-postgresql pytest-sqlite lint format typecheck pytest venv services migrate demo bench clean messages

$(STAMP): pyproject.toml constraints.txt
	@test -n "$(PYTHON)" || { echo "Python 3.11 or newer is needed, and none of python3," \
		"python3.13, python3.12 or python3.11 is one. Install it (Debian/Ubuntu:" \
		"apt-get install python3 python3-venv), or name it: make run PYTHON=/path/to/python3"; \
		exit 1; }
	@$(PYTHON) -m venv --help >/dev/null 2>&1 || { echo "$(PYTHON) cannot make virtual" \
		"environments; install its venv module (Debian/Ubuntu: apt-get install python3-venv)"; \
		exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	@touch $(STAMP)

venv: $(STAMP)

## Serve the demo shop on the embedded default (SQLite, in-process tasks, demo data).
## Another address: make run PORT=8001 (or HOST=0.0.0.0 to be reached from other machines).
run: export SHOP_PUBLIC_URL ?= http://$(HOST):$(PORT)
run: $(STAMP)
	$(MANAGE) migrate --noinput
	$(MANAGE) load_demo --keys-file $(DEMO_KEYS_FILE)
	@echo ""
	@echo "  The shop is at       http://$(HOST):$(PORT)/"
	@echo "  API (v1)             http://$(HOST):$(PORT)/api/v1/"
	@echo "  API docs             http://$(HOST):$(PORT)/api/docs/"
	@echo "  Admin                http://$(HOST):$(PORT)/admin/   (admin@example.com / demo-admin-pass)"
	@echo "  Partner dashboard    http://$(HOST):$(PORT)/partners/dashboard/"
	@echo "  Periodic tasks (expiring holds, parcels, e-mails, settlements) run inside the server."
	@echo ""
	$(MANAGE) runserver $(HOST):$(PORT)

## Lint, type-check, check the layers (import-linter) and run the whole test suite on the real PostgreSQL and Redis.
test: $(STAMP) services lint pytest

services:
	@$(BIN)/python scripts/check_services.py

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .
	$(BIN)/lint-imports
	$(BIN)/python scripts/audit_dependencies.py

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

pytest: pytest-postgresql pytest-sqlite

pytest-postgresql: $(STAMP)
	$(BIN)/pytest $(PYTEST_ARGS)

## The suite again on the embedded default's engine (SQLite, on a file, as make run has
## it), but for what only PostgreSQL does and the journeys, which start both engines.
pytest-sqlite: $(STAMP)
	DATABASE_URL=sqlite:///$(CURDIR)/.test-engine.sqlite3 \
		$(BIN)/pytest -m "not postgresql and not journey" $(PYTEST_ARGS)

## Compile locale/*/LC_MESSAGES/django.po into the committed .mo files (Python only,
## no GNU gettext); run it after editing a translation.
messages: $(STAMP)
	$(BIN)/python scripts/compile_messages.py

bench: $(STAMP) services
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
