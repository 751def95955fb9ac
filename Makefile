# Lapak developer and CI entry points. `make test` is the one command to run the tests:
# it installs what Python needs, fetches the Kafka jars, and the test fixtures start
# Kafka and PostgreSQL (lapak.stack) when nothing else provides them.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: setup system-demo system-test kafka-jars stack-up stack-down stack-status test demo

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q -e ".[dev]"
	touch $@

# Debian packages that are missing (a JDK, Maven; for the tests also PostgreSQL and
# Chromium): installed when running as root, named otherwise.
system-demo:
	bash deploy/system-packages.sh demo

system-test:
	bash deploy/system-packages.sh test

kafka-jars: setup
	$(PY) -m lapak.stack fetch-jars

stack-up: setup
	$(PY) -m lapak.stack up

stack-down: setup
	$(PY) -m lapak.stack down

stack-status: setup
	$(PY) -m lapak.stack status

test: system-test setup kafka-jars
	$(PY) -m pytest -q

# The main job on the embedded default (SQLite): Kafka, the seven services, the bundled
# real data through their APIs, then the books and KPIs; stops everything at the end.
demo: system-demo setup kafka-jars
	$(VENV)/bin/lapak demo
