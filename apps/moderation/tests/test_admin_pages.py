"""The admin reads in Korean: its header, the pending reports on its home, evidence as a transcript,
empty lists that say why, people by e-mail rather than id, dates in one format."""

import pytest
from django.test import Client
from django.utils import translation
from django.utils.formats import date_format
from django.utils.timezone import localtime

from apps.accounts.tests.factories import make_user
from apps.chat import batch as chat_batch
from apps.chat.tests.factories import make_pair
from apps.moderation import appeals as moderation_appeals
from apps.moderation import reports as moderation_reports
from apps.moderation import sanctions as moderation_sanctions
from apps.moderation.models import ModerationAction, Report, Sanction

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client() -> Client:
    user = make_user()
    user.is_staff = user.is_superuser = True
    user.save(update_fields=["is_staff", "is_superuser"])
    client = Client()
    client.force_login(user)
    return client


def test_admin_home_is_titled_in_korean_and_counts_open_reports(admin_client):
    alice, bob, room = make_pair()
    moderation_reports.report_create(reporter=alice, reported_user_id=bob.pk, reason="harassment", room_id=room.pk)
    html = admin_client.get("/admin/").content.decode()
    assert "MatchMinds 관리" in html and "Django" not in html
    assert 'data-open-reports="1"' in html
    assert "검토를 기다리는 신고 1건" in html


def test_report_evidence_reads_as_a_transcript_with_the_reported_message_marked(admin_client):
    alice, bob, room = make_pair()
    chat_batch.message_send(sender_id=alice.pk, room_id=room.pk, client_msg_id="a1", body="안녕하세요")
    chat_batch.message_send(sender_id=bob.pk, room_id=room.pk, client_msg_id="b1", body="바보")
    moderation_reports.report_create(reporter=alice, reported_user_id=bob.pk, reason="harassment", room_id=room.pk, message_seq=2)
    html = admin_client.get(f"/admin/moderation/report/{Report.objects.get().pk}/change/").content.decode()
    assert "<strong>앨리스</strong> 안녕하세요</li>" in html
    assert '<li class="reported"><time>' in html and "<strong>바비</strong> 바보</li>" in html
    assert "채팅방" in html and "신고된 메시지" in html and "해결 시각" in html
    assert "sender_id" not in html and "Room id" not in html
    assert f"{room.pk}번 채팅방" in html


def test_an_empty_admin_list_says_why_and_a_filtered_one_offers_everything(admin_client):
    # given no matches at all, the list says there are none yet
    html = admin_client.get("/admin/matching/match/").content.decode()
    assert "아직 매칭 항목이 없어요." in html
    # given a search that finds nothing, the list says so and links back to everything
    html = admin_client.get("/admin/moderation/sanction/?q=nobody@example.com").content.decode()
    assert "이 검색어나 필터에 맞는 항목이 없어요." in html and '<a href="?">전체 보기</a>' in html


def test_a_sanction_names_its_moderator_and_its_appeal_shows_dates_like_the_rest_of_the_admin(admin_client):
    moderator = make_user(email="mod@example.com")
    alice, bob, room = make_pair()
    moderation_sanctions.user_sanction(user_id=bob.pk, moderator=moderator, action="warn", reason="욕설", rule="respect")
    sanction = Sanction.objects.get()
    appeal = moderation_appeals.appeal_create(user_id=bob.pk, sanction_id=sanction.pk, text="오해예요")

    sanction_html = admin_client.get(f"/admin/moderation/sanction/{sanction.pk}/change/").content.decode()
    appeal_html = admin_client.get(f"/admin/moderation/appeal/{appeal.pk}/change/").content.decode()

    audit_html = admin_client.get(
        f"/admin/moderation/moderationaction/{ModerationAction.objects.get(action='warn').pk}/change/"
    ).content.decode()

    assert "mod@example.com" in sanction_html and "관리자 ID" not in sanction_html
    assert "사용자 경고" in audit_html and '"standing"' not in audit_html and "warnings" not in audit_html
    assert " KST" not in appeal_html
    with translation.override("ko"):
        assert date_format(localtime(sanction.created_at), "DATETIME_FORMAT") in appeal_html
