# Two commands do all set-up on a fresh machine:
#   make demo   installs into .venv and runs the main job on the bundled data
#   make test   installs into .venv and runs every check (ruff, mypy --strict, the layer contract
#               of pyproject's [tool.importlinter], pytest)
# The diagram tests also want Graphviz and Mermaid's parser (make js; .ci/run installs both).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin

LOCK := requirements/test.txt
BENCH_LOCK := requirements/bench.txt
# pip-compile reads PyPI only: no local wheel folders or index mirrors end up in a lock.
COMPILE := env PIP_CONFIG_FILE=/dev/null PIP_FIND_LINKS= PIP_CONSTRAINT= $(BIN)/pip-compile -q \
	--upgrade --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links

.PHONY: install demo test test-latest lock bench schema api-docs golden golden-notifications js fuzz

# The locked environment: every package (the build backend and pip included) at the version and
# hash in requirements/test.txt, then the project itself, editable, with no dependency resolution.
# The lock's pip goes in first, alone: the pip a new venv brings (23.2 on Python 3.11.7) resolves
# an extra (pytest-cov's coverage[toml]) to the newest release instead of the lock's pin, and then
# refuses its own choice under --require-hashes.
$(BIN)/reglament: pyproject.toml $(LOCK)
	$(PY) -m venv $(VENV)
	sed -n '/^pip==/,/^    #/p' $(LOCK) > $(VENV)/pip.txt
	$(BIN)/python -m pip install -q --require-hashes -r $(VENV)/pip.txt
	$(BIN)/python -m pip install -q --require-hashes -r $(LOCK)
	$(BIN)/python -m pip install -q --no-deps --no-build-isolation -e .
	touch $@

install: $(BIN)/reglament

demo: install
	$(BIN)/reglament validate
	$(BIN)/reglament simulate semey-compensation --variant recognition --submitted "2015-12-14 17:45"

CHECKS = $(1)/ruff check . && $(1)/ruff format --check . && $(1)/mypy && \
	$(1)/lint-imports --no-logo --no-cache && \
	$(1)/pytest --cov --cov-report=term:skip-covered $(2)

# Three test processes on the 2-core CI machine: the suite waits on subprocesses, fsyncs and
# sockets (161% CPU with 3, 131% with 2): 15:53 against 17:37 of pytest, same 4,177 tests.
test: install
	$(call CHECKS,$(BIN),-n 3 --dist loadfile)

# The same checks against the newest releases that pyproject's ranges allow (no lock), in their
# own environment, so that a new release that breaks us is seen before it reaches a user.
LATEST := .venv-latest
test-latest:
	rm -rf $(LATEST)
	$(PY) -m venv $(LATEST)
	$(LATEST)/bin/python -m pip install -q --upgrade pip
	$(LATEST)/bin/python -m pip install -q --upgrade --upgrade-strategy eager -e '.[test]'
	$(LATEST)/bin/python -m pip list --format=freeze > $(LATEST)/versions.txt
	$(call CHECKS,$(LATEST)/bin,-p no:cacheprovider -n 3 --dist loadfile)

# Regenerate the locks from pyproject.toml (and requirements/tools.in): the newest versions that
# the ranges allow, each with its hashes. Review the diff, then run make test.
lock: install
	$(COMPILE) --extra test -o $(LOCK) pyproject.toml requirements/tools.in
	$(COMPILE) --extra test --extra bench -o $(BENCH_LOCK) pyproject.toml requirements/tools.in
	git diff --stat requirements

bench: install
	$(BIN)/python -m pip install -q --require-hashes -r $(BENCH_LOCK)
	$(BIN)/python -m bench

schema: install
	$(BIN)/reglament schema --output reglament/schemas/reglament.schema.json
	$(BIN)/reglament schema --timeline --output reglament/schemas/timeline.schema.json
	$(BIN)/reglament schema --case --output reglament/schemas/case.schema.json
	$(BIN)/python -c 'import pathlib; from reglament.service.app import openapi_text; \
		pathlib.Path("docs/openapi.json").write_text(openapi_text(), encoding="utf-8")'

# docs/api.md from the public API's signatures and docstrings (tests/test_api_docs.py checks it).
api-docs: install
	$(BIN)/python tools/api_docs.py --write

js:
	npm ci --prefix tests/js --no-audit --no-fund

# A long fuzzing run (tests/hostile/test_fuzz.py): random hostile variants of the bundled
# reglaments for FUZZ_SECONDS; each distinct crash is kept in .hypothesis/fuzz-crashes/.
# The suite runs the same test on a fixed set of inputs in about a minute.
FUZZ_SECONDS ?= 600
fuzz: install
	REGLAMENT_FUZZ_SECONDS=$(FUZZ_SECONDS) $(BIN)/pytest -q -p no:cacheprovider \
		tests/hostile/test_fuzz.py::test_fuzz_bundled_reglaments

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
