#!/usr/bin/env bash
# Production profile: the action server, RASA_INSTANCES Rasa servers (SANIC_WORKERS each) on
# PostgreSQL (tracker store) and Redis (lock store), behind nginx on PORT. Ctrl-C stops everything.
# PostgreSQL and Redis are not started here: they are checked, and nothing starts without them.
set -euo pipefail
cd "$(dirname "$0")/../.."

PORT=${PORT:-5005}
HOST=${HOST:-127.0.0.1}
ACTION_PORT=${ACTION_PORT:-5055}
RASA_INSTANCES=${RASA_INSTANCES:-2}
# The Rasa instances listen on 127.0.0.1 only; nginx is their one entrance.
RASA_PORTS=${RASA_PORTS:-$(seq -s ' ' $((PORT + 1)) $((PORT + RASA_INSTANCES)))}
VENV=${VENV:-.venv}
MODEL=${MODEL:-models/office-guide.tar.gz}
NGINX=${NGINX:-nginx}
STATE_DIR=${STATE_DIR:-var/prod-${PORT}}
# shellcheck disable=SC2086  # a list of ports
set -- $RASA_PORTS
RASA_INSTANCES=$#

# Connection settings read by bot/prod/endpoints.yml; passwords may be empty (no authentication).
export DB_HOST=${DB_HOST:-127.0.0.1} DB_PORT=${DB_PORT:-5432} DB_USER=${DB_USER:-rasa} \
  DB_PASSWORD=${DB_PASSWORD:-} DB_DATABASE=${DB_DATABASE:-rasa}
export REDIS_HOST=${REDIS_HOST:-127.0.0.1} REDIS_PORT=${REDIS_PORT:-6379} \
  REDIS_PASSWORD=${REDIS_PASSWORD:-} REDIS_DB=${REDIS_DB:-1}
# Sanic workers: Rasa allows more than one only with a lock store other than in-memory.
export SANIC_WORKERS=${SANIC_WORKERS:-2} ACTION_SERVER_SANIC_WORKERS=${ACTION_SERVER_SANIC_WORKERS:-2}
# Sanic closes a connection that sends nothing for KEEP_ALIVE_TIMEOUT (default 5 s), even before its
# first request: a Rasa worker busy for 5 s between connecting to the action server and writing
# the request then loses the action ("Cannot write to closing transport"). Longer than nginx's 60 s.
export SANIC_KEEP_ALIVE_TIMEOUT=${SANIC_KEEP_ALIVE_TIMEOUT:-75}
# SQLAlchemy pool per worker; Rasa's default (50 + 100 overflow) would exceed PostgreSQL's 100 connections.
export SQL_POOL_SIZE=${SQL_POOL_SIZE:-5} SQL_MAX_OVERFLOW=${SQL_MAX_OVERFLOW:-10}
export ACTION_ENDPOINT_URL="http://127.0.0.1:${ACTION_PORT}/webhook"
export RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=${TF_CPP_MIN_LOG_LEVEL:-2}

command -v "$NGINX" >/dev/null || { echo "run-prod: nginx is missing: run 'make prod-deps' (apt-get install nginx)" >&2; exit 1; }
[[ -f "$MODEL" ]] || { echo "run-prod: $MODEL is missing: run 'make train'" >&2; exit 1; }
"$VENV/bin/python" -m bot.prod.preflight || {
  echo "run-prod: not started: PostgreSQL and Redis must be reachable (see docs/production.md)." >&2
  exit 1
}

mkdir -p "$STATE_DIR/nginx"
STATE_DIR=$(cd "$STATE_DIR" && pwd)
# Channels as in run.sh: REST and the web chat always, Slack when its token and secret are set.
CREDENTIALS="$STATE_DIR/credentials.yml"
source bot/scripts/common.sh
write_credentials bot/prod/credentials.yml "$CREDENTIALS"

servers=()
for port in $RASA_PORTS; do servers+=("127.0.0.1:${port}"); done
"$VENV/bin/python" -m bot.prod.nginx --listen "${HOST}:${PORT}" --prefix "$STATE_DIR/nginx" "${servers[@]}" \
  > "$STATE_DIR/nginx/nginx.conf"
"$NGINX" -t -q -p "$STATE_DIR/nginx" -c "$STATE_DIR/nginx/nginx.conf"

trap stop INT TERM EXIT

started=$(date +%s%N)
"$VENV/bin/rasa" run actions --actions actions --port "$ACTION_PORT" &
pids+=($!)
for port in $RASA_PORTS; do
  "$VENV/bin/rasa" run --model "$MODEL" --interface 127.0.0.1 --port "$port" \
    --endpoints bot/prod/endpoints.yml --credentials "$CREDENTIALS" &
  pids+=($!)
done

# nginx starts once every instance answers (each worker loads the model before listening).
ready() {
  for port in $RASA_PORTS; do curl -sf "http://127.0.0.1:${port}/" >/dev/null 2>&1 || return 1; done
}
until ready; do
  for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null || { echo "run-prod: a server exited during start-up" >&2; exit 1; }; done
  sleep 0.5
done
"$NGINX" -p "$STATE_DIR/nginx" -c "$STATE_DIR/nginx/nginx.conf" &
pids+=($!)
for _ in $(seq 1 100); do curl -sf "http://${HOST}:${PORT}/" >/dev/null 2>&1 && break; sleep 0.1; done
elapsed_ms=$(( ($(date +%s%N) - started) / 1000000 ))
printf '\nProduction profile ready after %d.%01d s: %d Rasa instances (%s) x %d Sanic workers, ' \
  $((elapsed_ms / 1000)) $((elapsed_ms % 1000 / 100)) "$RASA_INSTANCES" "$RASA_PORTS" "$SANIC_WORKERS"
printf 'action server x %d workers, PostgreSQL %s:%s/%s, Redis %s:%s/%s.\n' "$ACTION_SERVER_SANIC_WORKERS" \
  "$DB_HOST" "$DB_PORT" "$DB_DATABASE" "$REDIS_HOST" "$REDIS_PORT" "$REDIS_DB"
printf 'REST channel: POST http://%s:%s/webhooks/rest/webhook; web chat: http://%s:%s/\n\n' "$HOST" "$PORT" "$HOST" "$PORT"

# Stop everything as soon as any server exits.
wait -n "${pids[@]}" || true
