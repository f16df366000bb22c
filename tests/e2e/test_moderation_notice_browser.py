"""A sanctioned student reads their notice and appeals in a real browser; the staff find the
appeal in the admin and overturn it (screenshots in Korean at 390 px for review)."""

import pytest

from apps.accounts.tests.factories import make_profile, make_user
from apps.moderation import reports as moderation_reports
from apps.moderation import sanctions as moderation_sanctions
from apps.moderation.models import AccountStanding, Appeal, ModerationAction, Sanction
from conftest import save_screenshot
from tests.e2e.chat_pages import beside_the_browser, logged_in

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def _moderator():
    moderator = make_user(email="moderator@example.com")
    moderator.is_staff = moderator.is_superuser = True
    moderator.save()
    return moderator


def test_a_suspended_student_reads_the_notice_live_appeals_and_staff_overturn_it_in_the_admin(daphne_server, browser):
    moderator = beside_the_browser(_moderator)
    reporter = beside_the_browser(make_profile, nickname="신고한학생").user
    student = beside_the_browser(make_profile, nickname="정지될학생").user
    report = beside_the_browser(
        moderation_reports.report_create, reporter=reporter, reported_user_id=student.pk, reason="harassment", text="욕설"
    )
    with logged_in(browser, daphne_server, student, viewport=PHONE) as (page,):
        page.goto(daphne_server + "/events/")
        page.wait_for_selector('[data-ws-state="connected"]')
        assert page.locator("[data-notice-banner]").is_hidden()

        # The decision reaches the open page at once, in Korean.
        beside_the_browser(
            moderation_sanctions.report_resolve, report_id=report.pk, moderator=moderator, action="suspend", reason="반복된 욕설"
        )
        banner = page.locator("[data-notice-banner]")
        banner.wait_for(state="visible")
        assert "까지 계정 이용이 정지되었어요" in banner.inner_text()
        save_screenshot(page, "moderation-notice-banner-390")

        banner.get_by_role("link", name="안내 보기").click()
        page.wait_for_url("**/safety/notices/")
        notice = page.locator("article.notice").first
        assert "모두를 존중해 주세요: 괴롭힘, 혐오, 위협은 안 돼요" in notice.inner_text()
        assert "이용 정지" in notice.inner_text() and "KST" in notice.inner_text()
        save_screenshot(page, "moderation-notice-390")

        page.fill("textarea[name=text]", "친구랑 장난으로 한 말이었어요. 다시는 그러지 않을게요.")
        page.locator(".appeal-form").scroll_into_view_if_needed()
        save_screenshot(page, "moderation-appeal-form-390")
        page.get_by_role("button", name="이의 신청 보내기").click()
        page.wait_for_selector(".message.success")
        assert "이의 신청을 받았어요" in page.locator(".message.success").inner_text()
        assert "검토를 기다리고 있어요" in page.locator(".appeal-state").inner_text()
        save_screenshot(page, "moderation-appeal-sent-390")
        page.get_by_role("button", name="모두 확인했어요").click()
        page.goto(daphne_server + "/events/")
        assert page.locator("[data-notice-banner]").is_hidden()

    appeal = Appeal.objects.get()
    assert appeal.text == "친구랑 장난으로 한 말이었어요. 다시는 그러지 않을게요."

    with logged_in(browser, daphne_server, moderator, viewport={"width": 1440, "height": 900}) as (admin_page,):
        admin_page.goto(daphne_server + "/admin/moderation/appeal/?status__exact=open")
        row = admin_page.locator(f"input[name=_selected_action][value='{appeal.pk}']")
        row.wait_for()
        assert student.email in admin_page.locator("#result_list").inner_text()
        save_screenshot(admin_page, "moderation-appeals-queue")
        admin_page.goto(f"{daphne_server}/admin/moderation/appeal/{appeal.pk}/change/")
        assert "친구랑 장난으로 한 말이었어요" in admin_page.locator("#content").inner_text()
        save_screenshot(admin_page, "moderation-appeal-detail")
        admin_page.goto(daphne_server + "/admin/moderation/appeal/?status__exact=open")
        admin_page.locator(f"input[name=_selected_action][value='{appeal.pk}']").check()
        admin_page.locator("select[name=action]").select_option("overturned")
        admin_page.locator("input[name=reason]").fill("대화 맥락상 친구 사이의 농담으로 확인")
        admin_page.locator("button[name=index]").click()
        admin_page.locator(".messagelist .success").wait_for()

    assert Appeal.objects.get().status == "overturned"
    assert Sanction.objects.get(user=student).lifted_at is not None
    assert AccountStanding.objects.get(user=student).standing == "good"
    assert ModerationAction.objects.filter(action="appeal_overturned", actor_id=moderator.pk).exists()
