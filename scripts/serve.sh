#!/usr/bin/env bash
# Run the service: the WeChat webhook (gunicorn on 127.0.0.1:$PORT), Rasa and the job worker.
#
# Embedded defaults where they can serve: with no DATABASE_URL a SQLite file under var/, with no
# REDIS_URL an in-process store (one web process; jobs run inside it). With no WECHAT_SECRET the
# service talks to the local fake WeChat API server (started here on 127.0.0.1:8081), so
# `flask --app webhook wechat chat` works out of the box and nothing reaches a real WeChat server.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
scripts/setup.sh

export PORT="${PORT:-8000}"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for ((n = 0; n < ${RASA_SERVERS:-1}; n++)); do
        RASA_PORT=$((${RASA_PORT:-5005} + n)) scripts/rasa_stop.sh >/dev/null 2>&1 || true
    done
}
trap cleanup EXIT INT TERM

if [[ -z "${WECHAT_SECRET:-}" ]]; then
    # No app secret: the service talks to the local fake WeChat API (see bot/config.py).
    .venv/bin/flask --app webhook wechat fake-api --port "${FAKE_WECHAT_PORT:-8081}" >var/fake-wechat.log 2>&1 &
    pids+=($!)
    echo "serve: WECHAT_SECRET unset — using the local fake WeChat API on port ${FAKE_WECHAT_PORT:-8081}"
fi

# RASA_SERVERS Rasa servers on consecutive ports from RASA_PORT; the client spreads parses over them.
rasa_base="${RASA_PORT:-5005}" rasa_ports=() rasa_urls=()
for ((n = 0; n < ${RASA_SERVERS:-1}; n++)); do
    rasa_ports+=($((rasa_base + n)))
    RASA_PORT=$((rasa_base + n)) scripts/rasa_serve.sh
    rasa_urls+=("http://127.0.0.1:$((rasa_base + n))")
done
export RASA_URL="${RASA_URL:-$(IFS=,; echo "${rasa_urls[*]}")}"

# Run a command again whenever it exits: an RQ worker quits when Redis goes away while it runs a
# job (bench/kill_run.py: both workers gone after a 15 s outage), and nothing else restarts it.
# TERM (cleanup) stops the command, then the loop.
supervise() {
    local child=""
    trap 'kill "$child" 2>/dev/null || true; wait; exit 0' TERM INT
    while true; do
        "$@" &
        child=$!
        wait "$child" || true
        echo "serve: '$*' exited; starting it again in 2 s" >&2
        sleep 2
    done
}

if [[ -n "${REDIS_URL:-}" ]]; then
    # One process a core: on 2 cores, 2 × 8 threads answered first messages with real Rasa
    # 11 % faster than 4 × 8 (fewer processes contending for the cores; docs/reliability.md).
    workers="${WEB_CONCURRENCY:-$(nproc)}"
    for ((n = 1; n <= ${QUEUE_WORKERS:-1}; n++)); do
        (supervise .venv/bin/flask --app webhook worker) >"var/worker-$n.log" 2>&1 &
        pids+=($!)
    done
else
    workers=1  # the embedded store lives in one process
fi

# A Rasa server that died or hangs is started again (the others carry the parses meanwhile; with
# one server, the keyword rules answer until it is back, about a minute).
scripts/rasa_watch.sh "${rasa_ports[@]}" >>var/rasa-watch.log 2>&1 &
pids+=($!)

# Housekeeping every 5 minutes: overdue cases go up a level, stuck messages are queued again.
(while sleep 300; do .venv/bin/flask --app webhook sweep >>var/sweep.log 2>&1; done) &
pids+=($!)

if [[ -n "${PROXY_PORT:-}" ]]; then
    # Production: nginx takes the connections, reads bodies whole, and passes them on.
    # It names each client in X-Forwarded-For; the console counts failed log-ins by that address.
    export TRUSTED_PROXIES="${TRUSTED_PROXIES:-127.0.0.1}"
    scripts/proxy.sh "$PROXY_PORT" "$PORT" >var/proxy.log 2>&1 &
    proxy_pid=$!
    pids+=("$proxy_pid")
    # nginx missing, its configuration refused, or the port taken (nginx gives up after 2.5 s): say
    # so rather than announce a proxy that is not there. Up, it answers (502 until gunicorn starts).
    for _ in {1..25}; do
        if ! kill -0 "$proxy_pid" 2>/dev/null; then
            echo "serve: nginx did not start on port $PROXY_PORT:" >&2
            cat var/proxy.log >&2
            exit 1
        fi
        headers="$(curl -s -o /dev/null -D - --max-time 1 "http://127.0.0.1:$PROXY_PORT/healthz" || true)"
        [[ "${headers,,}" == *"server: nginx"* ]] && break
        sleep 0.2
    done
    echo "serve: nginx on http://127.0.0.1:$PROXY_PORT/wechat in front of the webhook"
fi
# Housekeeping once at start (messages kept in Redis or the journal while the database was down,
# answers that failed): in the background, so the webhook does not wait for it.
(.venv/bin/flask --app webhook sweep >>var/sweep.log 2>&1 || true) &
pids+=($!)

# Each process warms up (signals, Jieba, database connections) before it accepts a connection
# (webhook/gunicorn_conf.py); "webhook on" is said once one answers /healthz — 200, or 503 while
# the database or Redis is down (it answers residents all the same) — so the first residents are
# answered as fast as any later ones.
.venv/bin/gunicorn --config python:webhook.gunicorn_conf --workers "$workers" --threads 8 --bind "127.0.0.1:$PORT" \
    --access-logfile - --access-logformat '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms' \
    'webhook:create_app()' &
gunicorn_pid=$!
pids+=("$gunicorn_pid")
until [[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://127.0.0.1:$PORT/healthz")" != 000 ]]; do
    if ! kill -0 "$gunicorn_pid" 2>/dev/null; then
        echo "serve: gunicorn exited before the webhook answered" >&2
        exit 1
    fi
    sleep 0.2
done
echo "serve: webhook on http://127.0.0.1:$PORT/wechat ($workers process(es)); Ctrl-C stops everything"
# Waiting in the background lets a TERM to this script stop everything it started.
wait "$gunicorn_pid"
