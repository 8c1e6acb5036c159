# MailExpert. `make run` serves the whole stack locally; `make test` runs every test.
# Both create the virtualenv and install what they need on a fresh Debian with Python 3.11.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
REGION ?= eu-west-1
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
CATALOGS := $(wildcard chalicelib/web/locales/*/LC_MESSAGES/messages.po)
COMPILED := $(CATALOGS:.po=.mo)

.PHONY: run test test-fast bench package deploy job staff restore messages extract-messages clean browser screenshots

run: $(STAMP) $(COMPILED)
	$(BIN)/python -m devstack run --stage local

# Tests run on every core (pytest-xdist), a file per worker at a time; then the end-to-end tests, which
# share one local stack on fixed ports, in one process. (xdist's loadgroup cannot group them: with
# pytest 9 it no longer changes the test ids it schedules by.)
test: $(STAMP) $(COMPILED) browser
	$(BIN)/python -m pytest -q -n auto --dist loadfile -m "not e2e"
	$(BIN)/python -m pytest -q -m e2e

test-fast: $(STAMP) $(COMPILED)
	$(BIN)/python -m pytest -q -n auto --dist loadfile -m "not e2e"

# The main pages at 1280 and 390 px into docs/screenshots/, taken by the layout and accessibility browser test.
screenshots: $(STAMP) $(COMPILED) browser
	SCREENSHOTS_DIR=docs/screenshots $(BIN)/python -m pytest -q -m e2e tests/e2e/test_browser_layout_and_accessibility.py

bench: $(STAMP) $(COMPILED)
	$(BIN)/python bench/run.py

job: $(STAMP) $(COMPILED)
	$(BIN)/python -m devstack job $(NAME)

# Staff is set only from the command line, never by a request: make staff EMAIL=... [STAGE=local]
staff: $(STAMP)
	$(BIN)/python -m ops.staff grant $(EMAIL) --stage $(or $(STAGE),local)

# Restore a table export backup: make restore BACKUP=<id> [SUFFIX=-restored] [INTO_LIVE=1] [STAGE=local];
# without BACKUP it lists the backups. Refuses tables holding data unless INTO_LIVE=1 (docs/operations.md).
restore: $(STAMP)
	$(BIN)/python -m ops.restore $(if $(BACKUP),restore $(BACKUP) $(if $(SUFFIX),--suffix=$(SUFFIX)) $(if $(INTO_LIVE),--into-live),list) --stage $(or $(STAGE),local)

package: $(STAMP) $(COMPILED)
	rm -rf build/package
	AWS_DEFAULT_REGION=$(REGION) $(BIN)/chalice package --stage dev --merge-template infra/template.json build/package
	$(BIN)/cfn-lint build/package/sam.json

# Needs AWS credentials for the target account and a bucket for the code (ARTIFACT_BUCKET).
deploy: package
	aws cloudformation package --template-file build/package/sam.json --s3-bucket $(ARTIFACT_BUCKET) \
		--output-template-file build/package/packaged.json
	aws cloudformation deploy --template-file build/package/packaged.json --stack-name mailexpert \
		--capabilities CAPABILITY_IAM CAPABILITY_AUTO_EXPAND --region $(REGION)

messages: $(COMPILED)

%.mo: %.po $(STAMP)
	$(BIN)/pybabel compile --use-fuzzy -i $< -o $@

extract-messages: $(STAMP)
	mkdir -p build
	$(BIN)/pybabel extract -F babel.cfg -k _ -k N_ -o build/messages.pot .
	$(BIN)/pybabel update -i build/messages.pot -d chalicelib/web/locales --no-fuzzy-matching

$(STAMP): requirements.txt requirements-dev.txt
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

# Browser tests drive Debian's Chromium through Playwright (never `playwright install`).
browser:
	@test -x /usr/bin/chromium || ($(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium >/dev/null)

clean:
	rm -rf $(VENV) build .local .local-e2e .pytest_cache
