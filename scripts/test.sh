#!/usr/bin/env bash
# Runs the whole test suite against real PostgreSQL and Redis (overridable by env).
set -o errexit -o pipefail -o nounset
cd "$(dirname "$0")/.."

VENV=${VENV:-.venv}
export DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/matchminds}
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/9}
export DJANGO_SETTINGS_MODULE=matchminds.settings.test

if ! "$VENV/bin/python" -c "import psycopg, sys; psycopg.connect(sys.argv[1], dbname='postgres', connect_timeout=3).close()" "$DATABASE_URL"; then
  echo "PostgreSQL is not reachable for DATABASE_URL=$DATABASE_URL" >&2
  exit 1
fi
exec "$VENV/bin/pytest" "$@"
