# Sourced by run.sh and run-prod.sh.

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
