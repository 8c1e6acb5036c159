# MailExpert. `make run` serves the whole stack locally; `make test` runs every test.
# Both create the virtualenv and install what they need on a fresh Debian with Python 3.11: exactly
# the hash-locked requirements-dev.lock (`make lock` makes it from requirements*.txt).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
REGION ?= eu-west-1
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
CATALOGS := $(wildcard chalicelib/web/locales/*/LC_MESSAGES/messages.po)
COMPILED := $(CATALOGS:.po=.mo)

.PHONY: run test test-fast bench package deploy job staff restore messages extract-messages clean browser screenshots

run: lock-check $(STAMP) $(COMPILED)
	$(BIN)/python -m devstack run --stage local

# Tests run on every core (pytest-xdist), a file per worker at a time; then the end-to-end tests, which
# share one local stack on fixed ports, in one process. (xdist's loadgroup cannot group them: with
# pytest 9 it no longer changes the test ids it schedules by.)
test: lock-check $(STAMP) $(COMPILED) browser
	$(BIN)/python -m pytest -q -n auto --dist loadfile -m "not e2e"
	$(BIN)/python -m pytest -q -m e2e

test-fast: lock-check $(STAMP) $(COMPILED)
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

# chalice package of the app with requirements.lock as its requirements.txt (ops/package.py says why).
package: lock-check $(STAMP) $(COMPILED)
	AWS_DEFAULT_REGION=$(REGION) $(BIN)/python -m ops.package build/package --stage dev
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

# The hash locks (P8): requirements.lock is what the Lambda functions run (`make package` ships it),
# requirements-dev.lock is that plus the development tools, installed with --require-hashes.
LOCK_INPUTS := requirements.txt requirements-dev.txt
LOCKS := requirements.lock requirements-dev.lock
LOCK_DIGEST = $(shell cat $(LOCK_INPUTS) | $(PYTHON) -c "import hashlib,sys; print(hashlib.sha256(sys.stdin.buffer.read()).hexdigest())")
UV_COMPILE = $(BIN)/uv pip compile --quiet --generate-hashes --universal --python-version 3.11 \
	--custom-compile-command "make lock" $(if $(UPGRADE),--upgrade)
.PHONY: lock lock-check audit

# The pip a fresh venv brings (23.2 with Python 3.11) rejects a locked package that another asks for with
# extras (pip-audit's CacheControl[filecache]) in hash mode; the locked pip, installed first, does not.
PIN_PIP = awk '/^pip==/{p=1} p{print} p && !/\\$$/{exit}' requirements-dev.lock > $(VENV)/pip.lock && \
	$(BIN)/pip install --quiet --require-hashes -r $(VENV)/pip.lock

# Installs exactly the lock, every file checked against its hash (pip itself too: the lock pins it).
$(STAMP): $(LOCKS)
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(PIN_PIP)
	$(BIN)/pip install --quiet --require-hashes -r requirements-dev.lock
	touch $(STAMP)

# Regenerates both locks from requirements.txt and requirements-dev.txt after a package was added or
# changed there; keeps every other pin (UPGRADE=1: the newest versions the pins allow). The runtime
# lock is resolved within the development lock, so tests run the very versions the functions ship.
lock: $(STAMP)
	$(UV_COMPILE) requirements-dev.txt -o requirements-dev.lock
	$(UV_COMPILE) requirements.txt -c requirements-dev.lock -o requirements.lock
	for lock in $(LOCKS); do { echo "# inputs sha256: $(LOCK_DIGEST) (requirements.txt + requirements-dev.txt; see lock-check)"; \
		cat $$lock; } > $$lock.tmp && mv $$lock.tmp $$lock; done
	$(BIN)/pip install --quiet --require-hashes -r requirements-dev.lock
	touch $(STAMP)

# The locks must be made from the requirements as they are now: else `make lock` first.
lock-check:
	@for lock in $(LOCKS); do grep -q "^# inputs sha256: $(LOCK_DIGEST) " $$lock || { \
		echo "$$lock was not made from the current requirements.txt / requirements-dev.txt: run make lock" >&2; exit 1; }; done

# pip-audit on both locks (ops/audit.py), which prints "clean", "VULNERABLE" or "not checked: <reason>"
# (the vulnerability service could not be asked: never reported as clean) and exits 0, 1 or 3.
# `make audit` succeeds only when clean; ALLOW_NOT_CHECKED=1 (CI) lets "not checked" pass, said plainly.
# SERVICE=osv asks OSV instead of PyPI.
audit: $(STAMP)
	@status=0; $(BIN)/python -m ops.audit $(LOCKS) $(if $(SERVICE),--service $(SERVICE)) || status=$$?; \
	if [ $$status = 3 ] && [ -n "$(ALLOW_NOT_CHECKED)" ]; then \
		echo "audit: NOT CHECKED; allowed here (ALLOW_NOT_CHECKED), nothing was found clean"; exit 0; fi; \
	exit $$status

# Browser tests drive Debian's Chromium through Playwright (never `playwright install`).
browser:
	@test -x /usr/bin/chromium || ($(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium >/dev/null)

clean:
	rm -rf $(VENV) build .local .local-e2e .pytest_cache
