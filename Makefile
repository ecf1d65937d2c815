# The shop's two everyday commands are `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
MANAGE := $(BIN)/python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint format typecheck pytest venv services migrate demo bench clean messages

$(STAMP): pyproject.toml constraints.txt
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is needed ($(PYTHON) not found)"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	@touch $(STAMP)

venv: $(STAMP)

## Serve the demo shop on the embedded default (SQLite, in-process tasks, demo data).
run: $(STAMP)
	$(MANAGE) migrate --noinput
	$(MANAGE) load_demo
	@echo ""
	@echo "  The shop is at       http://$(HOST):$(PORT)/"
	@echo "  API (v1)             http://$(HOST):$(PORT)/api/v1/"
	@echo "  API docs             http://$(HOST):$(PORT)/api/docs/"
	@echo "  Admin                http://$(HOST):$(PORT)/admin/   (admin@example.com / demo-admin-pass)"
	@echo "  Partner dashboard    http://$(HOST):$(PORT)/partners/dashboard/"
	@echo ""
	$(MANAGE) runserver $(HOST):$(PORT)

## Lint, type-check and run the whole test suite on the real PostgreSQL and Redis.
test: $(STAMP) services lint pytest

services:
	@$(BIN)/python scripts/check_services.py

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .
	$(BIN)/python scripts/audit_dependencies.py

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

pytest: $(STAMP)
	$(BIN)/pytest $(PYTEST_ARGS)

## Compile locale/*/LC_MESSAGES/django.po into the committed .mo files (Python only,
## no GNU gettext); run it after editing a translation.
messages: $(STAMP)
	$(BIN)/python scripts/compile_messages.py

bench: $(STAMP) services
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
