"""What runs on each host of the cluster: configuration files and the commands that start it.

Every process runs under `ip netns exec <host namespace>` in a session of its own, logs to
`<state dir>/logs/<host>-<service>.log` and is found again through its namespace.
"""

import os
import resource
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

from deploy.cluster.topology import (
    DATA,
    DATABASE_NAME,
    HAPROXY_STATS_PORT,
    HTTP_PORT,
    LB,
    POSTGRES_PORT,
    REDIS_PORT,
    REDIS_PRIMARY,
    REDIS_REPLICA,
    SENTINEL_MASTER_NAME,
    SENTINEL_PORT,
    STATE_DIR,
    WEB_PORT,
    WEBS,
    Host,
    database_url,
    public_url,
    redis_url,
)

REPO = Path(__file__).resolve().parents[2]
VENV_BIN = Path(os.environ.get("VENV", REPO / ".venv")) / "bin"
POSTGRES_BIN = Path(os.environ.get("CLUSTER_POSTGRES_BIN", "/usr/lib/postgresql/15/bin"))
SENTINEL_HOSTS = (REDIS_PRIMARY, REDIS_REPLICA, DATA)
# Seconds a web process takes to hand its sockets to its peers on SIGTERM (apps/realtime/drain.py):
# the chart's web.drainWindowSeconds, sized to what the peers can absorb. Here the peers share
# 2 cores with every other host and the load generator: at 10 s a host's ~1,000 sockets arrived
# at 100/s with their resumes, and handshakes queued for up to 10.6 s (p99) behind them.
DRAIN_WINDOW_S = os.environ.get("CLUSTER_DRAIN_WINDOW_S", "20")
OPEN_FILES = 65536
# As docker/web.sh (it says why): daphne's default of 5 s dropped handshakes queued in a storm.
WEBSOCKET_CONNECT_TIMEOUT_S = "30"


def _raise_open_files() -> None:
    # Thousands of sockets per web host and through HAProxy: the soft limit up to the hard one.
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    limit = OPEN_FILES if hard == resource.RLIM_INFINITY else min(OPEN_FILES, hard)
    resource.setrlimit(resource.RLIMIT_NOFILE, (limit, hard))


def log_path(host: Host, service: str) -> Path:
    return STATE_DIR / "logs" / f"{host.name}-{service}.log"


def start(host: Host, service: str, command: list[str], *, env: dict | None = None, user: str | None = None) -> int:
    """Start one process on `host`; returns its pid (that of `ip netns exec`, which execs it)."""
    prefix = ["ip", "netns", "exec", host.namespace]
    if user:
        prefix += ["runuser", "-u", user, "--"]
    log = open(log_path(host, service), "ab")  # noqa: SIM115 - handed to the child, closed below
    try:
        process = subprocess.Popen(
            prefix + command,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            start_new_session=True,
            cwd=REPO,
            preexec_fn=_raise_open_files,
        )
    finally:
        log.close()
    return process.pid


def run_in(host: Host, command: list[str], *, env: dict | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["ip", "netns", "exec", host.namespace, *command], env=env, capture_output=True, text=True, timeout=timeout, cwd=REPO
    )


def wait_for(check, what: str, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.3)
    raise TimeoutError(f"{what} not ready after {timeout_s:.0f} s (logs: {STATE_DIR / 'logs'})")


