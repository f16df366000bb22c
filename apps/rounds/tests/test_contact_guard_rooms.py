"""Contact details are masked in round rooms and lobbies, not in the lasting chat after a mutual yes."""

import pytest

from apps.chat import batch as chat_batch
from apps.chat import rooms as chat_rooms
from apps.chat.models import Message, Room
from apps.moderation.models import FlaggedContent
from apps.rounds import services
from apps.rounds.models import RoundPair
from apps.rounds.tests.factories import checked_in_students, make_rounds_event

pytestmark = pytest.mark.django_db

EXPLANATION = "연락처는 서로 '다시 만나고 싶어요'를 누른 뒤에 주고받을 수 있어요"


def send(user, room_id: int, body: str, n: int = 0) -> Message:
    chat_batch.message_send(sender_id=user.pk, room_id=room_id, client_msg_id=f"m{n}", body=body)
    return Message.objects.filter(room_id=room_id).order_by("-seq").first()


def test_a_phone_number_in_a_round_is_masked_and_only_the_sender_is_told_why(sent_frames):
    event = make_rounds_event()
    woman, man = checked_in_students(event, "FM")
    round_ = services.round_start(event_id=event.pk, number=1)
    room_id = RoundPair.objects.get(round=round_).room_id

    with sent_frames():
        message = send(woman, room_id, "제 번호 공일공 일이삼사 오육칠팔 이에요")

    assert message.body == "제 번호 *** **** **** 이에요"
    notices = [(groups, frame) for groups, frame in sent_frames if frame["type"] == "safety.contact_masked"]
    assert notices == [
        ([f"user.{woman.pk}"], {"type": "safety.contact_masked", "room": room_id, "kinds": ["phone"], "message": EXPLANATION})
    ]
    assert not FlaggedContent.objects.exists()


def test_the_third_attempt_is_flagged_for_moderators():
    event = make_rounds_event()
    woman, _man = checked_in_students(event, "FM")
    room_id = RoundPair.objects.get(round=services.round_start(event_id=event.pk, number=1)).room_id

    for n, body in enumerate(["인스타 minji_k", "카톡 아이디 minji123", "minji@naver.com 으로 메일 줘요"]):
        last = send(woman, room_id, body, n)

    flag = FlaggedContent.objects.get()
    assert (flag.user_id, flag.room_id, flag.text, flag.message_seq) == (
        woman.pk,
        room_id,
        "minji@naver.com 으로 메일 줘요",
        last.seq,
    )
    assert flag.matches == ["contact:email", "attempts:3"]


def test_lobby_chat_is_guarded_and_the_lasting_chat_after_a_mutual_yes_is_not():
    event = make_rounds_event()
    woman, man = checked_in_students(event, "FM")
    lobby = chat_rooms.lobby_room_join(user=woman, event_id=event.pk)
    Room.objects.filter(pk=lobby.pk).update(members_can_post=True)
    assert send(woman, lobby.pk, "insta: minji_k").body == "insta: *******"

    round_ = services.round_start(event_id=event.pk, number=1)
    services.round_talk_end(round_id=round_.pk, now=round_.talk_ends_at)
    for user in (woman, man):
        services.round_answer(user_id=user.pk, round_id=round_.pk, answer="yes")
    services.round_finish(round_id=round_.pk, now=round_.break_ends_at)
    lasting = RoundPair.objects.get(round=round_).match.room_id

    assert send(man, lasting, "제 번호 010-1234-5678이에요", 1).body == "제 번호 010-1234-5678이에요"
