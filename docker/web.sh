#!/usr/bin/env bash
# Web: daphne serves HTTP and WebSockets (/ws/). On SIGTERM daphne stops accepting,
# closes open sockets and waits up to --application-close-timeout for consumers, so
# clients reconnect to another pod; the pod's preStop sleep lets the load balancer
# deregister the target first.
set -o errexit -o pipefail -o nounset

exec daphne \
    -b 0.0.0.0 \
    -p "${PORT:-8000}" \
    --proxy-headers \
    --websocket_timeout -1 \
    --application-close-timeout 10 \
    matchminds.asgi:application \
    "$@"
