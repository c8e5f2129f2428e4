# Dadukou grand-mediation platform (大渡口区矛盾纠纷大调解平台): the two everyday commands.
#
#   make run    create .venv, install from requirements.lock, migrate, load the demo, start web + worker/beat
#   make test   install the dev extras from requirements.lock and run the test suite on PostgreSQL
#
# Everything else (install, lint, check, lock, clean) is a helper of those two. See README.md.

SHELL := /bin/bash
.DEFAULT_GOAL := help

# Python 3.11 exactly (pyproject.toml says requires-python >=3.11,<3.12).
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3 2>/dev/null)
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip
LOCK   := requirements.lock

export PIP_DISABLE_PIP_VERSION_CHECK := 1

# make test defaults; anything already set in the environment wins.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/dadukou
TEST_REDIS_URL    ?= redis://127.0.0.1:6379/0
# Extra pytest arguments, e.g. make test PYTEST_ARGS='-k assignment -x'
PYTEST_ARGS ?=
PYTEST_WORKERS ?= 2

.PHONY: help install install-dev run test lint check lock clean

help:
	@echo "make run      start the platform locally (SQLite + filesystem broker under var/, DEBUG=1)"
	@echo "make test     run the test suite (PostgreSQL: DATABASE_URL, default $(TEST_DATABASE_URL))"
	@echo "make install  create $(VENV) and install the runtime dependencies from $(LOCK)"
	@echo "make lint     ruff check ."
	@echo "make check    makemigrations --check and manage.py check"
	@echo "make lock     regenerate $(LOCK) from $(VENV) (pip freeze of the runtime + dev dependencies)"
	@echo "make clean    remove $(VENV) and the embedded data under var/"

$(PY):
	@test -n "$(PYTHON)" || { echo "Python 3.11 not found: install it or pass PYTHON=/path/to/python3.11" >&2; exit 1; }
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "$(PYTHON) is Python %d.%d; this project needs 3.11 (pass PYTHON=...)" % sys.version_info[:2])'
	$(PYTHON) -m venv $(VENV)

# Stamp files: reinstall only when the dependency declarations change.
$(VENV)/.installed: $(PY) pyproject.toml $(LOCK)
	$(PIP) install --constraint $(LOCK) --editable .
	@touch $@

$(VENV)/.installed-dev: $(VENV)/.installed pyproject.toml $(LOCK)
	$(PIP) install --constraint $(LOCK) --editable '.[dev]'
	@touch $@

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

run: install
	$(PY) scripts/run_embedded.py

# Exit code 5 ("no tests collected") fails the target like any other failure.
test: install-dev
	@export DATABASE_URL="$${DATABASE_URL:-$(TEST_DATABASE_URL)}" REDIS_URL="$${REDIS_URL:-$(TEST_REDIS_URL)}" \
		DEBUG="$${DEBUG:-1}"; \
	echo "DATABASE_URL=$$DATABASE_URL REDIS_URL=$$REDIS_URL DEBUG=$$DEBUG"; \
	workers=""; [ "$(PYTEST_WORKERS)" = "0" ] || workers="-n $(PYTEST_WORKERS)"; \
	set +e; $(PY) -m pytest $$workers $(PYTEST_ARGS); rc=$$?; set -e; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests (exit code 5): that is a failure here" >&2; fi; \
	exit $$rc

lint: install-dev
	$(VENV)/bin/ruff check .

# DEBUG=1 unless set: these checks need no production SECRET_KEY (.ci/run also runs check --deploy).
check: install
	DEBUG="$${DEBUG:-1}" $(PY) manage.py makemigrations --check --dry-run
	DEBUG="$${DEBUG:-1}" $(PY) manage.py check

# Resolve pyproject.toml against what .venv already has (adding whatever is new), then pin it all.
# pip freeze only sees this interpreter, so hand-written pins with an environment marker (a dependency that
# only other 3.11.x releases pull in) are carried over from the previous lock.
lock: $(PY)
	$(PIP) install --editable '.[dev]'
	@markers=$$(grep -E '^[^#].*;' $(LOCK) 2>/dev/null || true); \
	{ echo "# Pinned runtime + dev dependencies of dadukou-mediation, used as pip constraints by the Makefile"; \
	  echo "# and the Dockerfile. Regenerate with: make lock (pip freeze of .venv, the project itself excluded)."; \
	  $(PIP) freeze --exclude-editable --exclude dadukou-mediation; \
	  if [ -n "$$markers" ]; then echo "# Pins for other interpreters (environment markers), kept by make lock:"; \
	    echo "$$markers"; fi; } > $(LOCK).new && mv $(LOCK).new $(LOCK)
	@touch $(VENV)/.installed $(VENV)/.installed-dev
	@echo "wrote $(LOCK) ($$(grep -vc '^#' $(LOCK)) packages)"

clean:
	rm -rf $(VENV) var/dadukou.sqlite3 var/celery var/celerybeat-schedule* var/static
