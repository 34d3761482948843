#!/usr/bin/env bash
# Trains models/office-guide.tar.gz (the Makefile's model rule, so also `make run` and `make shell`
# when the data changed) with one progress line: the component Rasa is training and, for the neural
# ones, a bar of their epochs. Rasa's and TensorFlow's own output goes to var/train.log;
# LOG_LEVEL=debug prints it on the console instead, as `rasa train` does.
set -euo pipefail
cd "$(dirname "$0")/../.."

VENV=${VENV:-.venv}
mkdir -p var
log=var/train.log
source bot/scripts/common.sh
rasa_command
args=(train --config config.yml --domain bot/domain --data data --out models --fixed-model-name office-guide "$@")
if debug_logs; then
  exec "${RASA[@]}" "${args[@]}"
fi

: >"$log"
"${RASA[@]}" "${args[@]}" >"$log" 2>&1 &
pid=$!
trap 'kill -TERM $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; echo; exit 130' INT TERM
started=$(date +%s)

# "<what Rasa does>\t<percent of the epochs of the component it trains, or ->\t<components done>"
# from the log so far. tqdm rewrites its bar with carriage returns; a bar counts only after the
# last component started.
state() {
  tr '\r' '\n' <"$log" | awk '
    BEGIN { doing = "reading the configuration"; percent = "-" }
    /Started validating/ { doing = "checking the data and the domain" }
    /Starting to train component/ { split($0, q, "\047"); doing = "training " q[2]; percent = "-" }
    /Restored component/ { split($0, q, "\047"); doing = "restoring " q[2] " from the cache"; percent = "-"; done++ }
    /Finished training component/ { done++ }
    /Epochs: *[0-9]+%/ { match($0, /[0-9]+%/); percent = substr($0, RSTART, RLENGTH - 1) }
    END { printf "%s\t%s\t%d\n", doing, percent, done }'
}

last=""
while kill -0 "$pid" 2>/dev/null; do
  IFS=$'\t' read -r doing percent done < <(state)
  line="Training the model: ${doing}"
  if [[ $percent != - ]]; then
    filled=$(( percent / 5 ))
    bar=$(printf '%*s' "$filled" '' | tr ' ' '#')$(printf '%*s' $(( 20 - filled )) '' | tr ' ' '.')
    line+=" [${bar}] ${percent}% of its epochs"
  fi
  if [[ -t 1 ]]; then
    seconds=$(( $(date +%s) - started ))
    printf '\r\033[K%s (%d done, %d:%02d)' "$line" "$done" $(( seconds / 60 )) $(( seconds % 60 ))
  elif [[ $percent == - && "$line" != "$last" ]]; then
    echo "$line"  # off a terminal: one line per step, no bar
    last=$line
  fi
  sleep 0.5
done

status=0
wait "$pid" || status=$?
[[ -t 1 ]] && printf '\r\033[K'
if (( status == 0 )); then
  # Rasa's remarks about the data (unused responses, ...) stay in the log: say how many there are.
  printf 'Model trained in %d s (%d warnings about the data in %s).\n' $(( $(date +%s) - started )) \
    "$(grep -c 'UserWarning' "$log" || true)" "$log"
else
  printf 'Training failed (exit %d). The end of %s:\n' "$status" "$log" >&2
  tail -n 30 "$log" >&2
fi
exit "$status"
