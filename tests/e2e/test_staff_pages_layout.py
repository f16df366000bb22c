"""Every page an organizer or admin opens, in Korean and English, at 320, 390 and 1440 px: the
page's language is the one asked for, nothing is wider than the screen, and a
screenshot of each (test-artifacts/page-<name>-<lang>-<width>.png) to look at.

The admin pages are listed from the admin registry (a changelist for every registered model,
and the change form of its first row where there is one), so a model registered later is
checked without anyone remembering to add it here. The live dashboard is fed by the real
Celery beat, so its screenshots show the figures an organizer would read.
"""

import pytest
from django.contrib import admin
from django.urls import reverse
from playwright.sync_api import expect

from apps.accounts.tests.factories import make_user
from apps.chat import batch as chat_batch
from apps.chat.tests.factories import make_pair
from apps.events.tests.factories import make_event
from apps.moderation import appeals as moderation_appeals
from apps.moderation import reports as moderation_reports
from apps.moderation import sanctions as moderation_sanctions
from apps.rounds import console as rounds_console
from apps.rounds import services as rounds_services
from apps.rounds.models import Round
from apps.rounds.tests.factories import checked_in_students, make_rounds_event
from conftest import ARTIFACTS, save_screenshot
from tests.e2e.chat_pages import beside_the_browser, login
from tests.e2e.page_layout import LOCALES, OVERFLOW, WIDTHS, layout_context
from tests.e2e.test_dashboard_live import celery_beat_process  # noqa: F401 - the beat fixture

# About fifty pages per width: longer than the suite's five-minute limit on a loaded machine.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
    pytest.mark.timeout(900),
]


def _data() -> dict:
    """What an evening leaves behind: a chat with a report, a sanction and its appeal, a rounds
    event with round 1 running and one console press."""
    event = make_event(name="봄 축제 라이브 미팅", slug="spring-live", description="서울·부산 대학생 라이브 미팅입니다.")
    alice, bob, room = make_pair(event_id=event.pk)
    staff = make_user(email="organizer@example.com")
    staff.is_staff = staff.is_superuser = True
    staff.save(update_fields=["is_staff", "is_superuser"])

    chat_batch.message_send(sender_id=bob.pk, room_id=room.pk, client_msg_id="b1", body="안녕하세요! 반가워요")
    chat_batch.message_send(sender_id=alice.pk, room_id=room.pk, client_msg_id="a1", body="네 안녕하세요")
    chat_batch.message_send(sender_id=bob.pk, room_id=room.pk, client_msg_id="b2", body="번호 좀 알려줘요, 지금 당장")
    moderation_reports.report_create(
        reporter=alice, reported_user_id=bob.pk, reason="harassment", room_id=room.pk, message_seq=3, text="불편한 말을 계속해요"
    )
    moderation_sanctions.user_sanction(user_id=bob.pk, moderator=staff, action="warn", reason="반복된 요구", rule="respect")
    sanction = bob.sanctions.first()
    moderation_appeals.appeal_create(user_id=bob.pk, sanction_id=sanction.pk, text="오해였어요. 다시 봐 주세요.")

    rounds_event = make_rounds_event(name="봄 스피드 미팅", rounds_count=3)
    checked_in_students(rounds_event, "MFMF")
    rounds_services.clock_tick(event_id=rounds_event.pk)
    round_ = Round.objects.get(event=rounds_event)
    rounds_console.console_act(
        staff_id=staff.pk, event_id=rounds_event.pk, action="extend", round_id=round_.pk, version=round_.version
    )
    return {"event": event, "rounds_event": rounds_event, "staff": staff}


def _admin_pages() -> dict[str, str]:
    """Every registered model's changelist, and the change form of its first row if it has one."""
    pages = {"admin": reverse("admin:index")}
    for model in sorted(admin.site._registry, key=lambda item: item._meta.label):
        opts = model._meta
        name = f"admin-{opts.app_label}-{opts.model_name}"
        pages[name] = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            pages[f"{name}-change"] = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[first.pk])
    return pages


def _visit(page, base_url: str, name: str, path: str, lang: str, width: int) -> int:
    # Waiting as part of the navigation: a separate wait_for_load_state sometimes missed
    # the admin changelist's idle moment and hung although nothing was in flight. Admin pages
    # fetch nothing after their load event, so waiting for half a second of network quiet on
    # each of the ~50 of them would only add minutes to the suite.
    page.goto(base_url + path, wait_until="load" if name.startswith("admin") else "networkidle")
    assert page.evaluate("document.documentElement.lang") == lang, name
    if name.startswith("dashboard") and name != "dashboard-history":
        # The first snapshot waits for Celery beat, slow to start on a loaded machine.
        expect(page.locator("[data-updated]")).not_to_have_text("—", timeout=60_000)
    if name == "console":
        page.wait_for_selector("[data-ws-state=connected]")
    save_screenshot(page, f"page-{name}-{lang}-{width}")
    if name == "dashboard-event":
        page.locator(".region-panel").screenshot(path=str(ARTIFACTS / f"page-dashboard-map-{lang}-{width}.png"))
    return page.evaluate(OVERFLOW)


def _visit_all(browser, base_url: str, pages: dict[str, str], email: str | None, lang: str, width: int) -> dict[str, int]:
    context = layout_context(browser, lang=lang, width=width)
    try:
        page = login(context, base_url, email) if email else context.new_page()
        return {name: _visit(page, base_url, name, path, lang, width) for name, path in pages.items()}
    finally:
        context.close()


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("lang", LOCALES)
def test_every_staff_page_fits_the_screen_and_is_captured(
    browser,
    daphne_server,
    celery_beat_process,  # noqa: F811
    lang,
    width,
):
    data = beside_the_browser(_data)
    event, rounds_event = data["event"], data["rounds_event"]
    staff_pages = {
        "dashboard": "/admin/dashboard/",
        "dashboard-event": f"/admin/dashboard/?event={event.pk}",
        "dashboard-history": "/admin/dashboard/history/",
        "console": f"/staff/events/{rounds_event.pk}/console/",
        "report": f"/staff/events/{rounds_event.pk}/report/",
    } | beside_the_browser(_admin_pages)

    overflow = _visit_all(browser, daphne_server, {"staff-login": "/admin/login/"}, None, lang, width)
    overflow |= _visit_all(browser, daphne_server, staff_pages, data["staff"].email, lang, width)

    assert {name: wider for name, wider in overflow.items() if wider} == {}
    assert len(overflow) == len(staff_pages) + 1
