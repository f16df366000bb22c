"""A newcomer signs up, completes the profile and reaches a live lobby with a live socket."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.accounts.models import User
from apps.accounts.tests.factories import accept_current_policies, confirm_user_email
from apps.events.models import Event
from conftest import save_screenshot

pytestmark = [pytest.mark.browser, pytest.mark.integration]


def test_sign_up_complete_profile_and_open_live_lobby(daphne_server, browser_context):
    event = Event.objects.create(
        name="라이브 미팅", starts_at=timezone.now() - timedelta(minutes=5), ends_at=timezone.now() + timedelta(hours=2)
    )
    page = browser_context.new_page()

    page.goto(f"{daphne_server}/")
    page.get_by_role("link", name="회원가입").first.click()
    page.get_by_label("이메일").fill("e2e@example.com")
    page.get_by_label("비밀번호", exact=True).fill("a-very-good-password")
    page.get_by_label("비밀번호 확인").fill("a-very-good-password")
    page.get_by_role("button", name="회원가입").click()

    page.wait_for_url("**/accounts/profile/")
    page.get_by_label("닉네임").fill("이투이")
    page.get_by_label("성별").select_option("F")
    page.get_by_label("만나고 싶은 사람").select_option("FM")
    page.get_by_label("생년월일").fill("2001-02-03")
    page.get_by_label("대학교").select_option(label="서울대학교")
    page.get_by_label("지역").select_option("seoul")
    page.get_by_label("음악").check()
    page.get_by_role("button", name="프로필 저장").click()

    page.wait_for_url("**/events/")
    # The e-mail confirmation and the policies are walked through in test_consent_and_identity.py.
    user = User.objects.get(email="e2e@example.com")
    accept_current_policies(user=confirm_user_email(user=user))
    page.get_by_role("link", name="라이브 미팅").click()
    page.wait_for_url(f"**/events/{event.pk}/")
    indicator = page.locator("[data-ws-state]")
    indicator.and_(page.locator('[data-ws-state="connected"]')).wait_for(timeout=15_000)
    assert indicator.inner_text() == "연결됨"
    page.locator('[data-count="online"]').filter(has_text="1").wait_for(timeout=10_000)
    assert page.locator("[data-can-join]").is_visible()
    path = save_screenshot(page, "signup-to-lobby")
    assert path.stat().st_size > 10_000