# PostgreSQL: a private instance of the installed binaries, on the data host only.
def start_postgres() -> None:
    data_dir, socket_dir = STATE_DIR / "pg", STATE_DIR / "pgsock"
    for folder in (data_dir, socket_dir):
        folder.mkdir(exist_ok=True)
        shutil.chown(folder, "postgres", "postgres")
    if not (data_dir / "PG_VERSION").exists():
        subprocess.run(
            [
                "runuser",
                "-u",
                "postgres",
                "--",
                str(POSTGRES_BIN / "initdb"),
                "-D",
                str(data_dir),
                "--auth=trust",
                "-U",
                "postgres",
                "-E",
                "UTF8",
            ],
            check=True,
            capture_output=True,
        )
    settings = {
        "listen_addresses": DATA.address,
        "port": str(POSTGRES_PORT),
        "unix_socket_directories": str(socket_dir),
        "max_connections": "400",
        # A throwaway bench database: durability is the data host's disk, not what is measured.
        "fsync": "off",
        "synchronous_commit": "off",
        "full_page_writes": "off",
        "shared_buffers": "128MB",
    }
    options = [item for key, value in settings.items() for item in ("-c", f"{key}={value}")]
    (data_dir / "pg_hba.conf").write_text("local all all trust\nhost all all 0.0.0.0/0 trust\n")
    start(DATA, "postgres", [str(POSTGRES_BIN / "postgres"), "-D", str(data_dir), *options], user="postgres")
    wait_for(
        lambda: run_in(DATA, [str(POSTGRES_BIN / "pg_isready"), "-h", DATA.address, "-p", str(POSTGRES_PORT)]).returncode == 0,
        "PostgreSQL",
        60,
    )
    run_in(DATA, [str(POSTGRES_BIN / "createdb"), "-h", DATA.address, "-U", "postgres", DATABASE_NAME])


# Redis: a primary, a replica and three Sentinels (one per data-tier host).
def start_redis() -> None:
    for node in (REDIS_PRIMARY, REDIS_REPLICA):
        command = ["redis-server", "--bind", node.address, "--port", str(REDIS_PORT), "--protected-mode", "no"]
        command += ["--save", "", "--appendonly", "no", "--dir", str(STATE_DIR), "--dbfilename", f"{node.name}.rdb"]
        if node is REDIS_REPLICA:
            command += ["--replicaof", REDIS_PRIMARY.address, str(REDIS_PORT)]
        start(node, "redis", command)
    for node in SENTINEL_HOSTS:
        config = STATE_DIR / f"sentinel-{node.name}.conf"
        config.write_text(
            f"bind {node.address}\nport {SENTINEL_PORT}\nprotected-mode no\ndir {STATE_DIR}\n"
            f"sentinel monitor {SENTINEL_MASTER_NAME} {REDIS_PRIMARY.address} {REDIS_PORT} 2\n"
            f"sentinel down-after-milliseconds {SENTINEL_MASTER_NAME} 2000\n"
            f"sentinel failover-timeout {SENTINEL_MASTER_NAME} 10000\n"
            f"sentinel parallel-syncs {SENTINEL_MASTER_NAME} 1\n"
        )
        start(node, "sentinel", ["redis-sentinel", str(config)])


def redis_role(node: Host) -> str:
    reply = run_in(node, ["redis-cli", "-h", node.address, "-p", str(REDIS_PORT), "role"], timeout=5).stdout
    return reply.split("\n", 1)[0].strip()


