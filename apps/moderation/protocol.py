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


class ContactMaskedFrame(TypedDict):
    """Server → the sender's tabs: contact details in their message were masked (a lobby, or a round before a mutual yes)."""

    type: Literal["safety.contact_masked"]
    room: int
    kinds: list[str]
    message: str
