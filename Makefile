# Ambassade — the commands a developer and CI run. See docs/development.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo test test-sqlite test-postgres lint bench messages clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(BIN)/ambassade demo

# Every test, on SQLite; then, when DATABASE_URL points at PostgreSQL (as in CI), once more there with the
# Redis-backed queue. Locally without those services the second run is skipped with its reason.
test: install
	$(BIN)/python -m pytest
	@if [ -n "$$AMBASSADE_TEST_DATABASE_URL" ]; then \
		echo "== again on PostgreSQL with the Redis-backed task queue =="; \
		DATABASE_URL="$$AMBASSADE_TEST_DATABASE_URL" REDIS_URL="$$AMBASSADE_TEST_REDIS_URL" \
			$(BIN)/python -m pytest -m "not e2e"; \
	elif [ -n "$$CI" ]; then \
		echo "CI=true but AMBASSADE_TEST_DATABASE_URL is not set: PostgreSQL run missing" >&2; exit 1; \
	else \
		echo "PostgreSQL run skipped: set AMBASSADE_TEST_DATABASE_URL and AMBASSADE_TEST_REDIS_URL (see docs/development.md)"; \
	fi

lint: install
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(BIN)/mypy

# The peers measured beside the engine (VADER, profanity-check…) live in the bench extra.
bench: install
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	$(BIN)/ambassade bench

messages: install
	cd src/ambassade && ../../$(BIN)/ambassade makemessages -l fr --no-obsolete --no-location && ../../$(BIN)/ambassade compilemessages

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info
