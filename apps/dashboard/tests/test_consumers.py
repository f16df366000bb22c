import time

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings

from apps.accounts.tests.factories import make_profile
from apps.core.redis import get_redis
from apps.dashboard import selectors, services
from apps.events.tests.factories import make_event
from apps.realtime import presence
from apps.telemetry import metrics
from apps.telemetry.metrics import Metric
from conftest import eventually
from matchminds.asgi import application

pytestmark = pytest.mark.django_db(transaction=True)


async def test_a_socket_counts_the_connect_and_the_user_online_until_it_closes(connect_as):
    # Given a woman from Seoul National University
    profile = await sync_to_async(make_profile)(gender="F")
    # When she connects, then she is online in every breakdown and the connect is counted
    socket = await connect_as(profile.user)
    assert (await socket.receive_json_from())["type"] == "hello"
    snapshot = await sync_to_async(selectors.dashboard_snapshot)(event_id=None)
    assert (snapshot["tiles"]["online"], snapshot["tiles"]["online_f"], snapshot["tiles"]["connects_1m"]) == (1, 1, 1)
    assert snapshot["universities"][0]["online"] == 1
    # When she disconnects, she is offline and the disconnect is counted
    await socket.disconnect()
    snapshot = await sync_to_async(selectors.dashboard_snapshot)(event_id=None)
    assert (snapshot["tiles"]["online"], snapshot["tiles"]["disconnects_1m"]) == (0, 1)


async def test_a_heartbeat_extends_the_online_lease_with_the_presence_one(connect_as):
    # Given a connected student whose leases are about to run out
    profile = await sync_to_async(make_profile)(gender="F")
    socket = await connect_as(profile.user)
    assert (await socket.receive_json_from())["type"] == "hello"
    client, uid = get_redis(), str(profile.user.pk)
    online_key = metrics.online_key(metrics.ALL, "all")
    await sync_to_async(client.zadd)(online_key, {uid: 1})
    await sync_to_async(client.zadd)(presence.ONLINE_USERS_KEY, {uid: 1})
    # When the tab pings
    await socket.send_json_to({"type": "ping"})
    assert (await socket.receive_json_from())["type"] == "pong"
    # Then both leases run PRESENCE_TTL_S from now again (the refresh follows the pong), and the
    # dashboard counts her online
    soon = time.time() + settings.PRESENCE_TTL_S - 5
    await eventually(lambda: float(client.zscore(online_key, uid)) > soon)
    assert await sync_to_async(client.zscore)(presence.ONLINE_USERS_KEY, uid) > soon
    snapshot = await sync_to_async(selectors.dashboard_snapshot)(event_id=None)
    assert snapshot["tiles"]["online"] == 1
    await socket.disconnect()


async def test_two_tabs_keep_the_user_online_until_the_last_closes(connect_as):
    profile = await sync_to_async(make_profile)(gender="M")
    first, second = await connect_as(profile.user), await connect_as(profile.user)
    await first.disconnect()
    assert (await sync_to_async(selectors.dashboard_snapshot)(event_id=None))["tiles"]["online"] == 1
    await second.disconnect()
    assert (await sync_to_async(selectors.dashboard_snapshot)(event_id=None))["tiles"]["online"] == 0


async def test_lobby_presence_counts_the_user_in_the_event_until_they_leave_the_site(connect_as):
    event = await sync_to_async(make_event)()
    profile = await sync_to_async(make_profile)(gender="M")
    socket = await connect_as(profile.user)
    await socket.receive_json_from()
    await socket.send_json_to({"type": "lobby.enter", "event": event.pk})
    assert (await socket.receive_json_from())["type"] == "lobby.counts"
    tiles = (await sync_to_async(selectors.dashboard_snapshot)(event_id=event.pk))["tiles"]
    assert (tiles["online"], tiles["online_m"]) == (1, 1)
    assert get_redis().hget("mm:et:" + str(event.pk), Metric.LOBBY_ENTERS) == "1"
    await socket.send_json_to({"type": "lobby.leave", "event": event.pk})
    await socket.send_json_to({"type": "ping"})
    assert (await socket.receive_json_from())["type"] == "pong"
    # Leaving the lobby for the event's chats keeps them in the event while their socket lives
    # (the heartbeat's refresh, which follows its pong, counts them there again).
    await eventually(lambda: selectors.dashboard_snapshot(event_id=event.pk)["tiles"]["online"] == 1)
    await socket.disconnect()
    assert (await sync_to_async(selectors.dashboard_snapshot)(event_id=event.pk))["tiles"]["online"] == 0


async def test_non_staff_get_an_error_frame_and_no_snapshots(connect_as):
    profile = await sync_to_async(make_profile)()
    socket = await connect_as(profile.user)
    await socket.receive_json_from()
    await socket.send_json_to({"type": "dashboard.subscribe", "event": None, "ref": "d1"})
    error = await socket.receive_json_from()
    assert (error["type"], error["code"], error["ref"]) == ("error", "forbidden", "d1")
    await sync_to_async(services.dashboard_publish)()
    assert await socket.receive_nothing(timeout=0.3)
    await socket.disconnect()


async def test_staff_get_the_snapshot_at_once_then_every_published_one(connect_as, staff_user):
    event = await sync_to_async(make_event)()
    socket = await connect_as(staff_user)
    await socket.receive_json_from()
    await socket.send_json_to({"type": "dashboard.subscribe", "event": event.pk})
    first = await socket.receive_json_from()
    assert (first["type"], first["event"]) == ("dashboard.snapshot", event.pk)
    # When a confirmed match is recorded and the per-second task publishes
    await sync_to_async(metrics.metric_incr)(Metric.CONFIRMED, event_id=event.pk)
    assert await sync_to_async(services.dashboard_publish)() == 2
    # Then the viewer of that event gets exactly its snapshot (not the all-events one)
    frame = await socket.receive_json_from()
    assert (frame["event"], frame["tiles"]["confirmed_15m"]) == (event.pk, 1)
    assert await socket.receive_nothing(timeout=0.3)
    await socket.disconnect()


async def test_subscribe_validates_the_event(connect_as, staff_user):
    socket = await connect_as(staff_user)
    await socket.receive_json_from()
    await socket.send_json_to({"type": "dashboard.subscribe", "event": "x"})
    assert (await socket.receive_json_from())["code"] == "invalid_frame"
    await socket.send_json_to({"type": "dashboard.subscribe", "event": 999999})
    assert (await socket.receive_json_from())["code"] == "event_not_found"
    await socket.disconnect()


async def test_refused_connects_are_counted(transactional_db):
    communicator = WebsocketCommunicator(application, "/ws/", headers=[(b"origin", b"http://localhost"), (b"host", b"localhost")])
    await communicator.connect()
    assert (await communicator.receive_output(timeout=5))["code"] == 4401
    totals = get_redis().hgetall(metrics.TOTALS_KEY)
    assert totals == {"ws_connect_rejected|all": "1"}
