"""Browser end to end: the live dashboard's map of the 17 시/도 shades the regions students are online from.

Real daphne, Celery worker and beat (the per-second dashboard snapshot), Redis, PostgreSQL and
Chromium; the students only open the event's lobby.
"""

import pytest
from playwright.sync_api import expect

from apps.accounts.tests.factories import make_profile, make_user
from apps.events.tests.factories import make_event
from conftest import save_screenshot
from tests.e2e.test_dashboard_live import celery_beat_process, log_in  # noqa: F401 - the beat fixture

pytestmark = [pytest.mark.browser, pytest.mark.integration]


@pytest.mark.django_db(transaction=True)
def test_the_region_map_shades_where_students_are_online_and_lists_the_numbers(browser, daphne_server, celery_beat_process):  # noqa: F811
    event = make_event(name="전국 캠퍼스 미팅")
    staff = make_user(email="ops-map@example.com")
    staff.is_staff = True
    staff.save(update_fields=["is_staff"])
    students = [
        make_profile(user=make_user(email=f"s{index}@example.com"), gender=gender, seeking=seeking, region=region)
        for index, (gender, seeking, region) in enumerate([("M", "F", "seoul"), ("F", "M", "seoul"), ("F", "M", "busan")])
    ]
    staff_context = browser.new_context(locale="ko-KR", viewport={"width": 1440, "height": 1000})
    contexts = [browser.new_context(locale="ko-KR") for _ in students]
    try:
        dashboard = log_in(staff_context, daphne_server, staff.email, f"/admin/dashboard/?event={event.pk}")
        expect(dashboard.locator("[data-updated]")).not_to_have_text("—", timeout=15_000)
        assert dashboard.locator("svg[data-region-map] path[data-region]").count() == 17
        expect(dashboard.locator('[data-region="seoul"]')).to_have_class("region shade-0")

        for context, profile in zip(contexts, students, strict=True):
            lobby = log_in(context, daphne_server, profile.user.email, f"/events/{event.pk}/")
            expect(lobby.locator("[data-ws-state]")).to_have_attribute("data-ws-state", "connected", timeout=10_000)

        seoul_row = dashboard.locator('[data-region-row="seoul"]')
        expect(seoul_row.locator("[data-region-online]")).to_have_text("2", timeout=10_000)
        expect(dashboard.locator('[data-region-row="busan"] [data-region-online]')).to_have_text("1")
        expect(dashboard.locator('[data-region-row="jeju"] [data-region-online]')).to_have_text("0")
        # the busiest region is darkest; half as many is three steps of five; nobody is the lightest
        expect(dashboard.locator('[data-region="seoul"]')).to_have_class("region shade-5")
        expect(dashboard.locator('[data-region="busan"]')).to_have_class("region shade-3")
        expect(dashboard.locator('[data-region="jeju"]')).to_have_class("region shade-0")
        expect(dashboard.locator('[data-region="seoul"] title')).to_have_text("서울특별시: 2")
        expect(seoul_row.locator("th")).to_have_text("서울특별시")
        save_screenshot(dashboard, "dashboard-region-map")
    finally:
        for context in (*contexts, staff_context):
            context.close()
