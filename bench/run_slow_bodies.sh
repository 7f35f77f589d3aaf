#!/usr/bin/env bash
# 40 slow request bodies against gunicorn as scripts/serve.sh runs it (4 processes × 8 threads),
# first directly, then behind nginx (scripts/proxy.sh). Prints the normal messages' latency.
# Then one resident's flood behind nginx (bench/flood.py): the others' latency.
#
#   bench/run_slow_bodies.sh [--slow 40] [--duration 20] [--stall]   (--stall: no byte after the first 20)
#
# Own database, Redis key prefix and fake WeChat API; ports 8610 (gunicorn), 8611 (nginx), 8612 (fake API).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
slow=40 duration=20 stall=""
while (( $# )); do
    case "$1" in
        --stall) stall="--stall"; shift ;;
        --slow) slow="$2"; shift 2 ;;
        --duration) duration="$2"; shift 2 ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done
run="slow$$"
export DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:5432/lfd_$run"
export REDIS_URL="redis://127.0.0.1:6379/0" KEY_PREFIX="$run:" NLU_BACKEND=keywords
export WECHAT_TOKEN=bench-token WECHAT_APPID=wxbench0000000001 WECHAT_SECRET=bench-secret
export WECHAT_API_BASE="http://127.0.0.1:8612/cgi-bin/" JOURNAL_DIR="$ROOT/var/bench/journal-$run"
unset WECHAT_AES_KEY
mkdir -p var/bench
psql -q -h 127.0.0.1 -U postgres -d test -c "CREATE DATABASE lfd_$run" >/dev/null
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    psql -q -h 127.0.0.1 -U postgres -d test -c "DROP DATABASE IF EXISTS lfd_$run WITH (FORCE)" >/dev/null
    redis-cli -h 127.0.0.1 --scan --pattern "$run:*" | xargs -r redis-cli -h 127.0.0.1 del >/dev/null
}
trap cleanup EXIT
.venv/bin/flask --app webhook setup >/dev/null
.venv/bin/flask --app webhook wechat fake-api --port 8612 >var/bench/slow-fake.log 2>&1 & pids+=($!)
.venv/bin/flask --app webhook worker >var/bench/slow-worker.log 2>&1 & pids+=($!)
.venv/bin/gunicorn --workers 4 --threads 8 --bind 127.0.0.1:8610 --log-level warning 'webhook:create_app()' \
    >var/bench/slow-gunicorn.log 2>&1 & pids+=($!)
scripts/proxy.sh 8611 8610 "$ROOT/var/bench/nginx-$run" >var/bench/slow-nginx.log 2>&1 & pids+=($!)
until curl -fs http://127.0.0.1:8610/healthz >/dev/null && curl -fs http://127.0.0.1:8611/healthz >/dev/null; do sleep 0.5; done
echo "gunicorn 4x8 directly, $slow slow bodies:"
.venv/bin/python bench/slow_bodies.py --url http://127.0.0.1:8610/wechat --slow "$slow" --duration "$duration" $stall
sleep 6  # the slow connections of the first run are gone
echo "behind nginx (deploy/nginx.conf.template), $slow slow bodies:"
.venv/bin/python bench/slow_bodies.py --url http://127.0.0.1:8611/wechat --slow "$slow" --duration "$duration" $stall
echo "one resident floods (300 long messages in 10 s) while 20 others write, behind nginx:"
.venv/bin/python bench/flood.py --url http://127.0.0.1:8611/wechat --flood 300 --duration 10
echo "nginx logged $(grep -c 'client timed out\|408' "$ROOT/var/bench/nginx-$run/nginx-error.log" "$ROOT/var/bench/nginx-$run/nginx-access.log" 2>/dev/null | awk -F: '{s+=$2} END {print s+0}') slow-client timeouts"
