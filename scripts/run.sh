#!/usr/bin/env bash
# Runs the whole app locally: web (daphne), Celery worker and beat under one supervisor.
set -o errexit -o pipefail -o nounset
cd "$(dirname "$0")/.."

VENV=${VENV:-.venv}
BIN="$VENV/bin"
PORT=${PORT:-8000}
export DJANGO_SETTINGS_MODULE=${DJANGO_SETTINGS_MODULE:-matchminds.settings.local}
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/0}
export DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/matchminds_dev}
mkdir -p .run

if ! "$BIN/python" scripts/ensure_database.py "$DATABASE_URL"; then
  echo "No PostgreSQL answers for $DATABASE_URL." >&2
  echo "Start or install it (Debian/Ubuntu: sudo apt-get install postgresql; macOS: brew install postgresql)," >&2
  echo "or set DATABASE_URL to a PostgreSQL database this user may create." >&2
  exit 1
fi

if ! "$BIN/python" -c "import redis, sys; redis.Redis.from_url(sys.argv[1], socket_connect_timeout=1).ping()" "$REDIS_URL" 2>/dev/null; then
  if ! command -v redis-server >/dev/null; then
    echo "No Redis answers at $REDIS_URL and redis-server is not installed." >&2
    echo "Install it (Debian/Ubuntu: sudo apt-get install redis-server; macOS: brew install redis) or set REDIS_URL." >&2
    exit 1
  fi
  PRIVATE_REDIS_PORT=${PRIVATE_REDIS_PORT:-6399}
  echo "No Redis at $REDIS_URL: starting a private redis-server on 127.0.0.1:$PRIVATE_REDIS_PORT"
  redis-server --port "$PRIVATE_REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no \
    --daemonize yes --pidfile "$PWD/.run/redis.pid" --logfile "$PWD/.run/redis.log" --dir "$PWD/.run"
  export REDIS_URL="redis://127.0.0.1:$PRIVATE_REDIS_PORT/0"
  trap 'kill "$(cat .run/redis.pid)" 2>/dev/null || true' EXIT
fi

"$BIN/python" manage.py migrate --noinput -v0
"$BIN/python" manage.py seed_demo
"$BIN/python" manage.py collectstatic --noinput -v0

cat > .run/Procfile <<PROCFILE
web: $BIN/daphne -e tcp:port=$PORT:interface=127.0.0.1:backlog=4096 --websocket_timeout -1 matchminds.asgi:application
worker: $BIN/celery -A matchminds worker --loglevel WARNING --concurrency 2
beat: $BIN/celery -A matchminds beat --loglevel WARNING --schedule .run/celerybeat-schedule
ready: $BIN/python scripts/announce.py http://127.0.0.1:$PORT/
PROCFILE

"$BIN/honcho" -f .run/Procfile start
