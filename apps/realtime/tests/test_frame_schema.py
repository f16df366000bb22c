"""Checks derived from inbound frame TypedDicts (apps.realtime.frame_schema) and their registration."""

from typing import Annotated, Literal, NotRequired, TypedDict

import pytest
from django.utils import translation

from apps.core.errors import DomainError
from apps.realtime import registry
from apps.realtime.frame_schema import (
    MAX_FRAME_INT,
    FrameInt,
    IntRange,
    MaxItems,
    MaxLength,
    Message,
    Pattern,
    RequiredWithout,
    ServiceChecksValue,
    frame_check,
)


class Point(TypedDict):
    x: FrameInt
    label: NotRequired[Annotated[str, MaxLength(5)]]


class ProbeFrame(TypedDict):
    type: Literal["probe"]
    ref: NotRequired[str]  # the envelope's: checked by the gateway, skipped here
    room: FrameInt
    code: Annotated[str, MaxLength(6), Pattern("[A-Z]+")]
    mode: Literal["fast", "slow"]
    kind: Annotated[Literal["a", "b"], MaxLength(4), ServiceChecksValue()]
    flag: NotRequired[bool]
    round: NotRequired[FrameInt | None]
    tags: NotRequired[Annotated[list[Annotated[str, MaxLength(3)]], MaxItems(2)]]
    seqs: NotRequired[
        Annotated[dict[Annotated[str, MaxLength(3), Pattern("[0-9]+")], FrameInt], MaxItems(2), Message("bad %(field)s")]
    ]
    point: NotRequired[Point]
    event: NotRequired[Annotated[FrameInt, RequiredWithout("room_alias")]]
    room_alias: NotRequired[Annotated[int, IntRange(1, 9)]]


check = frame_check(ProbeFrame)
GOOD = {"type": "probe", "room": 7, "code": "AB", "mode": "fast", "kind": "a", "event": 1}


def refusal(**changes) -> tuple[str, str | None, str]:
    frame = {**GOOD, **changes}
    frame = {key: value for key, value in frame.items() if value is not ...}
    with translation.override("en"), pytest.raises(DomainError) as refused:
        check(frame)
    return refused.value.code, refused.value.field, str(refused.value.message)


def test_a_good_frame_is_returned_as_it_came_unknown_keys_and_all():
    frame = {**GOOD, "extra": {"anything": [1]}, "ref": "r1", "round": None, "flag": False}
    assert check(frame) is frame
    assert frame["extra"] == {"anything": [1]}


def test_nested_lists_dicts_and_typed_dicts_are_checked():
    assert check({**GOOD, "tags": ["ab", "c"], "seqs": {"12": 0}, "point": {"x": 3, "label": "p"}})
    assert refusal(tags=["abcd"])[1:] == ("tags", "'tags' must be at most 3 characters.")
    assert refusal(tags=["a", "b", "c"])[1:] == ("tags", "'tags' must be a list of at most 2 items.")
    assert refusal(seqs={"x": 1})[1:] == ("seqs", "'seqs' is not in the expected form.")
    assert refusal(seqs={"1": 1, "2": 2, "3": 3})[1:] == ("seqs", "bad seqs")
    assert refusal(point={"label": "p"})[1:] == ("x", f"'x' must be an integer from 0 to {MAX_FRAME_INT}.")
    assert refusal(point=[1])[1:] == ("point", "'point' must be an object.")


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"room": ...}, "room", f"'room' must be an integer from 0 to {MAX_FRAME_INT}."),
        ({"room": "7"}, "room", f"'room' must be an integer from 0 to {MAX_FRAME_INT}."),
        ({"room": True}, "room", f"'room' must be an integer from 0 to {MAX_FRAME_INT}."),
        ({"room": -1}, "room", f"'room' must be an integer from 0 to {MAX_FRAME_INT}."),
        ({"room": MAX_FRAME_INT + 1}, "room", f"'room' must be an integer from 0 to {MAX_FRAME_INT}."),
        ({"room": 7.0}, "room", f"'room' must be an integer from 0 to {MAX_FRAME_INT}."),
        ({"code": 5}, "code", "'code' must be a string."),
        ({"code": "ABCDEFG"}, "code", "'code' must be at most 6 characters."),
        ({"code": "ab"}, "code", "'code' is not in the expected form."),
        ({"mode": "FAST"}, "mode", "'mode' must be one of: 'fast', 'slow'."),
        ({"mode": 1}, "mode", "'mode' must be one of: 'fast', 'slow'."),
        ({"kind": "abcde"}, "kind", "'kind' must be at most 4 characters."),
        ({"kind": None}, "kind", "'kind' must be a string."),
        ({"flag": 0}, "flag", "'flag' must be true or false."),
        ({"round": "1"}, "round", f"'round' must be an integer from 0 to {MAX_FRAME_INT}."),
        ({"event": ...}, "event", f"'event' must be an integer from 0 to {MAX_FRAME_INT}."),
        ({"room_alias": 0}, "room_alias", "'room_alias' must be an integer from 1 to 9."),
    ],
)
def test_a_bad_field_is_refused_as_invalid_frame_naming_it(changes, field, message):
    assert refusal(**changes) == ("invalid_frame", field, message)


def test_the_first_bad_field_in_the_typed_dicts_order_is_named():
    assert refusal(room="x", code=1)[1] == "room"


def test_a_literal_the_service_checks_passes_any_short_string():
    assert check({**GOOD, "kind": "zz"})["kind"] == "zz"


def test_a_key_required_without_another_is_optional_when_the_other_is_there():
    frame = {key: value for key, value in GOOD.items() if key != "event"}
    assert check({**frame, "room_alias": 3})


@pytest.mark.parametrize(
    "hint",
    [int, str, float, list[FrameInt], dict[str, FrameInt], Annotated[list[str], MaxItems(2)]],
)
def test_a_schema_with_an_unbounded_or_unknown_type_fails_when_built(hint):
    class Loose(TypedDict):
        type: Literal["loose"]
        value: hint  # type: ignore[valid-type]

    schema = Loose
    with pytest.raises(TypeError):
        frame_check(schema)


def test_a_handler_cannot_be_registered_without_its_schema_or_with_another_types_schema():
    with pytest.raises(TypeError):
        registry.frame_handler("probe")  # type: ignore[call-arg]
    with pytest.raises(ValueError, match="does not describe"):
        registry.frame_handler("message.send", schema=ProbeFrame)
    assert "probe" not in registry.frame_handlers
