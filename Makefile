# Liaison: `make run` serves a demo on http://127.0.0.1:5000, `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app forum
STAMP := $(VENV)/.installed

.PHONY: run test lint translations messages clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit("Python >= 3.11 is required" if sys.version_info < (3, 11) else 0)'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Nothing to compile until the first catalogue exists (English needs none).
translations: $(STAMP)
	@if ls forum/translations/*/LC_MESSAGES/messages.po >/dev/null 2>&1; then \
	  $(BIN)/pybabel compile --use-fuzzy -d forum/translations -f --statistics 2>/dev/null || $(BIN)/pybabel compile -d forum/translations; \
	else echo "No translation catalogues yet: nothing to compile."; fi

run: $(STAMP) translations
	$(FLASK) db upgrade
	$(FLASK) demo load --if-empty
	$(FLASK) run --host 127.0.0.1 --port 5000

test: $(STAMP) translations
	$(BIN)/pytest -n $${PYTEST_WORKERS:-auto} $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check forum tests config.py bench deploy
	$(BIN)/ruff format --check forum tests config.py

# Extract new strings and merge them into every catalogue.
messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o forum/translations/messages.pot .
	$(BIN)/pybabel update -i forum/translations/messages.pot -d forum/translations --no-fuzzy-matching

clean:
	rm -rf $(VENV) .pytest_cache
