"""Lobby frames (docs/protocol.md, "Lobby frames")."""

from typing import Literal, NotRequired, TypedDict


class LobbyEnterFrame(TypedDict):
    type: Literal["lobby.enter"]
    event: int
    ref: NotRequired[str]


class LobbyLeaveFrame(TypedDict):
    type: Literal["lobby.leave"]
    event: int
    ref: NotRequired[str]


class LobbyCountsFrame(TypedDict):
    type: Literal["lobby.counts"]
    event: int
    counts: dict[str, int]


INBOUND = (LobbyEnterFrame, LobbyLeaveFrame)
OUTBOUND = (LobbyCountsFrame,)
