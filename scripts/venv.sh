#!/usr/bin/env bash
# The app's virtualenv (.venv, Python 3.11) with requirements-dev.txt installed: the first step of
# scripts/setup.sh, and all that linting needs (.ci/run runs ruff before the tests).
# Idempotent: it reinstalls only when the requirements changed.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

find_python311() {
    for candidate in python3.11 /root/.pyenv/versions/3.11.*/bin/python3.11; do
        if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
            echo "$candidate"
            return 0
        fi
    done
    echo "setup: Python 3.11 is required for the app and was not found (install it, e.g. with pyenv)" >&2
    return 1
}

stamp_of() { cat "$@" | sha256sum | cut -d' ' -f1; }

if [[ ! -x .venv/bin/python ]]; then
    "$(find_python311)" -m venv .venv
fi
wanted="$(stamp_of requirements.txt requirements-dev.txt)"
if [[ ! -f .venv/.installed || "$(cat .venv/.installed)" != "$wanted" ]]; then
    echo "setup: installing the app's dependencies into .venv"
    .venv/bin/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
    echo "$wanted" >.venv/.installed
fi
