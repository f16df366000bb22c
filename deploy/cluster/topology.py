"""The hosts of the one-machine cluster: names, addresses and what runs where.

Every host is a Linux network namespace `<name>-<host>` joined to one bridge that lives in a
namespace of its own (`<name>-sw`). The /24 exists only inside those namespaces: the root
namespace gets no address and no route to it, so nothing the cluster sends can leave the
machine, and the machine's own services (PostgreSQL and Redis on 127.0.0.1) are never reached.
"""

import ipaddress
import os
from dataclasses import dataclass, field
from pathlib import Path

# Namespace names are `<name>-<host>`; veth names `<name>-<host>-h`/`-s` must fit in 15 bytes.
CLUSTER_NAME = os.environ.get("CLUSTER_NAME", "mmc")
CLUSTER_SUBNET = ipaddress.ip_network(os.environ.get("CLUSTER_SUBNET", "10.231.26.0/24"))
# Configuration, logs and the data host's database (next to `make run`'s .run/).
STATE_DIR = Path(os.environ.get("CLUSTER_STATE_DIR", Path(__file__).resolve().parents[2] / ".run" / f"{CLUSTER_NAME}-cluster"))
# After this long the cluster tears itself down, whatever is running on it.
TIME_LIMIT_S = int(os.environ.get("CLUSTER_TIME_LIMIT_S", "1800"))
WEB_HOSTS = int(os.environ.get("CLUSTER_WEB_HOSTS", "3"))
WEB_PORT = 8000
HTTP_PORT = 80
REDIS_PORT = 6379
SENTINEL_PORT = 26379
POSTGRES_PORT = 5432
HAPROXY_STATS_PORT = 8404
SENTINEL_MASTER_NAME = "matchminds"
DATABASE_NAME = "matchminds"


@dataclass(frozen=True)
class Host:
    name: str
    octet: int
    roles: tuple[str, ...] = field(default_factory=tuple)

    @property
    def namespace(self) -> str:
        return f"{CLUSTER_NAME}-{self.name}"

    @property
    def address(self) -> str:
        return str(CLUSTER_SUBNET.network_address + self.octet)

    @property
    def veth_host(self) -> str:
        return f"{CLUSTER_NAME}-{self.name}-h"

    @property
    def veth_switch(self) -> str:
        return f"{CLUSTER_NAME}-{self.name}-s"


SWITCH_NAMESPACE = f"{CLUSTER_NAME}-sw"
BRIDGE = "br0"

LB = Host("lb", 2, ("haproxy",))
WEBS = tuple(Host(f"web{i}", 10 + i, ("web",)) for i in range(1, WEB_HOSTS + 1))
WORKERS = tuple(Host(f"worker{i}", 20 + i, ("worker",)) for i in range(1, 3))
BEAT = Host("beat", 31, ("beat",))
REDIS_PRIMARY = Host("redis1", 41, ("redis", "sentinel"))
REDIS_REPLICA = Host("redis2", 42, ("redis", "sentinel"))
DATA = Host("data", 50, ("postgres", "sentinel"))
# Where the load generator and the operator's commands run (`cluster.py exec`).
CLIENT = Host("client", 100, ())

HOSTS = (LB, *WEBS, *WORKERS, BEAT, REDIS_PRIMARY, REDIS_REPLICA, DATA, CLIENT)


def host(name: str) -> Host:
    for candidate in HOSTS:
        if candidate.name == name:
            return candidate
    raise KeyError(f"no host {name!r}; hosts: {', '.join(h.name for h in HOSTS)}")


def prefix_length() -> int:
    return CLUSTER_SUBNET.prefixlen


def redis_url(db: int = 0) -> str:
    """The app's one Redis endpoint: HAProxy, which always points at the current primary."""
    return f"redis://{LB.address}:{REDIS_PORT}/{db}"


def database_url() -> str:
    return f"postgres://postgres@{DATA.address}:{POSTGRES_PORT}/{DATABASE_NAME}"


def public_url() -> str:
    return f"http://{LB.address}:{HTTP_PORT}"
