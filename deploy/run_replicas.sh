#!/usr/bin/env bash
# Start N Ask Next replicas and nginx in front of them, all on loopback; stop them all on exit.
#
#   deploy/run_replicas.sh                       # serve until Ctrl-C; prints the URL
#   deploy/run_replicas.sh --loadtest            # run deploy/loadtest.py through nginx, then stop
#   deploy/run_replicas.sh --loadtest --users 30 --steps 10 --json
#
# Rooms (the class voting from phones) live in one store every replica reaches: the script starts
# Debian's redis-server on a free loopback port (no persistence) and points every replica at it
# through ASK_NEXT_REDIS_URL; with --no-redis, or ASK_NEXT_REDIS_URL already set, it starts none.
#
# Options (before --loadtest): --replicas N (default 2), --port P (nginx port, default free),
# --opt SECTION.OPTION=VALUE (extra Streamlit config for every replica; repeatable),
# --app PATH (default: the repository's app.py; the replicas run in its folder).
# Everything after --loadtest goes to deploy/loadtest.py; only its report goes to stdout.
# The replicas share a freshly generated server.cookieSecret (passed in the environment, not on
# the command line), so a cookie signed by one replica (XSRF, login) is valid on the others.
# nginx runs in the foreground with its own prefix directory under a temporary folder, using
# deploy/nginx.conf (or $NGINX_CONF) as the template.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${PYTHON:-$(command -v python3 || command -v python)}"
NGINX="${NGINX:-/usr/sbin/nginx}"
NGINX_CONF="${NGINX_CONF:-$REPO/deploy/nginx.conf}"  # the template to render
REDIS_SERVER="${REDIS_SERVER:-$(command -v redis-server || echo /usr/bin/redis-server)}"
START_REDIS=1
REPLICAS=2
APP="$REPO/app.py"
NGINX_PORT=""
OPTS=()
LOADTEST=0
LT_ARGS=()

die() { echo "run_replicas.sh: $*" >&2; exit 2; }

while [ $# -gt 0 ]; do
  case "$1" in
    --replicas) [ $# -ge 2 ] || die "--replicas needs a number"; REPLICAS="$2"; shift 2 ;;
    --port) [ $# -ge 2 ] || die "--port needs a number"; NGINX_PORT="$2"; shift 2 ;;
    --app) [ $# -ge 2 ] || die "--app needs a path"; APP="$(realpath "$2")"; shift 2 ;;
    --opt) [ $# -ge 2 ] || die "--opt needs SECTION.OPTION=VALUE"; OPTS+=("$2"); shift 2 ;;
    --no-redis) START_REDIS=0; shift ;;
    --loadtest) LOADTEST=1; shift; LT_ARGS=("$@"); break ;;
    -h|--help) sed -n '2,19p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) die "unknown option $1 (try --help)" ;;
  esac
done
[[ "$REPLICAS" =~ ^[1-9][0-9]?$ ]] || die "--replicas expects 1..99, got $REPLICAS"
[ -z "$NGINX_PORT" ] || [[ "$NGINX_PORT" =~ ^[0-9]+$ ]] || die "--port expects a number"
[ -f "$APP" ] || die "--app: no such file $APP"
[ -x "$NGINX" ] || die "nginx not found at $NGINX (apt-get install -y nginx, or set NGINX=)"
"$PYTHON" -c "import streamlit" 2>/dev/null || die "$PYTHON cannot import streamlit"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/asknext-replicas.XXXXXX")"
PIDS=()
NGINX_PID=""
REDIS_PID=""

cleanup() {
  trap - EXIT INT TERM
  if [ -n "$NGINX_PID" ]; then kill "$NGINX_PID" 2>/dev/null || true; fi
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  if [ -n "$REDIS_PID" ]; then kill "$REDIS_PID" 2>/dev/null || true; fi
  for pid in "$NGINX_PID" "${PIDS[@]}" "$REDIS_PID"; do
    [ -n "$pid" ] || continue
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  wait 2>/dev/null || true
  if [ -f "$WORK/nginx/logs/access.log" ]; then
    echo "websocket sessions per replica (nginx access log, status 101):" >&2
    awk '$0 ~ /_stcore\/stream/ && $0 ~ / 101 / { for (i = 1; i <= NF; i++)
         if ($i ~ /^upstream=/) n[substr($i, 10)]++ } END { for (u in n) print "  " u, n[u] }' \
      "$WORK/nginx/logs/access.log" >&2
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  "$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

wait_healthy() {  # URL NAME PID
  local deadline=$((SECONDS + 90))
  until [ "$("$PYTHON" - "$1" <<'EOF'
import sys, urllib.request
try:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    print(opener.open(sys.argv[1] + "/_stcore/health", timeout=2).read().decode().strip())
except Exception:
    print("down")
EOF
)" = "ok" ]; do
    kill -0 "$3" 2>/dev/null || { echo "$2 exited; its log:" >&2; tail -30 "$WORK/$2.log" >&2; exit 1; }
    [ $SECONDS -lt $deadline ] || { echo "$2 not healthy after 90 s" >&2; exit 1; }
    sleep 0.3
  done
}

