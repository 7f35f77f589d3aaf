#!/usr/bin/env bash
# Keep the Rasa servers on the given ports serving (scripts/serve.sh runs it; ends on TERM/INT).
#
#   scripts/rasa_watch.sh PORT...
#
# A server that died is started again. A server that is alive but has not answered /status for
# RASA_WATCH_STRIKES checks in a row is hung (stopped, deadlocked, starved): it is killed and
# started again. Meanwhile the client sends parses to the other servers, or the keyword rules
# answer when there is no other.
#
#   RASA_WATCH_INTERVAL  seconds between checks (default 10)
#   RASA_WATCH_TIMEOUT   seconds a /status may take (default 5: a busy server answers in well under 1 s)
#   RASA_WATCH_STRIKES   unanswered checks in a row before a live server counts as hung (default 3)
#   RASA_TOKEN           the servers' token (default: var/rasa_token, as scripts/rasa_serve.sh)
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
(( $# )) || { echo "usage: scripts/rasa_watch.sh PORT..." >&2; exit 2; }

interval="${RASA_WATCH_INTERVAL:-10}" timeout="${RASA_WATCH_TIMEOUT:-5}" strikes="${RASA_WATCH_STRIKES:-3}"
declare -A missed=()
child=""
# The start runs in the background and is waited for, so a TERM stops the watch at once (bash
# would hold the signal until a foreground start ended, and the server would outlive the stop).
trap 'kill "$child" 2>/dev/null || true; exit 0' TERM INT

log() { echo "$(date '+%F %T') rasa_watch: $*" >&2; }

answers() {
    local token="${RASA_TOKEN:-$(cat var/rasa_token 2>/dev/null)}"
    # curl reads the URL from stdin: the token stays out of its arguments (ps shows them).
    printf 'url = "http://127.0.0.1:%s/status?token=%s"\n' "$1" "$token" |
        curl -fsS --max-time "$timeout" -K - >/dev/null 2>&1
}

start() {
    RASA_PORT="$1" scripts/rasa_serve.sh >&2 &
    child=$!
    wait "$child" || log "Rasa on port $1 did not start; trying again at the next check"
    child=""
    missed[$1]=0
}

check() {
    local port="$1" pid
    pid="$(cat "var/rasa-$port.pid" 2>/dev/null || echo 0)"
    # A stale pid file may name an unrelated process by now: only a Rasa process counts.
    if ! kill -0 "$pid" 2>/dev/null || ! grep -q rasa "/proc/$pid/cmdline" 2>/dev/null; then
        log "Rasa on port $port is not running; starting it again"
        start "$port"
    elif answers "$port"; then
        missed[$port]=0
    elif (( ++missed[$port] >= strikes )); then
        log "Rasa on port $port (pid $pid) has not answered for $strikes checks; killing and starting it again"
        # rasa_serve.sh started it with setsid: its pid is its process group (Sanic's children too).
        kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
        rm -f "var/rasa-$port.pid"
        start "$port"
    fi
}

for port in "$@"; do missed[$port]=0; done
while true; do
    sleep "$interval" & child=$!
    wait "$child"
    for port in "$@"; do check "$port"; done
done
