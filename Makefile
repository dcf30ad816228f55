# The README's commands. `make run` and `make test` set up everything they need.
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
FLASK := $(VENV)/bin/flask --app wsgi
STAMP := $(VENV)/.installed
TEST_ARGS ?=

.PHONY: install run test test-sqlite test-postgres lint demo browser clean bench bench-cluster

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# Debian's Chromium for the browser tests (Playwright's own download can't be used here).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; fi; }

run: install
	$(FLASK) db upgrade
	$(FLASK) seed
	$(FLASK) run --host 127.0.0.1 --port 5000

demo: install
	$(FLASK) db upgrade
	$(FLASK) seed
	$(FLASK) demo load

lint: install
	$(VENV)/bin/ruff check .

# The whole suite; TEST_DATABASE_URL=postgresql+psycopg://… runs it on PostgreSQL.
test: install browser lint
	$(VENV)/bin/pytest -n 2 $(TEST_ARGS)

# Numbers, not tests: key pages under wrk beside the bare-Flask ceiling, median of 3 runs (bench/pages.py,
# writes bench/results/latest.json), then matching one member against 5,000 trials, then how much of
# real registry eligibility text the reader understands and how long 1,000 studies take to read.
bench: install
	@command -v wrk >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; \
	  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; fi; }
	$(PY) bench/pages.py
	$(PY) bench/match_bench.py
	$(FLASK) trials reader-report tests/data/ctgov-lupus-eligibility.json

# Two gunicorn instances sharing the database and Redis (tests/cluster; `make test` runs them too).
bench-cluster: install
	$(VENV)/bin/pytest -m cluster -s $(TEST_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info
