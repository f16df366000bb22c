"""Inbound frames checked from their TypedDicts: the protocol's type is the one source of truth.

`frame_check(schema)` runs once, when a handler is registered (apps.realtime.registry), and
returns a function that checks one decoded frame and returns it. A bad frame raises
DomainError(invalid_frame) for the first bad field in the TypedDict's order, with `field`
set, as the hand-written checks did; a missing required key fails like a wrong value. Keys
the TypedDict does not declare are left in the frame and ignored (handlers never read them).
`type` and `ref` belong to the envelope, which the gateway has already checked.

Understood in an inbound TypedDict: required and NotRequired keys; int, str, bool, None,
Literal[...], unions (`X | None`), list[X], dict[str, X] and nested TypedDicts; and the
constraints below, carried with typing.Annotated. Every int needs an IntRange (ids and seqs
are PostgreSQL bigints: a larger number would fail a chat write batch shared with other
people's messages) and every str a MaxLength, or building the check fails at registration.
"""

import re
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Literal, NoReturn, NotRequired, Union

from django.utils.functional import Promise
from django.utils.translation import gettext as _

from apps.core.errors import DomainError
from apps.realtime.protocol import ErrorCode

MAX_FRAME_INT = 2**63 - 1
ENVELOPE_KEYS = frozenset({"type", "ref"})
_ABSENT = object()


@dataclass(frozen=True)
class IntRange:
    min: int
    max: int


@dataclass(frozen=True)
class MaxLength:
    max: int


@dataclass(frozen=True)
class Pattern:
    """The whole string must match (re.fullmatch); pair it with a MaxLength."""

    regex: str


@dataclass(frozen=True)
class MaxItems:
    """At most this many items in a list, or entries in a dict."""

    max: int


@dataclass(frozen=True)
class Message:
    """A (lazily translated) message for this value's failure instead of the generic one;
    it may use %(field)s, %(min)d and %(max)d."""

    text: str | Promise


@dataclass(frozen=True)
class ServiceChecksValue:
    """On a Literal: the gateway checks only the shape (a string of MaxLength); the service
    checks the value, with its own error code (the HTTP API calls the same service)."""


@dataclass(frozen=True)
class RequiredWithout:
    """On a NotRequired key: required when the frame does not hold `other`."""

    other: str


# A non-negative id, seq or count that fits PostgreSQL's bigint.
FrameInt = Annotated[int, IntRange(0, MAX_FRAME_INT)]


def _invalid(field: str, message: str | Promise | None, default: str, params: dict[str, Any]) -> NoReturn:
    params = {"field": field, **params}
    text = str(message) % params if message is not None else default % params
    raise DomainError(ErrorCode.INVALID_FRAME, text, field=field)


class _Node:
    """One value's check: `test` says whether it is right, `check` raises the precise error."""

    message: str | Promise | None = None

    def test(self, value: Any) -> bool:
        raise NotImplementedError

    def fail(self, field: str, value: Any) -> NoReturn:
        raise NotImplementedError

    def check(self, value: Any, field: str) -> None:
        if not self.test(value):
            self.fail(field, value)

    def required_step(self, key: str) -> Callable[[dict[str, Any]], None]:
        """The check of a required key of a frame, as one call (chat's hot path: see _Int's)."""
        check, fail = self.check, self.fail

        def step(frame: dict[str, Any]) -> None:
            if key in frame:
                check(frame[key], key)
            else:
                fail(key, None)

        return step


class _Int(_Node):
    def __init__(self, bounds: IntRange) -> None:
        self.low, self.high = bounds.min, bounds.max

    def test(self, value: Any) -> bool:
        return type(value) is int and self.low <= value <= self.high

    def check(self, value: Any, field: str) -> None:
        if type(value) is not int or not self.low <= value <= self.high:
            self.fail(field, value)

    def required_step(self, key: str) -> Callable[[dict[str, Any]], None]:
        low, high, fail = self.low, self.high, self.fail

        def step(frame: dict[str, Any]) -> None:
            value = frame.get(key)  # absent: None, refused like a wrong value
            if type(value) is not int or not low <= value <= high:
                fail(key, value)

        return step

    def fail(self, field: str, value: Any) -> NoReturn:
        default = _("'%(field)s' must be an integer from %(min)d to %(max)d.")
        _invalid(field, self.message, default, {"min": self.low, "max": self.high})


