#!/usr/bin/env bash
# Empties PROMETHEUS_MULTIPROC_DIR before daphne or Celery starts (docker/web.sh,
# docker/worker.sh). prometheus_client's multiprocess mode keeps one file per process and
# metric type there; the chart's emptyDir outlives container restarts, and a new process
# often gets the same PID as its predecessor, so stale files would be summed into the new
# values (an open-connections gauge stuck at the dead process's count). No-op when unset.
set -o errexit -o pipefail -o nounset

directory="${PROMETHEUS_MULTIPROC_DIR:-}"
[[ -n "${directory}" ]] || exit 0
mkdir -p "${directory}"
find "${directory}" -mindepth 1 -delete
