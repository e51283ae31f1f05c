# stackdeck: the two commands are `make demo` and `make test`; the rest are their parts.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

ROOT := $(abspath .)
TOOLS_VENV := $(ROOT)/.tools/venv
export TOOLS_VENV
# Project-local tools (checkov, workflow linters, moto where the machine lacks it) come after the
# system's, so that python3 stays the machine's own.
export PATH := $(PATH):$(TOOLS_VENV)/bin

# Offline Terraform: use the filesystem mirror where it exists, leave Terraform alone elsewhere.
ifneq ($(wildcard /opt/tf-plugins),)
export TF_CLI_CONFIG_FILE := $(ROOT)/terraform/terraformrc.offline
endif

CARGO ?= cargo
DEVSTACK := $(ROOT)/target/debug/devstack
STACKDECK := $(ROOT)/target/debug/stackdeck
TF_ENVS := $(wildcard terraform/envs/*)
TF_MODULES := $(wildcard terraform/modules/*)
TF_WORK := $(ROOT)/.tools/terraform

.PHONY: help demo test prereqs build up down status structure fmt-check clippy tf-fmt tf-validate tf-test \
        checkov workflows cargo-test install-check bench bench-courier bench-deck bench-devstack clean

help:
	@echo "make demo   the local stack (moto + PostgreSQL + terraform apply) and the dashboard"
	@echo "make test   everything CI checks"
	@echo "make up | down | status    the local stack alone"
	@echo "make bench  the benchmarks (bench-courier, bench-deck, bench-devstack)"

## The two commands ----------------------------------------------------------------------------

demo: prereqs build up
	@set -a; . .devstack/env; set +a; $(STACKDECK)

test: prereqs structure fmt-check clippy tf-fmt tf-validate tf-test checkov workflows cargo-test install-check
	@echo "make test: all checks passed"

## Parts ---------------------------------------------------------------------------------------

prereqs:
	@scripts/prereqs.sh

build:
	$(CARGO) build --workspace --bins

up: build
	$(DEVSTACK) up

down:
	@if [ -x $(DEVSTACK) ]; then $(DEVSTACK) down; else $(CARGO) run -q -p devstack -- down; fi

status:
	@$(DEVSTACK) status

# ARCHITECTURE.md's two structural rules: layers run one way, no file over its line limit.
structure:
	python3 scripts/check-structure.py

fmt-check:
	$(CARGO) fmt --all -- --check

clippy:
	$(CARGO) clippy --workspace --all-targets -- -D warnings

tf-fmt:
	terraform fmt -check -recursive terraform

# validate every env and module without a backend; .terraform dirs go to .tools/terraform.
tf-validate:
	@for dir in $(TF_ENVS) $(TF_MODULES); do \
	  echo "terraform validate $$dir"; \
	  export TF_DATA_DIR=$(TF_WORK)/$$(echo $$dir | tr / _); \
	  terraform -chdir=$$dir init -backend=false -input=false -no-color >/dev/null; \
	  terraform -chdir=$$dir validate -no-color; \
	done

# plan-level contract tests (mock provider), in every env and module that has tests/
tf-test:
	@for dir in $(TF_ENVS) $(TF_MODULES); do \
	  if ls $$dir/tests/*.tftest.hcl >/dev/null 2>&1; then \
	    echo "terraform test $$dir"; \
	    export TF_DATA_DIR=$(TF_WORK)/$$(echo $$dir | tr / _); \
	    terraform -chdir=$$dir init -backend=false -input=false -no-color >/dev/null; \
	    terraform -chdir=$$dir test -no-color; \
	  fi; \
	done

checkov:
	$(TOOLS_VENV)/bin/checkov -d terraform --framework terraform --quiet --compact --skip-download

# GitHub Actions workflows: actionlint, and zizmor with no finding at medium or above (offline:
# the audits that need GitHub's API cannot run here).
workflows:
	$(TOOLS_VENV)/bin/actionlint .github/workflows/*.yml
	$(TOOLS_VENV)/bin/zizmor --offline --min-severity medium .github/workflows/

# moto and PostgreSQL are started by the tests themselves, on free ports.
cargo-test:
	$(CARGO) test --workspace

# `cargo install --locked --path .` as the README has it, on the debug build the tests made (--debug,
# the same target dir: no second full build), then the installed binary's version, completions and
# man page.
install-check:
	@root=$$(mktemp -d); trap 'rm -rf "$$root"' EXIT; \
	CARGO_TARGET_DIR=$(ROOT)/target $(CARGO) install --locked --debug --quiet --path . --bin stackdeck --root "$$root"; \
	"$$root/bin/stackdeck" --version; \
	"$$root/bin/stackdeck" completions bash | grep -q _stackdeck; \
	"$$root/bin/stackdeck" man | grep -q '^.TH stackdeck 1'; \
	echo "install-check: cargo install --locked --path . works"

bench: bench-courier bench-deck bench-devstack

# courier's POST /messages against pgbench's insert on the same PostgreSQL (bench/courier/main.rs).
bench-courier: prereqs
	$(CARGO) build --release -p courier --bin courier --example bench-courier
	"$${CARGO_TARGET_DIR:-target}/release/examples/bench-courier"

# stackdeck against the aws CLI on the same moto, refresh cost, log throughput, idle CPU (bench/deck/main.rs).
bench-deck: prereqs
	$(CARGO) build --release --bin stackdeck --example bench-deck
	"$${CARGO_TARGET_DIR:-target}/release/examples/bench-deck"

# the local stack's messaging path: a 5,000-message backlog drained by courier through the agent
# with steady traffic on; drain rate, moto's and the agent's CPU (bench/devstack/main.rs).
bench-devstack: prereqs
	$(CARGO) build --release -p courier --bin courier -p devstack --example bench-devstack
	"$${CARGO_TARGET_DIR:-target}/release/examples/bench-devstack"

clean: down
	$(CARGO) clean
	rm -rf .tools .devstack
