# Sourced by run.sh, run-prod.sh, shell.sh and train.sh.

# Every process the script starts goes into `pids`; `trap stop INT TERM EXIT` stops them all.
pids=()
stop() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  # A Sanic worker still loading the model ignores signals (it runs the handler it inherited from
  # its parent until it installs its own), so Ctrl-C right after start could leave it serving:
  # the workers are asked again until they are gone, and killed after 30 s.
  local tries=0
  while [[ -n "$(children)" ]] && (( tries < 60 )); do
    for pid in $(children); do kill -TERM "$pid" 2>/dev/null || true; done
    sleep 0.5
    tries=$((tries + 1))
  done
  for pid in $(children); do kill -KILL "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}

# Logs: by default each server writes to its file under var/ and the console shows only the
# scripts' own progress and ready lines; LOG_LEVEL=debug (which Rasa reads too) shows everything
# on the console as well, every warning included.
debug_logs() { [[ "${LOG_LEVEL:-}" == [Dd][Ee][Bb][Uu][Gg] ]]; }

# rasa_command sets RASA to Rasa's command line: by default through bot/scripts/quiet.py, which
# ignores the deprecation warnings Rasa's libraries raise (by module and category, so the
# project's own warnings still show); with LOG_LEVEL=debug, rasa itself.
rasa_command() {
  # Rasa reads LOG_LEVEL too, but only in capitals (`debug` stops it with "Unknown level").
  if [[ -n "${LOG_LEVEL:-}" ]]; then export LOG_LEVEL="${LOG_LEVEL^^}"; fi
  if debug_logs; then RASA=("${VENV:-.venv}/bin/rasa"); else RASA=("${VENV:-.venv}/bin/python" -m bot.scripts.quiet); fi
}

# start_logged LOG COMMAND... starts COMMAND in the background, its output to LOG (and to the
# console too with LOG_LEVEL=debug), and adds it to `pids`. LOG is replaced at each start.
start_logged() {
  local log=$1
  shift
  if debug_logs; then
    "$@" > >(tee "$log") 2>&1 &
  else
    "$@" >"$log" 2>&1 &
  fi
  pids+=($!)
}

# The processes started by the servers in `pids` (Sanic's workers), still running.
children() {
  local pid
  for pid in "${pids[@]}"; do pgrep -P "$pid" 2>/dev/null || true; done
}

# write_credentials BASE OUT writes the channels file Rasa reads. REST and the web chat come
# from BASE; Slack is added only when its token and signing secret are set. The file holds
# ${VAR} placeholders that Rasa fills from the environment, never the secrets themselves.
write_credentials() {
  local base=$1 out=$2
  # Rasa refuses a placeholder whose variable is unset; empty means "not used".
  export SLACK_CHANNEL="${SLACK_CHANNEL:-}" SLACK_API_URL="${SLACK_API_URL:-}"
  {
    cat "$base"
    if [[ -n "${SLACK_TOKEN:-}" && -n "${SLACK_SIGNING_SECRET:-}" ]]; then
      echo "bot.channels.slack.ConfigurableSlackInput:"
      echo '  slack_token: ${SLACK_TOKEN}'
      echo '  slack_signing_secret: ${SLACK_SIGNING_SECRET}'
      echo '  slack_channel: ${SLACK_CHANNEL}'
      echo '  slack_api_url: ${SLACK_API_URL}'
      echo "Slack channel enabled: POST http://${HOST}:${PORT}/webhooks/slack/webhook" >&2
    fi
  } > "$out"
}
