# PyBase: `make dev` runs the whole API locally, `make test` runs every check. Needs Python 3.11+
# and Node 20; no Docker, no root. Services are embedded unless DATABASE_URL / REDIS_URL /
# AWS_ENDPOINT_URL point at running ones (see infra/stack.py).

PYTHON ?= python3
VENV := .venv
VPY := $(VENV)/bin/python
LS_VENV := .pybase/localstack-venv
STAGE ?= local
LOCAL_PACKAGE ?=
PYTEST_ARGS ?=

# LocalStack is only needed when no AWS endpoint is given.
LOCALSTACK_DEP := $(if $(AWS_ENDPOINT_URL),,$(LS_VENV)/.installed)

.PHONY: help install venv node web localstack dev test web-check lint package web-build layers bench clean

help:
	@echo "make dev       run the API locally (PostgreSQL, Redis, LocalStack, serverless offline, SQS poller)"
	@echo "make test      ruff, the web app's checks, the whole pytest suite (incl. browser tests) against temporary services"
	@echo "make package   build the Lambda layers and 'serverless package' (STAGE=$(STAGE); needs the stage's secrets, or LOCAL_PACKAGE=1)"
	@echo "make web-build the web app into frontend/dist (VITE_API_URL, VITE_WS_URL: the APIs' URLs; part of package)"
	@echo "make bench     cold-start import times of the API functions"
	@echo "make install   virtualenv, node_modules (root and frontend/) and LocalStack only"

install: venv node web localstack
venv: $(VENV)/.installed
node: node_modules/.installed
web: frontend/node_modules/.installed
localstack: $(LS_VENV)/.installed

$(VENV)/.installed: pyproject.toml
	@test -x $(VPY) || $(PYTHON) -m venv $(VENV)
	$(VPY) -m pip install --quiet --upgrade pip
	$(VPY) -m pip install --quiet -e '.[dev,extract,ifc]'
	@touch $@

# npm ci; its postinstall (patch-package) applies patches/*.patch: serverless-offline's Python runner
# survives handler errors (see patches/README.md).
node_modules/.installed: package.json package-lock.json $(wildcard patches/*.patch)
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# The web app has its own package.json and lock file.
frontend/node_modules/.installed: frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# LocalStack runs in host mode from its own virtualenv, every dependency pinned (newer releases of
# some of them break localstack-core 4.13.1).
$(LS_VENV)/.installed: infra/localstack-requirements.txt
	@mkdir -p .pybase
	@test -x $(LS_VENV)/bin/python || $(PYTHON) -m venv $(LS_VENV)
	$(LS_VENV)/bin/python -m pip install --quiet --disable-pip-version-check 'uv>=0.4'
	$(LS_VENV)/bin/uv pip install --quiet --python $(LS_VENV)/bin/python -r infra/localstack-requirements.txt
	@touch $@

dev: venv node web $(LOCALSTACK_DEP)
	$(VPY) infra/stack.py dev --stage $(STAGE)

# ruff, the web app's checks, then pytest against services on free ports in a temporary folder (works
# next to a running `make dev`), stopped even when the tests fail. All always run; any failing fails the
# target. pytest's exit code 5 (nothing collected) is reported, not treated as a failure. The browser
# tests (tests/e2e/test_web_e2e.py) serve the build web-check made (PYBASE_WEB_DIST; they build one if it failed).
test: venv node web $(LOCALSTACK_DEP)
	@ruff_rc=0; $(VENV)/bin/ruff check . || ruff_rc=$$?; \
	web_rc=0; $(MAKE) --no-print-directory web-check || web_rc=$$?; \
	PYBASE_WEB_DIST=$(CURDIR)/frontend/dist $(VPY) infra/stack.py run -- sh -c '$(VPY) -m pytest $(PYTEST_ARGS); rc=$$?; \
		if [ $$rc -eq 5 ]; then echo "pytest collected no tests"; exit 0; fi; exit $$rc'; rc=$$?; \
	if [ $$ruff_rc -ne 0 ]; then echo "make test: ruff check failed"; fi; \
	if [ $$web_rc -ne 0 ]; then echo "make test: web app checks failed"; fi; \
	if [ $$rc -ne 0 ]; then echo "make test: pytest failed (exit $$rc)"; exit $$rc; fi; \
	if [ $$ruff_rc -ne 0 ] || [ $$web_rc -ne 0 ]; then exit 1; fi

# The web app: build (tsc -b type-checks, then vite build), lint, then `npm test` (the generated API
# client is current, vitest). Every step runs; any failing fails the target. dist/ is removed first so
# a failed build never leaves an older one for the browser tests.
web-check: venv web
	@cd frontend && rm -rf dist && rc=0; \
	for step in build lint test; do \
		npm run --silent $$step || { echo "web-check: npm run $$step failed"; rc=1; }; \
	done; exit $$rc

lint: venv
	$(VENV)/bin/ruff check .

layers: venv
	$(VPY) layers/build.py

# Needs the stage's secrets (PYBASE_JWT_SECRET, DATABASE_URL, REDIS_URL in the environment, or SSM
# /pybase/<stage>/...; see README "Security"); LOCAL_PACKAGE=1 builds a local-stage package without them,
# which cannot run on Lambda.
package: layers node web-build
	SLS_TELEMETRY_DISABLED=1 PYBASE_LOCAL_PACKAGE=$(LOCAL_PACKAGE) node node_modules/serverless/bin/serverless.js package --stage $(STAGE)

# The web app for S3 + CloudFront, the APIs' URLs baked in (README "Deploy to AWS"):
# make web-build VITE_API_URL=https://<api-id>.execute-api.<region>.amazonaws.com VITE_WS_URL=wss://...
web-build: web
	@if [ -z "$(VITE_API_URL)" ] || [ -z "$(VITE_WS_URL)" ]; then \
		echo "web-build: VITE_API_URL / VITE_WS_URL not set: the app calls /api and /ws on its own origin"; fi
	cd frontend && VITE_API_URL='$(VITE_API_URL)' VITE_WS_URL='$(VITE_WS_URL)' npm run build

bench: venv
	$(VPY) bench/cold_start.py

clean:
	rm -rf .serverless layers/*/python layers/*/.build-stamp
