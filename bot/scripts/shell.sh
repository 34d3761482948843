#!/usr/bin/env bash
# A terminal conversation (make shell): starts the action server and a Rasa server with the REST
# channel on free loopback ports, then our client bot/shell.py (Japanese prompt, numbered choices;
# one message per line when standard input is not a terminal). Leaving it stops both servers.
set -euo pipefail
cd "$(dirname "$0")/../.."

VENV=${VENV:-.venv}
MODEL=${MODEL:-models/office-guide.tar.gz}
HOST=127.0.0.1
free_port() { "$VENV/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
# Free ports unless given, so the shell runs next to `make run` and other shells.
PORT=${PORT:-$(free_port)}
ACTION_PORT=${ACTION_PORT:-$(free_port)}
while [[ "$ACTION_PORT" == "$PORT" ]]; do ACTION_PORT=$(free_port); done
mkdir -p var
export ACTION_ENDPOINT_URL="http://${HOST}:${ACTION_PORT}/webhook"
export TRACKER_DB="${TRACKER_DB:-var/tracker-shell.db}"
export LOCK_DIR="${LOCK_DIR:-var/locks-shell-${PORT}}"
# One person, one conversation: a single Sanic worker loads the model once, so it starts sooner.
export SANIC_WORKERS=1
export RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=${TF_CPP_MIN_LOG_LEVEL:-2}
rm -rf "$LOCK_DIR"

# The REST channel only: the client talks to it as `rasa shell` does.
CREDENTIALS="var/credentials-shell.yml"
echo "bot.channels.rest.CheckedRestInput:" > "$CREDENTIALS"

source bot/scripts/common.sh
rasa_command
finish() {
  stop
  rm -rf "$LOCK_DIR"
}
trap finish INT TERM EXIT

rasa_log="var/rasa-shell.log" actions_log="var/actions-shell.log"
# rasa_sdk binds 0.0.0.0 unless SANIC_HOST says otherwise: the action server is for Rasa only.
start_logged "$actions_log" env SANIC_HOST=$HOST "${RASA[@]}" run actions --actions actions --port "$ACTION_PORT"
start_logged "$rasa_log" "${RASA[@]}" run --model "$MODEL" --interface "$HOST" --port "$PORT" \
  --endpoints bot/endpoints.yml --credentials "$CREDENTIALS"

# The client shows the progress and ready lines while it waits for both servers.
status=0
"$VENV/bin/python" -m bot.shell --url "http://${HOST}:${PORT}" \
  --wait "http://${HOST}:${PORT}/" --wait "http://${HOST}:${ACTION_PORT}/health" \
  --pid "${pids[0]}" --pid "${pids[1]}" --log "$rasa_log" --log "$actions_log" || status=$?
exit "$status"
