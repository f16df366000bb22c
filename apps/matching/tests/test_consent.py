"""Joining the queue asks for the current terms, on the WebSocket and over HTTP."""

import pytest
from asgiref.sync import sync_to_async
from django.test import Client

from apps.accounts.tests.factories import accept_current_policies, make_profile, make_user
from apps.core.errors import DomainError
from apps.matching import services
from apps.matching.tests.conftest import make_event


def _unconsented_profile():
    return make_profile(user=make_user(accept_policies=False))


@pytest.mark.django_db
def test_the_service_refuses_a_join_without_consent_and_queues_nothing():
    event, profile = make_event(), _unconsented_profile()

    with pytest.raises(DomainError) as refused:
        services.queue_join(user=profile.user, event_id=event.pk)

    assert (refused.value.code, refused.value.http_status) == ("terms_not_accepted", 403)
    accept_current_policies(user=profile.user)
    assert services.queue_join(user=profile.user, event_id=event.pk)["state"] == "waiting"


@pytest.mark.django_db
def test_http_join_without_consent_is_a_403_with_the_code():
    event, profile = make_event(), _unconsented_profile()
    client = Client()
    client.force_login(profile.user)

    response = client.post(f"/api/v1/events/{event.pk}/queue/")

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "terms_not_accepted"


@pytest.mark.django_db
def test_an_unconfirmed_local_sign_up_cannot_join():
    event, profile = make_event(), make_profile(user=make_user(confirm_email=False))

    with pytest.raises(DomainError) as refused:
        services.queue_join(user=profile.user, event_id=event.pk)

    assert refused.value.code == "email_not_confirmed"


@pytest.mark.django_db(transaction=True)
async def test_queue_join_frame_without_consent_gets_terms_not_accepted(connect_as):
    event = await sync_to_async(make_event)()
    profile = await sync_to_async(_unconsented_profile)()
    socket = await connect_as(profile.user)
    while (await socket.receive_json_from(timeout=5))["type"] != "hello":
        pass

    await socket.send_json_to({"type": "queue.join", "event": event.pk, "ref": "queue.join"})
    frame = await socket.receive_json_from(timeout=5)
    while frame["type"] != "error":
        frame = await socket.receive_json_from(timeout=5)

    assert (frame["code"], frame["ref"]) == ("terms_not_accepted", "queue.join")
