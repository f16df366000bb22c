"""Browser end to end (issue 30): a partner site embeds the live event widget.

Real daphne, Redis, PostgreSQL and Chromium. The partner page is served by a second HTTP
server on another origin (127.0.0.2, while the app is 127.0.0.1): on the port staff allowed
the widget shows and follows the event live; on another port the browser refuses the frame.
The public page, the widget and a rendering of the link-preview tags are saved as screenshots.
"""

import functools
import html
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from apps.accounts.tests.factories import PASSWORD, make_profile, make_user
from apps.chat import batch as chat_batch
from apps.chat import rooms as chat_rooms
from apps.events import services
from apps.events.tests.factories import make_event, make_scheduled_event
from conftest import free_port, run_daphne, save_screenshot

PARTNER_HOST = "127.0.0.2"


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class names it so
        pass


@contextmanager
def partner_site(folder, port: int) -> Iterator[str]:
    """A student council's page on its own origin, served from `folder`."""
    server = ThreadingHTTPServer((PARTNER_HOST, port), functools.partial(QuietHandler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{PARTNER_HOST}:{port}"
    finally:
        server.shutdown()
        server.server_close()


def write_partner_page(folder, *, widget_urls: list[str]) -> None:
    folder.mkdir(exist_ok=True)
    frames = "".join(
        f"<iframe src='{url}' title='MatchMinds' width='380' height='400' style='border:0'></iframe>" for url in widget_urls
    )
    (folder / "index.html").write_text(
        "<!doctype html><html lang='ko'><head><meta charset='utf-8'><title>총학생회</title></head>"
        f"<body><h1>총학생회 소식</h1><p>이번 주 행사에 함께해요!</p>{frames}</body></html>",
        encoding="utf-8",
    )


def announce(event, staff, body: str) -> None:
    room = chat_rooms.lobby_room_join(user=staff, event_id=event.pk)
    chat_batch.message_send(sender_id=staff.pk, room_id=room.pk, client_msg_id=body[:20], body=body, sender_is_staff=True)


@pytest.mark.django_db(transaction=True)
def test_partner_site_embeds_the_live_widget_and_other_origins_are_refused(browser, tmp_path):
    allowed_port, other_port = free_port(), free_port()
    event = make_event(name="봄맞이 전국 미팅", slug="spring-fest", embed_origins=f"http://{PARTNER_HOST}:{allowed_port}")
    make_scheduled_event(
        name="다음 주 캠퍼스 나이트",
        slug="next-week",
        starts_in=timedelta(days=6, hours=5),
        embed_origins=f"http://{PARTNER_HOST}:{allowed_port}",
    )
    staff = make_user()
    staff.is_staff = True
    staff.save(update_fields=["is_staff"])
    services.lobby_presence_touch(user_id=make_profile(gender="M").user.pk, event_id=event.pk)
    announce(event, staff, "환영합니다! 곧 매칭을 시작해요.")

    with run_daphne(extra_env={"EVENTS_WIDGET_REFRESH_S": "1"}) as site:
        write_partner_page(
            tmp_path / "partner", widget_urls=[f"{site}/embed/events/spring-fest/", f"{site}/embed/events/next-week/"]
        )
        context = browser.new_context(locale="ko-KR", viewport={"width": 460, "height": 900})
        page = context.new_page()
        refusals = []
        page.on("console", lambda message: refusals.append(message.text) if "frame-ancestors" in message.text else None)
        with partner_site(tmp_path / "partner", allowed_port) as allowed, partner_site(tmp_path / "partner", other_port) as other:
            # Given the council's page on the allowed origin, the widget shows the live event
            page.goto(f"{allowed}/index.html")
            widget = page.frame_locator("iframe").first
            upcoming = page.frame_locator("iframe").nth(1)
            countdown = upcoming.locator('[data-field="countdown"]')
            expect(countdown).to_have_text(re.compile(r"^6일 0[45]:\d\d:\d\d$"), timeout=10_000)
            expect(upcoming.locator('[data-field="state"]')).to_have_text("예정")
            expect(widget.locator('[data-field="online"]')).to_have_text("1", timeout=10_000)
            expect(widget.locator('[data-field="state"]')).to_have_text("진행 중")
            expect(widget.locator("[data-announcements] li").first).to_have_text("환영합니다! 곧 매칭을 시작해요.")

            # When two women enter the lobby and staff post an announcement
            for _ in range(2):
                services.lobby_presence_touch(user_id=make_profile(gender="F").user.pk, event_id=event.pk)
            announce(event, staff, "매칭 시작! 지금 입장하세요.")

            # Then the embedded widget follows within its refresh interval, without a reload
            expect(widget.locator('[data-field="online"]')).to_have_text("3", timeout=10_000)
            expect(widget.locator('[data-field="gender-M"]')).to_have_text("1")
            expect(widget.locator('[data-field="gender-F"]')).to_have_text("2")
            expect(widget.locator("[data-announcements] li").first).to_have_text("매칭 시작! 지금 입장하세요.")
            assert page.evaluate("performance.getEntriesByType('navigation').length") == 1
            save_screenshot(page, "event-widget-partner-site")

            # And its join button opens the event page in a new tab
            with context.expect_page() as new_tab:
                widget.locator("[data-join]").click()
            expect(new_tab.value).to_have_url(f"{site}/events/spring-fest/")
            new_tab.value.close()
            assert refusals == []

            # Given the same page on an origin staff did not list, the browser refuses the frame
            page.goto(f"{other}/index.html")
            expect(page.locator("h1")).to_have_text("총학생회 소식")
            page.wait_for_timeout(1500)
            children = page.frames[1:]
            assert [child.url for child in children] == ["chrome-error://chromewebdata/"] * 2
            assert [child.locator(".widget").count() for child in children] == [0, 0]
            assert any(f"http://{PARTNER_HOST}:{allowed_port}" in text for text in refusals), refusals
            save_screenshot(page, "event-widget-refused-origin")
        context.close()


@pytest.mark.django_db(transaction=True)
def test_public_page_and_its_link_preview(browser):
    starts_at = timezone.now() + timedelta(days=3, hours=2)
    make_event(
        name="서울 캠퍼스 나이트",
        slug="seoul-campus-night",
        description="서울 지역 대학생이 한자리에! 금요일 밤 실시간 1:1 매칭.",
        rules="서로 존중해 주세요. 연락처는 매칭 후 채팅에서만 나눠요.",
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=3),
        signup_capacity=200,
    )
    with run_daphne() as site:
        context = browser.new_context(locale="ko-KR", viewport={"width": 420, "height": 900})
        page = context.new_page()
        page.goto(f"{site}/events/seoul-campus-night/")
        expect(page.locator("h1")).to_have_text("서울 캠퍼스 나이트")
        expect(page.locator('[data-fact="places"]')).to_have_text("200자리 남음")
        expect(page.locator('[data-field="countdown"]')).to_have_text(re.compile(r"^3일 0[12]:\d\d:\d\d$"), timeout=5_000)
        save_screenshot(page, "event-public-page")

        tags = {
            name: page.locator(f'meta[property="{name}"], meta[name="{name}"]').get_attribute("content")
            for name in ("og:title", "og:description", "og:image", "og:url", "twitter:card")
        }
        assert tags["og:url"] == f"{site}/events/seoul-campus-night/"
        assert tags["twitter:card"] == "summary_large_image"
        # A chat app's link card, drawn from nothing but the tags a crawler reads.
        page.set_viewport_size({"width": 420, "height": 520})
        page.set_content(
            "<!doctype html><html><body style='font-family:NanumGothic,sans-serif;background:#b2c7d9;padding:24px'>"
            "<div style='background:#fff;border-radius:12px;overflow:hidden;width:340px'>"
            f"<img src='{html.escape(tags['og:image'])}' style='width:100%;display:block'>"
            f"<div style='padding:10px 12px'><b>{html.escape(tags['og:title'])}</b>"
            f"<p style='color:#555;font-size:13px;margin:4px 0'>{html.escape(tags['og:description'])}</p>"
            f"<small style='color:#999'>{html.escape(tags['og:url'])}</small></div></div></body></html>"
        )
        page.wait_for_function("document.images[0].complete && document.images[0].naturalWidth === 1200")
        save_screenshot(page, "event-link-preview")
        context.close()


@pytest.mark.django_db(transaction=True)
def test_the_join_button_goes_through_login_and_back_into_the_lobby(browser):
    event = make_event(name="지금 진행 중", slug="on-now")
    student = make_profile().user
    with run_daphne() as site:
        context = browser.new_context(locale="ko-KR")
        page = context.new_page()
        page.goto(f"{site}/events/on-now/")
        page.get_by_role("link", name="지금 입장하기").click()
        page.wait_for_url("**/accounts/login/?next=/events/on-now/join/")
        page.fill("input[name=username]", student.email)
        page.fill("input[name=password]", PASSWORD)
        page.click("main form button[type=submit]")
        page.wait_for_url(f"{site}/events/{event.pk}/")
        expect(page.locator("h1")).to_have_text("지금 진행 중")
        context.close()
