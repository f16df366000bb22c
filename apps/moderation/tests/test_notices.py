"""Moderation notices: the sanctioned student and the reporter are told, by e-mail, at their
next visit and live; every notice is audited."""

import time
from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.test import Client

from apps.accounts import notifications
from apps.accounts.models import NotificationKind
from apps.accounts.tests.factories import PASSWORD, make_profile, make_user
from apps.core.errors import DomainError
from apps.moderation import reports as moderation_reports
from apps.moderation import sanctions as moderation_sanctions
from apps.moderation.models import ModerationAction, Notice, Sanction
from apps.moderation.notices import kst, notice_mail_send
from apps.realtime.protocol import user_group

pytestmark = pytest.mark.django_db


@pytest.fixture
def moderator():
    user = make_user(email="mod@example.com")
    user.is_staff = True
    user.save()
    return user


def _report(*, reason: str = "harassment"):
    reporter, reported = make_profile(nickname="신고한사람").user, make_profile(nickname="신고된사람").user
    report = moderation_reports.report_create(reporter=reporter, reported_user_id=reported.pk, reason=reason, text="욕설")
    return reporter, reported, report


def test_a_suspension_from_a_report_tells_the_student_the_rule_and_end_and_the_reporter_only_the_outcome(
    moderator, sent_frames, settings
):
    settings.MODERATION_SUSPENSION_DAYS = 7
    reporter, reported, report = _report(reason="sexual")

    with sent_frames():
        moderation_sanctions.report_resolve(report_id=report.pk, moderator=moderator, action="suspend", reason="성희롱 발언")

    sanction = Sanction.objects.get(user=reported)
    assert (sanction.kind, sanction.rule, sanction.moderator_id) == ("suspension", "sexual_content", moderator.pk)
    assert sanction.ends_at is not None
    student_notice, reporter_notice = Notice.objects.get(user=reported), Notice.objects.get(user=reporter)
    assert (student_notice.kind, student_notice.sanction_id) == ("sanction", sanction.pk)
    assert (reporter_notice.kind, reporter_notice.sanction_id, reporter_notice.report_outcome) == (
        "report_handled",
        None,
        "action_taken",
    )
    notice_frames = [(groups, frame) for groups, frame in sent_frames if frame["type"] == "safety.notice"]
    assert notice_frames == [
        (
            [user_group(reported.pk)],
            {
                "type": "safety.notice",
                "notice": student_notice.pk,
                "kind": "sanction",
                "title": f"{kst(sanction.ends_at)}까지 계정 이용이 정지되었어요",
                "url": "/safety/notices/",
            },
        ),
        (
            [user_group(reporter.pk)],
            {
                "type": "safety.notice",
                "notice": reporter_notice.pk,
                "kind": "report_handled",
                "title": "신고해 주셔서 고마워요. 신고를 처리했어요",
                "url": "/safety/notices/",
            },
        ),
    ]
    audited = list(ModerationAction.objects.filter(action="notice").order_by("pk").values_list("target_user_id", "after"))
    assert audited == [
        (
            reported.pk,
            {
                "kind": "sanction",
                "report_outcome": "",
                "sanction_id": sanction.pk,
                "sanction": "suspension",
                "rule": "sexual_content",
            },
        ),
        (reporter.pk, {"kind": "report_handled", "report_outcome": "action_taken"}),
    ]


def test_the_notice_e_mail_is_korean_names_the_rule_and_end_in_kst_and_links_the_appeal(moderator):
    _reporter, reported, report = _report(reason="harassment")
    moderation_sanctions.report_resolve(report_id=report.pk, moderator=moderator, action="suspend", reason="욕설")
    notice = Notice.objects.get(user=reported)
    sanction = notice.sanction

    assert notice_mail_send(notice_id=notice.pk) is True
    assert notice_mail_send(notice_id=notice.pk) is False  # a retried task sends nothing twice

    [sent] = mail.outbox
    assert sent.to == [reported.email]
    assert sent.subject == f"MatchMinds: {kst(sanction.ends_at)}까지 계정 이용이 정지되었어요"
    assert "어긴 규칙: 모두를 존중해 주세요: 괴롭힘, 혐오, 위협은 안 돼요" in sent.body
    assert "조치: 이용 정지" in sent.body
    assert f"정지 해제 시각: {kst(sanction.ends_at)}" in sent.body
    assert "30일 안에 한 번 이의를 신청할 수 있어요" in sent.body
    assert "http://127.0.0.1:8000/safety/notices/link/" in sent.body
    assert Notice.objects.get(pk=notice.pk).emailed_at is not None


def test_the_reporter_mail_says_the_outcome_category_and_nothing_about_the_other_person(moderator):
    reporter, _reported, report = _report(reason="spam")
    moderation_sanctions.report_resolve(report_id=report.pk, moderator=moderator, action="ban", reason="광고 계정")
    notice_mail_send(notice_id=Notice.objects.get(user=reporter).pk)

    [sent] = mail.outbox
    assert sent.to == [reporter.email]
    assert "결과: 조치를 취했어요" in sent.body
    for secret in ("정지", "영구", "신고된사람", "광고 계정", "스팸"):
        assert secret not in sent.body


