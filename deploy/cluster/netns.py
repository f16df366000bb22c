"""Namespaces, veths and the bridge of the cluster (iproute2), and the processes inside them."""

import contextlib
import os
import signal
import subprocess
import time

from deploy.cluster.topology import BRIDGE, CLUSTER_NAME, HOSTS, SWITCH_NAMESPACE, Host, prefix_length


def ip(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(["ip", *args], check=check, capture_output=True, text=True)


def namespaces() -> list[str]:
    """This cluster's namespaces that exist now (and nobody else's)."""
    listed = ip("netns", "list", check=False).stdout.split("\n")
    names = [line.split()[0] for line in listed if line.strip()]
    return [name for name in names if name.startswith(f"{CLUSTER_NAME}-")]


def create_network() -> None:
    ip("netns", "add", SWITCH_NAMESPACE)
    ip("-n", SWITCH_NAMESPACE, "link", "add", BRIDGE, "type", "bridge")
    ip("-n", SWITCH_NAMESPACE, "link", "set", BRIDGE, "up")
    ip("-n", SWITCH_NAMESPACE, "link", "set", "lo", "up")
    for host in HOSTS:
        create_host(host)


def create_host(host: Host) -> None:
    ns = host.namespace
    ip("netns", "add", ns)
    ip("-n", ns, "link", "set", "lo", "up")
    # Both ends are born in the host's namespace and one moves to the switch: nothing of the
    # cluster ever appears in the root namespace, not even for a moment.
    ip("-n", ns, "link", "add", "eth0", "type", "veth", "peer", "name", host.veth_switch, "netns", SWITCH_NAMESPACE)
    ip("-n", ns, "addr", "add", f"{host.address}/{prefix_length()}", "dev", "eth0")
    ip("-n", ns, "link", "set", "eth0", "up")
    ip("-n", SWITCH_NAMESPACE, "link", "set", host.veth_switch, "master", BRIDGE)
    ip("-n", SWITCH_NAMESPACE, "link", "set", host.veth_switch, "up")


def set_link(host: Host, *, up: bool) -> None:
    """Cut or restore a host's cable: its switch port goes down, its sockets stay open."""
    ip("-n", SWITCH_NAMESPACE, "link", "set", host.veth_switch, "up" if up else "down")


def pids(namespace: str) -> list[int]:
    out = ip("netns", "pids", namespace, check=False).stdout.split()
    return [int(pid) for pid in out if pid.isdigit() and int(pid) != os.getpid()]


def kill_namespace(namespace: str, sig: int = signal.SIGKILL) -> list[int]:
    """Send `sig` to every process of one namespace (kill -9 of a whole host by default)."""
    victims = pids(namespace)
    for pid in victims:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, sig)
    return victims


def wait_namespace_empty(namespace: str, timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if not pids(namespace):
            return True
        time.sleep(0.1)
    return not pids(namespace)


def destroy_network() -> list[str]:
    """Kill every process in the cluster's namespaces, then delete the namespaces.

    Deleting a namespace deletes its veth ends and the bridge with it. Returns what was removed.
    """
    removed = namespaces()
    for ns in removed:
        kill_namespace(ns, signal.SIGTERM)
    for ns in removed:
        if not wait_namespace_empty(ns, 5.0):
            kill_namespace(ns, signal.SIGKILL)
            wait_namespace_empty(ns, 5.0)
    for ns in removed:
        ip("netns", "del", ns, check=False)
    return removed
