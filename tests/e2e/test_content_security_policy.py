"""Every main page renders under the Content-Security-Policy without a single violation
(the embeddable widget sends its own policy: tests/e2e/test_event_widget.py)."""

import pytest

from apps.chat.tests.factories import make_pair
from apps.events.tests.factories import make_event
from apps.rounds.tests.factories import make_rounds_event
from conftest import save_screenshot
from tests.e2e.chat_pages import beside_the_browser, login

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.django_db(transaction=True)]

# Playwright's init scripts run outside the page's CSP: this one records the page's violations.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`);
});
"""


def _staff_with_pair_and_event():
    alice, _bob, room = make_pair()
    alice.is_staff = alice.is_superuser = True
    alice.save(update_fields=["is_staff", "is_superuser"])
    return alice, room, make_event(name="CSP 미팅")


def _visit(page, url: str, ready_selector: str) -> list[str]:
    page.goto(url)
    page.wait_for_selector(ready_selector)
    page.wait_for_load_state("networkidle")
    return page.evaluate("window.__cspViolations")


def test_main_pages_load_without_a_content_security_policy_violation(daphne_server, browser):
    alice, room, event = beside_the_browser(_staff_with_pair_and_event)
    rounds_event = beside_the_browser(lambda: make_rounds_event(name="CSP 스피드 미팅"))
    context = browser.new_context(locale="ko-KR", viewport={"width": 1280, "height": 900})
    context.add_init_script(RECORD_VIOLATIONS)
    console_violations: list[str] = []
    context.on(
        "console", lambda message: console_violations.append(message.text) if "Content Security Policy" in message.text else None
    )
    try:
        anonymous = context.new_page()
        violations = {
            "home": _visit(anonymous, daphne_server + "/", "main"),
            "login": _visit(anonymous, daphne_server + "/accounts/login/", "input[name=username]"),
        }
        anonymous.close()
        page = login(context, daphne_server, alice.email)
        pages = {
            "public event page": (f"/events/{event.slug}/", ".event-public"),
            "lobby": (f"/events/{event.pk}/", '[data-ws-state="connected"]'),
            "chat room": (f"/chat/{room.pk}/", '[data-ws-state="connected"]'),
            "dashboard": (f"/admin/dashboard/?event={event.pk}", "#event-select"),
            "dashboard history": ("/admin/dashboard/history/", "#event-select"),
            "organizer console": (f"/staff/events/{rounds_event.pk}/console/", "[data-console-log] td"),
            "post-event report": (f"/staff/events/{rounds_event.pk}/report/", "[data-report]"),
            "admin": ("/admin/", "#live-operations-link"),
            "admin change list": ("/admin/events/event/", "#result_list"),
            "API docs": ("/api/docs/", "#swagger-ui .opblock"),
        }
        for name, (path, ready_selector) in pages.items():
            violations[name] = _visit(page, daphne_server + path, ready_selector)
        save_screenshot(page, "csp-api-docs")
        response = page.goto(daphne_server + "/")
        policy = response.headers["content-security-policy"]
    finally:
        context.close()

    assert "script-src 'self';" in policy + ";" and "'unsafe-inline'" not in policy
    assert violations == {name: [] for name in violations}
    assert console_violations == []
