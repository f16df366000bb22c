from datetime import timedelta

import pytest

from apps.events.tests.factories import make_event, make_scheduled_event

pytestmark = pytest.mark.django_db


def test_home_sells_the_live_and_next_events_with_links_to_their_pages(client):
    live = make_event(name="지금 하는 미팅", slug="now-live")
    upcoming = make_scheduled_event(name="다음 주 미팅", slug="next-week", starts_in=timedelta(days=7))
    html = client.get("/").content.decode()
    assert html.index(live.name) < html.index(upcoming.name)
    assert '<a class="button primary" href="/events/now-live/">지금 입장하기</a>' in html
    assert '<a class="button primary" href="/events/next-week/">이벤트 보고 신청하기</a>' in html
    assert "어떻게 진행되나요" in html and "안심하고 만나요" in html


def test_home_without_events_says_so(client):
    assert "지금은 예정된 이벤트가 없어요." in client.get("/").content.decode()
