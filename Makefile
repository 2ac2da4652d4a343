# Two commands do all set-up on a fresh machine:
#   make demo   installs into .venv and runs the main job on the bundled data
#   make test   installs into .venv and runs every check (ruff, mypy --strict, pytest)
# The diagram tests also want Graphviz and Mermaid's parser (make js; .ci/run installs both).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: install demo test bench schema golden golden-notifications js

$(BIN)/reglament: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $@

install: $(BIN)/reglament

demo: install
	$(BIN)/reglament validate
	$(BIN)/reglament simulate semey-compensation --variant recognition --submitted "2015-12-14 17:45"

test: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/pytest --cov --cov-report=term:skip-covered

bench: install
	$(BIN)/pip install -q -e '.[test,bench]'
	$(BIN)/python -m bench

schema: install
	$(BIN)/reglament schema --output reglament/schemas/reglament.schema.json
	$(BIN)/reglament schema --timeline --output reglament/schemas/timeline.schema.json

js:
	npm ci --prefix tests/js --no-audit --no-fund

golden: install
	REGLAMENT_UPDATE_GOLDEN=1 $(BIN)/pytest -q tests/engine/test_golden.py \
		tests/diagrams/test_golden_diagrams.py tests/test_timeline_formats.py \
		tests/renderers/test_golden_notifications.py
	git status --short tests/golden
	git diff --stat tests/golden

golden-notifications: install
	REGLAMENT_UPDATE_GOLDEN=1 $(BIN)/pytest -q tests/renderers/test_golden_notifications.py
	git status --short tests/golden/notifications
	git diff --stat tests/golden/notifications
