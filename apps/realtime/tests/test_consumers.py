import asyncio
import json
import socket

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.test import Client

from apps.accounts.tests.factories import make_user
from apps.realtime import events, presence
from apps.realtime.protocol import user_group
from apps.realtime.transport.publisher import FRAME_MESSAGE_TYPE
from conftest import eventually
from matchminds.asgi import application

pytestmark = pytest.mark.django_db(transaction=True)


async def _hello(communicator) -> dict:
    frame = await communicator.receive_json_from(timeout=5)
    assert frame["type"] == "hello"
    return frame


def _signed_out_cookie() -> bytes:
    client = Client()
    client.force_login(make_user())
    cookie = client.cookies["sessionid"].value
    client.logout()
    return f"sessionid={cookie}".encode()


@pytest.mark.parametrize(
    "cookie",
    [None, b"sessionid=forged0000000000000000000000000000", "signed-out"],
    ids=["no-cookie", "forged", "signed-out"],
)
async def test_an_unauthenticated_socket_is_accepted_then_closed_with_4401(cookie):
    # Given no session, a forged one or one that signed out
    if cookie == "signed-out":
        cookie = await sync_to_async(_signed_out_cookie)()
    headers = [(b"origin", b"http://localhost"), (b"host", b"localhost")] + ([(b"cookie", cookie)] if cookie else [])
    communicator = WebsocketCommunicator(application, "/ws/", headers=headers)

    # When it connects, then the handshake succeeds and the first thing sent is the close 4401
    connected, _subprotocol = await communicator.connect()
    assert connected is True
    assert await communicator.receive_output(timeout=5) == {
        "type": "websocket.close",
        "code": 4401,
        "reason": "not signed in",
    }


@pytest.mark.parametrize(
    ("origin", "host", "allowed"),
    [
        (b"http://localhost", b"localhost", True),
        (b"http://127.0.0.1:8000", b"127.0.0.1:8000", True),
        (b"http://127.0.0.1:9", b"127.0.0.1:8000", False),
        (b"https://127.0.0.1:8000", b"127.0.0.1:8000", False),
        (b"http://localhost:80", b"localhost", True),
        (b"http://evil.example", b"evil.example", False),
        (b"null", b"localhost", False),
    ],
)
def test_the_origin_must_match_the_sites_scheme_host_and_port(origin, host, allowed):
    from apps.realtime.origin import origin_allowed

    scope = {"type": "websocket", "headers": [(b"origin", origin), (b"host", host)]}
    assert origin_allowed(scope) is allowed


def test_behind_the_tls_proxy_the_origin_is_https(settings):
    from apps.realtime.origin import origin_allowed

    settings.ALLOWED_HOSTS = ["matchminds.example"]
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    headers = [(b"host", b"matchminds.example"), (b"x-forwarded-proto", b"https")]
    assert origin_allowed({"type": "websocket", "headers": [(b"origin", b"https://matchminds.example"), *headers]})
    assert not origin_allowed({"type": "websocket", "headers": [(b"origin", b"http://matchminds.example"), *headers]})


async def test_foreign_origin_is_refused(connect_as):
    user = await sync_to_async(make_user)()
    communicator = WebsocketCommunicator(
        application, "/ws/", headers=[(b"origin", b"https://evil.example"), (b"host", b"localhost")]
    )
    connected, _ = await communicator.connect()
    assert connected is False
    assert user.pk


async def test_hello_then_ping_pong_and_presence(connect_as):
    user = await sync_to_async(make_user)()
    communicator = await connect_as(user)
    hello = await _hello(communicator)
    assert hello["user_id"] == user.pk
    assert hello["heartbeat_interval_s"] == 25
    assert await sync_to_async(presence.user_is_online)(user_id=user.pk) is True

    await communicator.send_json_to({"type": "ping"})
    assert (await communicator.receive_json_from(timeout=5))["type"] == "pong"

    await communicator.disconnect()
    assert await sync_to_async(presence.user_is_online)(user_id=user.pk) is False
    assert await sync_to_async(presence.user_last_seen)(user_id=user.pk) is not None