# One secret for all replicas, in the environment so it does not show in `ps`.
STREAMLIT_SERVER_COOKIE_SECRET="$("$PYTHON" -c 'import secrets; print(secrets.token_hex(32))')"
export STREAMLIT_SERVER_COOKIE_SECRET

STREAMLIT_ARGS=()
for opt in "${OPTS[@]}"; do
  [[ "$opt" =~ ^[a-zA-Z]+\.[a-zA-Z]+=.*$ ]] || die "--opt expects SECTION.OPTION=VALUE, got $opt"
  STREAMLIT_ARGS+=("--${opt%%=*}" "${opt#*=}")
done

if [ "$START_REDIS" -eq 1 ] && [ -z "${ASK_NEXT_REDIS_URL:-}" ]; then
  [ -x "$REDIS_SERVER" ] || die "redis-server not found (apt-get install -y redis-server, or --no-redis)"
  REDIS_PORT="$(free_port)"
  "$REDIS_SERVER" --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no \
    >"$WORK/redis.log" 2>&1 &
  REDIS_PID=$!
  for _ in $(seq 100); do
    "$PYTHON" -c "import redis,sys; redis.Redis(port=int(sys.argv[1])).ping()" "$REDIS_PORT" \
      2>/dev/null && break
    kill -0 "$REDIS_PID" 2>/dev/null || { cat "$WORK/redis.log" >&2; exit 1; }
    sleep 0.1
  done
  export ASK_NEXT_REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0"
fi

UPSTREAMS=""
REPLICA_URLS=()
for i in $(seq "$REPLICAS"); do
  port="$(free_port)"
  # cwd = the app's folder (the repository), so its .streamlit/config.toml applies.
  (cd "$(dirname "$APP")" && exec "$PYTHON" -m streamlit run "$(basename "$APP")" \
      --server.headless true --browser.gatherUsageStats false \
      --server.address 127.0.0.1 --server.port "$port" "${STREAMLIT_ARGS[@]}" \
      >"$WORK/replica$i.log" 2>&1) &
  PIDS+=("$!")
  REPLICA_URLS+=("http://127.0.0.1:$port")
  UPSTREAMS+="        server 127.0.0.1:$port max_fails=2 fail_timeout=10s;"$'\n'
done
for i in $(seq "$REPLICAS"); do
  wait_healthy "${REPLICA_URLS[$((i - 1))]}" "replica$i" "${PIDS[$((i - 1))]}"
done

# nginx: its own prefix; workers (user nobody when started as root) must reach the temp dirs.
NGINX_PORT="${NGINX_PORT:-$(free_port)}"
mkdir -p "$WORK/nginx/logs" "$WORK/nginx/tmp"
chmod 755 "$WORK" "$WORK/nginx"
chmod 1777 "$WORK/nginx/tmp"
UPSTREAMS="${UPSTREAMS%$'\n'}" NGINX_PREFIX="$WORK/nginx" NGINX_LISTEN="127.0.0.1:$NGINX_PORT" \
  "$PYTHON" - "$NGINX_CONF" "$WORK/nginx/nginx.conf" <<'EOF'
import os, sys
text = open(sys.argv[1]).read()
for key, env in [("@PREFIX@", "NGINX_PREFIX"), ("@LISTEN@", "NGINX_LISTEN"),
                 ("@UPSTREAMS@", "UPSTREAMS")]:
    text = text.replace(key, os.environ[env])
text = text.replace("@WORKERS@", "1")
open(sys.argv[2], "w").write(text)
EOF
"$NGINX" -t -q -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -g "daemon off;" 2>"$WORK/nginx.log" \
  || { cat "$WORK/nginx.log" >&2; exit 1; }
"$NGINX" -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -g "daemon off;" >"$WORK/nginx.log" 2>&1 &
NGINX_PID=$!
wait_healthy "http://127.0.0.1:$NGINX_PORT" nginx "$NGINX_PID"

URL="http://127.0.0.1:$NGINX_PORT"
echo "Ask Next: $URL (nginx) -> ${REPLICA_URLS[*]} (pids ${PIDS[*]})" >&2
[ -z "${ASK_NEXT_REDIS_URL:-}" ] || echo "Rooms: $ASK_NEXT_REDIS_URL" >&2

if [ "$LOADTEST" -eq 1 ]; then
  LT=("$PYTHON" "$REPO/deploy/loadtest.py" --url "$URL")
  for i in $(seq "$REPLICAS"); do
    LT+=(--replica "${REPLICA_URLS[$((i - 1))]}" --server-pid "${PIDS[$((i - 1))]}")
  done
  status=0
  "${LT[@]}" "${LT_ARGS[@]}" || status=$?
  exit "$status"
fi

echo "Press Ctrl-C to stop." >&2
wait "$NGINX_PID"
