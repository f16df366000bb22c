#!/usr/bin/env bash
# Web: daphne serves HTTP and WebSockets (/ws/). On SIGTERM it drains (apps/realtime/drain.py):
# it stops accepting, tells open sockets to reconnect (close 1012) evenly over
# WEBSOCKET_DRAIN_WINDOW_S, lets in-flight writes finish and exits; the pod's preStop sleep
# lets the load balancer deregister the target first.
#
# No --proxy-headers: daphne would take the *leftmost* X-Forwarded-For entry, which the
# client writes, as REMOTE_ADDR. REMOTE_ADDR stays the socket peer (the ALB, or Prometheus
# in-cluster); the app reads the client address from X-Forwarded-For itself, counting
# TRUSTED_PROXY_HOPS from the right (the chart sets 1 for the ALB), and HTTPS from
# X-Forwarded-Proto (SECURE_PROXY_SSL_HEADER).
set -o errexit -o pipefail -o nounset

# The ALB's and kubelet's health checks send the pod IP as Host; Django rejects any Host
# outside ALLOWED_HOSTS, so the pod accepts its own IP besides the public names. The chart
# sets POD_IP from the downward API.
if [[ -n "${POD_IP:-}" ]]; then
    export ALLOWED_HOSTS="${ALLOWED_HOSTS:+${ALLOWED_HOSTS},}${POD_IP}"
fi

"$(dirname "$0")/reset-metrics-dir.sh"

# A twisted endpoint instead of -b/-p for its listen backlog: daphne's default of 50 drops
# SYNs in a connect storm (clients retry after 1 s). The kernel caps it at net.core.somaxconn.
# --websocket_connect_timeout: daphne's default of 5 s rejects or drops a handshake whose
# connect (session lookup, presence) waits longer in the socket pool. In a reconnect storm
# (a pod killed, 2,000 students in `make bench-cluster`) that threw away the work already
# queued for it, the load balancer retried it on another pod and the client came back
# again: most handshakes were dropped and the storm never ended. 30 s, as a browser waits.
exec daphne \
    -e "tcp:port=${PORT:-8000}:interface=0.0.0.0:backlog=${LISTEN_BACKLOG:-4096}" \
    --websocket_timeout -1 \
    --websocket_connect_timeout 30 \
    --application-close-timeout 10 \
    matchminds.asgi:application \
    "$@"
