"""Safety frames (see docs/protocol.md, "Safety")."""

from typing import Literal, TypedDict


class ChatImageFrame(TypedDict):
    """Server → the sender's tabs: an image they sent to a 1:1 room will not arrive.

    Approved images need no frame of their own: they arrive as a `message.new` of kind "image".
    """

    type: Literal["chat.image"]
    room: int
    image: int
    status: Literal["rejected", "undeliverable"]
