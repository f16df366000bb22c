"""Unblocking: the list of people I blocked, and lifting a block (page and API)."""

import pytest
from django.test import Client

from apps.accounts import notifications
from apps.accounts.tests.factories import make_profile
from apps.chat.models import Room
from apps.chat.selectors import room_list_for_user
from apps.chat.tests.factories import make_pair
from apps.core.errors import DomainError
from apps.moderation import blocks as moderation_blocks
from apps.moderation.errors import ErrorCode
from apps.moderation.models import Block
from apps.moderation.selectors import block_exists_between, blocks_made_by

pytestmark = pytest.mark.django_db


def browser_as(user, language: str = "ko") -> Client:
    """Signed in as `user`, whose account reads `language` (pages follow the account)."""
    notifications.user_language_set(user=user, language=language)
    browser = Client(HTTP_ACCEPT_LANGUAGE=language)
    browser.force_login(user)
    return browser


def test_unblocking_lifts_the_block_but_the_chat_it_closed_stays_closed():
    # Given Alice blocked Bob, which closed their chat
    alice, bob, room = make_pair()
    moderation_blocks.block_create(blocker=alice, blocked_user_id=bob.pk)
    assert Room.objects.get(pk=room.pk).is_open is False

    # When she unblocks him
    moderation_blocks.block_remove(blocker=alice, blocked_user_id=bob.pk)

    # Then there is no block either way, and the chat is still closed for both
    assert block_exists_between(user_id=alice.pk, other_user_id=bob.pk) is False
    assert Room.objects.get(pk=room.pk).is_open is False
    assert [entry["is_open"] for entry in room_list_for_user(user_id=alice.pk)] == [False]


def test_unblocking_someone_never_blocked_is_a_404_and_changes_nothing():
    alice, bob, _room = make_pair()
    moderation_blocks.block_create(blocker=bob, blocked_user_id=alice.pk)

    with pytest.raises(DomainError) as refused:
        moderation_blocks.block_remove(blocker=alice, blocked_user_id=bob.pk)

    assert (refused.value.code, refused.value.http_status) == (ErrorCode.NOT_BLOCKED, 404)
    assert list(Block.objects.values_list("blocker_id", "blocked_id")) == [(bob.pk, alice.pk)]


def test_the_list_holds_only_my_blocks_newest_first_with_nicknames():
    me = make_profile(nickname="나자신").user
    first, second = make_profile(nickname="첫째").user, make_profile(nickname="둘째").user
    moderation_blocks.block_create(blocker=me, blocked_user_id=first.pk)
    moderation_blocks.block_create(blocker=me, blocked_user_id=second.pk)
    moderation_blocks.block_create(blocker=second, blocked_user_id=me.pk)

    listed = blocks_made_by(user_id=me.pk)

    assert [(entry["user_id"], entry["nickname"]) for entry in listed] == [(second.pk, "둘째"), (first.pk, "첫째")]


def test_the_api_lists_and_unblocks_and_refuses_an_unknown_unblock_precisely():
    me = make_profile(nickname="나자신").user
    other = make_profile(nickname="상대").user
    moderation_blocks.block_create(blocker=me, blocked_user_id=other.pk)
    api = browser_as(me)

    listed = api.get("/api/v1/safety/blocks/").json()
    assert [(entry["user_id"], entry["nickname"]) for entry in listed] == [(other.pk, "상대")]
    assert listed[0]["blocked_at"]

    assert api.delete(f"/api/v1/safety/blocks/{other.pk}/").status_code == 204
    again = api.delete(f"/api/v1/safety/blocks/{other.pk}/")
    assert again.status_code == 404
    assert again.json()["error"]["code"] == "not_blocked"
    assert api.get("/api/v1/safety/blocks/").json() == []


def test_the_page_lists_blocked_people_and_unblocks_one(django_capture_on_commit_callbacks):
    me = make_profile(nickname="나자신").user
    other = make_profile(nickname="차단된사람").user
    moderation_blocks.block_create(blocker=me, blocked_user_id=other.pk)
    page = browser_as(me)

    listed = page.get("/safety/blocks/")
    assert "차단된사람" in listed.content.decode()

    done = page.post("/safety/blocks/", {"user_id": other.pk}, follow=True)

    assert not Block.objects.exists()
    body = done.content.decode()
    assert "차단된사람" in body  # named in the confirmation
    assert 'name="user_id"' not in body  # and no longer listed


def test_the_page_says_so_when_the_person_was_not_blocked():
    me = make_profile().user
    stranger = make_profile().user

    response = browser_as(me, "en").post("/safety/blocks/", {"user_id": stranger.pk}, follow=True)

    assert "You have not blocked this person." in response.content.decode()
    response = browser_as(me, "en").post("/safety/blocks/", {"user_id": "abc"}, follow=True)
    assert "You have not blocked this person." in response.content.decode()
