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

# Every test, on SQLite; and, when AMBASSADE_TEST_DATABASE_URL points at PostgreSQL (as in CI), the
# non-browser tests once more there with the Redis-backed queue, but for those marked sqlite_pass (they
# use neither the suite's database nor its queue: that pass would repeat them unchanged). The two passes
# share nothing (each has its own data directory, database and temporary files), so they run side by
# side: on a 2-core machine that halves CI's time. The SQLite pass's output is printed when both have finished.
# Locally without those services the second pass is skipped with its reason.
test: install
	@if [ -n "$$AMBASSADE_TEST_DATABASE_URL" ]; then \
		log=$$(mktemp); \
		echo "== SQLite pass (all tests) in the background, its output below when done =="; \
		$(BIN)/python -m pytest --durations=40 >"$$log" 2>&1 & lite=$$!; \
		echo "== PostgreSQL pass with the Redis-backed task queue (all but browser and sqlite_pass tests) =="; \
		DATABASE_URL="$$AMBASSADE_TEST_DATABASE_URL" REDIS_URL="$$AMBASSADE_TEST_REDIS_URL" \
			$(BIN)/python -m pytest -m "not e2e and not sqlite_pass" --durations=40; pg=$$?; \
		wait $$lite; sq=$$?; \
		echo "== SQLite pass =="; cat "$$log"; rm -f "$$log"; \
		echo "== SQLite pass exit $$sq, PostgreSQL pass exit $$pg =="; \
		[ $$sq -eq 0 ] && [ $$pg -eq 0 ]; \
	elif [ -n "$$CI" ]; then \
		echo "CI=true but AMBASSADE_TEST_DATABASE_URL is not set: PostgreSQL run missing" >&2; exit 1; \
	else \
		$(BIN)/python -m pytest --durations=40 && \
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
