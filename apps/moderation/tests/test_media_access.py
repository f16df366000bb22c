"""Who reaches which image, by which address (issue 23, item 4): profile photos only through
`accounts:photo` (blocks and moderation), chat images only to their room, nothing by a
sequential id."""

import pytest

from apps.accounts import photos as account_photos
from apps.accounts.selectors import profile_photo_url
from apps.accounts.tests.factories import make_profile
from apps.chat import safety as chat_safety
from apps.chat.models import Message
from apps.chat.tests.factories import make_pair
from apps.moderation import blocks as moderation_blocks
from apps.moderation import images as moderation_images
from apps.moderation.models import ImagePurpose, ModeratedImage
from apps.moderation.tests.conftest import jpeg_upload

pytestmark = pytest.mark.django_db

PLACEHOLDER_SUFFIX = "accounts/placeholder.svg"


@pytest.fixture
def approved_photo(media_root):
    """Y's approved profile photo."""
    owner = make_profile()
    account_photos.profile_photo_set(user=owner.user, upload=jpeg_upload())
    image = ModeratedImage.objects.get(owner=owner.user, purpose=ImagePurpose.PROFILE_PHOTO)
    moderation_images.image_moderate(image_id=image.pk)
    owner.refresh_from_db()
    return owner, image


def test_a_blocked_student_gets_no_profile_photo_by_any_address(client, approved_photo):
    owner, image = approved_photo
    blocked = make_profile().user
    moderation_blocks.block_create(blocker=owner.user, blocked_user_id=blocked.pk)
    client.force_login(blocked)

    # Given Y blocked A, when A asks the chat image address by the photo's id or key, then 404
    assert client.get(f"/safety/chat-images/{image.pk}/").status_code == 404
    assert client.get(f"/safety/chat-images/{image.key}/").status_code == 404
    # and the photo's own address gives the placeholder
    response = client.get(profile_photo_url(profile=owner))
    assert (response.status_code, response["Location"].endswith(PLACEHOLDER_SUFFIX)) == (302, True)


def test_a_profile_photo_is_reached_only_by_its_keyed_address(client, approved_photo):
    owner, _image = approved_photo
    client.force_login(make_profile().user)
    url = profile_photo_url(profile=owner)

    response = client.get(url)
    assert (response.status_code, response["Content-Type"]) == (200, "image/jpeg")
    # The user id alone, or with a made-up key, reaches nothing
    assert client.get(f"/accounts/photos/{owner.user_id}/").status_code == 404
    assert client.get(f"/accounts/photos/{owner.user_id}/{'0' * 32}/")["Location"].endswith(PLACEHOLDER_SUFFIX)
    assert client.get(f"/accounts/photos/999999999/{'0' * 32}/")["Location"].endswith(PLACEHOLDER_SUFFIX)

    # A new photo gets a new address; the old one shows the placeholder
    account_photos.profile_photo_set(user=owner.user, upload=jpeg_upload(colour=(200, 10, 10)))
    owner.refresh_from_db()
    assert profile_photo_url(profile=owner) != url
    assert client.get(url)["Location"].endswith(PLACEHOLDER_SUFFIX)


def test_a_chat_image_is_served_by_its_key_to_its_room_only(client, media_root):
    alice, bob, room = make_pair()
    image = chat_safety.chat_image_upload(sender=alice, room_id=room.pk, upload=jpeg_upload())
    moderation_images.image_moderate(image_id=image.pk)
    message = Message.objects.get(room=room)
    assert (message.kind, message.body) == ("image", str(image.key))

    client.force_login(bob)
    response = client.get(f"/safety/chat-images/{message.body}/")
    assert (response.status_code, response["Content-Type"]) == (200, "image/jpeg")
    assert client.get(f"/safety/chat-images/{image.pk}/").status_code == 404

    client.force_login(make_profile().user)
    assert client.get(f"/safety/chat-images/{message.body}/").status_code == 404

    # After a block the partner no longer sees the sender's images; the sender still sees them
    moderation_blocks.block_create(blocker=alice, blocked_user_id=bob.pk)
    client.force_login(bob)
    assert client.get(f"/safety/chat-images/{message.body}/").status_code == 404
    client.force_login(alice)
    assert client.get(f"/safety/chat-images/{message.body}/").status_code == 200
