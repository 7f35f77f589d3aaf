#!/usr/bin/env bash
# Run nginx in front of the webhook (deploy/nginx.conf.template), in the foreground.
#
#   scripts/proxy.sh LISTEN_PORT UPSTREAM_PORT [RUN_DIR]
#
# Production recipe: WeChat → nginx (buffers bodies, stamps arrival) → gunicorn on 127.0.0.1.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
listen="$1" upstream="$2" run_dir="${3:-$ROOT/var/nginx-$1}"
command -v nginx >/dev/null || { echo "proxy: nginx is not installed (apt-get install nginx-light)" >&2; exit 1; }
mkdir -p "$run_dir"
# Only our three placeholders are replaced: nginx's own $variables stay as they are.
sed -e "s|\${LISTEN_PORT}|$listen|g" -e "s|\${UPSTREAM_PORT}|$upstream|g" -e "s|\${RUN_DIR}|$run_dir|g" \
    "$ROOT/deploy/nginx.conf.template" >"$run_dir/nginx.conf"
# nginx's error lines quote the request line and the upstream URL, query string and openid
# included: each query string is cut (sed -u: line by line, as they come) before the line is
# kept in nginx-error.log and shown on this script's stderr.
exec nginx -c "$run_dir/nginx.conf" -g 'daemon off;' \
    2> >(sed -u -E 's/\?[^" ]*/?…/g' | tee -a "$run_dir/nginx-error.log" >&2)