class _Str(_Node):
    def __init__(self, max_length: MaxLength, pattern: Pattern | None) -> None:
        self.max_length = max_length.max
        self.match = re.compile(pattern.regex).fullmatch if pattern else None

    def test(self, value: Any) -> bool:
        return type(value) is str and len(value) <= self.max_length and (self.match is None or self.match(value) is not None)

    def check(self, value: Any, field: str) -> None:
        if type(value) is not str or len(value) > self.max_length or (self.match is not None and self.match(value) is None):
            self.fail(field, value)

    def required_step(self, key: str) -> Callable[[dict[str, Any]], None]:
        if self.match is not None:
            return super().required_step(key)
        max_length, fail = self.max_length, self.fail

        def step(frame: dict[str, Any]) -> None:
            value = frame.get(key)
            if type(value) is not str or len(value) > max_length:
                fail(key, value)

        return step

    def fail(self, field: str, value: Any) -> NoReturn:
        if type(value) is not str:
            _invalid(field, self.message, _("'%(field)s' must be a string."), {"max": self.max_length})
        if len(value) > self.max_length:
            _invalid(field, self.message, _("'%(field)s' must be at most %(max)d characters."), {"max": self.max_length})
        _invalid(field, self.message, _("'%(field)s' is not in the expected form."), {"max": self.max_length})


class _Bool(_Node):
    def test(self, value: Any) -> bool:
        return type(value) is bool

    def fail(self, field: str, value: Any) -> NoReturn:
        _invalid(field, self.message, _("'%(field)s' must be true or false."), {})


class _Literal(_Node):
    def __init__(self, values: tuple) -> None:
        self.values = values
        # `True in (1,)` holds: the type must match too.
        self.allowed = frozenset((type(item), item) for item in values)

    def test(self, value: Any) -> bool:
        return (type(value), value) in self.allowed if isinstance(value, str | int | bool) else False

    def fail(self, field: str, value: Any) -> NoReturn:
        shown = ", ".join(repr(item) for item in self.values)
        _invalid(field, self.message, _("'%(field)s' must be one of: %(values)s."), {"values": shown})


class _None(_Node):
    def test(self, value: Any) -> bool:
        return value is None

    def fail(self, field: str, value: Any) -> NoReturn:
        _invalid(field, self.message, _("'%(field)s' must be null."), {})


class _Union(_Node):
    def __init__(self, options: list[_Node]) -> None:
        self.options = options
        # The error a wrong value gets: the first alternative that is not None.
        self.primary = next((option for option in options if not isinstance(option, _None)), options[0])

    def test(self, value: Any) -> bool:
        return any(option.test(value) for option in self.options)

    def fail(self, field: str, value: Any) -> NoReturn:
        if self.message is not None:
            _invalid(field, self.message, "", {})
        self.primary.check(value, field)
        raise AssertionError("unreachable: the union's primary alternative accepted a value the union refused")


class _List(_Node):
    def __init__(self, item: _Node, max_items: MaxItems) -> None:
        self.item, self.max_items = item, max_items.max

    def test(self, value: Any) -> bool:
        return type(value) is list and len(value) <= self.max_items and all(self.item.test(item) for item in value)

    def check(self, value: Any, field: str) -> None:
        if type(value) is not list or len(value) > self.max_items:
            self.fail(field, value)
        for item in value:
            self.item.check(item, field)

    def fail(self, field: str, value: Any) -> NoReturn:
        _invalid(field, self.message, _("'%(field)s' must be a list of at most %(max)d items."), {"max": self.max_items})


class _Dict(_Node):
    def __init__(self, key: _Node, item: _Node, max_items: MaxItems) -> None:
        self.key, self.item, self.max_items = key, item, max_items.max

    def test(self, value: Any) -> bool:
        return (
            type(value) is dict
            and len(value) <= self.max_items
            and all(self.key.test(key) and self.item.test(item) for key, item in value.items())
        )

    def check(self, value: Any, field: str) -> None:
        if type(value) is not dict or len(value) > self.max_items:
            self.fail(field, value)
        for key, item in value.items():
            self.key.check(key, field)
            self.item.check(item, field)

    def fail(self, field: str, value: Any) -> NoReturn:
        _invalid(field, self.message, _("'%(field)s' must be an object of at most %(max)d entries."), {"max": self.max_items})


class _Object(_Node):
    """A nested TypedDict: its own keys are checked (and named) like a frame's."""

    def __init__(self, schema: type) -> None:
        self.steps = _steps(schema, skip=frozenset())

    def test(self, value: Any) -> bool:
        try:
            self.check(value, "")
        except DomainError:
            return False
        return True

    def check(self, value: Any, field: str) -> None:
        if type(value) is not dict:
            self.fail(field, value)
        for step in self.steps:
            step(value)

    def fail(self, field: str, value: Any) -> NoReturn:
        _invalid(field, self.message, _("'%(field)s' must be an object."), {})