async def test_two_tabs_stay_online_until_both_close(connect_as):
    user = await sync_to_async(make_user)()
    first, second = await connect_as(user), await connect_as(user)
    await _hello(first)
    await _hello(second)
    await first.disconnect()
    assert await sync_to_async(presence.user_is_online)(user_id=user.pk) is True
    await second.disconnect()
    assert await sync_to_async(presence.user_is_online)(user_id=user.pk) is False


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ("{not json", "malformed_json"),
        ("[1, 2]", "invalid_frame"),
        ('{"type": 5}', "invalid_frame"),
        ('{"type": "no.such.frame", "ref": "r1"}', "unknown_type"),
        ('{"type": "ping", "ref": ' + json.dumps("x" * 65) + "}", "invalid_frame"),
        ('{"type": "lobby.enter", "event": "abc"}', "invalid_frame"),
        ('{"type": "x", "pad": "' + "a" * 17000 + '"}', "frame_too_large"),
        ('{"type": "ping", "ref": "\\ud800"}', "invalid_frame"),  # a lone surrogate cannot be echoed as UTF-8
        ('{"type": "no.such\\u0000frame"}', "invalid_frame"),
        ('{"type": "ping", "x": {"nested": ["\\uDFFF"]}}', "invalid_frame"),
        ("[" * 990 + "]" * 990, "invalid_frame"),  # ~2 KB: json's recursion ran out (1011, traceback)
        ('{"type": "ping", "x": ' + "[" * 17 + "]" * 17 + "}", "invalid_frame"),
        ('{"type": "no.such", "pad": "' + "[{" * 40 + '"}', "unknown_type"),  # brackets in text are not nesting
    ],
)
async def test_bad_frames_get_an_error_and_the_socket_stays_open(connect_as, payload, code):
    user = await sync_to_async(make_user)()
    communicator = await connect_as(user)
    await _hello(communicator)

    await communicator.send_to(text_data=payload)
    error = await communicator.receive_json_from(timeout=5)
    assert error["type"] == "error"
    assert error["code"] == code
    assert error["message"]

    await communicator.send_json_to({"type": "ping"})
    assert (await communicator.receive_json_from(timeout=5))["type"] == "pong"
    await communicator.disconnect()


async def test_binary_frames_are_refused_politely(connect_as):
    user = await sync_to_async(make_user)()
    communicator = await connect_as(user)
    await _hello(communicator)
    await communicator.send_to(bytes_data=b"\x00\x01")
    error = await communicator.receive_json_from(timeout=5)
    assert error == {"type": "error", "code": "binary_not_supported", "message": error["message"]}
    await communicator.disconnect()


async def test_unknown_type_echoes_ref(connect_as):
    user = await sync_to_async(make_user)()
    communicator = await connect_as(user)
    await _hello(communicator)
    await communicator.send_json_to({"type": "nope", "ref": "abc"})
    error = await communicator.receive_json_from(timeout=5)
    assert error["ref"] == "abc"
    await communicator.disconnect()


async def _served_without_an_inbox_queue(scope, receive, send):
    # An ASGI server whose `receive` is not an asyncio.Queue's `get` (daphne's and the test
    # communicator's are): the consumer cannot hand the channel layer its inbox.
    async def receive_from_the_server():
        return await receive()

    await application(scope, receive_from_the_server, send)


@pytest.mark.parametrize("app", [application, _served_without_an_inbox_queue], ids=["inbox", "no-inbox"])
async def test_service_frames_reach_only_the_addressed_user(connect_as, app):
    alice, bob = await sync_to_async(make_user)(), await sync_to_async(make_user)()
    alice_socket, bob_socket = await connect_as(alice, app=app), await connect_as(bob, app=app)
    await _hello(alice_socket)
    await _hello(bob_socket)

    await sync_to_async(events.send_to_users)([alice.pk], {"type": "test.note", "text": "안녕"})

    assert await alice_socket.receive_json_from(timeout=5) == {"type": "test.note", "text": "안녕"}
    assert await bob_socket.receive_nothing(timeout=0.5)
    # Frames from the socket and layer messages share the one dispatch loop.
    await bob_socket.send_json_to({"type": "ping"})
    assert (await bob_socket.receive_json_from(timeout=5))["type"] == "pong"
    await alice_socket.disconnect()
    await bob_socket.disconnect()


