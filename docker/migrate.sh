#!/usr/bin/env bash
# Migrate: applies database migrations; run once per release (Helm pre-install and
# pre-upgrade hook) before new web and worker pods start.
set -o errexit -o pipefail -o nounset

exec python manage.py migrate --noinput "$@"
