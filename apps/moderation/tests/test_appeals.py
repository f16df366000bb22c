"""Appeals: one per sanction, only the student's own and only while it is in effect; a moderator
upholds or overturns it (overturning lifts the sanction) and the student is told."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from apps.accounts.tests.factories import PASSWORD, make_profile, make_user
from apps.core.errors import DomainError
from apps.moderation import appeals as moderation_appeals
from apps.moderation import sanctions as moderation_sanctions
from apps.moderation.models import AccountStanding, Appeal, ModerationAction, Notice, Sanction
from apps.moderation.selectors import moderation_queue_counts

pytestmark = pytest.mark.django_db


@pytest.fixture
def moderator():
    user = make_user(email="mod@example.com")
    user.is_staff = user.is_superuser = True
    user.save()
    return user


def _sanctioned(moderator, action: str, *, rule: str = "respect"):
    student = make_profile().user
    moderation_sanctions.user_sanction(user_id=student.pk, moderator=moderator, action=action, reason="운영 판단", rule=rule)
    return student, Sanction.objects.get(user=student)


def test_an_appeal_joins_the_moderation_queue_and_is_audited(moderator):
    student, sanction = _sanctioned(moderator, "suspend")

    appeal = moderation_appeals.appeal_create(user_id=student.pk, sanction_id=sanction.pk, text="  친구끼리 한 농담이었어요  ")

    assert (appeal.sanction_id, appeal.status, appeal.text) == (sanction.pk, "open", "친구끼리 한 농담이었어요")
    assert moderation_queue_counts()["appeals"] == 1
    entry = ModerationAction.objects.get(action="appeal_created")
    assert (entry.target_id, entry.target_user_id) == (appeal.pk, student.pk)
    assert entry.after == {"sanction_id": sanction.pk, "status": "open"}


@pytest.mark.parametrize(
    ("case", "code"),
    [
        ("someone_else", "sanction_not_found"),
        ("second", "appeal_exists"),
        ("expired", "sanction_expired"),
        ("lifted", "sanction_lifted"),
        ("too_late", "appeal_too_late"),
        ("empty", "appeal_text_required"),
        ("too_long", "appeal_text_too_long"),
    ],
)
def test_bad_appeals_get_a_precise_error_and_change_nothing(moderator, case, code):
    student, sanction = _sanctioned(moderator, "suspend")
    other, _others_sanction = _sanctioned(moderator, "warn")
    text = {"empty": "   ", "too_long": "가" * 2001}.get(case, "다시 봐 주세요")
    appellant = other if case == "someone_else" else student
    if case == "second":
        moderation_appeals.appeal_create(user_id=student.pk, sanction_id=sanction.pk, text="첫 번째")
    elif case == "expired":
        Sanction.objects.filter(pk=sanction.pk).update(ends_at=timezone.now() - timedelta(minutes=1))
    elif case == "lifted":
        moderation_sanctions.user_sanction(user_id=student.pk, moderator=moderator, action="clear", reason="해제")
    elif case == "too_late":
        Sanction.objects.filter(pk=sanction.pk).update(created_at=timezone.now() - timedelta(days=31))
    before = (Appeal.objects.count(), ModerationAction.objects.count())

    with pytest.raises(DomainError) as refused:
        moderation_appeals.appeal_create(user_id=appellant.pk, sanction_id=sanction.pk, text=text)

    assert refused.value.code == code
    assert (Appeal.objects.count(), ModerationAction.objects.count()) == before


def test_overturning_a_ban_lifts_it_restores_sign_in_and_tells_the_student(moderator, sent_frames):
    student, sanction = _sanctioned(moderator, "ban", rule="scam")
    appeal = moderation_appeals.appeal_create(user_id=student.pk, sanction_id=sanction.pk, text="사기가 아니었어요")

    with sent_frames():
        moderation_appeals.appeal_decide(appeal_id=appeal.pk, moderator=moderator, outcome="overturned", reason="오해였음")

    student.refresh_from_db()
    sanction.refresh_from_db()
    assert (student.is_active, AccountStanding.objects.get(user=student).standing) == (True, "good")
    assert sanction.lifted_at is not None
    assert Appeal.objects.get().status == "overturned"
    lifted = Notice.objects.filter(user=student).order_by("pk").last()
    assert (lifted.kind, lifted.sanction_id) == ("sanction_lifted", sanction.pk)
    assert [frame["kind"] for _groups, frame in sent_frames if frame["type"] == "safety.notice"] == ["sanction_lifted"]
    actions = list(ModerationAction.objects.filter(actor_id=moderator.pk).order_by("pk").values_list("action", flat=True))
    assert actions[-3:] == ["appeal_overturned", "sanction_lifted", "lift"]
    assert Client().login(username=student.email, password=PASSWORD) is True


def test_overturning_one_warning_keeps_the_others(moderator):
    student, first = _sanctioned(moderator, "warn")
    moderation_sanctions.user_sanction(user_id=student.pk, moderator=moderator, action="warn", reason="또", rule="spam")
    appeal = moderation_appeals.appeal_create(user_id=student.pk, sanction_id=first.pk, text="제가 아니에요")
    moderation_appeals.appeal_decide(appeal_id=appeal.pk, moderator=moderator, outcome="overturned", reason="확인")
    standing = AccountStanding.objects.get(user=student)
    assert (standing.standing, standing.warnings) == ("warned", 1)


def test_upholding_keeps_the_sanction_tells_the_student_and_cannot_be_decided_twice(moderator):
    student, sanction = _sanctioned(moderator, "suspend")
    appeal = moderation_appeals.appeal_create(user_id=student.pk, sanction_id=sanction.pk, text="억울해요")

    moderation_appeals.appeal_decide(appeal_id=appeal.pk, moderator=moderator, outcome="upheld", reason="증거 확인")

    assert AccountStanding.objects.get(user=student).standing == "suspended"
    assert Notice.objects.filter(user=student).order_by("pk").last().kind == "appeal_upheld"
    with pytest.raises(DomainError) as refused:
        moderation_appeals.appeal_decide(appeal_id=appeal.pk, moderator=moderator, outcome="overturned", reason="다시")
    assert refused.value.code == "appeal_already_decided"
    assert AccountStanding.objects.get(user=student).standing == "suspended"


def test_the_appeal_form_keeps_the_students_words_when_refused(moderator):
    student, sanction = _sanctioned(moderator, "warn")
    client = Client()
    client.force_login(student)

    refused = client.post("/safety/notices/", {"sanction": str(sanction.pk), "text": "가" * 2001})
    assert refused.status_code == 400
    page = refused.content.decode()
    assert "2000자 이내로" in page and "가" * 2001 in page

    someone_elses = client.post("/safety/notices/", {"sanction": str(sanction.pk + 999), "text": "제 것"})
    assert someone_elses.status_code == 400 and "계정에 그런 조치가 없어요" in someone_elses.content.decode()

    sent = client.post("/safety/notices/", {"sanction": str(sanction.pk), "text": "다시 봐 주세요"}, follow=True)
    assert "이의 신청을 받았어요" in sent.content.decode()
    assert "검토를 기다리고 있어요" in sent.content.decode()
    assert Appeal.objects.get().text == "다시 봐 주세요"


def test_a_banned_student_appeals_through_the_link_and_staff_decide_in_the_admin(moderator):
    from apps.moderation.notices import notice_link_token

    student, sanction = _sanctioned(moderator, "ban")
    link = f"/safety/notices/link/{notice_link_token(user_id=student.pk)}/"
    anonymous = Client()
    assert anonymous.post(link, {"sanction": str(sanction.pk), "text": "해킹당했어요"}).status_code == 302
    assert Appeal.objects.get().sanction_id == sanction.pk

    staff = Client()
    staff.force_login(moderator)
    assert "검토를 기다리는 이의 신청 1건" in staff.get("/admin/").content.decode()
    listing = staff.get("/admin/moderation/appeal/?status__exact=open").content.decode()
    assert student.email in listing and "영구 정지" in listing
    staff.post(
        "/admin/moderation/appeal/",
        {"action": "overturned", "_selected_action": [Appeal.objects.get().pk], "reason": "본인 확인 완료", "index": 0},
    )
    student.refresh_from_db()
    assert (Appeal.objects.get().status, student.is_active) == ("overturned", True)


def test_the_api_lists_notices_takes_one_appeal_and_refuses_a_second_precisely(moderator):
    from rest_framework.test import APIClient

    student, sanction = _sanctioned(moderator, "suspend", rule="privacy")
    api = APIClient(HTTP_ACCEPT_LANGUAGE="ko")
    api.force_authenticate(student)

    listed = api.get("/api/v1/safety/notices/").json()
    assert listed["unacknowledged"] == 1
    [notice] = listed["notices"]
    assert (notice["kind"], notice["sanction"]["rule"], notice["sanction"]["kind"], notice["sanction"]["can_appeal"]) == (
        "sanction",
        "privacy",
        "suspension",
        True,
    )
    assert notice["sanction"]["ends_at"].endswith(" KST")

    created = api.post("/api/v1/safety/appeals/", {"sanction_id": sanction.pk, "text": "다시 확인해 주세요"}, format="json")
    assert (created.status_code, created.json()["status"]) == (201, "open")
    again = api.post("/api/v1/safety/appeals/", {"sanction_id": sanction.pk, "text": "한 번 더"}, format="json")
    assert (again.status_code, again.json()["error"]["code"]) == (409, "appeal_exists")
    assert Appeal.objects.count() == 1

    assert api.post("/api/v1/safety/notices/").json() == {"acknowledged": 1}
    assert api.get("/api/v1/safety/notices/").json()["unacknowledged"] == 0
