"""A student who has not accepted the current terms cannot send: the send path asks Redis, not SQL."""

import pytest
from asgiref.sync import sync_to_async
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.chat import batch as chat_batch
from apps.chat.models import Message
from apps.chat.tests.factories import make_pair
from apps.core.errors import DomainError
from apps.policies import selectors as policy_selectors
from apps.policies import services as policy_services
from apps.policies.models import PolicyKind


def _publish_new_terms() -> None:
    draft = policy_services.policy_draft_from(version=policy_selectors.policy_current(kind=PolicyKind.TERMS))
    policy_services.policy_publish(version_id=draft.pk)


@pytest.mark.django_db(transaction=True)
async def test_after_new_terms_a_send_gets_terms_not_accepted_until_the_sender_accepts(connect_as):
    alice, _bob, room = await sync_to_async(make_pair)()
    socket = await connect_as(alice)
    while (await socket.receive_json_from(timeout=5))["type"] != "hello":
        pass
    await sync_to_async(_publish_new_terms)()

    frame = {"type": "message.send", "room": room.pk, "client_msg_id": "c1", "body": "안녕", "ref": "send:c1"}
    await socket.send_json_to(frame)
    refused = await socket.receive_json_from(timeout=5)
    while refused["type"] == "presence":
        refused = await socket.receive_json_from(timeout=5)

    assert refused["type"] == "error" and refused["code"] == "terms_not_accepted" and refused["ref"] == "send:c1"
    assert "이용약관" in refused["message"]
    assert await sync_to_async(Message.objects.filter(room=room).count)() == 0

    ids = await sync_to_async(lambda: [v.pk for v in policy_selectors.consent_versions_current()])()
    await sync_to_async(policy_services.policies_accept)(user_id=alice.pk, version_ids=ids, ip_address="127.0.0.1")
    await socket.send_json_to(frame)
    ack = await socket.receive_json_from(timeout=5)
    while ack["type"] == "presence":
        ack = await socket.receive_json_from(timeout=5)
    assert ack["type"] == "message.ack" and ack["seq"] == 1


@pytest.mark.django_db
def test_a_refused_send_changes_nothing_and_staff_are_not_asked(django_capture_on_commit_callbacks):
    alice, bob, room = make_pair()
    with django_capture_on_commit_callbacks(execute=True):
        _publish_new_terms()

    with pytest.raises(DomainError) as refused:
        chat_batch.message_send(sender_id=alice.pk, room_id=room.pk, client_msg_id="x", body="hi")

    assert (refused.value.code, refused.value.http_status) == ("terms_not_accepted", 403)
    assert not Message.objects.filter(room=room).exists()
    staff_post = chat_batch.message_send(sender_id=bob.pk, room_id=room.pk, client_msg_id="s", body="공지", sender_is_staff=True)
    assert staff_post.seq == 1


@pytest.mark.django_db
def test_the_warm_send_path_asks_no_sql_for_consent():
    alice, _bob, room = make_pair()
    with CaptureQueriesContext(connection) as queries:
        chat_batch.message_send(sender_id=alice.pk, room_id=room.pk, client_msg_id="q", body="hi")

    assert not [query for query in queries.captured_queries if "policies_" in query["sql"]]