def test_a_dismissed_report_tells_the_reporter_no_rule_was_broken_and_the_reported_nothing(moderator):
    reporter, reported, report = _report()
    moderation_sanctions.report_resolve(report_id=report.pk, moderator=moderator, action="dismiss", reason="문제 없음")
    assert list(Notice.objects.values_list("user_id", "kind", "report_outcome")) == [
        (reporter.pk, "report_handled", "no_violation")
    ]
    assert not Notice.objects.filter(user=reported).exists()


def test_e_mails_follow_the_accounts_language_and_the_notification_preference(moderator):
    # Accounts answers moderation's two hooks from the student's own settings.
    student = make_profile().user
    notifications.user_language_set(user=student, language="en")
    notifications.notification_set(user=student, kind=NotificationKind.MODERATION_NOTICE, enabled=False)
    moderation_sanctions.user_sanction(user_id=student.pk, moderator=moderator, action="warn", reason="x", rule="spam")
    notice = Notice.objects.get(user=student)

    assert notice_mail_send(notice_id=notice.pk) is False
    notifications.notification_set(user=student, kind=NotificationKind.MODERATION_NOTICE, enabled=True)
    assert notice_mail_send(notice_id=notice.pk) is True
    [sent] = mail.outbox
    assert sent.subject == "MatchMinds: You received a warning for breaking a community rule"
    assert "Rule broken: No spam, advertising or recruiting" in sent.body


def test_a_sanction_needs_a_rule_from_the_list_and_nothing_changes_without_one(moderator):
    student = make_profile().user
    with pytest.raises(DomainError) as refused:
        moderation_sanctions.user_sanction(user_id=student.pk, moderator=moderator, action="ban", reason="x", rule="rudeness")
    assert refused.value.code == "invalid_rule"
    student.refresh_from_db()
    assert (student.is_active, Sanction.objects.count(), Notice.objects.count()) == (True, 0, 0)


def test_the_banner_shows_on_every_page_until_the_student_acknowledges(moderator):
    student = make_profile().user
    moderation_sanctions.user_sanction(user_id=student.pk, moderator=moderator, action="warn", reason="x", rule="respect")
    client = Client()
    client.force_login(student)

    page = client.get("/events/").content.decode()
    assert "커뮤니티 규칙 위반으로 경고를 받았어요" in page and 'href="/safety/notices/"' in page
    notices_page = client.get("/safety/notices/").content.decode()
    assert "모두를 존중해 주세요: 괴롭힘, 혐오, 위협은 안 돼요" in notices_page
    assert 'name="sanction"' in notices_page

    assert client.post("/safety/notices/", {"acknowledge": "1"}).status_code == 302
    assert "커뮤니티 규칙 위반으로 경고를 받았어요" not in client.get("/events/").content.decode()
    assert Notice.objects.get().acknowledged_at is not None


def test_a_banned_student_cannot_sign_in_but_is_shown_the_way_to_the_notice(moderator):
    student = make_profile().user
    moderation_sanctions.user_sanction(user_id=student.pk, moderator=moderator, action="ban", reason="사기", rule="scam")
    client = Client()

    response = client.post("/accounts/login/", {"username": student.email, "password": PASSWORD})
    page = response.content.decode()
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    assert "이 계정은 커뮤니티 규칙 위반으로 이용이 영구 정지되었어요" in page
    link = page.split('data-banned-notice href="', 1)[1].split('"', 1)[0]
    assert link.startswith("/safety/notices/link/")
    notices_page = client.get(link).content.decode()
    assert "사기 금지, 금전 요구도 안 돼요" in notices_page and 'name="sanction"' in notices_page
    # The link opens the notices and nothing else.
    assert client.get("/events/mine/").status_code == 302

    wrong = client.post("/accounts/login/", {"username": student.email, "password": "wrong-password"}).content.decode()
    assert "data-banned-notice" not in wrong


def test_a_forged_or_expired_notice_link_is_refused(moderator, settings):
    student = make_profile().user
    client = Client()
    forged = client.get(f"/safety/notices/link/{student.pk}:forged/")
    assert forged.status_code == 400 and "이 링크는 올바르지 않아요" in forged.content.decode()
    settings.MODERATION_NOTICE_LINK_MAX_AGE_DAYS = -1
    from apps.moderation.notices import notice_link_token

    expired = client.get(f"/safety/notices/link/{notice_link_token(user_id=student.pk)}/")
    assert expired.status_code == 400 and "링크가 만료되었어요" in expired.content.decode()


def test_kst_shows_korean_time_whatever_the_server_zone():
    moment = datetime(2026, 12, 6, 15, 0, tzinfo=UTC) + timedelta(minutes=30)
    assert kst(moment) == "2026-12-07 00:30 KST"


def _wait_for(condition, timeout_s: float = 30) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError("condition not met in time")


def test_a_real_celery_worker_mails_both_notices_once_after_the_decision_commits(celery_worker_process):
    moderator = make_user(email="mod@example.com")
    reporter, reported, report = _report(reason="scam")

    moderation_sanctions.report_resolve(report_id=report.pk, moderator=moderator, action="warn", reason="금전 요구")

    _wait_for(lambda: Notice.objects.filter(emailed_at__isnull=False).count() == 2)
    assert sorted(Notice.objects.values_list("user_id", "kind")) == sorted(
        [(reported.pk, "sanction"), (reporter.pk, "report_handled")]
    )
