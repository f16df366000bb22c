"""The live page's trend window is kept server-side: one point per 10-second bucket of the
published snapshots, the whole 5 minutes handed to a page at once."""

import json
import time

import pytest
from django.test import Client

from apps.accounts.tests.factories import make_profile
from apps.core.redis import get_redis
from apps.dashboard import services, trends
from apps.events import services as event_services
from apps.events.tests.factories import make_event

pytestmark = pytest.mark.django_db(transaction=True)


def _arrive(user_id: int, event_id: int) -> None:
    services.socket_opened(user_id=user_id)
    event_services.lobby_presence_touch(user_id=user_id, event_id=event_id)


def test_the_window_holds_every_bucket_of_the_last_five_minutes_the_latest_snapshot_of_each_and_gaps_as_none():
    # given a live event with one student in its lobby, and the publisher running for 400 s
    event = make_event()
    first = make_profile(gender="F", seeking="M").user
    _arrive(first.pk, event.pk)
    start_bucket = int(time.time() // 10) - 40
    last_at = 0.0
    for index in range(40):
        if index in (35, 36):
            continue  # no beat for 20 s: those buckets stay empty
        last_at = (start_bucket + index) * 10 + 3
        services.dashboard_publish(now=last_at)
    # when a second student arrives and the publisher runs again later in the same bucket
    second = make_profile(gender="M", seeking="F").user
    _arrive(second.pk, event.pk)
    services.dashboard_publish(now=last_at + 5)

    # then the page gets 30 buckets (5 minutes), oldest first, in whole numbers
    window = trends.trend_window(event_id=event.pk, now=last_at + 6)
    points = window["points"]
    assert (window["bucket_s"], window["window_s"], len(points)) == (10, 300, 30)
    assert [point["t"] for point in points] == [(start_bucket + index) * 10_000 for index in range(10, 40)]
    # the two buckets without a snapshot are gaps, not zeros
    assert [index for index, point in enumerate(points) if point["online"] is None] == [25, 26]
    assert {point["online"] for point in points[:25]} == {1}
    # and the last bucket holds its latest snapshot: both students
    assert points[-1] == {"t": (start_bucket + 39) * 10_000, "online": 2, "queue": 0, "messages_1m": 0}
    # Redis keeps only the window
    assert get_redis().zcard(trends.TREND_KEY.format(scope=event.pk)) == 28


def test_the_live_page_carries_the_whole_window_for_its_first_paint(staff_user):
    # given snapshots published over the last five minutes for all events
    now = time.time()
    for seconds_ago in range(290, -1, -10):
        services.dashboard_publish(now=now - seconds_ago)
    client = Client(HTTP_ACCEPT_LANGUAGE="ko")
    client.force_login(staff_user)
    # when staff open the live page
    html = client.get("/admin/dashboard/").content.decode()
    # then the page holds 30 points covering the five minutes before it was rendered
    opening = '<script id="trend-data" type="application/json">'
    start = html.index(opening) + len(opening)
    trend = json.loads(html[start : html.index("</script>", start)])
    assert len(trend["points"]) == 30
    # (all published: one bucket may be new if the request crossed a 10-second boundary)
    assert sum(point["online"] is not None for point in trend["points"]) >= 29
    assert trend["points"][-1]["t"] - trend["points"][0]["t"] == 290_000