async def test_frames_wait_for_the_commit_and_vanish_on_rollback(connect_as):
    from django.db import transaction

    user = await sync_to_async(make_user)()
    communicator = await connect_as(user)
    await _hello(communicator)

    def send_inside_rolled_back_transaction():
        try:
            with transaction.atomic():
                events.send_to_users([user.pk], {"type": "test.note", "text": "never"})
                raise RuntimeError("roll back")
        except RuntimeError:
            pass

    await sync_to_async(send_inside_rolled_back_transaction)()
    assert await communicator.receive_nothing(timeout=0.5)
    await communicator.disconnect()


async def test_idle_socket_outlives_the_redis_socket_timeout(connect_as, settings):
    """redis-py's default 5 s socket timeout once killed consumers idle that long."""
    user = await sync_to_async(make_user)()
    communicator = await connect_as(user)
    await _hello(communicator)
    await asyncio.sleep(7)
    await sync_to_async(events.send_to_users)([user.pk], {"type": "test.note", "text": "still here"})
    assert (await communicator.receive_json_from(timeout=5))["text"] == "still here"
    await communicator.disconnect()


def port_nobody_listens_on() -> int:
    """Connections to it are refused: Redis or PostgreSQL "away"."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def test_a_connect_while_redis_is_unreachable_is_refused_cleanly_not_with_a_500(settings):
    from apps.core.redis import get_redis
    from apps.realtime import consumers

    user = await sync_to_async(make_user)()
    client = Client()
    await sync_to_async(client.force_login)(user)
    closed_port = port_nobody_listens_on()
    settings.REDIS_URL = f"redis://127.0.0.1:{closed_port}/0"
    get_redis.cache_clear()
    try:
        communicator = WebsocketCommunicator(
            application,
            "/ws/",
            headers=[
                (b"origin", b"http://localhost"),
                (b"host", b"localhost"),
                (b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode()),
            ],
        )
        connected, code = await communicator.connect()
    finally:
        get_redis.cache_clear()
    assert (connected, code) == (False, consumers.CLOSE_TRY_AGAIN_LATER)


async def test_a_connect_while_the_channel_layer_is_unreachable_is_refused_cleanly(settings):
    from apps.realtime import consumers

    closed_port = port_nobody_listens_on()
    layer = settings.CHANNEL_LAYERS["default"]
    settings.CHANNEL_LAYERS = {
        "default": {**layer, "CONFIG": {**layer["CONFIG"], "hosts": [{"address": f"redis://127.0.0.1:{closed_port}/0"}]}}
    }
    communicator = WebsocketCommunicator(application, "/ws/", headers=[(b"origin", b"http://localhost"), (b"host", b"localhost")])
    connected, code = await communicator.connect()
    assert (connected, code) == (False, consumers.CLOSE_TRY_AGAIN_LATER)
    # and the refused socket's channel is not left behind in the layer
    assert get_channel_layer()._get_layer().channels == {}


async def test_a_frame_while_redis_is_away_gets_service_unavailable_and_the_socket_stays_open(connect_as, settings):
    from apps.core.redis import get_redis
    from apps.realtime import consumers

    communicator = await connect_as(await sync_to_async(make_user)())
    assert (await communicator.receive_json_from(timeout=5))["type"] == "hello"
    redis_url = settings.REDIS_URL
    closed_port = port_nobody_listens_on()
    settings.REDIS_URL = f"redis://127.0.0.1:{closed_port}/0"
    get_redis.cache_clear()
    try:
        await communicator.send_json_to({"type": "presence.set", "state": "away", "ref": "away-1"})
        refused = await communicator.receive_json_from(timeout=10)
    finally:
        settings.REDIS_URL = redis_url
        get_redis.cache_clear()
    assert refused["type"] == "error"
    assert refused["code"] == "service_unavailable"
    assert refused["ref"] == "away-1"
    assert refused["retry_after_s"] == consumers.SERVICE_UNAVAILABLE_RETRY_AFTER_S

    await communicator.send_json_to({"type": "ping"})
    assert (await communicator.receive_json_from(timeout=5))["type"] == "pong"
    await communicator.disconnect()


async def _connected_with_a_handler(connect_as, monkeypatch, frame_type: str, handler):
    """A connected user's socket, with `handler` taking `frame_type` frames (unchecked) for this test."""
    from apps.realtime import registry

    monkeypatch.setitem(registry.frame_handlers, frame_type, handler)
    monkeypatch.setitem(registry.frame_checks, frame_type, lambda frame: frame)
    user = await sync_to_async(make_user)()
    communicator = await connect_as(user)
    await _hello(communicator)
    return user, communicator


