import pytest
from django.db import DatabaseError, transaction

from apps.accounts.selectors import user_social_access_problem
from apps.accounts.tests.factories import make_profile
from apps.chat.models import Room, RoomKind, RoomMember
from apps.core.errors import DomainError
from apps.moderation import blocks as moderation_blocks
from apps.moderation import reports as moderation_reports
from apps.moderation import sanctions as moderation_sanctions
from apps.moderation.models import AccountStanding, Block, ModerationAction, Report, ReportEvidence
from apps.moderation.selectors import hidden_user_ids

pytestmark = pytest.mark.django_db


def direct_room(*users) -> Room:
    room = Room.objects.create(kind=RoomKind.DIRECT)
    for user in users:
        RoomMember.objects.create(room=room, user=user)
    return room


def test_report_snapshots_the_reported_profile_as_separate_evidence():
    reporter = make_profile().user
    reported = make_profile(bio="만나서 반가워요").user

    report = moderation_reports.report_create(
        reporter=reporter, reported_user_id=reported.pk, reason="harassment", text="계속 연락해요"
    )

    assert (report.status, report.reason, report.text, report.reported_user_label) == (
        "open",
        "harassment",
        "계속 연락해요",
        reported.profile.nickname,
    )
    snapshot = ReportEvidence.objects.get(report=report).snapshot
    assert snapshot["reported_profile"] == {
        "user_id": reported.pk,
        "nickname": reported.profile.nickname,
        "bio": "만나서 반가워요",
        "photo": "",
    }


def test_report_bad_input_gets_clear_errors():
    reporter = make_profile().user
    reported = make_profile().user
    cases = [
        ({"reported_user_id": reporter.pk, "reason": "spam"}, "cannot_report_self"),
        ({"reported_user_id": reported.pk, "reason": "because"}, "invalid_reason"),
        ({"reported_user_id": 999_999, "reason": "spam"}, "user_not_found"),
        ({"reported_user_id": reported.pk, "reason": "spam", "text": "x" * 1001}, "report_text_too_long"),
        ({"reported_user_id": reported.pk, "reason": "spam", "message_seq": 5}, "room_required"),
    ]
    for kwargs, code in cases:
        with pytest.raises(DomainError) as error:
            moderation_reports.report_create(reporter=reporter, **kwargs)
        assert error.value.code == code
    assert Report.objects.count() == 0


def test_duplicate_open_report_is_refused_but_allowed_again_after_resolution():
    reporter, reported, moderator = make_profile().user, make_profile().user, make_profile().user
    first = moderation_reports.report_create(reporter=reporter, reported_user_id=reported.pk, reason="spam")

    with pytest.raises(DomainError) as error:
        moderation_reports.report_create(reporter=reporter, reported_user_id=reported.pk, reason="scam")
    assert (error.value.code, error.value.http_status) == ("duplicate_report", 409)

    moderation_sanctions.report_resolve(report_id=first.pk, moderator=moderator, action="dismiss", reason="Not spam")
    moderation_reports.report_create(reporter=reporter, reported_user_id=reported.pk, reason="scam")
    assert Report.objects.filter(status="open").count() == 1


def test_nobody_reports_in_rooms_they_are_not_in():
    reporter, reported, stranger = make_profile().user, make_profile().user, make_profile().user
    room = direct_room(reported, stranger)

    with pytest.raises(DomainError) as error:
        moderation_reports.report_create(reporter=reporter, reported_user_id=reported.pk, reason="harassment", room_id=room.pk)
    assert (error.value.code, error.value.http_status) == ("not_room_member", 403)

    own_room = direct_room(reporter, stranger)
    with pytest.raises(DomainError) as error:
        moderation_reports.report_create(
            reporter=reporter, reported_user_id=reported.pk, reason="harassment", room_id=own_room.pk
        )
    assert error.value.code == "user_not_in_room"
    assert Report.objects.count() == 0


