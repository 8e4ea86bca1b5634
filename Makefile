# acs-chat developer entry points. `make help` lists them.
#
# Needs: a Rust toolchain (cargo with rustfmt and clippy) and python3 (3.11) with the venv module.
# Python packages go into .venv (created on demand); pip's cache stays inside .venv.

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:

PYTHON ?= python3
VENV := .venv
VENV_PY := $(VENV)/bin/python
EMULATOR_BIN := target/debug/acs-chat-emulator
# `make emulator` settings: override like `make emulator EMULATOR_LISTEN=127.0.0.1:0`. The database (and
# the TLS files the emulator keeps beside it) live under target/, which git ignores.
EMULATOR_LISTEN ?= 127.0.0.1:10000
EMULATOR_DB ?= target/emulator/acs-chat-emulator.sqlite3
EMULATOR_ARGS ?=

export PYTHON
# Every pip run under make (ours and the bindings') keeps its cache out of the user's home.
export PIP_NO_CACHE_DIR := 1

.PHONY: help venv system-tools test demo demo-official-sdk emulator bench install

# The C library's targets (header, ffi-test, ...): see ffi/ffi.mk.
include ffi/ffi.mk
# The Python package's targets (py-develop, py-test, py-demo, py-typecheck): see py/py.mk.
include py/py.mk

help:
	@echo "make test      fmt check, clippy, build, cargo tests, Python conformance suite (official SDK vs emulator),"
	@echo "               Python package tests, C library tests"
	@echo "make demo      the Rust, Python and C quickstarts, each against a fresh emulator; with"
	@echo "               ACS_CONNECTION_STRING set, against that resource instead"
	@echo "make demo-official-sdk  the same tour with the official Python SDK 1.2.0 (for comparison)"
	@echo "make install   PREFIX=/usr/local: the C library (header, .a/.so, pkg-config, CMake package)"
	@echo "make emulator  build and run the emulator in the foreground with --tls on $(EMULATOR_LISTEN),"
	@echo "               data in $(EMULATOR_DB) (Ctrl-C stops it; EMULATOR_ARGS=... adds flags)"
	@echo "make bench     release build, then the benchmarks; writes bench/README.md and bench/results.json"
	@echo "               (QUICK=1: a short run that only checks the harness; make bench-quick: the same with"
	@echo "               debug builds, as make test runs it)"
	@echo "make venv      create .venv and install tests/conformance/requirements.txt (only when changed)"
	@echo "make py-test   the Python package: build it into .venv with maturin, run tests/python (see py/py.mk)"
	@echo "make py-demo   the Python package's quickstart (examples/quickstart.py)"
	@echo "make ffi-test  the C library: header check, C/C++ tests against the emulator (see ffi/ffi.mk)"
	@echo "make header    regenerate include/acs_chat.h"

venv:
	@scripts/ensure_venv.sh

system-tools:
	@scripts/ensure_system_tools.sh

test: venv system-tools
	@echo "==> cargo fmt --all -- --check"
	@cargo fmt --all -- --check
	@echo "==> cargo clippy --workspace --all-targets -- -D warnings"
	@cargo clippy --workspace --all-targets -- -D warnings
	@echo "==> cargo build --workspace --all-targets"
	@cargo build --workspace --all-targets
	@echo "==> cargo test --workspace"
	@cargo test --workspace
	@echo "==> pytest tests/conformance"
	@$(VENV_PY) -m pytest tests/conformance -q
	@$(MAKE) --no-print-directory py-test
	@$(MAKE) --no-print-directory py-typecheck
	@$(MAKE) --no-print-directory ffi-test
	@echo "==> bench harness, quick mode (figures not asserted; written under target/bench-quick)"
	@$(MAKE) --no-print-directory bench-quick
	@echo "==> make test: all checks passed"

# Our three quickstarts: Rust, Python and C. Each starts an emulator unless ACS_CONNECTION_STRING is set, in
# which case it talks to that Azure Communication Services resource.
demo: venv system-tools
	@echo "==> Rust quickstart (cargo run --example quickstart)"
	@cargo run --quiet --example quickstart
	@$(MAKE) --no-print-directory py-demo
	@$(MAKE) --no-print-directory ffi-demo

