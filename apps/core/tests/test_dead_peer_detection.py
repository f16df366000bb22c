"""Every connection to PostgreSQL and Redis finds a vanished peer within seconds (settings.data)."""

import socket

import pytest
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.cache import cache
from django.db import connection

from apps.core.redis import get_redis

UNACKED_MS = settings.BACKING_SERVICE_UNACKED_TIMEOUT_MS


def _tcp_options(sock: socket.socket) -> dict[str, int]:
    return {
        "keepalive": sock.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE),
        "idle_s": sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE),
        "unacked_ms": sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_USER_TIMEOUT),
    }


EXPECTED = {"keepalive": 1, "idle_s": settings.BACKING_SERVICE_KEEPALIVE_IDLE_S, "unacked_ms": UNACKED_MS}


def test_the_apps_redis_connections_carry_keepalive_and_the_unacknowledged_data_timeout():
    client = get_redis()
    assert client.ping()
    pooled = client.connection_pool.get_connection()
    try:
        assert _tcp_options(pooled._sock) == EXPECTED
    finally:
        client.connection_pool.release(pooled)


def test_the_caches_redis_connections_carry_them_too():
    cache.set("dead-peer-probe", 1, timeout=5)
    pool = cache._cache.get_client(write=True).connection_pool
    pooled = pool.get_connection()
    try:
        assert _tcp_options(pooled._sock) == EXPECTED
    finally:
        pool.release(pooled)


async def test_the_channel_layers_redis_connections_carry_them_too():
    host = settings.CHANNEL_LAYERS["default"]["CONFIG"]["hosts"][0]  # each shard's pool is built from it
    assert host["socket_keepalive"] is True
    assert host["socket_keepalive_options"] == settings.REDIS_TCP_OPTIONS

    # The pools accept the options: a message makes its way through them
    layer = get_channel_layer()
    channel = await layer.new_channel()
    await layer.send(channel, {"type": "probe"})
    assert await layer.receive(channel) == {"type": "probe"}


@pytest.mark.django_db
def test_the_postgresql_connection_carries_them_in_libpqs_names():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    parameters = connection.connection.info.get_parameters()
    assert parameters["keepalives"] == "1"
    assert parameters["keepalives_idle"] == str(settings.BACKING_SERVICE_KEEPALIVE_IDLE_S)
    assert parameters["tcp_user_timeout"] == str(UNACKED_MS)
    # And the socket libpq opened has them set (psycopg exposes its file descriptor)
    sock = socket.socket(fileno=connection.connection.fileno())
    try:
        assert _tcp_options(sock) == EXPECTED
    finally:
        sock.detach()
