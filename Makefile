# The two set-up commands of README.md. Each creates the virtual environment and installs what it needs.
PYTHON ?= python3
VENV := .venv
LOCK := requirements.lock

.PHONY: serve test lock chromium

# A fresh clone serves the EXAMPLE offices; set REPORTING_OFFICES_FILE to the diocese's own file.
serve: $(VENV)/.runtime-installed
	REPORTING_OFFICES_FILE=$${REPORTING_OFFICES_FILE:-offices.example.toml} $(VENV)/bin/reporting serve

test: $(VENV)/.test-installed chromium
	$(VENV)/bin/pytest

$(VENV)/bin/python:
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Python 3.11 or newer is needed"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --upgrade pip

$(VENV)/.runtime-installed: $(VENV)/bin/python pyproject.toml $(LOCK)
	$(VENV)/bin/pip install --quiet -c $(LOCK) -e .
	touch $@

$(VENV)/.test-installed: $(VENV)/.runtime-installed
	$(VENV)/bin/pip install --quiet -c $(LOCK) -e ".[test]"
	touch $@

# Browser tests drive Debian's Chromium (never a downloaded browser build).
chromium:
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium; \
	  else sudo apt-get update -qq && sudo apt-get install -y -qq chromium; fi; }

# Refresh the pinned versions after changing dependencies in pyproject.toml.
lock: $(VENV)/.test-installed
	$(VENV)/bin/pip freeze --exclude-editable > $(LOCK)
