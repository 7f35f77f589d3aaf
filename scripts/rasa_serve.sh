#!/usr/bin/env bash
# Start the Rasa NLU server in the background and wait until it answers.
#
#   RASA_PORT    port on 127.0.0.1 (default 5005)
#   RASA_TOKEN   API token; when unset, read from var/rasa_token (0600, created with a random
#                token on first use) — the app's settings read the same file, so dev needs no
#                setup. Rasa gets it through rasa/serve.py, never on a command line (ps shows
#                every process's arguments); curl reads the URLs carrying it from stdin.
#   RASA_MODEL_NAME  model file under models/ (default nlu → models/nlu.tar.gz)
#   RASA_MODEL_FILE  any model file instead (a registered version, a candidate being evaluated)
#
# Pid file var/rasa-$RASA_PORT.pid, log var/rasa-$RASA_PORT.log. Stop with scripts/rasa_stop.sh.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source scripts/rasa_env_vars.sh

PORT="${RASA_PORT:-5005}"
PID_FILE="$ROOT/var/rasa-$PORT.pid"
LOG_FILE="$ROOT/var/rasa-$PORT.log"
TOKEN_FILE="$ROOT/var/rasa_token"
BASE_URL="http://127.0.0.1:$PORT"
START_TIMEOUT_S="${RASA_START_TIMEOUT:-180}"
mkdir -p var

if [[ -z "${RASA_TOKEN:-}" ]]; then
    if [[ ! -s "$TOKEN_FILE" ]]; then
        (umask 077 && head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$TOKEN_FILE")
    fi
    RASA_TOKEN="$(cat "$TOKEN_FILE")"
fi

# curl's config from stdin: the URL with the token stays out of curl's arguments.
rasa_url() { printf 'url = "%s%s?token=%s"\n' "$BASE_URL" "$1" "$RASA_TOKEN"; }

answers() {
    rasa_url /status | curl -fsS --max-time 2 -K - >/dev/null 2>&1
}

parse() {
    rasa_url /model/parse | curl -fsS --max-time 10 -K - -H 'Content-Type: application/json' \
        -d "{\"text\": \"$1\"}"
}

if [[ -f "$PID_FILE" ]] && kill -0 "$(cat "$PID_FILE")" 2>/dev/null && answers; then
    echo "rasa_serve: already running on $BASE_URL (pid $(cat "$PID_FILE"))"
    exit 0
fi

if [[ ! -f "$RASA_MODEL" ]]; then
    echo "rasa_serve: no model at $RASA_MODEL; run scripts/rasa_train.sh first" >&2
    exit 1
fi

# One TensorFlow thread per pool: a parse is one small model call, and TF's default pools (one
# thread per core) spin while they wait, taking CPU from the web workers and the other Rasa
# servers: 7.7 ms of CPU a parse instead of 10.6 ms under load, 68 → 97 messages/s end to end
# (docs/reliability.md, "Residents' first messages with real Rasa").
export TF_INTRA_OP_PARALLELISM_THREADS="${TF_INTRA_OP_PARALLELISM_THREADS:-1}"
export TF_INTER_OP_PARALLELISM_THREADS="${TF_INTER_OP_PARALLELISM_THREADS:-1}"

# setsid: the server gets its own process group, so rasa_stop.sh can end it and its children.
# rasa/serve.py takes the token from RASA_TOKEN when the caller set it, else from var/rasa_token.
setsid "$RASA_PYTHON" rasa/serve.py run --enable-api -i 127.0.0.1 -p "$PORT" \
    --model "$RASA_MODEL" >"$LOG_FILE" 2>&1 < /dev/null &
echo $! >"$PID_FILE"
started=$(date +%s)

until answers; do
    if ! kill -0 "$(cat "$PID_FILE")" 2>/dev/null; then
        echo "rasa_serve: server exited during start; last log lines:" >&2
        tail -n 20 "$LOG_FILE" >&2
        exit 1
    fi
    if (( $(date +%s) - started > START_TIMEOUT_S )); then
        echo "rasa_serve: no answer from $BASE_URL after ${START_TIMEOUT_S} s; see $LOG_FILE" >&2
        exit 1
    fi
    sleep 1
done

# The first parses after start are slow (TF graph tracing): pay for them here, not on a resident.
for warm_text in "你好" "楼上漏水到我家了怎么办" "物业不修电梯" "公司拖欠工资 13800138000"; do
    parse "$warm_text" >/dev/null
done

health="$(parse "邻居装修太吵了")"
if ! grep -q '"intent"' <<<"$health"; then
    echo "rasa_serve: health check parse failed: $health" >&2
    exit 1
fi
echo "rasa_serve: up on $BASE_URL (pid $(cat "$PID_FILE")) after $(( $(date +%s) - started )) s"