# HAProxy: the load balancer of the web hosts and the Redis primary endpoint. A web host marked
# down keeps its open sockets, as an ALB target does while it deregisters; when every host is
# down (Redis failing over fails every /readyz) traffic goes to all of them, as an ALB fails
# open, instead of a 503 from the balancer.
HAPROXY_CONFIG = """global
    maxconn 8000
    # The runtime API: a rolling restart takes a web host out of rotation before its SIGTERM.
    stats socket {admin_socket} mode 600 level admin
    log stdout format raw local0 notice

defaults
    log global
    timeout connect 2s
    timeout client 60s
    timeout server 60s
    timeout tunnel 1h
    timeout client-fin 5s

frontend web
    bind {lb}:{http_port}
    mode http
    option httplog
    default_backend web

backend web
    mode http
    # As the chart's ALB target group (round_robin): the reconnects of a lost host's sockets
    # spread over every host left. leastconn sent each such storm to the emptiest host (a
    # drained host just back took all ~900 sockets of the next one drained, on one process).
    balance roundrobin
    option allbackups
    option http-server-close
    option httpchk
    http-check send meth GET uri /readyz ver HTTP/1.1 hdr Host {lb}
    http-check expect status 200
    # A host that does not take the check's connection within 1 s (min of `timeout connect`
    # and `inter`) is down at once; one that takes it gets 3 s to answer, as the chart's
    # readiness probe (timeoutSeconds 3). With 1 s, the peers taking a drained or killed host's
    # reconnects answered /readyz late, were marked down too, and every socket piled onto the
    # one peer left (or all went fail-open to the backups, the draining host among them).
    timeout check 3s
    # A web host that refuses or drops the connection: the request goes to another one.
    option redispatch 1
    retries 3
    retry-on conn-failure empty-response
{webs}

frontend redis
    bind {lb}:{redis_port}
    mode tcp
    timeout client 1h
    default_backend redis

backend redis
    mode tcp
    timeout server 1h
    # Only the node that says role:master takes connections: ElastiCache's primary endpoint.
    option tcp-check
    tcp-check connect
    tcp-check send PING\\r\\n
    tcp-check expect string +PONG
    tcp-check send info\\ replication\\r\\n
    tcp-check expect string role:master
    tcp-check send QUIT\\r\\n
    tcp-check expect string +OK
{redis_servers}

frontend stats
    bind {lb}:{stats_port}
    mode http
    stats enable
    stats uri /stats
    stats show-legends
"""
# slowstart: a host that comes back (restarted, or its link restored) is cold; its share of new
# connections ramps up over 10 s, as the chart's ALB target group slow start does (30 s there,
# the ALB's minimum; shortened here to the bench's time scale).
HAPROXY_WEB_SERVER = "    server {name} {address}:{port} check inter 1s fall 2 rise 2 slowstart 10s"
HAPROXY_WEB_FAILOPEN = "    server {name}-failopen {address}:{port} backup"
HAPROXY_REDIS_SERVER = "    server {name} {address}:{port} check inter 500ms fall 2 rise 2 on-marked-down shutdown-sessions"


def haproxy_config() -> str:
    webs = [HAPROXY_WEB_SERVER.format(name=web.name, address=web.address, port=WEB_PORT) for web in WEBS]
    webs += [HAPROXY_WEB_FAILOPEN.format(name=web.name, address=web.address, port=WEB_PORT) for web in WEBS]
    redis_servers = [
        HAPROXY_REDIS_SERVER.format(name=node.name, address=node.address, port=REDIS_PORT)
        for node in (REDIS_PRIMARY, REDIS_REPLICA)
    ]
    return HAPROXY_CONFIG.format(
        lb=LB.address,
        http_port=HTTP_PORT,
        redis_port=REDIS_PORT,
        stats_port=HAPROXY_STATS_PORT,
        admin_socket=HAPROXY_ADMIN_SOCKET,
        webs="\n".join(webs),
        redis_servers="\n".join(redis_servers),
    )


HAPROXY_ADMIN_SOCKET = STATE_DIR / "haproxy.sock"


def set_web_state(web: Host, state: str) -> None:
    """`drain`: HAProxy sends the host no new connections (its open ones go on), as a load
    balancer deregisters a terminating pod before its preStop hook ends; `ready`: back in rotation.

    A path-bound Unix socket, so it answers from any network namespace of this machine."""
    for server in (web.name, f"{web.name}-failopen"):
        with socket.socket(socket.AF_UNIX) as admin:
            admin.settimeout(5)
            admin.connect(str(HAPROXY_ADMIN_SOCKET))
            admin.sendall(f"set server web/{server} state {state}\n".encode())
            answer = admin.recv(4096).decode().strip()
        if answer:
            raise RuntimeError(f"haproxy refused 'set server web/{server} state {state}': {answer}")


