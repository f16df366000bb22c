"""What the browser chat tests share: test data made beside Playwright's event loop, logging
in, and opening a room."""

import contextlib
from concurrent.futures import ThreadPoolExecutor

from django.db import connection

from apps.accounts.tests.factories import PASSWORD


def beside_the_browser(function, /, *args, **kwargs):
    """`function(*args, **kwargs)` on a thread of its own, whose DB connection is closed after.

    Playwright's sync API keeps an event loop running on the test's thread, and services that
    send frames must not run on a thread with a running loop.
    """

    def call():
        try:
            return function(*args, **kwargs)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(call).result()


def wait_until(page, condition, *, timeout_ms: int = 5000) -> bool:
    """Poll `condition()` while the page's event loop keeps running (routes, timers); its
    last answer after `timeout_ms`."""
    for _attempt in range(timeout_ms // 100):
        if condition():
            return True
        page.wait_for_timeout(100)
    return bool(condition())


def login(context, base_url: str, email: str):
    page = context.new_page()
    page.goto(base_url + "/accounts/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    return page


def open_room(page, base_url: str, room_id: int) -> None:
    page.goto(f"{base_url}/chat/{room_id}/")
    page.wait_for_selector('[data-ws-state="connected"]')


@contextlib.contextmanager
def logged_in(browser, base_url: str, *users, viewport: dict):
    """One page per user, each in a browser context of its own, logged in, in Korean."""
    contexts = [browser.new_context(locale="ko-KR", viewport=viewport) for _ in users]
    try:
        yield [login(context, base_url, user.email) for context, user in zip(contexts, users, strict=True)]
    finally:
        for context in contexts:
            context.close()


@contextlib.contextmanager
def both_in_the_room(browser, base_url: str, alice, bob, room, *, viewport: dict):
    """Alice's and Bob's pages, each logged in and connected in their room, in Korean."""
    with logged_in(browser, base_url, alice, bob, viewport=viewport) as pages:
        for page in pages:
            open_room(page, base_url, room.pk)
        yield pages
