"""MatchMinds as a cluster on one machine: `make cluster-up` / `make cluster-down`.

    python -m deploy.cluster.cluster up            # build the network, start every host, wait until ready
    python -m deploy.cluster.cluster status        # hosts, processes, Redis roles, HAProxy's view
    python -m deploy.cluster.cluster exec -- CMD   # run CMD on the client host (curl, redis-cli, psql …)
    python -m deploy.cluster.cluster kill HOST     # kill -9 every process of a host
    python -m deploy.cluster.cluster link HOST down|up
    python -m deploy.cluster.cluster start HOST    # start a host's services again
    python -m deploy.cluster.cluster drain HOST    # SIGTERM a web host, wait for its drain, start it again
    python -m deploy.cluster.cluster down          # remove every namespace, veth, bridge and process

Needs root, iproute2, haproxy, redis-server, redis-sentinel and PostgreSQL's server binaries.
`up` leaves a watchdog that runs `down` after CLUSTER_TIME_LIMIT_S whatever happens.
"""

import argparse
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from deploy.cluster import netns, services  # noqa: E402
from deploy.cluster.topology import (  # noqa: E402
    BEAT,
    CLIENT,
    DATA,
    HOSTS,
    LB,
    REDIS_PRIMARY,
    REDIS_REPLICA,
    STATE_DIR,
    TIME_LIMIT_S,
    WEB_PORT,
    WEBS,
    WORKERS,
    Host,
    database_url,
    host,
    public_url,
    redis_url,
)

WATCHDOG_PID = STATE_DIR / "watchdog.pid"


# From taking a web host out of rotation to its SIGTERM: what the chart's preStop sleep is for.
# HAProxy applies the change at once (an ALB or kube-proxy needs the chart's 15 s); this is for
# the requests already on their way to the host.
DEREGISTRATION_S = 1.0


