#!/usr/bin/env bash
# Create or refresh .venv-rasa/ (Python 3.10) from the lock in rasa/constraints.txt.
#
#   scripts/rasa_env.sh          install when the lock changed since the last install (fast no-op otherwise)
#   scripts/rasa_env.sh --force  reinstall even when the stamp says it is up to date
#   scripts/rasa_env.sh --lock   re-resolve rasa/requirements.txt into rasa/constraints.txt
#
# Rasa 3.6 declares Python <3.11 and pins SQLAlchemy 1.4, redis<5 and pydantic 1, so it lives in
# its own virtualenv; the app's .venv (Python 3.11) never sees these packages.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export RASA_TELEMETRY_ENABLED=false

UV_VERSION="0.9.5"
RASA_VENV="$ROOT/.venv-rasa"
TOOLS_DIR="$ROOT/var/tools/uv"
REQUIREMENTS="rasa/requirements.txt"
LOCK="rasa/constraints.txt"
STAMP="$RASA_VENV/.installed-lock-sha256"

find_python310() {
    # Prefer pyenv's 3.10 (any patch release), then whatever python3.10 is on PATH.
    local candidate
    for candidate in "${PYENV_ROOT:-/root/.pyenv}"/versions/3.10.*/bin/python; do
        if [[ -x "$candidate" ]]; then echo "$candidate"; return 0; fi
    done
    if command -v python3.10 >/dev/null 2>&1; then command -v python3.10; return 0; fi
    return 1
}

find_uv() {
    # Use an existing uv when there is one; otherwise install the pinned one under var/tools/.
    if [[ -x "$TOOLS_DIR/bin/uv" ]]; then echo "$TOOLS_DIR/bin/uv"; return 0; fi
    if command -v uv >/dev/null 2>&1; then command -v uv; return 0; fi
    local bootstrap_python
    bootstrap_python="$(command -v python3.11 || command -v python3)"
    echo "rasa_env: installing uv==$UV_VERSION into $TOOLS_DIR" >&2
    "$bootstrap_python" -m venv "$TOOLS_DIR" >&2
    "$TOOLS_DIR/bin/pip" install --quiet "uv==$UV_VERSION" >&2
    echo "$TOOLS_DIR/bin/uv"
}

lock_hash() {
    sha256sum "$LOCK" "$REQUIREMENTS" | sha256sum | cut -d' ' -f1
}

UV="$(find_uv)"

if [[ "${1:-}" == "--lock" ]]; then
    "$UV" pip compile "$REQUIREMENTS" --python-version 3.10 \
        --python-platform x86_64-manylinux_2_28 -o "$LOCK"
    exit 0
fi

if [[ "${1:-}" != "--force" && -f "$STAMP" && "$(cat "$STAMP")" == "$(lock_hash)" ]]; then
    echo "rasa_env: $RASA_VENV is up to date"
    exit 0
fi

if ! PYTHON310="$(find_python310)"; then
    echo "rasa_env: Python 3.10 not found (looked in ${PYENV_ROOT:-/root/.pyenv}/versions/3.10.*" \
         "and on PATH); install it, e.g. 'pyenv install 3.10', then run this again" >&2
    exit 1
fi

started=$(date +%s)
if [[ ! -x "$RASA_VENV/bin/python" ]] || ! "$RASA_VENV/bin/python" -c \
        'import sys; sys.exit(sys.version_info[:2] != (3, 10))'; then
    rm -rf "$RASA_VENV"
    "$UV" venv --python "$PYTHON310" "$RASA_VENV"
fi
# pip's system-wide constraints file (/etc/xdg/pip) is not ours to obey here; the lock is.
UV_CONSTRAINT="" "$UV" pip install --python "$RASA_VENV/bin/python" \
    -r "$REQUIREMENTS" -c "$LOCK"
lock_hash >"$STAMP"
echo "rasa_env: installed in $(( $(date +%s) - started )) s"
