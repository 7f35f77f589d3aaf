#!/usr/bin/env bash
# Run the whole test suite against real PostgreSQL, Redis and Rasa (started here when down).
# Each run gets its own database and Redis key prefix (see tests/conftest.py).
# With `-m unit` only the tests that need none of the three run, and none of them is set up.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

run_pytest() {
    local status=0
    .venv/bin/python -m pytest "$@" || status=$?
    if (( status == 5 )); then
        echo "test: pytest collected no tests — that is a failure" >&2
        return 1
    fi
    return "$status"
}

only_unit=0
previous=""
for argument in "$@"; do
    if [[ $argument == -munit || ($previous == -m && $argument == unit) ]]; then only_unit=1; fi
    previous="$argument"
done
if (( only_unit )); then
    scripts/venv.sh
    run_pytest "$@"
    exit $?
fi

if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
    echo "test: starting PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start
    for _ in $(seq 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
fi
if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
    echo "test: starting Redis"
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
    for _ in $(seq 30); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 1; done
fi

scripts/setup.sh

# The console's browser tests drive Debian's Chromium through its own chromedriver (Selenium never
# downloads a driver); the CJK fonts make the screenshots in docs/ legible.
if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
    echo "test: installing chromium and chromium-driver"
    apt-get install -y chromium chromium-driver fonts-noto-cjk \
        || { apt-get update && apt-get install -y chromium chromium-driver fonts-noto-cjk; }
fi

# This checkout's Rasa server when it already runs; else one started here on the first free port
# (another checkout's server or another program may hold 5005; the tests' own servers use 5010–5030).
started_rasa=0
# curl reads the URL from stdin, so the Rasa token is not in its arguments (ps shows them).
rasa_answers() { printf 'url = "http://127.0.0.1:%s/status?token=%s"\n' "$1" "$(cat var/rasa_token 2>/dev/null)" |
    curl -fsS --max-time 2 -K - >/dev/null 2>&1; }
port_taken() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
export RASA_PORT="${RASA_PORT:-5005}"
if ! rasa_answers "$RASA_PORT"; then
    for candidate in "$RASA_PORT" 5006 5007 5008 5009 5031 5032 5033 5034 5035 none; do
        [[ $candidate == none ]] && { echo "test: no free port for Rasa (5005–5009, 5031–5035)" >&2; exit 1; }
        port_taken "$candidate" || break
    done
    export RASA_PORT="$candidate"
    scripts/rasa_serve.sh
    started_rasa=1
fi
stop_rasa() { if (( started_rasa )); then scripts/rasa_stop.sh >/dev/null 2>&1 || true; fi; }
trap stop_rasa EXIT

export RASA_URL="http://127.0.0.1:$RASA_PORT"
run_pytest "$@"
