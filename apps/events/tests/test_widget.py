import threading

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from prometheus_client import REGISTRY

from apps.accounts.tests.factories import make_profile, make_user
from apps.chat import batch as chat_batch
from apps.chat import rooms as chat_rooms
from apps.events import services, signups, widget
from apps.events.admin import EventAdminForm
from apps.events.tests.factories import make_event, make_scheduled_event

pytestmark = pytest.mark.django_db


def computations() -> float:
    return REGISTRY.get_sample_value("matchminds_event_widget_computations_total") or 0.0


def _post_announcement(event, body):
    staff = make_user()
    staff.is_staff = True
    staff.save(update_fields=["is_staff"])
    room = chat_rooms.lobby_room_join(user=staff, event_id=event.pk)
    chat_batch.message_send(sender_id=staff.pk, room_id=room.pk, client_msg_id=body[:20], body=body, sender_is_staff=True)


def test_the_widget_may_be_framed_by_exactly_the_listed_origins_and_needs_no_cookie(client):
    make_event(slug="fest", embed_origins="https://council.example.ac.kr\nhttp://localhost:8123")

    response = client.get("/embed/events/fest/")

    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert policy.startswith("frame-ancestors https://council.example.ac.kr http://localhost:8123; ")
    assert "script-src 'self';" in policy
    assert "X-Frame-Options" not in response.headers
    assert "Set-Cookie" not in response.headers
    assert response["Vary"] == "Accept-Language"
    assert 'target="_blank" rel="noopener"' in response.content.decode()
    assert "<script>" not in response.content.decode()


def test_a_widget_nobody_was_allowed_to_embed_refuses_every_frame(client):
    make_event(slug="private")
    assert client.get("/embed/events/private/")["Content-Security-Policy"].startswith("frame-ancestors 'none'; ")


def test_an_unknown_widget_shows_a_notice_and_its_data_a_json_error(client):
    page = client.get("/embed/events/nope/")
    data = client.get("/embed/events/nope/data.json")

    assert page.status_code == 404
    assert "이벤트를 찾을 수 없어요." in page.content.decode()
    assert data.status_code == 404
    assert data.json() == {"error": {"code": "event_not_found", "message": "해당 이벤트가 없어요."}}


def test_live_data_has_online_count_gender_balance_and_latest_announcements(client):
    event = make_event(slug="live-fest")
    for gender in ("M", "F", "F"):
        services.lobby_presence_touch(user_id=make_profile(gender=gender).user.pk, event_id=event.pk)
    for body in ("환영합니다", "매칭 시작!", "10분 남았어요", "곧 종료합니다"):
        _post_announcement(event, body)

    response = client.get("/embed/events/live-fest/data.json")

    data = response.json()
    assert response["Cache-Control"] == "public, max-age=5"
    assert "Set-Cookie" not in response.headers
    assert response["Vary"] == "Accept-Language"
    assert (data["state"], data["online"], data["gender"]) == ("live", 3, {"M": 1, "F": 2})
    assert [item["body"] for item in data["announcements"]] == ["곧 종료합니다", "10분 남았어요", "매칭 시작!"]
    assert "frame_origins" not in data


def test_scheduled_data_has_the_start_for_the_countdown_and_places_left(client):
    event = make_scheduled_event(slug="soon", signup_capacity=5)
    signups.signup_create(user=make_profile().user, event_id=event.pk)

    data = client.get("/embed/events/soon/data.json").json()

    assert (data["state"], data["online"], data["gender"], data["places_left"]) == ("scheduled", None, None, 4)
    assert data["starts_at"] == event.starts_at.isoformat()


