"""Generated frames against the whole gateway: every frame type every app registered.

For each frame type, each example opens a socket as a student who is in a 1:1 room and may
enter a live event, and sends a run of frames: that type with fields that are right, wrong or absurd (huge
or negative numbers, NaN, escaped NUL and lone surrogates, nested values), frames of
unknown types, and text that is not JSON. After each one a `ping` must still get its
`pong`: the socket stays open. Whatever came back before the pong must be well-formed
frames, and an error must be one of ours, never `internal_error` or
`service_unavailable` (an input that reached PostgreSQL or Redis unchecked).
"""

import json

import pytest
from asgiref.sync import async_to_sync
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.chat.tests.factories import make_pair
from apps.events.tests.factories import make_event
from apps.realtime import registry

pytestmark = pytest.mark.django_db(transaction=True)

# Codes that mean an input got past validation and broke something behind it.
UNEXPECTED_CODES = {"internal_error", "service_unavailable"}
json_scalars = (
    st.none()
    | st.booleans()
    | st.integers()  # unbounded: beyond PostgreSQL's bigint too
    | st.floats()  # NaN and infinities travel as the bare words json.loads accepts
    | st.text(st.characters(exclude_categories=()), max_size=40)  # lone surrogates too, sent escaped
    | st.sampled_from(["", " ", "\x00", "\ud800", "online", "away", "😀" * 300, "가" * 1001])
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=8,
)


# What each frame type needs (docs/protocol.md); a generated frame starts from these.
REQUIRED_FIELDS = {
    "message.send": ("room", "client_msg_id", "body"),
    "message.read": ("room", "seq"),
    "resume": ("rooms",),
    "message.range": ("room", "after_seq", "until_seq"),
    "typing": ("room",),
    "presence.set": ("state",),
    "room.join_lobby": ("event",),
    "lobby.enter": ("event",),
    "lobby.leave": ("event",),
    "queue.join": ("event",),
    "queue.leave": ("event",),
    "queue.sync": ("event",),
    "match.accept": ("proposal",),
    "match.decline": ("proposal",),
    "dashboard.subscribe": ("event",),
    "dashboard.unsubscribe": (),
    "round.checkin": ("event",),
    "round.leave": ("event",),
    "round.answer": ("round", "answer"),
    "round.sync": ("event",),
    "console.subscribe": ("event",),
    "console.action": ("event", "action", "round", "version"),
    "chat.unread_sync": (),
}
UNKNOWN_TYPE, NOT_JSON = "(unknown type)", "(not JSON)"
FIELDS = (
    "room",
    "seq",
    "client_msg_id",
    "body",
    "after_seq",
    "until_seq",
    "rooms",
    "state",
    "event",
    "proposal",
    "round",
    "answer",
    "action",
    "version",
    "ref",
)


@st.composite
def frames(draw, *, kind: str, room_id: int, event_id: int) -> str:
    """One frame's text: mostly a well-formed frame of type `kind` with up to two fields
    broken, dropped or added; now and then any frame type, an unknown one, or not JSON."""
    if kind == NOT_JSON or draw(st.integers(0, 9)) == 0:
        return draw(st.text(max_size=60))
    plausible = {
        "room": st.sampled_from([room_id, room_id + 10_000]),
        "event": st.sampled_from([event_id, event_id + 10_000]),
        "proposal": st.integers(1, 3),
        "round": st.integers(1, 3),
        "answer": st.sampled_from(["yes", "no"]),
        "action": st.sampled_from(["pause", "resume", "extend", "skip", "end"]),
        "version": st.integers(0, 3),
        "seq": st.integers(0, 5),
        "after_seq": st.integers(0, 3),
        "until_seq": st.integers(1, 6),
        "rooms": st.just({str(room_id): 0}),
        "body": st.text(min_size=1, max_size=30),
        "client_msg_id": st.text(min_size=1, max_size=20),
        "state": st.sampled_from(["online", "away", "offline"]),
        "ref": st.text(max_size=10),
    }
    if kind == UNKNOWN_TYPE:
        frame_type = draw(st.text(max_size=20).filter(lambda text: text not in REQUIRED_FIELDS and text != "ping"))
    else:
        frame_type = kind if draw(st.integers(0, 4)) else draw(st.sampled_from(sorted(REQUIRED_FIELDS)))
    frame: dict = {"type": frame_type}
    for field in REQUIRED_FIELDS.get(frame_type, ()):
        frame[field] = draw(plausible[field])
    for field in draw(st.lists(st.sampled_from(FIELDS), unique=True, max_size=2)):
        if field in frame and draw(st.booleans()):
            del frame[field]
        else:
            frame[field] = draw(json_values)
    return json.dumps(frame)  # ensure_ascii: the wire text is valid UTF-8, as a real client's must be


def _student_in_a_room_with_a_live_event() -> tuple:
    student, _partner, room = make_pair()
    return student, room.pk, make_event(name="Fuzz").pk


async def _answers_until_pong(socket) -> list[dict]:
    await socket.send_json_to({"type": "ping"})
    answers = []
    while (frame := await socket.receive_json_from(timeout=10))["type"] != "pong":
        answers.append(frame)
    return answers


def test_every_registered_frame_type_is_fuzzed():
    assert set(REQUIRED_FIELDS) == set(registry.frame_handlers)


@pytest.mark.parametrize("kind", [*REQUIRED_FIELDS, UNKNOWN_TYPE, NOT_JSON])
def test_no_frame_breaks_the_socket_or_gets_past_validation(connect_as, kind):
    student, room_id, event_id = _student_in_a_room_with_a_live_event()

    @settings(
        max_examples=12,
        deadline=None,
        derandomize=True,  # the same runs every time: a failure is reproducible, never flaky
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(st.lists(frames(kind=kind, room_id=room_id, event_id=event_id), min_size=1, max_size=6))
    def run(texts: list[str]) -> None:
        async def session() -> None:
            socket = await connect_as(student)
            await _answers_until_pong(socket)  # hello and presence
            for text in texts:
                # As the server hands it over (send_to refuses an empty frame, which a browser can send).
                await socket.send_input({"type": "websocket.receive", "text": text})
                for answer in await _answers_until_pong(socket):
                    assert isinstance(answer.get("type"), str), (text, answer)
                    if answer["type"] == "error":
                        assert isinstance(answer["code"], str) and answer["message"], (text, answer)
                        assert answer["code"] not in UNEXPECTED_CODES, (text, answer)
            await socket.disconnect()

        async_to_sync(session)()

    run()