def _split(hint: Any) -> tuple[Any, dict[type, Any]]:
    """(the bare type, its Annotated constraints by class)."""
    constraints: dict[type, Any] = {}
    while typing.get_origin(hint) in (Annotated, NotRequired, typing.Required):
        if typing.get_origin(hint) is Annotated:
            hint, *extras = typing.get_args(hint)
            constraints.update({type(extra): extra for extra in extras})
        else:
            (hint,) = typing.get_args(hint)
    return hint, constraints


def _node(hint: Any, where: str) -> _Node:
    hint, constraints = _split(hint)
    node = _bare_node(hint, constraints, where)
    node.message = constraints[Message].text if Message in constraints else None
    return node


def _need(constraints: dict[type, Any], kind: type, hint: Any, where: str) -> Any:
    if kind not in constraints:
        raise TypeError(f"{where}: an inbound {hint!r} needs Annotated[..., {kind.__name__}(...)]")
    return constraints[kind]


def _bare_node(hint: Any, constraints: dict[type, Any], where: str) -> _Node:
    origin = typing.get_origin(hint)
    if hint is bool:
        return _Bool()
    if hint is int:
        return _Int(_need(constraints, IntRange, hint, where))
    if hint is str:
        return _Str(_need(constraints, MaxLength, hint, where), constraints.get(Pattern))
    if hint is None or hint is type(None):
        return _None()
    if origin is Literal:
        values = typing.get_args(hint)
        if ServiceChecksValue not in constraints:
            return _Literal(values)
        if not all(type(value) is str for value in values):
            raise TypeError(f"{where}: ServiceChecksValue is for a Literal of strings")
        return _Str(_need(constraints, MaxLength, hint, where), None)
    if origin in (Union, types.UnionType):
        return _Union([_node(option, where) for option in typing.get_args(hint)])
    if origin is list:
        (item,) = typing.get_args(hint)
        return _List(_node(item, where), _need(constraints, MaxItems, hint, where))
    if origin is dict:
        key, item = typing.get_args(hint)
        return _Dict(_node(key, where), _node(item, where), _need(constraints, MaxItems, hint, where))
    if typing.is_typeddict(hint):
        return _Object(hint)
    raise TypeError(f"{where}: {hint!r} is not a type an inbound frame can hold")


# (key, check, required, required unless this key is present)
_Field = tuple[str, _Node, bool, str | None]


def _fields(schema: type, *, skip: frozenset[str]) -> tuple[_Field, ...]:
    fields = []
    for key, hint in typing.get_type_hints(schema, include_extras=True).items():
        if key in skip:
            continue
        _bare, constraints = _split(hint)
        unless = constraints[RequiredWithout].other if RequiredWithout in constraints else None
        fields.append((key, _node(hint, f"{schema.__name__}.{key}"), key in schema.__required_keys__, unless))
    return tuple(fields)


def _optional_step(node: _Node, key: str, unless: str | None) -> Callable[[dict[str, Any]], None]:
    check, fail = node.check, node.fail

    def step(frame: dict[str, Any]) -> None:
        value = frame.get(key, _ABSENT)
        if value is not _ABSENT:
            check(value, key)
        elif unless is not None and unless not in frame:
            fail(key, None)

    return step


def _steps(schema: type, *, skip: frozenset[str]) -> tuple[Callable[[dict[str, Any]], None], ...]:
    """One closure per key, specialised once: they run for every frame of every socket."""
    return tuple(
        node.required_step(key) if required else _optional_step(node, key, unless)
        for key, node, required, unless in _fields(schema, skip=skip)
    )


def frame_check(schema: type) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """The check of an inbound frame TypedDict, built once; raises TypeError for a schema it
    cannot check (an unbounded int or str, a type a JSON frame cannot hold)."""
    if not typing.is_typeddict(schema):
        raise TypeError(f"{schema!r} is not a TypedDict")
    steps = _steps(schema, skip=ENVELOPE_KEYS)

    def check(frame: dict[str, Any]) -> dict[str, Any]:
        for step in steps:
            step(frame)
        return frame

    return check


def frame_types(schema: type) -> tuple[str, ...]:
    """The frame types a TypedDict describes (the values of its `type` Literal)."""
    return typing.get_args(typing.get_type_hints(schema)["type"])