@pytest.mark.django_db(transaction=True)
def test_a_thousand_viewers_cost_one_computation_per_refresh_interval(settings):
    # Given a live event embedded on many pages (an interval long enough for a burst on a busy machine)
    settings.EVENTS_WIDGET_REFRESH_S = 60
    event = make_event(slug="popular")
    services.lobby_presence_touch(user_id=make_profile().user.pk, event_id=event.pk)
    before = computations()
    statuses: list[int] = []

    def burst() -> None:
        barrier = threading.Barrier(8)

        def viewers(count: int) -> None:
            client = Client()
            barrier.wait()
            try:
                statuses.extend(client.get("/embed/events/popular/data.json").status_code for _ in range(count))
            finally:
                connection.close()

        threads = [threading.Thread(target=viewers, args=(125,)) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    # When 1,000 requests arrive from 8 threads at once on a cold cache
    burst()
    after_first = computations()
    # ...and 1,000 more once the interval is over (its snapshot expires)
    cache.delete(widget._key("popular"))
    burst()

    # Then each interval computed the data once, and every viewer got it
    assert statuses == [200] * 2000
    assert (after_first - before, computations() - before) == (1, 2)


def test_cached_requests_touch_no_database(client):
    make_event(slug="cached")
    client.get("/embed/events/cached/data.json")

    with CaptureQueriesContext(connection) as queries:
        for _ in range(50):
            client.get("/embed/events/cached/data.json")
            client.get("/embed/events/cached/")

    assert len(queries) == 0


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("https://ok.example\ncouncil.example.ac.kr", '2번째 줄 "council.example.ac.kr"은(는) 오리진이 아니에요.'),
        ("https://*.example.ac.kr", '1번째 줄 "https://*.example.ac.kr"은(는) 오리진이 아니에요.'),
        ("https://club.example/path", '1번째 줄 "https://club.example/path"은(는) 오리진이 아니에요.'),
        ("ftp://club.example", '1번째 줄 "ftp://club.example"은(는) 오리진이 아니에요.'),
        ("https://club.example:99999", '1번째 줄 "https://club.example:99999"은(는) 오리진이 아니에요.'),
        ("https://a.example;script-src *", '1번째 줄 "https://a.example;script-src *"은(는) 오리진이 아니에요.'),
        ("https://a.example?", '1번째 줄 "https://a.example?"은(는) 오리진이 아니에요.'),
    ],
)
def test_the_admin_form_names_the_malformed_origin(text, error):
    form = EventAdminForm(data=_admin_data(embed_origins=text))

    assert not form.is_valid()
    assert form.errors["embed_origins"][0].startswith(error)


def test_the_admin_form_keeps_well_formed_origins_one_per_line():
    form = EventAdminForm(
        data=_admin_data(embed_origins=" https://Club.Example/ \n\nhttp://localhost:8123\nhttps://club.example")
    )

    assert form.is_valid(), form.errors
    assert form.cleaned_data["embed_origins"] == "https://club.example\nhttp://localhost:8123"


def test_the_admin_form_refuses_reserved_and_numeric_slugs():
    assert "slug" in EventAdminForm(data=_admin_data(slug="mine")).errors
    assert "slug" in EventAdminForm(data=_admin_data(slug="2026")).errors


def _admin_data(**overrides) -> dict:
    data = {
        "name": "축제",
        "slug": "spring-fest",
        "nationwide": "on",
        "starts_at": "2030-03-14 19:00:00",
        "ends_at": "2030-03-14 21:00:00",
        "accept_timeout_s": "20",
        "max_wait_s": "300",
        "embed_origins": "",
    }
    data.update(overrides)
    return data


def test_staff_see_the_snippet_and_sign_ups_in_the_admin_and_on_the_dashboard():
    event = make_scheduled_event(slug="spring-fest", signup_capacity=1)
    for gender in ("M", "F"):
        signups.signup_create(user=make_profile(gender=gender).user, event_id=event.pk)
    staff = make_user()
    staff.is_staff = True
    staff.is_superuser = True
    staff.save()
    client = Client()
    client.force_login(staff)

    admin_page = client.get(f"/admin/events/event/{event.pk}/change/").content.decode()
    dashboard = client.get(f"/admin/dashboard/?event={event.pk}").content.decode()

    assert "&lt;iframe src=&quot;http://127.0.0.1:8000/embed/events/spring-fest/&quot;" in admin_page
    for html in (admin_page, dashboard):
        assert '<strong data-signups="confirmed">1</strong>' in html
        assert '<strong data-signups="waitlisted">1</strong>' in html
        assert '<tr data-signups-gender="F"><td>여성</td><td>1</td></tr>' in html
        assert '<tr data-signups-university="서울대학교"><td>서울대학교</td><td>2</td></tr>' in html
