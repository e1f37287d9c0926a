# Kith: `make run` and `make test` set everything up from nothing.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
KITH   := $(VENV)/bin/kith
STAMP  := $(VENV)/.installed
PG_ADMIN_URL ?= postgresql://postgres@127.0.0.1:5432/postgres

.PHONY: install run test test-sqlite test-postgres lint bench demo validate clean lock audit

# Re-install only when pyproject.toml or the lock changes. The lock (requirements.lock) pins every
# dependency: installs are reproducible, and `make audit` checks exactly what is installed.
$(STAMP): pyproject.toml requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -c requirements.lock -e '.[dev]'
	touch $(STAMP)

# Re-pin after changing dependencies in pyproject.toml: a fresh environment, the newest allowed versions.
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install -q --upgrade pip
	.lock-venv/bin/python -m pip install -q -e '.[dev]'
	{ echo "# The locked versions of every dependency of Kith and its dev extra (make install installs with these as"; \
	  echo "# constraints; make audit checks them for known vulnerabilities). Regenerate with: make lock"; \
	  .lock-venv/bin/python -m pip freeze --exclude-editable; } > requirements.lock
	rm -rf .lock-venv

audit: install
	$(PY) -m kith.dev.audit requirements.lock

install: $(STAMP)

run: install
	$(PY) -m kith.run

test: install test-sqlite test-postgres

test-sqlite: install
	KITH_TEST_BACKEND=sqlite $(PY) -m pytest -q -p no:cacheprovider

test-postgres: install
	@if $(PY) -m kith.dev.pgcheck "$(PG_ADMIN_URL)"; then \
		KITH_TEST_BACKEND=postgresql KITH_TEST_PG_ADMIN_URL="$(PG_ADMIN_URL)" $(PY) -m pytest -q -p no:cacheprovider; \
	else \
		echo "WARNING: no PostgreSQL server answers at $(PG_ADMIN_URL): the PostgreSQL run of the suite was SKIPPED" >&2; \
	fi

lint: install
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

bench: install
	$(PY) bench/run_all.py

validate: install
	$(PY) bench/relevance_p5.py
	$(PY) bench/validate_ties.py

demo: install
	$(KITH) demo

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