# The same tour with the official azure-communication-chat 1.2.0 SDK, to compare with.
demo-official-sdk: venv
	@if [[ -n "$${ACS_CONNECTION_STRING:-}" ]]; then \
		echo "==> ACS_CONNECTION_STRING is set: running the demo against that resource (no emulator)"; \
		$(VENV_PY) examples/official_sdk_demo.py; \
	else \
		echo "==> cargo build -p acs-chat-emulator"; \
		cargo build -p acs-chat-emulator; \
		$(VENV_PY) scripts/with_emulator.py -- $(VENV_PY) examples/official_sdk_demo.py; \
	fi

# The C library for C/C++ users: header, static and shared library, pkg-config file, CMake package.
install:
	@$(MAKE) --no-print-directory ffi-install PREFIX="$(PREFIX)"

emulator:
	@cargo build -p acs-chat-emulator
	@mkdir -p "$(dir $(EMULATOR_DB))"
	@exec $(EMULATOR_BIN) --listen $(EMULATOR_LISTEN) --tls --db "$(EMULATOR_DB)" $(EMULATOR_ARGS)

# The bench venv (target/bench-venv): the official SDK 1.2.0 (and aiohttp for its aio client) from PyPI,
# matplotlib for the chart, and acs_chat from a release wheel built here.
BENCH_VENV := target/bench-venv
BENCH_PY := $(BENCH_VENV)/bin/python

.PHONY: bench bench-venv bench-quick
bench-venv:
	@test -x $(BENCH_PY) || python3 -m venv $(BENCH_VENV)
	@echo "==> bench venv: azure-communication-chat==1.2.0, aiohttp, matplotlib, maturin"
	@$(BENCH_PY) -m pip install --no-cache-dir --quiet "azure-communication-chat==1.2.0" aiohttp matplotlib "maturin>=1.5,<2"
	@echo "==> maturin build --release (acs_chat wheel into the bench venv)"
	@rm -rf target/bench-wheels
	@VIRTUAL_ENV=$(abspath $(BENCH_VENV)) $(BENCH_VENV)/bin/maturin build --release --quiet --out target/bench-wheels
	@$(BENCH_PY) -m pip install --no-cache-dir --quiet --force-reinstall --no-deps target/bench-wheels/*.whl

bench: bench-venv
	@echo "==> cargo build --release -p acs-chat-emulator -p acs-chat-bench"
	@cargo build --release -p acs-chat-emulator -p acs-chat-bench
	@$(MAKE) --no-print-directory ffi-bench-build
	@target/release/acs-chat-bench --emulator-bin target/release/acs-chat-emulator \
		--c-bench target/release/ffi-bench/bench_send --python $(BENCH_PY) $(if $(QUICK),--quick)

# Harness check for `make test`: DEBUG builds only (no release compile), figures not asserted, < 2 minutes.
# The Python scenario runs when the bench venv exists (make bench made it) and py/python holds a built
# extension (make py-develop); otherwise it is skipped with a notice.
bench-quick:
	@cargo build -p acs-chat-emulator -p acs-chat-bench -p acs-chat-ffi
	@mkdir -p target/bench-quick
	@$(FFI_CC) -std=c11 -Wall -Wextra -Werror -pedantic -O2 -Iinclude -o target/bench-quick/bench_send.tmp \
		tests/c/bench_send.c target/debug/libacs_chat.a $(FFI_LDLIBS)
	@mv -f target/bench-quick/bench_send.tmp target/bench-quick/bench_send
	@# The Python scenario needs acs_chat (a built extension) and the official SDK: the bench venv when
	@# `make bench` made it, else .venv as `make test` leaves it (py-develop + the conformance requirements).
	@py=$$( { [ -x $(BENCH_PY) ] && echo $(BENCH_PY); } || echo $(VENV_PY) ); \
	if ls py/python/acs_chat/_acs_chat*.so >/dev/null 2>&1 && \
			PYTHONPATH=$(CURDIR)/py/python $$py -c "import acs_chat, azure.communication.chat, aiohttp" 2>/dev/null; then \
		PYTHONPATH=$(CURDIR)/py/python target/debug/acs-chat-bench --quick --emulator-bin target/debug/acs-chat-emulator \
			--c-bench target/bench-quick/bench_send --python $$py; \
	else \
		echo "==> bench-quick: no Python with acs_chat and the official SDK: Python scenario skipped"; \
		target/debug/acs-chat-bench --quick --emulator-bin target/debug/acs-chat-emulator \
			--c-bench target/bench-quick/bench_send; \
	fi
