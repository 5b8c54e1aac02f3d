# PyBase: `make dev` runs the whole API locally, `make test` runs every check. Needs Python 3.11+
# and Node 20; no Docker, no root. Services are embedded unless DATABASE_URL / REDIS_URL /
# AWS_ENDPOINT_URL point at running ones (see infra/stack.py).

PYTHON ?= python3
VENV := .venv
VPY := $(VENV)/bin/python
LS_VENV := .pybase/localstack-venv
STAGE ?= local
PYTEST_ARGS ?=

# LocalStack is only needed when no AWS endpoint is given.
LOCALSTACK_DEP := $(if $(AWS_ENDPOINT_URL),,$(LS_VENV)/.installed)

.PHONY: help install venv node localstack dev test lint package layers bench clean

help:
	@echo "make dev       run the API locally (PostgreSQL, Redis, LocalStack, serverless offline, SQS poller)"
	@echo "make test      ruff + the whole pytest suite against temporary services"
	@echo "make package   build the Lambda layers and 'serverless package' (STAGE=$(STAGE))"
	@echo "make bench     cold-start import times of the API functions"
	@echo "make install   virtualenv, node_modules and LocalStack only"

install: venv node localstack
venv: $(VENV)/.installed
node: node_modules/.installed
localstack: $(LS_VENV)/.installed

$(VENV)/.installed: pyproject.toml
	@test -x $(VPY) || $(PYTHON) -m venv $(VENV)
	$(VPY) -m pip install --quiet --upgrade pip
	$(VPY) -m pip install --quiet -e '.[dev,extract]'
	@touch $@

# npm ci, then make serverless-offline's Python runner survive handler errors (see the script).
node_modules/.installed: package.json package-lock.json infra/patch_serverless_offline.py
	npm ci --no-audit --no-fund --loglevel=error
	$(PYTHON) infra/patch_serverless_offline.py
	@touch $@

# LocalStack runs in host mode from its own virtualenv, every dependency pinned (newer releases of
# some of them break localstack-core 4.13.1).
$(LS_VENV)/.installed: infra/localstack-requirements.txt
	@mkdir -p .pybase
	@test -x $(LS_VENV)/bin/python || $(PYTHON) -m venv $(LS_VENV)
	$(LS_VENV)/bin/python -m pip install --quiet --disable-pip-version-check 'uv>=0.4'
	$(LS_VENV)/bin/uv pip install --quiet --python $(LS_VENV)/bin/python -r infra/localstack-requirements.txt
	@touch $@

dev: venv node $(LOCALSTACK_DEP)
	$(VPY) infra/stack.py dev --stage $(STAGE)

# ruff, then pytest against services on free ports in a temporary folder (works next to a running
# `make dev`), stopped even when the tests fail. Both always run; either failing fails the target.
# pytest's exit code 5 (nothing collected) is reported, not treated as a failure.
test: venv node $(LOCALSTACK_DEP)
	@ruff_rc=0; $(VENV)/bin/ruff check . || ruff_rc=$$?; \
	$(VPY) infra/stack.py run -- sh -c '$(VPY) -m pytest $(PYTEST_ARGS); rc=$$?; \
		if [ $$rc -eq 5 ]; then echo "pytest collected no tests"; exit 0; fi; exit $$rc'; rc=$$?; \
	if [ $$ruff_rc -ne 0 ]; then echo "make test: ruff check failed"; exit 1; fi; \
	if [ $$rc -ne 0 ]; then echo "make test: pytest failed (exit $$rc)"; fi; exit $$rc

lint: venv
	$(VENV)/bin/ruff check .

layers: venv
	$(VPY) layers/build.py

package: layers node
	SLS_TELEMETRY_DISABLED=1 node node_modules/serverless/bin/serverless.js package --stage $(STAGE)

bench: venv
	$(VPY) bench/cold_start.py

clean:
	rm -rf .serverless layers/*/python layers/*/.build-stamp
