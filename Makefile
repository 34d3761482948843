# Run `make help` for the list of targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PORT ?= 5005
ACTION_PORT ?= 5055
VENV ?= .venv
PY := $(VENV)/bin/python
RASA := $(VENV)/bin/rasa
MODEL := models/office-guide.tar.gz
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2

# Rasa 3.6 needs Python 3.10 (3.11 installs, but breaks its websockets).
PYTHON ?= $(shell for p in python3.10 $${PYENV_ROOT:-$$HOME/.pyenv}/versions/3.10*/bin/python3.10; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null && { echo $$p; break; }; done)

WEB := bot/web
WEB_INSTALLED := $(WEB)/node_modules/.package-lock.json

# The NLU components' code and the text handling they share shape the trained model too.
TRAINING_INPUTS := config.yml $(wildcard bot/domain/*.yml data/*.yml data/nlu/*.yml bot/components/*.py bot/knowledge/*.py)

.PHONY: help install web browser-check prod-deps train run run-prod shell test lint typecheck validate test-unit test-nlu test-stories test-e2e test-prod check-knowledge bench purge review audit clean

help: ## List the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

$(VENV)/.installed: requirements.txt requirements-dev.txt constraints.txt
	@test -n "$(PYTHON)" || { echo "Python 3.10 is required (Rasa 3.6 does not support 3.11 or newer)."; \
		echo "Install it with 'pyenv install 3.10.13' (or your package manager), or pass PYTHON=/path/to/python3.10."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade "pip==24.0"
	$(PY) -m pip install --quiet -r requirements.txt -r requirements-dev.txt -c constraints.txt
	touch $@

install: $(VENV)/.installed ## Create .venv with every pinned dependency

# The widget's bundle is adapted once here (bot/web/build.py), never at server start.
$(WEB_INSTALLED): $(WEB)/package.json $(WEB)/package-lock.json $(WEB)/build.py
	cd $(WEB) && npm ci
	$(PYTHON) -m bot.web.build
	@touch $@

web: $(WEB_INSTALLED) ## Install the chat widget (npm ci in bot/web, pinned by package-lock.json)

BROWSER_PACKAGES := chromium chromium-driver fonts-noto-cjk

browser-check: ## Install Debian's Chromium for the browser tests if missing (they never download one)
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || { \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(BROWSER_PACKAGES); \
		else echo "Chromium is missing. Install it with: sudo apt-get install -y $(BROWSER_PACKAGES)"; exit 1; fi; }

# The production profile's tests run their own PostgreSQL, Redis and nginx from these packages.
PROD_PACKAGES := postgresql redis-server nginx

prod-deps: ## Install PostgreSQL, Redis and nginx for the production profile's tests if missing
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && command -v redis-server >/dev/null && command -v nginx >/dev/null || { \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(PROD_PACKAGES); \
		else echo "PostgreSQL, Redis or nginx is missing. Install them with: sudo apt-get install -y $(PROD_PACKAGES)"; exit 1; fi; }

# One progress line while training; Rasa's and TensorFlow's output goes to var/train.log.
$(MODEL): $(VENV)/.installed $(TRAINING_INPUTS)
	@VENV=$(VENV) bot/scripts/train.sh
	@touch $@

train: $(MODEL) ## Train the model if the data, domain or config changed

check-knowledge: $(VENV)/.installed ## Validate data/knowledge/ (the action server refuses to start otherwise)
	@$(PY) -m actions.check

run: $(MODEL) $(WEB_INSTALLED) check-knowledge ## Start the action server and the Rasa server (REST on PORT, default 5005)
	@PORT=$(PORT) ACTION_PORT=$(ACTION_PORT) bot/scripts/run.sh

run-prod: $(MODEL) $(WEB_INSTALLED) check-knowledge ## Production profile: nginx on PORT, 2 Rasa instances, PostgreSQL + Redis from DB_*/REDIS_*
	PORT=$(PORT) ACTION_PORT=$(ACTION_PORT) bot/scripts/run-prod.sh

# PORT and ACTION_PORT reach shell.sh only when given (make exports those): free ports otherwise.
shell: $(MODEL) check-knowledge ## Talk to the bot in the terminal (piped: one message per line)
	@bot/scripts/shell.sh

lint: $(VENV)/.installed ## ruff (with docstring rules) on actions/ and bot/
	$(VENV)/bin/ruff check --config .ci/ruff.toml actions bot tests bench

typecheck: $(VENV)/.installed ## mypy on actions/ and bot/
	$(VENV)/bin/mypy --config-file .ci/mypy.ini actions bot bench

validate: $(VENV)/.installed ## rasa data validate
	$(RASA) data validate --config config.yml --domain bot/domain --data data

test-unit: $(VENV)/.installed ## pytest unit tests (knowledge, queries, actions, Japanese components)
	$(PY) -m pytest -q tests -m "not e2e and not prod"

test-nlu: $(MODEL) ## Held-out NLU test set; fails below 0.90 intent accuracy
	$(RASA) test nlu --model $(MODEL) --nlu tests/nlu/test_nlu.yml --out results/nlu --no-plot
	$(PY) -m bench.quality.nlu_report results/nlu --min-intent-accuracy 0.90

test-stories: $(MODEL) ## Conversation tests (rasa test core --e2e --fail-on-prediction-errors)
	$(RASA) test core --e2e --model $(MODEL) --stories tests/stories --out results/stories --fail-on-prediction-errors --no-plot

test-e2e: $(MODEL) $(WEB_INSTALLED) browser-check ## End to end with real servers: REST, shell, Slack (signed), web chat (Chromium)
	$(PY) -m pytest -q tests -m e2e

test-prod: $(MODEL) $(WEB_INSTALLED) prod-deps ## Production profile with its own PostgreSQL, Redis, nginx: shared state, locking, 50 users x 20 turns, outages
	$(PY) -m pytest -q -s tests/prod -m prod

test: lint typecheck validate test-unit test-nlu test-stories test-e2e ## Everything: lint, types, data, unit, NLU, conversations, end to end

BENCH_VENV := .venv-bench

# A tool in a venv of its own, so that its dependencies never move Rasa's pins: $(call tool_venv,DIR,REQUIREMENTS)
define tool_venv
	@test -n "$(PYTHON)" || { echo "Python 3.10 is required; pass PYTHON=/path/to/python3.10."; exit 1; }
	$(PYTHON) -m venv $(1)
	$(1)/bin/python -m pip install --quiet --upgrade "pip==24.0"
	$(1)/bin/python -m pip install --quiet -r $(2)
	touch $@
endef

$(BENCH_VENV)/.installed: requirements-bench.txt
	$(call tool_venv,$(BENCH_VENV),requirements-bench.txt)

bench: $(VENV)/.installed $(BENCH_VENV)/.installed ## Quality, latency, throughput, growth and cost next to a stock Rasa set-up (bench/results/)
	$(PY) -m bench.run $(BENCH_ARGS)

# Conversations hold personal answers: `make purge` deletes those whose last message is older
# than RETENTION_DAYS (e.g. daily from cron). The SQLite file is the one `make run PORT=...` uses.
purge: $(VENV)/.installed ## Delete conversations idle for more than RETENTION_DAYS (default 30) days; DRY_RUN=1 only lists them
	@TRACKER_DB="$${TRACKER_DB:-var/tracker-$(PORT).db}" ACTION_ENDPOINT_URL="$${ACTION_ENDPOINT_URL:-http://127.0.0.1:$(ACTION_PORT)/webhook}" \
		SQLALCHEMY_SILENCE_UBER_WARNING=1 $(PY) -m bot.scripts.purge $(if $(DRY_RUN),--dry-run)

# One HTML page on the stored conversations (docs/review.md): `make review PORT=N` reads the SQLite
# file of `make run PORT=N`, STORE=prod the PostgreSQL database of `make run-prod` (DB_*, as run-prod.sh).
# REVIEW_SINCE / REVIEW_UNTIL (2026-11-01 or 2026-11-01T09:30) choose the period; default: the last 30 days.
review: $(VENV)/.installed ## HTML report: volume, what fell through, topics, diagnosis funnel, speed (var/review/); STORE=prod for PostgreSQL
	@TRACKER_DB="$${TRACKER_DB:-var/tracker-$(PORT).db}" SQLALCHEMY_SILENCE_UBER_WARNING=1 \
		$(PY) -m bot.review --store $(or $(STORE),run)

# pip-audit in a venv of its own: its dependencies (packaging>=23, ...) conflict with Rasa's pins.
AUDIT_VENV := .venv-audit
AUDIT_IGNORE := $(shell sed -e 's/\#.*//' .ci/audit-ignore.txt)

$(AUDIT_VENV)/.installed: requirements-audit.txt
	$(call tool_venv,$(AUDIT_VENV),requirements-audit.txt)

# Audits the pinned versions in constraints.txt (what `make install` installs) without
# installing them. --strict: a package that could not be looked up fails the audit.
audit: $(AUDIT_VENV)/.installed ## pip-audit of every pinned version against PyPI's advisories (network); fails on unexplained findings
	$(AUDIT_VENV)/bin/pip-audit --requirement constraints.txt --no-deps --disable-pip --strict \
		--vulnerability-service pypi --desc on $(addprefix --ignore-vuln ,$(AUDIT_IGNORE)) || { \
		echo "make audit failed. A finding above: bump the pin in constraints.txt, or explain it in docs/dependencies.md and add its ID to .ci/audit-ignore.txt."; \
		echo "'Dependency not found on PyPI' means https://pypi.org/pypi/NAME/VERSION/json is not reachable from this machine (a mirror without PyPI's JSON API)."; \
		exit 1; }

clean: ## Remove the virtual environments, models and results
	rm -rf $(VENV) $(BENCH_VENV) $(AUDIT_VENV) models results bench/results .rasa .hypothesis $(WEB)/node_modules
