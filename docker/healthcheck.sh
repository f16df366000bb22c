#!/usr/bin/env bash
# Cheap health checks shared by Kubernetes exec probes and the image HEALTHCHECK.
#   healthcheck.sh web      GET /healthz on the local daphne (process alive, no dependencies)
#   healthcheck.sh worker   the worker touches /tmp/celery-worker-heartbeat every 10 s;
#                           fail when it is missing or older than WORKER_HEARTBEAT_MAX_AGE
#   healthcheck.sh beat     the beat process has created its schedule file
#   healthcheck.sh migrate  nothing to probe: a one-shot command
# Without an argument the role comes from MATCHMINDS_ROLE.
set -o errexit -o pipefail -o nounset

role="${1:-${MATCHMINDS_ROLE:-web}}"

case "${role}" in
    web)
        # Host must be one Django accepts (ALLOWED_HOSTS), not 127.0.0.1.
        exec python -c 'import os, sys, urllib.request
port = os.environ.get("PORT", "8000")
host = os.environ.get("ALLOWED_HOSTS", "localhost").split(",")[0].strip()
request = urllib.request.Request(f"http://127.0.0.1:{port}/healthz", headers={"Host": host})
with urllib.request.urlopen(request, timeout=3) as response:
    sys.exit(0 if response.status == 200 else 1)'
        ;;
    worker)
        heartbeat=/tmp/celery-worker-heartbeat
        max_age="${WORKER_HEARTBEAT_MAX_AGE:-60}"
        [[ -f "${heartbeat}" ]] || { echo "no heartbeat file ${heartbeat}" >&2; exit 1; }
        age=$(( $(date +%s) - $(stat --format %Y "${heartbeat}") ))
        if (( age > max_age )); then
            echo "worker heartbeat is ${age}s old (limit ${max_age}s)" >&2
            exit 1
        fi
        ;;
    beat)
        compgen -G '/tmp/celerybeat-schedule*' >/dev/null \
            || { echo "beat has not written its schedule file yet" >&2; exit 1; }
        ;;
    migrate)
        ;;
    *)
        echo "unknown role: ${role} (expected web, worker, beat or migrate)" >&2
        exit 2
        ;;
esac
