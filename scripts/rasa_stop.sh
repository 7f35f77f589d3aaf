#!/usr/bin/env bash
# Stop the Rasa server that scripts/rasa_serve.sh started on RASA_PORT (default 5005).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PORT="${RASA_PORT:-5005}"
PID_FILE="$ROOT/var/rasa-$PORT.pid"

if [[ ! -f "$PID_FILE" ]]; then
    echo "rasa_stop: not running (no $PID_FILE)"
    exit 0
fi
pid="$(cat "$PID_FILE")"

# Only signal the process we started: a stale pid file may name an unrelated process by now.
if ! kill -0 "$pid" 2>/dev/null || ! grep -q rasa "/proc/$pid/cmdline" 2>/dev/null; then
    echo "rasa_stop: pid $pid is not a running Rasa server; removing stale $PID_FILE"
    rm -f "$PID_FILE"
    exit 0
fi

# rasa_serve.sh started the server with setsid, so its pid is also its process group id.
kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid"
for _ in $(seq 1 30); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
done
if kill -0 "$pid" 2>/dev/null; then
    echo "rasa_stop: pid $pid ignored SIGTERM for 15 s; sending SIGKILL"
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid"
fi
rm -f "$PID_FILE"
echo "rasa_stop: stopped pid $pid"
