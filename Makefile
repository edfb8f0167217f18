# Concord — the two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := wsgi
HOST ?= 127.0.0.1
PORT ?= 5000
## Invitation links point at the port the portal runs on (`make run PORT=8080`), unless
## PUBLIC_URL is given; a server listening on every address is reached on 127.0.0.1.
PUBLIC_URL ?= http://$(if $(filter 0.0.0.0,$(HOST)),127.0.0.1,$(HOST)):$(PORT)
export PUBLIC_URL

.PHONY: run test smoke setup setup-test migrate seed pki worker bench lint format translations clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

translations: $(VENV)/.installed
	$(BIN)/pybabel compile -d translations

setup: $(VENV)/.installed translations

setup-test: setup $(VENV)/.installed-test

migrate: setup
	$(BIN)/flask db upgrade

## The development signing certificate (instance/pki/), made once; production configures its own.
pki: setup
	$(BIN)/flask pki init --organisation "北京市朝阳区金融纠纷人民调解委员会"

seed: migrate pki
	$(BIN)/flask seed-demo

## make run: set everything up, then serve the portal and the background worker.
run: seed
	@echo "Concord is starting on http://$(HOST):$(PORT) (worker included). Ctrl-C stops both."
	@echo "Invitation links point to $(PUBLIC_URL)."
	@$(BIN)/huey_consumer app.worker.huey --workers 2 --worker-type process --logfile instance/worker.log & \
	  worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  $(BIN)/flask run --host $(HOST) --port $(PORT)

## make test: lint, format check, the suite on $(TEST_WORKERS) processes, then the browser
## journeys in a pytest run of their own. The clock is frozen at TEST_NOW (`HH:MM` Beijing
## time on the suite's default day, or an ISO instant): `make test TEST_NOW=22:30`.
TEST_NOW ?= $(CONCORD_TEST_NOW)
TEST_WORKERS ?= 2
test: setup-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	CONCORD_TEST_NOW="$(TEST_NOW)" $(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile -m "not browser" $(PYTEST_ARGS)
	CONCORD_TEST_NOW="$(TEST_NOW)" $(BIN)/python -m pytest -n $(TEST_WORKERS) -m browser tests/browser $(PYTEST_ARGS)

## make smoke: install the project WITHOUT its test extras in a fresh virtualenv, import every
## module and fetch every page and download of the demo through gunicorn (tools/smoke.py).
SMOKE_VENV := .venv-smoke
smoke:
	rm -rf $(SMOKE_VENV)
	$(PYTHON) -m venv $(SMOKE_VENV)
	$(SMOKE_VENV)/bin/pip install --quiet --upgrade pip
	$(SMOKE_VENV)/bin/pip install --quiet .
	$(SMOKE_VENV)/bin/pybabel compile -d translations
	$(SMOKE_VENV)/bin/python tools/smoke.py

bench: setup-test
	$(BIN)/python -m bench.__main__

format: setup-test
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

translations-update: setup-test
	$(BIN)/pybabel extract -F babel.cfg -k _l -o translations/messages.pot .
	$(BIN)/pybabel update -i translations/messages.pot -d translations

clean:
	rm -rf $(VENV) instance/ tests/artifacts/ .pytest_cache .ruff_cache
