# Python package targets (included by the root Makefile). Uses the Makefile's VENV/VENV_PY.
#   make py-develop   build the extension (debug) and install acs_chat into .venv (editable)
#   make py-test      py-develop, build the emulator binary, run tests/python
#   make py-demo      py-develop, run examples/quickstart.py (in-process emulator, or ACS_CONNECTION_STRING)
#   make py-typecheck mypy --strict (package, tests/python, quickstart) and mypy.stubtest against the built module

PY_VENV_PY ?= .venv/bin/python

.PHONY: py-maturin py-develop py-test py-demo

py-maturin:
	@$(PY_VENV_PY) -c "import maturin" 2>/dev/null || $(PY_VENV_PY) -m pip install --quiet "maturin>=1.5,<2"

py-develop: py-maturin
	@echo "==> maturin develop (acs_chat into .venv)"
	@VIRTUAL_ENV=$(abspath .venv) $(PY_VENV_PY) -m maturin develop --quiet

py-test: py-develop
	@echo "==> cargo build -p acs-chat-emulator"
	@cargo build -p acs-chat-emulator
	@echo "==> pytest tests/python"
	@$(PY_VENV_PY) -m pytest tests/python -q

py-demo: py-develop
	@echo "==> examples/quickstart.py"
	@$(PY_VENV_PY) examples/quickstart.py

# mypy --strict over the package, its tests and the quickstart (installs mypy into .venv when missing).
.PHONY: py-typecheck
py-typecheck:
	@$(PY_VENV_PY) -c "import mypy" 2>/dev/null || $(PY_VENV_PY) -m pip install --quiet "mypy==2.4.1"
	@echo "==> mypy --strict"
	@$(PY_VENV_PY) -m mypy --strict py/python/acs_chat tests/python examples/quickstart.py
	@echo "==> mypy.stubtest acs_chat"
	@$(PY_VENV_PY) -m mypy.stubtest acs_chat --ignore-missing-stub --allowlist py/stubtest-allowlist.txt
