import io
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from PIL import Image

from apps.accounts.tests.factories import make_profile
from apps.events import signups
from apps.events.models import EventSignup
from apps.events.tests.factories import make_event, make_scheduled_event

pytestmark = pytest.mark.django_db

KST = timezone.get_fixed_timezone(9 * 60)


def _meta(html: str, attribute: str, name: str) -> str:
    match = re.search(rf'<meta {attribute}="{re.escape(name)}" content="([^"]*)"', html)
    assert match, f"no {name} tag"
    return match.group(1)


@pytest.fixture
def campus_night():
    starts_at = timezone.datetime(2030, 3, 14, 19, 0, tzinfo=KST)
    return make_event(
        name="캠퍼스 나이트",
        slug="campus-night",
        description="봄맞이 전국 미팅",
        rules="서로 존중해 주세요.",
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=2),
        signup_capacity=10,
    )


def test_anyone_sees_the_public_page_with_schedule_in_kst_scope_format_rules_and_places(client, campus_night):
    signups.signup_create(user=make_profile().user, event_id=campus_night.pk)

    response = client.get("/events/campus-night/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "2030-03-14 (목요일) 19:00 – 21:00 KST" in html
    assert "전국 모든 대학교 학생" in html
    assert "실시간 1:1 매칭: 두 사람 모두 20초 안에 수락하면 1:1 채팅을 시작해요." in html
    assert "서로 존중해 주세요." in html
    assert '<dd data-fact="places">9자리 남음</dd>' in html
    assert 'href="/accounts/login/?next=/events/campus-night/"' in html
    assert "Set-Cookie" not in response.headers


def test_the_page_carries_link_preview_tags_with_a_generated_image(client, campus_night):
    html = client.get("/events/campus-night/").content.decode()

    assert _meta(html, "property", "og:title") == "캠퍼스 나이트"
    assert _meta(html, "property", "og:url") == "http://testserver/events/campus-night/"
    assert _meta(html, "property", "og:image") == "http://testserver/events/campus-night/og.png"
    assert _meta(html, "property", "og:description") == "2030-03-14 (목요일) 19:00 KST · 봄맞이 전국 미팅"
    assert _meta(html, "name", "twitter:card") == "summary_large_image"
    image = client.get("/events/campus-night/og.png")
    assert image["Content-Type"] == "image/png"
    assert Image.open(io.BytesIO(image.content)).size == (1200, 630)


def test_unknown_and_ended_addresses_get_a_friendly_page(client):
    now = timezone.now()
    make_event(slug="last-year", name="지난 행사", starts_at=now - timedelta(days=2), ends_at=now - timedelta(days=1))
    make_scheduled_event(slug="next-week", name="다음 주 행사")

    unknown = client.get("/events/no-such-event/")
    ended = client.get("/events/last-year/")

    assert unknown.status_code == 404
    assert 'data-unavailable="unknown"' in unknown.content.decode()
    assert "이벤트를 찾을 수 없어요" in unknown.content.decode()
    assert ended.status_code == 410
    assert "끝난 이벤트예요." in ended.content.decode()
    assert 'href="/events/next-week/"' in ended.content.decode()


def test_the_join_button_goes_through_login_and_back_into_the_lobby():
    live = make_event(slug="live-now")
    profile = make_profile()
    client = Client()

    anonymous = client.get("/events/live-now/join/")
    assert anonymous.status_code == 302
    assert anonymous["Location"] == "/accounts/login/?next=/events/live-now/join/"

    client.force_login(profile.user)
    assert client.get("/events/live-now/join/")["Location"] == f"/events/{live.pk}/"


def test_signing_up_from_the_page_then_twice_shows_why(campus_night):
    client = Client()
    profile = make_profile()
    client.force_login(profile.user)

    first = client.post("/events/campus-night/signup/", follow=True)
    second = client.post("/events/campus-night/signup/", follow=True)

    assert "참가 신청이 완료됐어요. 시작 전에 이메일로 알려 드릴게요." in first.content.decode()
    assert 'data-signup-status="confirmed"' in first.content.decode()
    assert "이미 참가 신청한 이벤트예요." in second.content.decode()
    assert EventSignup.objects.filter(user=profile.user).count() == 1


def test_cancelling_another_students_sign_up_is_refused_with_a_reason(campus_night):
    owner = make_profile().user
    signup = signups.signup_create(user=owner, event_id=campus_night.pk)
    intruder = Client()
    intruder.force_login(make_profile().user)

    response = intruder.post(f"/events/signups/{signup.pk}/cancel/")

    assert response.status_code == 403
    assert "다른 사람의 참가 신청이에요." in response.content.decode()
    assert EventSignup.objects.get(pk=signup.pk).status == "confirmed"


def test_my_events_lists_sign_ups_and_a_private_feed_that_can_be_revoked(campus_night):
    client = Client()
    user = make_profile().user
    client.force_login(user)
    signups.signup_create(user=user, event_id=campus_night.pk)

    page = client.get("/events/mine/").content.decode()
    feed_url = re.search(r'value="(http://testserver/events/calendar/[^"]+\.ics)"', page).group(1)
    feed = Client().get(feed_url.removeprefix("http://testserver"))
    client.post("/events/mine/calendar/reset/")
    revoked = Client().get(feed_url.removeprefix("http://testserver"))

    assert "캠퍼스 나이트" in page
    assert feed.status_code == 200
    assert feed["Content-Type"] == "text/calendar; charset=utf-8"
    assert "SUMMARY:캠퍼스 나이트" in feed.content.decode()
    assert revoked.status_code == 404
    assert "더 이상 쓸 수 없는 캘린더 주소예요." in revoked.content.decode()


def test_event_ics_download_and_share_kit_with_qr_code(client, campus_night):
    ics = client.get("/events/campus-night/event.ics")
    share = client.get("/events/campus-night/share/").content.decode()
    qr = client.get("/events/campus-night/qr.png")

    assert ics["Content-Disposition"] == 'attachment; filename="campus-night.ics"'
    assert "DTSTART:20300314T100000Z" in ics.content.decode()
    assert "&lt;iframe src=&quot;http://testserver/embed/events/campus-night/&quot;" in share
    assert qr["Content-Type"] == "image/png"
    assert Image.open(io.BytesIO(qr.content)).size[0] >= 250


def test_the_rest_of_the_site_still_refuses_to_be_framed(client, campus_night):
    assert client.get("/events/campus-night/")["X-Frame-Options"] == "DENY"
    assert client.get("/events/")["X-Frame-Options"] == "DENY"