def log(message: str) -> None:
    print(f"[cluster {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def start_host(target: Host) -> None:
    if "web" in target.roles:
        services.start_web(target)
    elif "worker" in target.roles:
        services.start_worker(target)
    elif "beat" in target.roles:
        services.start_beat(target)
    else:
        raise SystemExit(f"{target.name}: only web, worker and beat hosts start one by one")


def web_ready(web: Host) -> bool:
    return services.http_status(f"http://{web.address}:{WEB_PORT}/readyz") == 200


def up() -> None:
    if netns.namespaces():
        raise SystemExit("a cluster is already up (make cluster-down first)")
    STATE_DIR.mkdir(parents=True, exist_ok=True)
    (STATE_DIR / "logs").mkdir(exist_ok=True)
    started = time.monotonic()
    spawn_watchdog()
    try:
        netns.create_network()
        log(f"network: {len(HOSTS)} hosts on {LB.address.rsplit('.', 1)[0]}.0/24")
        services.start_postgres()
        services.start_redis()
        services.start_haproxy()
        services.wait_for(lambda: services.redis_role(REDIS_REPLICA) == "slave", "Redis replica", 30)
        log("PostgreSQL, Redis primary + replica + 3 Sentinels, HAProxy: up; migrating")
        services.migrate()
        for web in WEBS:
            services.start_web(web)
        for worker in WORKERS:
            services.start_worker(worker)
        services.start_beat(BEAT)
        for web in WEBS:
            services.wait_for(lambda web=web: web_ready(web), f"{web.name} /readyz", 120)
        services.wait_for(lambda: services.http_status(f"{public_url()}/readyz") == 200, "HAProxy → web", 30)
    except BaseException:
        log("start failed: tearing down")
        down()
        raise
    write_env()
    log(
        f"ready in {time.monotonic() - started:.0f} s: {public_url()} (from the client host; stops by itself in {TIME_LIMIT_S} s)"
    )


def write_env() -> None:
    """What a load generator on the client host needs (bench/cluster.py reads it)."""
    (STATE_DIR / "cluster.json").write_text(
        json.dumps(
            {
                "client_namespace": CLIENT.namespace,
                "public_url": public_url(),
                "database_url": database_url(),
                "redis_url": redis_url(0),
                "webs": {web.name: web.address for web in WEBS},
                "workers": [worker.name for worker in WORKERS],
                "redis": {node.name: node.address for node in (REDIS_PRIMARY, REDIS_REPLICA)},
                "data": DATA.address,
                "deadline": time.time() + TIME_LIMIT_S,
            }
        )
    )


def spawn_watchdog() -> None:
    process = subprocess.Popen(
        [services.python(), "-m", "deploy.cluster.cluster", "watchdog", str(TIME_LIMIT_S)],
        cwd=services.REPO,
        start_new_session=True,
        stdin=subprocess.DEVNULL,
        stdout=open(STATE_DIR / "logs" / "watchdog.log", "ab"),  # noqa: SIM115 - the child's
        stderr=subprocess.STDOUT,
    )
    WATCHDOG_PID.write_text(str(process.pid))


def watchdog(limit_s: float) -> None:
    time.sleep(limit_s)
    log(f"time limit of {limit_s:.0f} s reached: tearing the cluster down")
    down(from_watchdog=True)


def down(from_watchdog: bool = False) -> None:
    removed = netns.destroy_network()
    if WATCHDOG_PID.exists() and not from_watchdog:
        with contextlib.suppress(ProcessLookupError, ValueError):
            os.kill(int(WATCHDOG_PID.read_text()), signal.SIGTERM)
    WATCHDOG_PID.unlink(missing_ok=True)
    # The database lives as long as the cluster: the next `up` starts from an empty one.
    shutil.rmtree(STATE_DIR / "pg", ignore_errors=True)
    left = netns.namespaces()
    if left:
        raise SystemExit(f"namespaces left behind: {left}")
    log(f"removed {len(removed)} namespaces with their veths, bridge and processes" if removed else "nothing to remove")


def status() -> dict:
    report = {
        "namespaces": netns.namespaces(),
        "processes": {h.name: len(netns.pids(h.namespace)) for h in HOSTS if h.namespace in netns.namespaces()},
    }
    if report["namespaces"]:
        report["redis_roles"] = {node.name: services.redis_role(node) for node in (REDIS_PRIMARY, REDIS_REPLICA)}
        report["web_ready"] = {web.name: web_ready(web) for web in WEBS}
    return report


def drain(target: Host, timeout_s: float = 60) -> float:
    """Rolling-restart step, as Kubernetes does it: out of the load balancer's rotation first
    (the preStop hook's time), then SIGTERM the web host's daphne (its graceful drain), wait for
    it to exit, start it, wait ready, back in rotation.

    Without the first step HAProxy went on choosing the draining host until two health checks
    had failed, and sent connections to a listener closing under them, each refused and retried."""
    begun = time.monotonic()
    services.set_web_state(target, "drain")
    time.sleep(DEREGISTRATION_S)
    netns.kill_namespace(target.namespace, signal.SIGTERM)
    if not netns.wait_namespace_empty(target.namespace, timeout_s):
        raise RuntimeError(f"{target.name} did not finish its drain within {timeout_s:.0f} s")
    services.start_web(target)
    services.wait_for(lambda: web_ready(target), f"{target.name} /readyz", 120)
    services.set_web_state(target, "ready")
    return time.monotonic() - begun


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("up")
    sub.add_parser("down")
    sub.add_parser("status")
    sub.add_parser("watchdog").add_argument("limit_s", type=float)
    sub.add_parser("kill").add_argument("host")
    sub.add_parser("start").add_argument("host")
    sub.add_parser("drain").add_argument("host")
    link = sub.add_parser("link")
    link.add_argument("host")
    link.add_argument("state", choices=["up", "down"])
    run = sub.add_parser("exec")
    run.add_argument("argv", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    if os.geteuid() != 0:
        raise SystemExit("the cluster needs root (network namespaces)")
    if args.command == "up":
        up()
    elif args.command == "down":
        down()
    elif args.command == "status":
        print(json.dumps(status(), indent=2))
    elif args.command == "watchdog":
        watchdog(args.limit_s)
    elif args.command == "kill":
        log(f"kill -9 {host(args.host).name}: {netns.kill_namespace(host(args.host).namespace)}")
    elif args.command == "start":
        start_host(host(args.host))
    elif args.command == "drain":
        log(f"{args.host} drained and back in {drain(host(args.host)):.1f} s")
    elif args.command == "link":
        netns.set_link(host(args.host), up=args.state == "up")
    elif args.command == "exec":
        argv = args.argv[1:] if args.argv[:1] == ["--"] else args.argv
        os.execvp("ip", ["ip", "netns", "exec", CLIENT.namespace, *argv])  # noqa: S606 - the operator's command


if __name__ == "__main__":
    main()
