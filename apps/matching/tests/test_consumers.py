"""Queue and proposal flows through real WebSocket frames on the real ASGI application."""

import pytest
from asgiref.sync import sync_to_async

from apps.accounts.tests.factories import make_profile, make_user
from apps.matching import queue, services, tasks
from apps.matching.models import Match
from apps.matching.tests.conftest import make_event, university, worker_pairs

pytestmark = pytest.mark.django_db(transaction=True)


async def _receive_until(communicator, frame_type: str, *, timeout: float = 5) -> dict:
    while True:
        frame = await communicator.receive_json_from(timeout=timeout)
        if frame["type"] == frame_type:
            return frame


async def _two_users_proposed(connect_as):
    """Given a live event, a woman and a man who join by frame and a worker's matching step."""
    event = await sync_to_async(make_event)()
    woman = await sync_to_async(make_profile)(gender="F", seeking="M", university=await sync_to_async(university)("서울대학교"))
    man = await sync_to_async(make_profile)(gender="M", seeking="F", university=await sync_to_async(university)("부산대학교"))
    sockets = []
    for profile in (woman, man):
        communicator = await connect_as(profile.user)
        await _receive_until(communicator, "hello")
        await communicator.send_json_to({"type": "queue.join", "event": event.pk})
        status = await _receive_until(communicator, "queue.status")
        assert status["state"] == "waiting"
        sockets.append(communicator)
    await sync_to_async(worker_pairs)(event_id=event.pk, user_id=man.user_id)
    proposals = [await _receive_until(communicator, "match.proposed") for communicator in sockets]
    return event, woman, man, sockets, proposals


async def test_both_accept_by_frame_and_both_get_match_confirmed_with_the_room(connect_as):
    event, woman, man, (w_socket, m_socket), (w_prop, m_prop) = await _two_users_proposed(connect_as)
    assert w_prop["partner"]["nickname"] == man.nickname and m_prop["partner"]["nickname"] == woman.nickname
    await w_socket.send_json_to({"type": "match.accept", "proposal": w_prop["proposal"]})
    assert (await _receive_until(w_socket, "match.accepted"))["proposal"] == w_prop["proposal"]
    await m_socket.send_json_to({"type": "match.accept", "proposal": m_prop["proposal"]})
    confirmed = [await _receive_until(s, "match.confirmed") for s in (w_socket, m_socket)]
    match = await sync_to_async(Match.objects.get)()
    assert [c["room"] for c in confirmed] == [match.room_id, match.room_id]
    assert confirmed[0]["partner"]["user_id"] == man.user_id
    for communicator in (w_socket, m_socket):
        await communicator.disconnect()


async def test_decline_by_frame_requeues_the_partner(connect_as):
    event, woman, man, (w_socket, m_socket), (w_prop, _) = await _two_users_proposed(connect_as)
    await w_socket.send_json_to({"type": "match.decline", "proposal": w_prop["proposal"]})
    mine = await _receive_until(w_socket, "match.cancelled")
    theirs = await _receive_until(m_socket, "match.cancelled")
    assert (mine["reason"], mine["requeued"], theirs["reason"], theirs["requeued"]) == (
        "declined",
        False,
        "partner_declined",
        True,
    )
    await m_socket.send_json_to({"type": "queue.sync", "event": event.pk})
    assert (await _receive_until(m_socket, "queue.status"))["state"] == "waiting"
    for communicator in (w_socket, m_socket):
        await communicator.disconnect()


async def test_timeout_after_one_accept_tells_both(connect_as):
    event, woman, man, (w_socket, m_socket), (w_prop, _) = await _two_users_proposed(connect_as)
    await w_socket.send_json_to({"type": "match.accept", "proposal": w_prop["proposal"]})
    await _receive_until(w_socket, "match.accepted")
    later = queue.now_ms() + 25_000
    await sync_to_async(services.proposal_expire)(event_id=event.pk, proposal_id=w_prop["proposal"], at_ms=later)
    assert (await _receive_until(w_socket, "match.cancelled"))["reason"] == "partner_timeout"
    assert (await _receive_until(m_socket, "match.cancelled"))["reason"] == "timeout"
    # answering after the deadline is refused precisely
    await m_socket.send_json_to({"type": "match.accept", "proposal": w_prop["proposal"], "ref": "late"})
    error = await _receive_until(m_socket, "error")
    assert (error["code"], error["ref"]) == ("proposal_expired", "late")
    for communicator in (w_socket, m_socket):
        await communicator.disconnect()


