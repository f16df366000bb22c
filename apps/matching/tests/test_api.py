import pytest
from django.test import Client

from apps.accounts.tests.factories import make_profile, make_user
from apps.matching.tests.conftest import make_event, worker_pairs

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_join_status_accept_and_leave_over_http(live_event, pair_of_profiles):
    woman, man = pair_of_profiles
    woman_client, man_client = _client(woman.user), _client(man.user)
    url = f"/api/v1/events/{live_event.pk}/queue/"
    joined = woman_client.post(url)
    assert joined.status_code == 201 and joined.json()["state"] == "waiting" and joined.json()["position"] == 1
    assert woman_client.post(url).json() == {"error": {"code": "already_queued", "message": "이미 이 이벤트의 대기열에 있어요."}}
    man_client.post(url)
    proposal_id = worker_pairs(event_id=live_event.pk, user_id=man.user_id)
    assert man_client.get(url).json()["proposal"] == proposal_id
    stranger = _client(make_profile(gender="M", seeking="F").user)
    refused = stranger.post(f"/api/v1/proposals/{proposal_id}/accept/")
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "not_your_proposal")
    assert woman_client.post(f"/api/v1/proposals/{proposal_id}/accept/").json() == {"proposal": proposal_id, "state": "accepted"}
    assert man_client.post(f"/api/v1/proposals/{proposal_id}/accept/").json() == {"proposal": proposal_id, "state": "matched"}
    matches = woman_client.get("/api/v1/matches/").json()
    assert [(m["partner_id"], m["status"]) for m in matches] == [(man.user_id, "active")]
    assert woman_client.delete(url).status_code == 204


def test_http_join_refusals(pair_of_profiles):
    woman, _ = pair_of_profiles
    ended = make_event(state_override="ended")
    response = _client(woman.user).post(f"/api/v1/events/{ended.pk}/queue/")
    assert (response.status_code, response.json()["error"]["code"]) == (403, "event_not_live")
    response = _client(make_user()).post(f"/api/v1/events/{make_event().pk}/queue/")
    assert (response.status_code, response.json()["error"]["code"]) == (403, "profile_incomplete")
    assert _client(woman.user).post("/api/v1/proposals/5/decline/").status_code == 404
