import pytest
from django.core import signing
from django.test import Client

from apps.accounts import notifications
from apps.accounts.models import NotificationKind
from apps.accounts.tests.factories import make_profile, make_user
from apps.chat import batch as chat_batch
from apps.chat import digest as chat_digest
from apps.chat import rooms as chat_rooms
from apps.chat.models import MessageKind, RoomMember
from apps.chat.tests.factories import make_pair
from apps.events.models import Event, EventState
from apps.events.tests.factories import make_event

pytestmark = pytest.mark.django_db


def browser_as(user) -> Client:
    browser = Client(HTTP_ACCEPT_LANGUAGE="ko")
    browser.force_login(user)
    return browser


def test_the_room_list_page_shows_partner_unread_badge_and_last_message_in_korean():
    alice, bob, room = make_pair()
    for index, body in enumerate(["안녕하세요", "오늘 축제 와요?"]):
        chat_batch.message_send(sender_id=bob.pk, room_id=room.pk, client_msg_id=f"m{index}", body=body)

    page = browser_as(alice).get("/chat/")

    html = page.content.decode()
    assert page.status_code == 200
    assert "<h1>채팅</h1>" in html
    assert f'href="/chat/{room.pk}/"' in html
    assert '<strong class="room-title">바비</strong>' in html
    assert '<span class="unread-badge" data-unread="2">2</span>' in html
    assert '<span class="last-message">오늘 축제 와요?</span>' in html
    sent_at = room.messages.get(seq=2).sent_at.isoformat()
    assert f'<time class="last-time" datetime="{sent_at}"></time>' in html  # rooms.js writes it in the reader's time


def test_the_room_list_shows_a_photo_as_a_photo_and_an_ended_chat_as_ended():
    alice, bob, room = make_pair()
    # An approved chat image becomes a message whose body is the image's id
    chat_batch.message_send(sender_id=bob.pk, room_id=room.pk, client_msg_id="image-7", body="7", kind=MessageKind.IMAGE)
    chat_rooms.room_close(room_id=room.pk, by_user_id=bob.pk)

    html = browser_as(alice).get("/chat/").content.decode()

    assert '<span class="last-message">사진</span>' in html
    assert '<strong class="room-title">바비</strong> <span class="badge">종료</span>' in html


def test_a_room_page_is_only_for_its_members():
    alice, _bob, room = make_pair()

    assert browser_as(alice).get(f"/chat/{room.pk}/").status_code == 200
    assert browser_as(make_profile().user).get(f"/chat/{room.pk}/").status_code == 404
    assert Client().get(f"/chat/{room.pk}/")["Location"].startswith("/accounts/login/")


def test_leaving_from_the_room_page_ends_the_chat_and_returns_to_the_list():
    alice, _bob, room = make_pair()
    browser = browser_as(alice)

    assert browser.get(f"/chat/{room.pk}/leave/").status_code == 405
    response = browser.post(f"/chat/{room.pk}/leave/")

    assert (response.status_code, response["Location"]) == (302, "/chat/")
    room.refresh_from_db()
    assert not room.is_open
    assert '<span class="badge">종료</span>' in browser.get("/chat/").content.decode()


def test_the_lobby_link_joins_the_events_lobby_room_once():
    event = make_event(name="축제")
    student = make_profile().user
    browser = browser_as(student)

    first = browser.get(f"/chat/lobby/{event.pk}/")
    again = browser.get(f"/chat/lobby/{event.pk}/")

    assert first["Location"] == again["Location"]
    (membership,) = RoomMember.objects.filter(user=student)
    assert first["Location"] == f"/chat/{membership.room_id}/"


def _legacy_digest_token(user_id: int) -> str:
    """What digest e-mails sent before the per-kind unsubscribe carry."""
    return signing.dumps(user_id, salt=chat_digest.LEGACY_UNSUBSCRIBE_SALT)