async def test_bad_queue_and_answer_frames_get_precise_errors_and_change_nothing(connect_as):
    now_event = await sync_to_async(make_event)(state_override="ended")
    profile = await sync_to_async(make_profile)()
    stranger = await sync_to_async(make_user)()
    communicator = await connect_as(profile.user)
    await _receive_until(communicator, "hello")
    incomplete = await connect_as(stranger)
    await _receive_until(incomplete, "hello")
    live = await sync_to_async(make_event)()
    cases = [
        (communicator, {"type": "queue.join", "event": now_event.pk}, "event_not_live"),
        (communicator, {"type": "queue.join", "event": 987654}, "event_not_found"),
        (communicator, {"type": "queue.join", "event": "x"}, "invalid_frame"),
        (communicator, {"type": "match.accept", "proposal": 424242}, "proposal_not_found"),
        (communicator, {"type": "match.decline"}, "invalid_frame"),
        (incomplete, {"type": "queue.join", "event": live.pk}, "profile_incomplete"),
    ]
    for socket, frame, code in cases:
        await socket.send_json_to(frame)
        assert (await _receive_until(socket, "error"))["code"] == code
    await communicator.send_json_to({"type": "queue.join", "event": live.pk})
    await _receive_until(communicator, "queue.status")
    await communicator.send_json_to({"type": "queue.join", "event": live.pk})
    assert (await _receive_until(communicator, "error"))["code"] == "already_queued"
    assert await sync_to_async(queue.ticket_user_ids)(event_id=live.pk) == {profile.user_id}
    assert await sync_to_async(queue.ticket_user_ids)(event_id=now_event.pk) == set()
    await communicator.disconnect()
    await incomplete.disconnect()


async def test_closing_every_socket_starts_the_grace_and_reconnecting_keeps_the_place(connect_as):
    event = await sync_to_async(make_event)()
    profile = await sync_to_async(make_profile)()
    communicator = await connect_as(profile.user)
    await _receive_until(communicator, "hello")
    await communicator.send_json_to({"type": "queue.join", "event": event.pk})
    await _receive_until(communicator, "queue.status")
    await communicator.disconnect()
    gone = await sync_to_async(queue.get_redis().zscore)(f"mq:{event.pk}:gone", str(profile.user_id))
    assert gone is not None and gone > queue.now_ms() + 25_000
    again = await connect_as(profile.user)
    await _receive_until(again, "hello")
    assert await sync_to_async(queue.get_redis().zscore)(f"mq:{event.pk}:gone", str(profile.user_id)) is None
    await again.send_json_to({"type": "queue.sync", "event": event.pk})
    assert (await _receive_until(again, "queue.status"))["position"] == 1
    await again.disconnect()


async def test_queue_sync_after_redis_lost_the_queue_answers_with_the_place_postgresql_keeps(connect_as):
    # given a man waiting in a live event
    event = await sync_to_async(make_event)()
    man = await sync_to_async(make_profile)(gender="M", seeking="F", university=await sync_to_async(university)("부산대학교"))
    communicator = await connect_as(man.user)
    await _receive_until(communicator, "hello")
    await communicator.send_json_to({"type": "queue.join", "event": event.pk})
    assert (await _receive_until(communicator, "queue.status"))["position"] == 1
    # when Redis loses everything (this test's own database only)
    await sync_to_async(queue.get_redis().flushdb)()
    # then a sync still says he waits, without a number that no longer exists
    await communicator.send_json_to({"type": "queue.sync", "event": event.pk})
    status = await _receive_until(communicator, "queue.status")
    assert (status["state"], status["position"]) == ("waiting", None)
    # and once beat's sweep restored the queue he is told his place, and a sync agrees
    await sync_to_async(tasks.sweep_live_queues)()
    assert (await _receive_until(communicator, "queue.status"))["position"] == 1
    await communicator.send_json_to({"type": "queue.sync", "event": event.pk})
    status = await _receive_until(communicator, "queue.status")
    assert (status["state"], status["position"]) == ("waiting", 1)
    await communicator.disconnect()


async def test_a_confirmation_missed_while_reconnecting_comes_again_on_queue_sync(connect_as):
    # given a proposed pair; the man's socket closes after his yes, before hers
    event, woman, man, (w_socket, m_socket), (w_prop, m_prop) = await _two_users_proposed(connect_as)
    await m_socket.send_json_to({"type": "match.accept", "proposal": m_prop["proposal"]})
    await _receive_until(m_socket, "match.accepted")
    await m_socket.disconnect()
    # when she says yes while he is away (his confirmation goes nowhere) and he comes back and syncs
    await w_socket.send_json_to({"type": "match.accept", "proposal": w_prop["proposal"]})
    await _receive_until(w_socket, "match.confirmed")
    again = await connect_as(man.user)
    await _receive_until(again, "hello")
    await again.send_json_to({"type": "queue.sync", "event": event.pk})
    # then he has no ticket, and the confirmation of his match comes again with its room
    assert (await _receive_until(again, "queue.status"))["state"] == "none"
    confirmed = await _receive_until(again, "match.confirmed")
    match = await sync_to_async(Match.objects.get)()
    assert (confirmed["match"], confirmed["room"], confirmed["partner"]["user_id"]) == (match.pk, match.room_id, woman.user_id)
    for communicator in (w_socket, again):
        await communicator.disconnect()


async def test_queue_sync_without_ticket_or_recent_match_sends_no_confirmation(connect_as):
    event = await sync_to_async(make_event)()
    profile = await sync_to_async(make_profile)(gender="M", seeking="F", university=await sync_to_async(university)("부산대학교"))
    communicator = await connect_as(profile.user)
    await _receive_until(communicator, "hello")
    await communicator.send_json_to({"type": "queue.sync", "event": event.pk})
    assert (await _receive_until(communicator, "queue.status"))["state"] == "none"
    assert await communicator.receive_nothing(timeout=0.5)
    await communicator.disconnect()
