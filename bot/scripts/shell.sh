#!/usr/bin/env bash
# A terminal conversation: starts the action server in the background, then rasa shell.
set -euo pipefail
cd "$(dirname "$0")/../.."

ACTION_PORT=${ACTION_PORT:-5055}
VENV=${VENV:-.venv}
MODEL=${MODEL:-models/office-guide.tar.gz}
mkdir -p var
export ACTION_ENDPOINT_URL="http://127.0.0.1:${ACTION_PORT}/webhook"
export TRACKER_DB="${TRACKER_DB:-var/tracker-shell.db}"
export LOCK_DIR="${LOCK_DIR:-var/locks-shell}"
export RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=${TF_CPP_MIN_LOG_LEVEL:-2}

# rasa_sdk binds 0.0.0.0 unless SANIC_HOST says otherwise: the action server is for Rasa only.
SANIC_HOST=127.0.0.1 "$VENV/bin/rasa" run actions --actions actions --port "$ACTION_PORT" >var/actions-shell.log 2>&1 &
actions_pid=$!
trap 'kill -TERM $actions_pid 2>/dev/null || true; wait 2>/dev/null || true' EXIT INT TERM

"$VENV/bin/rasa" shell --model "$MODEL" --endpoints bot/endpoints.yml "$@"
