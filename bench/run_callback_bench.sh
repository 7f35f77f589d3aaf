#!/usr/bin/env bash
# Benchmark the callback under gunicorn, with PostgreSQL and Redis as in production, driven by wrk
# with pre-signed requests on loopback.
#
#   bench/run_callback_bench.sh [--connections 8] [--duration 20] [--workers NPROC] [--threads 1] [--safe]
#                               [--messages keyword|first] [--rasa N]
#
# --messages keyword (default): short messages the keyword rules answer without a case.
# --messages first: residents' first messages (stories, questions, complaints), each from a new resident.
# --threads N: threads per gunicorn worker (scripts/serve.sh runs 8; 1 means sync workers).
# --rasa N: classify with N real Rasa servers (ports 8610…, started and stopped here) instead of
#           the keyword rules; implies --messages first unless given.
#
# BENCH_CLOSE=1 (environment): a new connection per request instead of keep-alive.
#
# Prints messages/s and p50/p95/p99 latency. Starts and stops its own gunicorn, worker and fake
# WeChat API on ports 8600/8601, with its own database and Redis key prefix.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

connections=8 duration=20 workers=$(nproc) threads=1 safe=0 messages="" rasa=0
while (( $# )); do
    case "$1" in
        --connections) connections="$2"; shift 2 ;;
        --duration) duration="$2"; shift 2 ;;
        --workers) workers="$2"; shift 2 ;;
        --threads) threads="$2"; shift 2 ;;
        --safe) safe=1; shift ;;
        --messages) messages="$2"; shift 2 ;;
        --rasa) rasa="$2"; shift 2 ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done

command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
[[ -x .venv/bin/python ]] || scripts/setup.sh

run="bench$$"
export DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:5432/lfd_$run"
export REDIS_URL="redis://127.0.0.1:6379/0" KEY_PREFIX="$run:" NLU_BACKEND=keywords
# Its own journal: what it keeps belongs to its own database, dropped at the end with it.
export JOURNAL_DIR="$ROOT/var/bench/journal-$run"
if [[ -z "$messages" ]]; then messages=$( (( rasa )) && echo first || echo keyword ); fi
openids=$([[ $messages == first ]] && echo 0 || echo 2000)
export WECHAT_TOKEN=bench-token WECHAT_APPID=wxbench0000000001 WECHAT_SECRET=bench-secret
export WECHAT_API_BASE="http://127.0.0.1:8601/cgi-bin/"
if (( safe )); then export WECHAT_AES_KEY="abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"; else unset WECHAT_AES_KEY; fi
mkdir -p var/bench
psql -q -h 127.0.0.1 -U postgres -d test -c "CREATE DATABASE lfd_$run" >/dev/null

pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for ((n = 0; n < rasa; n++)); do RASA_PORT=$((8610 + n)) scripts/rasa_stop.sh >/dev/null 2>&1 || true; done
    wait 2>/dev/null || true
    psql -q -h 127.0.0.1 -U postgres -d test -c "DROP DATABASE IF EXISTS lfd_$run WITH (FORCE)" >/dev/null
    rm -rf "$JOURNAL_DIR"
    redis-cli -h 127.0.0.1 --scan --pattern "$run:*" | xargs -r redis-cli -h 127.0.0.1 del >/dev/null
}
trap cleanup EXIT

if (( rasa )); then
    rasa_urls=()
    for ((n = 0; n < rasa; n++)); do
        RASA_PORT=$((8610 + n)) scripts/rasa_serve.sh
        rasa_urls+=("http://127.0.0.1:$((8610 + n))")
    done
    export NLU_BACKEND=rasa RASA_URL="$(IFS=,; echo "${rasa_urls[*]}")"
fi
.venv/bin/flask --app webhook setup >/dev/null
.venv/bin/flask --app webhook wechat fake-api --port 8601 >var/bench/fake.log 2>&1 & pids+=($!)
.venv/bin/flask --app webhook worker >var/bench/worker.log 2>&1 & pids+=($!)
.venv/bin/gunicorn --workers "$workers" --threads "$threads" --bind 127.0.0.1:8600 --log-level warning 'webhook:create_app()' \
    >var/bench/gunicorn.log 2>&1 & pids+=($!)

# Enough requests for the fastest run seen (431 msg/s), signed far enough ahead that writing them
# (several seconds) does not eat into the reply budget of the last ones.
total=$(( duration * 500 ))
.venv/bin/python bench/make_requests.py --count "$total" --out var/bench/requests.txt --sign-ahead 5 \
    --messages "$messages" --openids "$openids"
until curl -fs http://127.0.0.1:8600/healthz >/dev/null; do sleep 0.5; done
# /healthz answers from whichever worker is free: wait until every worker has loaded the danger and
# group signals (jieba's dictionary: seconds of CPU each), or the first seconds measure their loading.
for _ in $(seq 240); do
    (( $(grep -c "signals ready" var/bench/gunicorn.log) >= workers )) && break
    sleep 0.5
done

wrk_threads=$(( connections < 2 ? connections : 2 ))
# Warm-up: every gunicorn worker connects to PostgreSQL and Redis before the measured run.
BENCH_REQUESTS=var/bench/requests.txt BENCH_THREADS=$wrk_threads \
    wrk -t "$wrk_threads" -c "$connections" -d 3 -s bench/callback.lua http://127.0.0.1:8600 >/dev/null
.venv/bin/python bench/make_requests.py --count "$total" --out var/bench/requests.txt --sign-ahead $(( duration + 12 )) \
    --messages "$messages" --openids "$openids"
echo "callback benchmark: gunicorn $workers workers × $threads threads, $connections connections, $([[ $safe == 1 ]] && echo safe || echo plaintext) mode, PostgreSQL + Redis, $messages messages, $( (( rasa )) && echo "$rasa Rasa server(s)" || echo "keyword rules")"
rasa_ports=(); for ((n = 0; n < rasa; n++)); do rasa_ports+=($((8610 + n))); done
.venv/bin/python bench/cpu_share.py snapshot "${rasa_ports[@]}" >var/bench/cpu-before.json
BENCH_REQUESTS=var/bench/requests.txt BENCH_THREADS=$wrk_threads \
    wrk -t "$wrk_threads" -c "$connections" -d "$duration" -s bench/callback.lua http://127.0.0.1:8600 \
    | sed -n '/^messages:/,$p' | tee var/bench/wrk.out
.venv/bin/python bench/cpu_share.py snapshot "${rasa_ports[@]}" >var/bench/cpu-after.json
.venv/bin/python bench/cpu_share.py report var/bench/cpu-before.json var/bench/cpu-after.json \
    "$(sed -n 's/^messages: \([0-9]*\).*/\1/p' var/bench/wrk.out)"
