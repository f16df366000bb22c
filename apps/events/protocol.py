"""Lobby frames (docs/protocol.md, "Lobby frames")."""

from typing import Literal, NotRequired, TypedDict

from apps.realtime.frame_schema import FrameInt


class LobbyEnterFrame(TypedDict):
    type: Literal["lobby.enter"]
    event: FrameInt
    ref: NotRequired[str]


class LobbyLeaveFrame(TypedDict):
    type: Literal["lobby.leave"]
    event: FrameInt
    ref: NotRequired[str]


class LobbyCountsFrame(TypedDict):
    type: Literal["lobby.counts"]
    event: int
    counts: dict[str, int]


INBOUND = (LobbyEnterFrame, LobbyLeaveFrame)
OUTBOUND = (LobbyCountsFrame,)