def test_reports_are_rate_limited_per_day(settings):
    settings.MODERATION_REPORTS_PER_DAY = 2
    reporter = make_profile().user
    for _ in range(2):
        moderation_reports.report_create(reporter=reporter, reported_user_id=make_profile().user_id, reason="spam")

    with pytest.raises(DomainError) as error:
        moderation_reports.report_create(reporter=reporter, reported_user_id=make_profile().user_id, reason="spam")

    assert error.value.code == "rate_limited"
    assert error.value.retry_after_s > 86_000
    # told in hours, not "86400초"
    assert str(error.value.message) == "요청이 너무 많아요. 24시간 후에 다시 시도해 주세요."


def test_report_and_block_does_both_and_a_failed_report_blocks_nobody():
    reporter, reported = make_profile().user, make_profile().user

    moderation_reports.report_and_block(reporter=reporter, reported_user_id=reported.pk, reason="sexual")

    assert Report.objects.filter(reporter=reporter, reported_user=reported).count() == 1
    assert Block.objects.filter(blocker=reporter, blocked=reported).count() == 1
    other = make_profile().user
    with pytest.raises(DomainError):
        moderation_reports.report_and_block(reporter=reporter, reported_user_id=other.pk, reason="nonsense")
    assert not Block.objects.filter(blocker=reporter, blocked=other).exists()


def test_self_block_is_refused():
    user = make_profile().user
    with pytest.raises(DomainError) as error:
        moderation_blocks.block_create(blocker=user, blocked_user_id=user.pk)
    assert error.value.code == "cannot_block_self"


def test_user_reported_by_enough_distinct_verified_users_is_hidden_pending_review(settings, verified_profile):
    settings.MODERATION_AUTO_HIDE_REPORTERS = 2
    reported = make_profile().user
    unverified = make_profile().user
    moderation_reports.report_create(reporter=unverified, reported_user_id=reported.pk, reason="spam")
    moderation_reports.report_create(reporter=verified_profile().user, reported_user_id=reported.pk, reason="spam")
    assert reported.pk not in hidden_user_ids()

    moderation_reports.report_create(reporter=verified_profile().user, reported_user_id=reported.pk, reason="scam")

    assert reported.pk in hidden_user_ids()
    assert user_social_access_problem(user=reported)[0] == "account_under_review"
    audit = ModerationAction.objects.get(action="auto_hide")
    assert (audit.actor_label, audit.target_user_id, audit.after) == ("system", reported.pk, {"hidden_pending_review": True})


@pytest.mark.parametrize(
    ("action", "standing", "problem"),
    [("warn", "warned", None), ("suspend", "suspended", "account_suspended"), ("ban", "banned", "account_banned")],
)
def test_acting_on_a_report_sanctions_the_user_and_is_audited(action, standing, problem):
    reporter, reported, moderator = make_profile().user, make_profile().user, make_profile().user
    report = moderation_reports.report_create(reporter=reporter, reported_user_id=reported.pk, reason="harassment")

    moderation_sanctions.report_resolve(report_id=report.pk, moderator=moderator, action=action, reason="Insults in chat")

    report.refresh_from_db()
    reported.refresh_from_db()
    assert report.status == "actioned"
    assert AccountStanding.objects.get(user=reported).standing == standing
    assert reported.is_active is (action != "ban")
    if action != "ban":
        assert (user_social_access_problem(user=reported) or (None,))[0] == problem
    entries = list(ModerationAction.objects.order_by("pk").values_list("action", "actor_id", "reason", "target_user_id"))
    # The sanctioned student and the reporter are each told, and each notice is audited too.
    assert entries == [
        (action, moderator.pk, "Insults in chat", reported.pk),
        ("notice", None, "", reported.pk),
        (f"report_{action}", moderator.pk, "Insults in chat", reported.pk),
        ("notice", None, "", reporter.pk),
    ]
    assert ReportEvidence.objects.get(report=report).purge_after is not None


def test_audit_log_is_append_only_in_the_database():
    moderator, user = make_profile().user, make_profile().user
    moderation_sanctions.user_sanction(user_id=user.pk, moderator=moderator, action="warn", reason="Rude", rule="respect")
    entry = ModerationAction.objects.get(action="warn")

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        ModerationAction.objects.filter(pk=entry.pk).update(reason="nothing happened")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        ModerationAction.objects.filter(pk=entry.pk).delete()
    assert ModerationAction.objects.get(action="warn").reason == "Rude"
