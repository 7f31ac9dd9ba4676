# Two commands: `make run` and `make test`. Everything else here is what they are made of.
SHELL := /bin/bash
PY := .venv/bin/python
# Test processes (pytest-xdist): 2 (the default, one per core of the CI machine) splits
# it over two, each with its own test database, Redis database, media folder, Celery worker and Stripe server, a
# test file staying in one (--dist loadfile): 7 min instead of ~12. --no-loadscope-reorder keeps the collection's
# order (xdist would otherwise hand out the files with most tests first, so a one-test file that wipes the Stripe
# server or seeds the demo network could run after the journeys that committed the demo network on that worker).
# 0 runs the suite in this one process, in order (browser journeys last).
TEST_WORKERS ?= 2
MANAGE := $(PY) manage.py

.PHONY: run test setup services migrate seed lint format stop bench-tenants tour

run: setup migrate seed ## Install what is missing, start every service, migrate, seed, serve
	@echo "==> Starting the web server, the Celery worker pools and beat (Ctrl-C stops them all)"
	@exec .venv/bin/honcho start -f Procfile

test: setup lint ## Install and start what the tests need, then run every test
	@echo "==> Running the test suite"
	@DJANGO_SETTINGS_MODULE=config.settings.test $(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder

setup:
	@./scripts/bootstrap.sh
	@./scripts/services.sh start

migrate:
	@echo "==> Migrating the public schema, the tenant template and every tenant"
	@$(MANAGE) migrate_schemas --shared -v0
	@$(MANAGE) platform_setup
	@# The deploy's command (docs/deploy.md): the fleet executor prepares the migration graph once per process and
	@# migrates each schema with its SQL alone; the shared run did the system checks.
	@$(MANAGE) migrate_schemas --tenant --executor=multiprocessing --skip-checks -v0

seed:
	@echo "==> Seeding the demo network (idempotent)"
	@$(MANAGE) seed_demo
	@$(MANAGE) stripe_local_webhooks

lint:
	@echo "==> ruff (lint + format check) and import-linter"
	@.venv/bin/ruff check .
	@.venv/bin/ruff format --check .
	@.venv/bin/lint-imports --no-cache

format:
	@.venv/bin/ruff check --fix .
	@.venv/bin/ruff format .

stop: ## Stop the private PostgreSQL, Redis and local Stripe server
	@./scripts/services.sh stop

bench-tenants: setup migrate
	@$(MANAGE) bench_tenants --count 10

tour: setup ## Re-take README's tour screenshots (docs/tour/) with the browser journeys
	@TOUR_DIR=docs/tour DJANGO_SETTINGS_MODULE=config.settings.test $(PY) -m pytest tests/browser

.PHONY: bench-pages
bench-pages: setup migrate seed ## Main pages' req/s as a ratio of a framework floor page (gunicorn + wrk); JSON last
	@$(MANAGE) bench_pages --seconds 5 --rounds 3

.PHONY: bench-load
bench-load: setup migrate seed ## Load benchmark (locust) of a copy of the demo network on loopback; JSON last
	@$(MANAGE) bench_load --users 10 --run-time 30s
