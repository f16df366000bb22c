"""The admin reads in Korean: its header, the pending reports on its home, evidence as a transcript."""

import pytest
from django.test import Client

from apps.accounts.tests.factories import make_user
from apps.chat import batch as chat_batch
from apps.chat.tests.factories import make_pair
from apps.moderation import reports as moderation_reports
from apps.moderation.models import Report

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
