#!/usr/bin/env bash
# Creates .venv (if missing) and installs the conformance requirements into it, but only when the
# requirements file or the interpreter changed since the last successful install: the stamp file
# inside .venv records a hash of both, so a re-run of `make test` costs nothing.
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
venv="${VENV:-$repo_root/.venv}"
requirements="${REQUIREMENTS:-$repo_root/tests/conformance/requirements.txt}"
python="${PYTHON:-python3}"
stamp="$venv/.requirements.sha256"

if [[ ! -f "$requirements" ]]; then
    echo "ensure_venv: requirements file not found: $requirements" >&2
    exit 1
fi

if [[ ! -x "$venv/bin/python" ]]; then
    if ! command -v "$python" >/dev/null 2>&1; then
        echo "ensure_venv: '$python' not found; install Python 3.11 with the venv module (or set PYTHON=...)" >&2
        exit 1
    fi
    echo "==> creating virtualenv $venv with $("$python" --version 2>&1)"
    "$python" -m venv "$venv"
fi

# The interpreter version is part of the stamp: a venv rebuilt on a newer Python needs a reinstall.
wanted=$( { sha256sum <"$requirements"; "$venv/bin/python" --version 2>&1; } | sha256sum | cut -d' ' -f1)
if [[ -f "$stamp" && "$(cat "$stamp")" == "$wanted" ]]; then
    exit 0
fi

echo "==> installing $(realpath --relative-to="$repo_root" "$requirements") into $(realpath --relative-to="$repo_root" "$venv")"
# Keep pip's cache out of the user's home: nothing is cached outside the repository.
PIP_CACHE_DIR="$venv/pip-cache" "$venv/bin/python" -m pip install --no-cache-dir --disable-pip-version-check -q -r "$requirements"
echo "$wanted" >"$stamp"
