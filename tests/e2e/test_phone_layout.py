"""The two places a phone used to get wrong: the top bar's links at 320 px (one scrolled out of
sight) and the chat room (footer under the composer, placeholder cut to two lines)."""

import pytest

from apps.accounts.tests.factories import make_user
from apps.chat import batch as chat_batch
from apps.chat.tests.factories import make_pair
from conftest import save_screenshot
from tests.e2e.chat_pages import beside_the_browser, login, open_room
from tests.e2e.page_layout import LOCALES

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.django_db(transaction=True)]

# Each box of the top bar's controls, and the part of it outside the viewport.
TOPBAR_BOXES = """() => [...document.querySelectorAll('.topbar nav a, .topbar nav button, .lang-switch button')].map((el) => {
  const box = el.getBoundingClientRect();
  return {text: el.textContent.trim().split('\\n')[0], left: box.left, right: box.right, top: box.top,
          bottom: box.bottom, height: box.height, visible: el.checkVisibility()};
})"""

NAV_OVERFLOW = "(nav => nav.scrollWidth - nav.clientWidth)(document.querySelector('.topbar nav'))"


def _staff():
    staff = make_user()
    staff.is_staff = True
    staff.save(update_fields=["is_staff"])
    return staff


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_every_top_bar_link_is_inside_a_320px_screen_without_sideways_scrolling(browser, daphne_server, lang):
    # Given a signed-out visitor, a student and a staff member (who has one link more)
    student, staff = beside_the_browser(lambda: (make_user(), _staff()))
    for who, email in (("visitor", None), ("student", student.email), ("staff", staff.email)):
        context = browser.new_context(locale=LOCALES[lang], viewport={"width": 320, "height": 640})
        try:
            # When each opens the events page on a 320 px phone
            page = login(context, daphne_server, email) if email else context.new_page()
            page.goto(daphne_server + "/events/")
            boxes = page.evaluate(TOPBAR_BOXES)
            save_screenshot(page, f"topbar-{who}-{lang}-320")
            # Then every link and button is shown whole inside the screen, at least 40 px tall,
            # and neither the bar nor the page scrolls sideways
            expected = {"visitor": 4, "student": 6, "staff": 7}[who]
            assert len(boxes) == expected
            for box in boxes:
                assert box["visible"], box
                assert box["left"] >= 0 and box["right"] <= 320 and box["top"] >= 0, box
                assert box["height"] >= 40, box
            assert (
                page.evaluate(
                    "document.querySelector('.topbar nav').scrollWidth - document.querySelector('.topbar nav').clientWidth"
                )
                == 0
            )
            assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") == 0
        finally:
            context.close()


def _pair_with_history():
    alice, bob, room = make_pair()
    for n in range(30):
        chat_batch.message_send(
            sender_id=bob.pk, room_id=room.pk, client_msg_id=f"b{n}", body=f"{n}번째 메시지예요. 오늘 저녁 어때요?"
        )
    return alice, room


COMPOSER = """() => {
  const field = document.querySelector('.composer textarea');
  const send = document.querySelector('.composer button[type=submit]');
  const log = document.querySelector('[data-log]');
  const box = (el) => {
    const r = el.getBoundingClientRect();
    return {top: r.top, bottom: r.bottom, left: r.left, right: r.right};
  };
  return {field: box(field), send: box(send), photo: box(document.querySelector('.composer .attach')),
          scrollHeight: field.scrollHeight, clientHeight: field.clientHeight, placeholder: field.placeholder,
          viewportHeight: window.innerHeight, viewportWidth: window.innerWidth,
          pageScrolls: document.documentElement.scrollHeight - window.innerHeight,
          logScrolls: log.scrollHeight - log.clientHeight, footers: document.querySelectorAll('.site-footer').length};
}"""


def _inside(box, layout):
    return (
        box["top"] >= 0
        and box["left"] >= 0
        and box["bottom"] <= layout["viewportHeight"]
        and box["right"] <= layout["viewportWidth"]
    )


@pytest.mark.parametrize("lang", ["ko", "en"])
@pytest.mark.parametrize("viewport", [{"width": 320, "height": 640}, {"width": 390, "height": 844}], ids=["320x640", "390x844"])
def test_the_chat_room_on_a_phone_keeps_its_composer_at_the_bottom_of_the_screen(browser, daphne_server, lang, viewport):
    # Given a room with thirty messages in it
    alice, room = beside_the_browser(_pair_with_history)
    context = browser.new_context(locale=LOCALES[lang], viewport=viewport)
    try:
        page = login(context, daphne_server, alice.email)
        # When Alice opens it on her phone
        open_room(page, daphne_server, room.pk)
        page.wait_for_selector("[data-log] li >> nth=29")
        layout = page.evaluate(COMPOSER)
        save_screenshot(page, f"chat-room-composer-{lang}-{viewport['width']}")
        # Then the text field, the photo and send buttons are on screen, the placeholder is whole,
        # no footer sits under the composer, and the messages (not the page) scroll
        assert layout["placeholder"] == {"ko": "메시지", "en": "Message"}[lang]
        assert _inside(layout["field"], layout) and _inside(layout["send"], layout) and _inside(layout["photo"], layout), layout
        assert layout["scrollHeight"] <= layout["clientHeight"], layout
        assert layout["footers"] == 0
        assert layout["pageScrolls"] == 0
        assert layout["logScrolls"] > 0
        assert layout["viewportHeight"] - layout["send"]["bottom"] < 24, layout

        # When she types four lines, the field grows and the send button stays on screen
        page.fill(".composer textarea", "첫째 줄\n둘째 줄\n셋째 줄\n넷째 줄")
        grown = page.evaluate(COMPOSER)
        assert grown["field"]["bottom"] - grown["field"]["top"] > layout["field"]["bottom"] - layout["field"]["top"] + 40
        assert grown["scrollHeight"] <= grown["clientHeight"] + 1 and _inside(grown["send"], grown), grown
        # And once it is sent, the field is one line again
        page.click(".composer button[type=submit]")
        page.wait_for_selector(".msg.mine:not(.pending)")
        sent = page.evaluate(COMPOSER)
        assert sent["field"] == layout["field"]
    finally:
        context.close()