def start_haproxy() -> None:
    config = STATE_DIR / "haproxy.cfg"
    config.write_text(haproxy_config())
    start(LB, "haproxy", ["haproxy", "-W", "-db", "-f", str(config)])


def app_env(*, role: str, host: Host) -> dict:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DATABASE_", "REDIS_", "CELERY_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="matchminds.settings.production",
        SECRET_KEY="cluster-harness-only-not-a-secret",  # noqa: S106 - a throwaway cluster on one machine
        ALLOWED_HOSTS=",".join([LB.address, *(web.address for web in WEBS), "localhost"]),
        DATABASE_URL=database_url(),
        REDIS_URL=redis_url(0),
        CHANNEL_LAYER_PREFIX="mmcluster",
        SECURE_SSL_REDIRECT="false",
        SECURE_HSTS_SECONDS="0",
        PUBLIC_BASE_URL=public_url(),
        LOG_LEVEL=os.environ.get("CLUSTER_LOG_LEVEL", "WARNING"),
        PYTHONUNBUFFERED="1",
        CELERY_WORKER_HEARTBEAT_FILE=str(STATE_DIR / f"heartbeat-{host.name}"),
        WEBSOCKET_DRAIN_WINDOW_S=DRAIN_WINDOW_S,
        CLUSTER_HOST=host.name,
        CLUSTER_ROLE=role,
    )
    return env


def migrate() -> None:
    from deploy.cluster.topology import CLIENT

    result = run_in(
        CLIENT,
        [str(VENV_BIN / "python"), "manage.py", "migrate", "--noinput", "-v0"],
        env=app_env(role="migrate", host=CLIENT),
        timeout=600,
    )
    if result.returncode:
        raise RuntimeError(f"migrate failed:\n{result.stdout}\n{result.stderr}")


def profiled(host: Host, service: str, command: list[str]) -> list[str]:
    """With CLUSTER_PROFILE=1, the command under deploy/cluster/profiled.py's sampler
    (CPU by Python stack, threads included, in <logs>/<host>-<service>.prof.txt)."""
    if os.environ.get("CLUSTER_PROFILE") != "1":
        return command
    out = STATE_DIR / "logs" / f"{host.name}-{service}.prof.txt"
    return [python(), "-m", "deploy.cluster.profiled", str(out), Path(command[0]).name, *command[1:]]


def start_web(host: Host) -> int:
    command = [str(VENV_BIN / "daphne"), "-e", f"tcp:port={WEB_PORT}:interface={host.address}:backlog=4096"]
    command += ["--websocket_timeout", "-1", "--websocket_connect_timeout", WEBSOCKET_CONNECT_TIMEOUT_S]
    command += ["--application-close-timeout", "10", "matchminds.asgi:application"]
    return start(host, "web", profiled(host, "web", command), env=app_env(role="web", host=host))


def start_worker(host: Host) -> int:
    command = [str(VENV_BIN / "celery"), "-A", "matchminds", "worker", "--loglevel", "WARNING", "--concurrency", "2"]
    command += ["-n", f"{host.name}@%h", "--without-mingle", "--without-gossip"]
    return start(host, "worker", profiled(host, "worker", command), env=app_env(role="worker", host=host))


def start_beat(host: Host) -> int:
    command = [str(VENV_BIN / "celery"), "-A", "matchminds", "beat", "--loglevel", "WARNING"]
    command += ["--schedule", str(STATE_DIR / "celerybeat-schedule")]
    return start(host, "beat", command, env=app_env(role="beat", host=host))


def http_status(url: str, *, host: Host | None = None, timeout_s: float = 3) -> int:
    from deploy.cluster.topology import CLIENT

    result = run_in(
        host or CLIENT, ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-m", str(timeout_s), url], timeout=timeout_s + 5
    )
    return int(result.stdout or 0)


def python() -> str:
    return str(VENV_BIN / "python") if (VENV_BIN / "python").exists() else sys.executable