def test_an_old_digest_unsubscribe_link_asks_first_then_switches_the_digest_off():
    student = make_profile().user
    token = _legacy_digest_token(student.pk)
    anonymous = Client(HTTP_ACCEPT_LANGUAGE="ko")  # a link in an e-mail: no session needed

    # A mail scanner following the link changes nothing
    asked = anonymous.get(f"/chat/unsubscribe/{token}/")
    assert asked.status_code == 200
    assert '<button type="submit" class="button primary">수신 거부</button>' in asked.content.decode()
    assert notifications.may_notify(student, NotificationKind.DIGEST) is True

    done = anonymous.post(f"/chat/unsubscribe/{token}/")

    assert done.status_code == 200
    assert "이제 채팅 요약 이메일을 받지 않아요." in done.content.decode()
    assert notifications.notification_preferences(user=student) == {
        "digest": False,
        "new_match": True,
        "event_reminder": True,
        "moderation_notice": True,
    }


def test_a_tampered_unsubscribe_link_is_refused_with_a_clear_message():
    student = make_profile().user
    token = _legacy_digest_token(student.pk)

    refused = Client(HTTP_ACCEPT_LANGUAGE="ko").post(f"/chat/unsubscribe/{token}x/")

    assert refused.status_code == 400
    assert "유효하지 않은 수신 거부 링크예요." in refused.content.decode()
    assert notifications.may_notify(student, NotificationKind.DIGEST) is True


def test_a_lobby_chat_offers_a_composer_only_to_those_who_may_post_in_it():
    event = make_event(name="축제")
    student = make_profile().user
    room = chat_rooms.lobby_room_join(user=student, event_id=event.pk)
    operator = make_user()
    operator.is_staff = True
    operator.save()

    # A student in a staff-only lobby reads a note instead of a composer that could only fail
    html = browser_as(student).get(f"/chat/{room.pk}/").content.decode()
    assert "data-composer" not in html
    assert "이 채팅방은 운영진만 글을 쓸 수 있어요. 이벤트 공지가 올라오는 곳이에요." in html
    # with the way to meet people and a button back to the lobby, and an empty chat says what comes here
    assert "로비로 돌아가서 '매칭 시작'을 눌러 보세요. 서로 수락하면 1:1 채팅이 열려요." in html
    assert f'<a class="button primary" href="/events/{event.pk}/" data-back-to-lobby>로비로 돌아가기</a>' in html
    assert "아직 공지가 없어요. 이벤트 소식은 운영진이 여기에 올려요." in html

    # Staff (no student profile needed) find the lobby chat from the event page and write announcements
    event_page = browser_as(operator).get(f"/events/{event.pk}/").content.decode()
    assert f'href="/chat/lobby/{event.pk}/">로비 채팅에 공지하기</a>' in event_page
    entered = browser_as(operator).get(f"/chat/lobby/{event.pk}/")
    assert entered["Location"] == f"/chat/{room.pk}/"
    staff_html = browser_as(operator).get(f"/chat/{room.pk}/").content.decode()
    assert "data-composer" in staff_html
    assert "로비의 모든 참가자에게 공지로 전해져요" in staff_html

    # Once the event opens the lobby chat, students get the composer too
    room.members_can_post = True
    room.save()
    assert "data-composer" in browser_as(student).get(f"/chat/{room.pk}/").content.decode()


def test_a_lobby_chat_of_an_ended_event_points_to_the_upcoming_events():
    # given a student in the lobby chat of an event that has ended
    event = make_event(name="지난 축제", slug="last-festival")
    student = make_profile().user
    room = chat_rooms.lobby_room_join(user=student, event_id=event.pk)
    # (staff close it in the admin: there is no service for that)
    Event.objects.filter(pk=event.pk).update(state_override=EventState.ENDED)
    # when she opens it
    html = browser_as(student).get(f"/chat/{room.pk}/").content.decode()
    # then she reads that it is over and is offered the upcoming events and the event's page
    assert "이 이벤트는 끝났어요. 다가오는 다른 이벤트를 둘러보세요." in html
    assert '<a class="button primary" href="/events/">다가오는 이벤트 보기</a>' in html
    assert '<a class="button" href="/events/last-festival/">이벤트 안내</a>' in html
    assert "data-back-to-lobby" not in html
