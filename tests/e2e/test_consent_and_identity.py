"""A new student signs up, confirms the e-mail from the outbox, accepts the policies, passes
the identity check at the fake mobile identity service and joins the queue."""

import re
from datetime import date, timedelta
from email import message_from_bytes
from pathlib import Path

import pytest
from django.utils import timezone

from apps.accounts.models import IdentityVerification, Profile, User
from apps.events.models import Event
from apps.policies.models import PolicyAcceptance
from conftest import run_daphne, save_screenshot

pytestmark = [pytest.mark.browser, pytest.mark.integration]


def _confirmation_path(outbox: Path) -> str:
    """The confirmation link's path in the one mail daphne wrote to the file outbox."""
    files = sorted(outbox.glob("*.log"))
    assert len(files) == 1
    mail = message_from_bytes(files[0].read_bytes().split(b"\n" + b"-" * 79)[0])
    assert mail["To"] == "newbie@example.com"
    body = mail.get_payload(decode=True).decode()
    return re.search(r"(/accounts/confirm-email/[^/\s]+/)", body).group(1)


@pytest.fixture
def consent_site(transactional_db, identity_provider, tmp_path):
    outbox = tmp_path / "outbox"
    outbox.mkdir()
    with run_daphne(extra_env={**identity_provider.settings(), "TEST_EMAIL_FILE_PATH": str(outbox)}) as url:
        yield url, outbox, identity_provider


def _sign_up_and_complete_profile(page, url: str) -> None:
    page.goto(f"{url}/")
    page.get_by_role("link", name="회원가입").first.click()
    page.get_by_label("이메일").fill("newbie@example.com")
    page.get_by_label("비밀번호", exact=True).fill("a-very-good-password")
    page.get_by_label("비밀번호 확인").fill("a-very-good-password")
    page.get_by_role("button", name="회원가입").click()
    page.wait_for_url("**/accounts/profile/")
    page.locator("[data-email-pending]").wait_for()
    page.get_by_label("닉네임").fill("새내기")
    page.get_by_label("성별").select_option("F")
    page.get_by_label("만나고 싶은 사람").select_option("M")
    page.get_by_label("생년월일").fill("2002-02-02")
    page.get_by_label("대학교").select_option(label="서울대학교")
    page.get_by_label("지역").select_option("seoul")
    page.get_by_role("button", name="프로필 저장").click()
    page.wait_for_url("**/events/")


def test_sign_up_confirm_accept_verify_identity_and_join_the_queue(consent_site, browser_context):
    url, outbox, provider = consent_site
    event = Event.objects.create(
        name="본인확인 미팅",
        starts_at=timezone.now() - timedelta(minutes=5),
        ends_at=timezone.now() + timedelta(hours=2),
        require_identity=True,
    )
    page = browser_context.new_page()
    _sign_up_and_complete_profile(page, url)

    # Not yet: the lobby names the missing e-mail confirmation.
    page.goto(f"{url}/events/{event.pk}/")
    assert page.locator('[data-problem="email_not_confirmed"]').is_visible()

    # The link from the outbox; the confirmation leads to the policies.
    page.goto(url + _confirmation_path(outbox))
    page.get_by_role("button", name="이메일 주소 인증하기").click()
    page.wait_for_url("**/policies/accept/")
    assert page.get_by_role("heading", name="서비스 이용약관 버전 1").is_visible()
    assert page.get_by_role("heading", name="개인정보 처리방침 버전 1").is_visible()
    assert save_screenshot(page, "consent-accept-page").stat().st_size > 10_000
    page.get_by_role("button", name="이용약관과 개인정보 처리방침에 동의해요").click()
    page.wait_for_url("**/events/")
    user = User.objects.get(email="newbie@example.com")
    assert PolicyAcceptance.objects.filter(user=user).count() == 2
    assert set(PolicyAcceptance.objects.filter(user=user).values_list("ip_address", flat=True)) == {"127.0.0.1"}

    # The lobby now asks for the identity check, which the event requires.
    page.goto(f"{url}/events/{event.pk}/")
    assert page.locator('[data-problem="identity_required"]').is_visible()
    page.get_by_role("link", name="본인확인 하기").click()
    page.wait_for_url("**/accounts/identity/")
    assert save_screenshot(page, "consent-identity-step").stat().st_size > 10_000
    page.get_by_role("button", name="휴대폰으로 본인확인").click()
    page.wait_for_url(f"{provider.url}/start?**")
    page.get_by_label("이름").fill("김새내")
    page.get_by_label("생년월일 (8자리)").fill("20010917")
    page.get_by_label("성별").select_option("F")
    page.get_by_label("휴대폰 번호").fill("01098765432")
    page.get_by_role("button", name="인증하기").click()
    page.wait_for_url(f"{url}/accounts/identity/")
    page.locator("[data-identity-verified]").wait_for()
    verification = IdentityVerification.objects.get(user=user)
    assert (verification.verifier, verification.birth_date, verification.name) == ("mobile", date(2001, 9, 17), "김새내")
    assert Profile.objects.get(user=user).birth_date == date(2001, 9, 17)

    # In the lobby, nothing stands in the way: join the queue.
    page.goto(f"{url}/events/{event.pk}/")
    page.locator('[data-ws-state="connected"]').wait_for(timeout=15_000)
    page.click("[data-queue-join]")
    page.wait_for_selector("[data-queue-waiting]:not([hidden])", timeout=10_000)
    save_screenshot(page, "consent-joined-queue")


def test_the_policy_pages_are_linked_from_every_footer(daphne_server, browser_context):
    page = browser_context.new_page()
    page.goto(f"{daphne_server}/events/")
    page.locator(".site-footer").get_by_role("link", name="개인정보 처리방침").click()
    page.wait_for_url("**/policies/privacy/")

    assert page.get_by_role("heading", name="개인정보 처리방침", exact=True).is_visible()
    assert page.get_by_role("heading", name="8. 개인정보 보호책임자").is_visible()
    assert save_screenshot(page, "consent-privacy-policy").stat().st_size > 10_000
