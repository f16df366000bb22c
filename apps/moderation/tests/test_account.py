import json
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from apps.accounts import photos as account_photos
from apps.accounts import privacy
from apps.accounts.models import Profile, User
from apps.accounts.tests.factories import PASSWORD, make_profile
from apps.core.errors import DomainError
from apps.moderation import images as moderation_images
from apps.moderation import reports as moderation_reports
from apps.moderation import sanctions as moderation_sanctions
from apps.moderation import text as moderation_text
from apps.moderation.models import ModeratedImage, ModerationAction, Report, ReportEvidence
from apps.moderation.tasks import purge_expired_evidence
from apps.moderation.tests.conftest import jpeg_upload

pytestmark = pytest.mark.django_db


def test_export_holds_the_users_data_and_nothing_of_others(media_root):
    profile = make_profile(bio="등산 좋아해요")
    other = make_profile().user
    account_photos.profile_photo_set(user=profile.user, upload=jpeg_upload())
    moderation_text.hidden_word_add(user=profile.user, word="전 애인")
    moderation_reports.report_and_block(reporter=profile.user, reported_user_id=other.pk, reason="spam", text="광고")

    data = privacy.account_export(user=profile.user)

    assert data["account"]["email"] == profile.user.email
    assert data["profile"]["bio"] == "등산 좋아해요"
    assert [(image["purpose"], image["status"]) for image in data["images"]] == [("profile_photo", "pending")]
    assert data["blocks"] == [other.pk]
    assert data["hidden_words"] == ["전 애인"]
    assert [(report["reason"], report["text"]) for report in data["reports_made"]] == [("spam", "광고")]
    json.dumps(data)


def test_export_download_is_json_for_the_signed_in_user(client):
    profile = make_profile()
    client.force_login(profile.user)

    response = client.get("/api/v1/safety/account/export/")

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="matchminds-export.json"'
    assert json.loads(response.content)["profile"]["nickname"] == profile.nickname


def test_deletion_removes_account_profile_and_stored_photos_but_keeps_report_evidence(
    media_root, django_capture_on_commit_callbacks
):
    profile = make_profile()
    user = profile.user
    reporter = make_profile().user
    account_photos.profile_photo_set(user=user, upload=jpeg_upload())
    from django.core.files.base import ContentFile

    from apps.moderation.tests.conftest import jpeg_bytes

    chat_name = default_storage.save("chat/x.jpg", ContentFile(jpeg_bytes()))
    moderation_images.image_submit(owner=user, purpose="chat_image", storage_name=chat_name)
    names = list(ModeratedImage.objects.values_list("storage_name", flat=True))
    assert len(names) == 2
    assert all(default_storage.exists(name) for name in names)
    report = moderation_reports.report_create(reporter=reporter, reported_user_id=user.pk, reason="fake")

    with django_capture_on_commit_callbacks(execute=True):
        privacy.account_delete(user=user, password=PASSWORD)

    assert not User.objects.filter(pk=user.pk).exists()
    assert not Profile.objects.filter(pk=profile.pk).exists()
    assert ModeratedImage.objects.count() == 0
    assert [name for name in names if default_storage.exists(name)] == []
    report.refresh_from_db()
    assert (report.reported_user_id, report.reported_user_label) == (None, profile.nickname)
    evidence = ReportEvidence.objects.get(report=report)
    assert evidence.snapshot["reported_profile"]["nickname"] == profile.nickname
    assert evidence.purge_after > timezone.now() + timedelta(days=179)
    assert ModerationAction.objects.filter(action="account_deleted", target_user_id=user.pk).count() == 1


def test_deletion_needs_the_password():
    user = make_profile().user
    with pytest.raises(DomainError) as error:
        privacy.account_delete(user=user, password="wrong")
    assert error.value.code == "wrong_password"
    assert User.objects.filter(pk=user.pk).exists()


def test_expired_evidence_is_purged_by_the_scheduled_task(settings):
    reporter, reported, moderator = make_profile().user, make_profile().user, make_profile().user
    old = moderation_reports.report_create(reporter=reporter, reported_user_id=reported.pk, reason="spam")
    moderation_sanctions.report_resolve(report_id=old.pk, moderator=moderator, action="dismiss", reason="ok")
    ReportEvidence.objects.filter(report=old).update(purge_after=timezone.now() - timedelta(seconds=1))
    kept = moderation_reports.report_create(reporter=make_profile().user, reported_user_id=reported.pk, reason="spam")

    assert purge_expired_evidence() == 1

    assert list(ReportEvidence.objects.values_list("report_id", flat=True)) == [kept.pk]
    assert Report.objects.filter(pk=old.pk).exists()
    assert "purge-evidence" in next(iter(k for k in settings.CELERY_BEAT_SCHEDULE if "evidence" in k))


def test_delete_page_logs_out_and_says_so(client):
    user = make_profile().user
    client.force_login(user)

    response = client.post("/safety/account/delete/", {"password": PASSWORD}, follow=True)

    assert response.status_code == 200
    assert not User.objects.filter(pk=user.pk).exists()
    assert not response.wsgi_request.user.is_authenticated
