#!/usr/bin/env bash
# Web: daphne serves HTTP and WebSockets (/ws/). On SIGTERM daphne stops accepting,
# closes open sockets and waits up to --application-close-timeout for consumers, so
# clients reconnect to another pod; the pod's preStop sleep lets the load balancer
# deregister the target first.
set -o errexit -o pipefail -o nounset

# The ALB's and kubelet's health checks send the pod IP as Host; Django rejects any Host
# outside ALLOWED_HOSTS, so the pod accepts its own IP besides the public names. The chart
# sets POD_IP from the downward API.
if [[ -n "${POD_IP:-}" ]]; then
    export ALLOWED_HOSTS="${ALLOWED_HOSTS:+${ALLOWED_HOSTS},}${POD_IP}"
fi

exec daphne \
    -b 0.0.0.0 \
    -p "${PORT:-8000}" \
    --proxy-headers \
    --websocket_timeout -1 \
    --application-close-timeout 10 \
    matchminds.asgi:application \
    "$@"
