#!/usr/bin/env bash
# Beat: the single scheduler. Run exactly one replica (the chart uses a Recreate
# strategy); the schedule file lives on the pod's writable /tmp volume.
set -o errexit -o pipefail -o nounset

exec celery -A matchminds beat \
    --loglevel INFO \
    --schedule /tmp/celerybeat-schedule \
    "$@"
