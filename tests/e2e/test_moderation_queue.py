"""A moderator works the queue in the real admin, in a real browser (screenshots for review)."""

import pytest
from django.core.files.storage import default_storage

from apps.accounts import photos as account_photos
from apps.accounts.tests.factories import PASSWORD, make_profile, make_user
from apps.moderation import images as moderation_images
from apps.moderation import reports as moderation_reports
from apps.moderation import text as moderation_text
from apps.moderation.models import ModeratedImage, ModerationAction
from apps.moderation.tests.conftest import jpeg_upload
from conftest import save_screenshot

pytestmark = [pytest.mark.browser, pytest.mark.integration]


def test_moderator_approves_a_pending_photo_from_the_admin_queue(daphne_server, browser_context, settings):
    settings.MODERATION_IMAGE_THRESHOLDS = {"nudity": {"review": 0.0, "reject": 1.01}, "default": {"review": 0.5, "reject": 0.9}}
    moderator = make_user(email="moderator@example.com")
    moderator.is_staff = moderator.is_superuser = True
    moderator.save()
    uploader = make_profile(nickname="사진올린이")
    account_photos.profile_photo_set(user=uploader.user, upload=jpeg_upload(colour=(230, 170, 140)))
    image = ModeratedImage.objects.get()
    moderation_images.image_moderate(image_id=image.pk)
    reporter, reported = make_profile(nickname="신고자").user, make_profile(nickname="문제유저").user
    moderation_reports.report_create(
        reporter=reporter, reported_user_id=reported.pk, reason="harassment", text="채팅에서 욕설을 했어요"
    )
    moderation_text.message_text_screen(sender_id=reported.pk, room_id=1, text="병신 같은 소리 하지 마")
    page = browser_context.new_page()
    page.set_viewport_size({"width": 1440, "height": 800})

    page.goto(f"{daphne_server}/accounts/login/?next=/admin/moderation/moderatedimage/")
    page.locator("input[name=username]").fill("moderator@example.com")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form.card button[type=submit]").click()
    page.wait_for_url("**/admin/moderation/moderatedimage/")
    thumbnail = page.locator("td.field-thumbnail img")
    thumbnail.wait_for()
    assert page.evaluate("(img) => img.naturalWidth", thumbnail.element_handle()) > 0
    save_screenshot(page, "moderation-queue-images")

    page.locator(f"input[name=_selected_action][value='{image.pk}']").check()
    page.locator("select[name=action]").select_option("approve")
    page.locator("input[name=reason]").fill("정상적인 얼굴 사진")
    page.locator("button[name=index]").click()
    page.locator(".messagelist .success").wait_for()
    assert ModeratedImage.objects.get().status == "approved"
    assert ModerationAction.objects.filter(action="image_approved", actor_id=moderator.pk, reason="정상적인 얼굴 사진").exists()

    page.goto(f"{daphne_server}/admin/moderation/report/")
    save_screenshot(page, "moderation-queue-reports")
    page.goto(f"{daphne_server}/admin/moderation/flaggedcontent/")
    save_screenshot(page, "moderation-queue-flags")
    page.goto(f"{daphne_server}/admin/moderation/moderationaction/")
    save_screenshot(page, "moderation-audit-log")
    default_storage.delete(image.storage_name)
