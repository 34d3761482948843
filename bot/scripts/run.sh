#!/usr/bin/env bash
# Starts the action server and the Rasa server (REST, web chat, Slack if configured); Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/../.."

PORT=${PORT:-5005}
ACTION_PORT=${ACTION_PORT:-5055}
HOST=${HOST:-127.0.0.1}
VENV=${VENV:-.venv}
MODEL=${MODEL:-models/office-guide.tar.gz}
mkdir -p var
export ACTION_ENDPOINT_URL="http://127.0.0.1:${ACTION_PORT}/webhook"
# One SQLite file per port, so two copies side by side never share a database.
export TRACKER_DB="${TRACKER_DB:-var/tracker-${PORT}.db}"
# One Sanic worker per core, sharing the port; a conversation's messages still run one at a time
# (the lock store in bot/endpoints.yml). Locks left by a server that was killed go with it.
export SANIC_WORKERS=${SANIC_WORKERS:-$(nproc 2>/dev/null || echo 1)}
export LOCK_DIR="${LOCK_DIR:-var/locks-${PORT}}"
rm -rf "$LOCK_DIR"
export RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=${TF_CPP_MIN_LOG_LEVEL:-2}

# Channels: REST always; Slack only when its token and signing secret are set. The file
# holds ${VAR} placeholders that Rasa fills from the environment, never the secrets.
CREDENTIALS="var/credentials-${PORT}.yml"
source bot/scripts/common.sh
write_credentials bot/credentials.yml "$CREDENTIALS"

trap stop INT TERM EXIT

# Rasa's HTTP API (trackers, model, training) stays off unless RASA_API_TOKEN is set; then
# every API call must carry ?token=<it>. Rasa takes the token only on its command line.
api=()
if [[ -n "${RASA_API_TOKEN:-}" ]]; then
  api=(--enable-api --auth-token "$RASA_API_TOKEN")
  echo "Rasa HTTP API enabled (token required) on http://${HOST}:${PORT}/" >&2
fi

started=$(date +%s%N)
# The servers' output goes to these files (and with LOG_LEVEL=debug to the console too).
rasa_log="var/rasa-${PORT}.log" actions_log="var/actions-${ACTION_PORT}.log"
rasa_command
# rasa_sdk binds 0.0.0.0 unless SANIC_HOST says otherwise: the action server is for Rasa only.
# Sanic closes a connection idle for 5 s, even one Rasa is about to use: under load that failed
# actions ("Cannot write to closing transport"); Rasa keeps its connections open longer.
start_logged "$actions_log" env SANIC_HOST=127.0.0.1 SANIC_KEEP_ALIVE_TIMEOUT="${SANIC_KEEP_ALIVE_TIMEOUT:-75}" \
  "${RASA[@]}" run actions --actions actions --port "$ACTION_PORT"
start_logged "$rasa_log" "${RASA[@]}" run --model "$MODEL" --interface "$HOST" --port "$PORT" \
  --endpoints bot/endpoints.yml --credentials "$CREDENTIALS" "${api[@]}"

# One progress line while the model loads: rewritten in place on a terminal, else written once.
progress() {
  if [[ -t 1 ]]; then
    printf '\rLoading the model and starting the servers... %d s ' $(( ($(date +%s%N) - started) / 1000000000 ))
  elif [[ ${1:-} == first ]]; then
    printf 'Loading the model and starting the servers...\n'
  fi
}
debug_logs || progress first
# Announce readiness once the Rasa server answers (it loads the model before listening).
ready=false
for i in $(seq 1 600); do
  if curl -sf "http://${HOST}:${PORT}/" >/dev/null 2>&1; then
    ready=true
    elapsed_ms=$(( ($(date +%s%N) - started) / 1000000 ))
    [[ -t 1 ]] && ! debug_logs && printf '\r\033[K'
    printf '\nBot ready after %d.%01d s. REST channel: POST http://%s:%s/webhooks/rest/webhook\n' \
      $((elapsed_ms / 1000)) $((elapsed_ms % 1000 / 100)) "$HOST" "$PORT"
    printf 'Web chat: open http://%s:%s/ in a browser\n' "$HOST" "$PORT"
    printf 'Logs: %s and %s (LOG_LEVEL=debug shows them here too)\n' "$rasa_log" "$actions_log"
    printf 'Try: curl -s -XPOST http://%s:%s/webhooks/rest/webhook -d '\''{"sender":"me","message":"経理って何？"}'\''\n\n' "$HOST" "$PORT"
    break
  fi
  kill -0 "${pids[1]}" 2>/dev/null || break
  (( i % 5 == 0 )) && ! debug_logs && progress
  sleep 0.2
done
if ! $ready; then
  printf '\nThe Rasa server did not start. The end of %s:\n' "$rasa_log" >&2
  tail -n 20 "$rasa_log" >&2 || true
fi
# From then on the console shows the servers' errors as they happen (the logs hold the rest);
# tail ends with this script, and `disown` keeps stop() from waiting for it.
if $ready && ! debug_logs; then
  tail -n0 -q -F --pid=$$ "$rasa_log" "$actions_log" 2>/dev/null | grep --line-buffered -E ' (ERROR|CRITICAL) ' >&2 &
  disown
fi

# Stop everything as soon as either server exits.
wait -n "${pids[@]}" || true
