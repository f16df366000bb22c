#!/usr/bin/env bash
# Runs the whole app locally: servers, web (daphne), Celery worker and beat under one supervisor
# (scripts/run.py). Ctrl-C or SIGTERM stops everything.
set -o errexit -o pipefail -o nounset
cd "$(dirname "$0")/.."
exec "${VENV:-.venv}/bin/python" -m scripts.run
