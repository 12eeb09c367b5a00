# The two first-screen commands: `make plan` and `make test`. Both set up .venv when needed.
STACK ?= dev
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: plan plan-all test lint lint-workflows deps pulumi-yaml docs clean

# The policy pack's SDK goes in without its deps: pulumi-policy pins protobuf~=5.29 while the
# program's stack resolves protobuf 6 (the SDK uses only protobuf's stable Struct/json_format API,
# tests/test_policy_crossguard.py serves the pack over gRPC with it). The pack's own venv, which
# the Pulumi CLI makes from policy/requirements.txt, gets its deps as pinned.
$(VENV)/.installed: requirements.txt requirements-dev.txt policy/requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	$(PY) -m pip install --quiet --no-deps -r policy/requirements.txt
	touch $@

deps: $(VENV)/.installed

## Offline plan of one stack (default dev) -> build/plan/$(STACK)/; POLICY_CONFIG=file.json tunes the policy pack
plan: deps
	$(PY) -m offline_plan $(STACK) $(if $(POLICY_CONFIG),--policy-config $(POLICY_CONFIG))

## Offline plan of every Pulumi.<stack>.yaml in the repository
plan-all: deps
	@for f in Pulumi.*.yaml; do s=$${f#Pulumi.}; s=$${s%.yaml}; $(PY) -m offline_plan $$s --quiet || exit 1; done

## The GitHub workflows' lint, the whole test suite, then Python lint and type checking
test: deps lint-workflows
	$(PY) -m pytest -q
	$(PY) -m ruff check .
	$(PY) -m mypy

## actionlint (syntax, expressions, deprecated action runtimes; shellcheck on run: when installed)
## and zizmor (unpinned actions, persisted credentials, permissions, injection; Dependabot cooldown), both offline
lint-workflows: deps
	$(VENV)/bin/actionlint
	$(VENV)/bin/zizmor --offline --quiet .github

## ruff, then mypy (configured in pyproject.toml; incremental, cache in .mypy_cache)
lint: deps
	$(PY) -m ruff check .
	$(PY) -m mypy

## Regenerate Pulumi.yaml's config block from settings/project.py
pulumi-yaml: deps
	$(PY) -m settings.pulumi_yaml > Pulumi.yaml

## Regenerate docs/config-reference.md from settings/
docs: deps
	$(PY) -m settings.reference > docs/config-reference.md

clean:
	rm -rf build