async def test_a_ping_is_answered_while_the_sockets_earlier_frames_are_at_work_and_the_rest_keep_their_order(
    connect_as, monkeypatch
):
    # Given a frame type whose work waits (a join queued for a busy process's database threads)
    released = asyncio.Event()

    async def slow(consumer, frame):
        await released.wait()
        await consumer.send_frame({"type": "slow.done"})

    user, communicator = await _connected_with_a_handler(connect_as, monkeypatch, "slow", slow)

    # When the socket sends it, then a ping, then a frame that is refused, and meanwhile a frame
    # is published to the user's group
    await communicator.send_json_to({"type": "slow"})
    await communicator.send_json_to({"type": "ping"})
    await communicator.send_json_to({"type": "nope", "ref": "r1"})
    await get_channel_layer().group_send(user_group(user.pk), {"type": FRAME_MESSAGE_TYPE, "frame": {"type": "published"}})

    # Then the pong comes at once; the rest only after the slow work, in the order they came
    assert (await communicator.receive_json_from(timeout=5))["type"] == "pong"
    assert await communicator.receive_nothing(timeout=0.3)
    released.set()
    assert (await communicator.receive_json_from(timeout=5))["type"] == "slow.done"
    refused = await communicator.receive_json_from(timeout=5)
    assert (refused["type"], refused["code"], refused["ref"]) == ("error", "unknown_type", "r1")
    assert (await communicator.receive_json_from(timeout=5))["type"] == "published"
    await communicator.disconnect()


async def test_disconnect_waits_for_the_work_of_the_sockets_last_frames_before_cleaning_up(connect_as, monkeypatch):
    # Given a frame whose work joins a group after a while (as `resume` joins a room's group)
    released = asyncio.Event()
    joined = []

    async def join_later(consumer, frame):
        await released.wait()
        await consumer.join_group("late-group")
        joined.append(consumer.channel_name)

    user, communicator = await _connected_with_a_handler(connect_as, monkeypatch, "join.later", join_later)
    await communicator.send_json_to({"type": "join.later"})

    # When the socket closes while that work still waits, and then the work goes on
    asyncio.get_running_loop().call_later(0.2, released.set)
    await communicator.disconnect(timeout=5)

    # Then the work was done, and the cleanup came after it: the group holds nobody any more
    assert len(joined) == 1
    assert joined[0] not in get_channel_layer()._get_layer().groups.get("late-group", ())
    assert not await sync_to_async(presence.user_is_online)(user_id=user.pk)


async def test_a_heartbeat_while_redis_is_away_still_gets_its_pong_and_refreshes_presence_once_it_is_back(connect_as, settings):
    from apps.core.redis import get_redis
    from apps.realtime import presence

    user = await sync_to_async(make_user)()
    communicator = await connect_as(user)
    assert (await communicator.receive_json_from(timeout=5))["type"] == "hello"
    redis_url = settings.REDIS_URL
    settings.REDIS_URL = f"redis://127.0.0.1:{port_nobody_listens_on()}/0"
    get_redis.cache_clear()
    try:
        # The socket is alive though Redis is not: the client must not close it at its pong timeout
        await communicator.send_json_to({"type": "ping"})
        assert (await communicator.receive_json_from(timeout=10))["type"] == "pong"
        # A socket's frames are handled one after another: the answer to the next one says the
        # refresh that follows the pong has been tried (and failed) before Redis comes back.
        await communicator.send_json_to({"type": "barrier"})
        assert (await communicator.receive_json_from(timeout=10))["code"] == "unknown_type"
    finally:
        settings.REDIS_URL = redis_url
        get_redis.cache_clear()

    # And once Redis is back the next heartbeat refreshes presence as before
    await sync_to_async(get_redis().delete)(presence._sockets_key(user.pk))  # as if its lease had run out
    assert not await sync_to_async(presence.user_is_online)(user_id=user.pk)
    await communicator.send_json_to({"type": "ping"})
    assert (await communicator.receive_json_from(timeout=5))["type"] == "pong"
    await eventually(lambda: presence.user_is_online(user_id=user.pk))  # the refresh follows the pong
    await communicator.disconnect()
