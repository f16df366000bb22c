#!/usr/bin/env bash
# Worker: Celery consumes the queues configured in matchminds/celery.py. On SIGTERM it
# stops taking new tasks and finishes the running ones (warm shutdown); tasks use
# acks_late, so a task killed after terminationGracePeriodSeconds is redelivered.
set -o errexit -o pipefail -o nounset

"$(dirname "$0")/reset-metrics-dir.sh"

exec celery -A matchminds worker \
    --loglevel INFO \
    --concurrency "${CELERY_CONCURRENCY:-2}" \
    "$@"
