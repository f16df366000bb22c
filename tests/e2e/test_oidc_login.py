"""The whole single sign-on journey in Chromium against daphne and the real OIDC provider."""

import pytest

from apps.accounts.models import User
from apps.accounts.tests.oidc_support import ACCOUNTS, PASSWORD
from conftest import save_screenshot

pytestmark = [pytest.mark.browser, pytest.mark.integration]


def provider_sign_in(page, account) -> None:
    page.wait_for_selector("input[name=email]")
    page.fill("input[name=email]", account.login_name)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[value=login]")


def session_cookie(context) -> str | None:
    return next((cookie["value"] for cookie in context.cookies() if cookie["name"] == "sessionid"), None)


def test_cancel_unverified_then_sign_in_with_roles_and_logout(oidc_site, oidc_provider, browser_context):
    page = browser_context.new_page()

    # Given the login page, when the student cancels at the provider, then a clear page leads back.
    page.goto(f"{oidc_site}/accounts/login/")
    save_screenshot(page, "oidc-login-page")
    page.click("[data-testid=sso-login]")
    page.wait_for_selector("input[name=email]")
    assert page.url.startswith(f"{oidc_provider.issuer}/interaction/")
    page.click("text=Cancel")
    page.wait_for_selector("[data-oidc-error=cancelled]")
    assert page.locator("h1").inner_text() == "로그인을 취소했어요"
    save_screenshot(page, "oidc-cancelled")
    page.click("text=로그인 페이지로 돌아가기")
    assert page.url == f"{oidc_site}/accounts/login/"

    # An unverified e-mail address gets an explanation, and no account.
    page.click("[data-testid=sso-login]")
    provider_sign_in(page, ACCOUNTS["unverified"])
    page.wait_for_selector("[data-oidc-error=email_unverified]")
    save_screenshot(page, "oidc-unverified")
    assert not User.objects.filter(email=ACCOUNTS["unverified"].email).exists()
    # The provider remembers that person; a private window starts the next person fresh.
    browser_context.clear_cookies()

    # The admin signs in: a new session, an account with the roles of the groups.
    page.goto(f"{oidc_site}/accounts/login/")
    page.click("[data-testid=sso-login]")
    cookie_before = session_cookie(browser_context)
    provider_sign_in(page, ACCOUNTS["admin"])
    page.wait_for_url(f"{oidc_site}/events/")
    assert page.locator("body[data-authenticated]").count() == 1
    assert session_cookie(browser_context) not in (None, cookie_before)
    user = User.objects.get(oidc_sub=ACCOUNTS["admin"].sub)
    assert (user.email, user.is_staff, user.is_superuser) == ("admin-sso@matchminds.test", True, True)
    assert list(user.groups.values_list("name", flat=True)) == ["moderators"]
    page.wait_for_selector("[data-ws-state=connected]")
    save_screenshot(page, "oidc-signed-in")

    # While the provider session lives, signing in again needs no password.
    page.goto(f"{oidc_site}/oidc/authenticate/")
    page.wait_for_url(f"{oidc_site}/events/")

    # Logging out ends the provider's session too: the next sign-in asks for the password again.
    page.click("nav button:has-text('로그아웃')")
    page.wait_for_url(f"{oidc_site}/")
    assert page.locator("body[data-authenticated]").count() == 0
    page.goto(f"{oidc_site}/accounts/login/")
    page.click("[data-testid=sso-login]")
    page.wait_for_selector("input[name=email]")
    assert page.url.startswith(f"{oidc_provider.issuer}/interaction/")
