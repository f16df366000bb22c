"""`make run`: PostgreSQL and Redis (private ones where needed), migrations and demo data, then web,
Celery worker and beat, all under one supervisor that restarts whichever process exits.

LOCAL_SERVERS chooses the servers: `auto` (default: the ones at DATABASE_URL / REDIS_URL when they
answer, private ones as scripts/local_services.py describes otherwise), `private` (always the
private ones, even beside running system servers) or `system` (never the private ones).
"""

import os
import sys
from pathlib import Path

import psycopg

from scripts.local_services import (
    PrivateServer,
    ServiceError,
    answers,
    is_local,
    postgres_installed,
    private_postgres,
    private_redis,
)
from scripts.supervisor import Program, Supervisor, install_signal_handlers

SERVER_START_TIMEOUT_S = 60
DEFAULTS = {
    "DJANGO_SETTINGS_MODULE": "matchminds.settings.local",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/matchminds_dev",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "LOCAL_SERVERS": "auto",
    "LOCAL_DATA_DIR": ".local",
    "PORT": "8000",
}


def main() -> int:
    env = {**DEFAULTS, **os.environ}
    supervisor = Supervisor()
    install_signal_handlers()
    try:
        servers = plan_servers(env)
        for server in servers:
            print(f"make run: starting {server.description}", flush=True)
            supervisor.add(server.program)
        if not supervisor.run(until=lambda: all(_ready(server) for server in servers), timeout_s=SERVER_START_TIMEOUT_S):
            raise ServiceError("the private servers did not answer within a minute (their output is above)")
        prepare(env)
        for program in app_programs(env):
            supervisor.add(program)
        supervisor.run()
    except ServiceError as error:
        print(f"make run: {error}", file=sys.stderr, flush=True)
        return 1
    except KeyboardInterrupt:
        print("make run: stopping", flush=True)
    finally:
        supervisor.stop()
    return 0


def plan_servers(env: dict[str, str]) -> list[PrivateServer]:
    """Chooses the servers and points env's DATABASE_URL / REDIS_URL at the private ones it will start."""
    mode = env["LOCAL_SERVERS"]
    if mode not in ("auto", "private", "system"):
        raise ServiceError(f"LOCAL_SERVERS must be auto, private or system, not {mode!r}")
    data_root = Path(env["LOCAL_DATA_DIR"]).resolve()
    servers = []
    database_url = env["DATABASE_URL"]
    if mode == "private" or not answers(database_url, 5432):
        if mode == "system" or not is_local(database_url) or (mode == "auto" and postgres_installed()):
            raise ServiceError(
                f"no PostgreSQL answers at {database_url}. Start it (Debian/Ubuntu: sudo pg_ctlcluster 16 main start; "
                "macOS: brew services start postgresql), set DATABASE_URL, or use LOCAL_SERVERS=private for a private one."
            )
        servers.append(private_postgres(database_url, data_root))
        env["DATABASE_URL"] = servers[-1].url
    redis_url = env["REDIS_URL"]
    if mode == "private" or not answers(redis_url, 6379):
        if mode == "system" or not is_local(redis_url):
            raise ServiceError(f"no Redis answers at {redis_url}. Start it, set REDIS_URL, or use LOCAL_SERVERS=private.")
        servers.append(private_redis(redis_url, data_root))
        env["REDIS_URL"] = servers[-1].url
    return servers


def _ready(server: PrivateServer) -> bool:
    if server.program.name != "postgres":
        return answers(server.url, server.port)
    try:
        psycopg.connect(server.url, dbname="postgres", connect_timeout=1).close()
    except psycopg.OperationalError:
        return False
    return True


def prepare(env: dict[str, str]) -> None:
    python = sys.executable
    for argv in (
        [python, "scripts/ensure_database.py", env["DATABASE_URL"]],
        [python, "manage.py", "migrate", "--noinput", "-v0"],
        [python, "manage.py", "seed_demo"],
        [python, "manage.py", "collectstatic", "--noinput", "-v0"],
    ):
        if _run(argv, env) != 0:
            raise ServiceError(f"`{' '.join(argv[1:3])}` failed (its output is above)")


def _run(argv: list[str], env: dict[str, str]) -> int:
    import subprocess

    return subprocess.run(argv, env=env, check=False).returncode  # noqa: S603 - our own commands


def app_programs(env: dict[str, str]) -> list[Program]:
    bin_dir = Path(sys.executable).parent
    port = env["PORT"]
    run_dir = Path(".run")
    run_dir.mkdir(exist_ok=True)
    daphne = [str(bin_dir / "daphne"), "-e", f"tcp:port={port}:interface=127.0.0.1:backlog=4096", "--websocket_timeout", "-1"]
    celery = [str(bin_dir / "celery"), "-A", "matchminds"]
    return [
        Program("web", [*daphne, "matchminds.asgi:application"], env),
        Program("worker", [*celery, "worker", "--loglevel", "WARNING", "--concurrency", "2"], env),
        Program("beat", [*celery, "beat", "--loglevel", "WARNING", "--schedule", str(run_dir / "celerybeat-schedule")], env),
        Program("ready", [sys.executable, "scripts/announce.py", f"http://127.0.0.1:{port}/"], env, oneshot=True),
    ]


if __name__ == "__main__":
    sys.exit(main())
