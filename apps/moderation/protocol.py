"""Safety frames (see docs/protocol.md, "Safety")."""

from typing import Literal, TypedDict


class ContactMaskedFrame(TypedDict):
    """Server → the sender's tabs: contact details in their message were masked (a lobby, or a round before a mutual yes)."""

    type: Literal["safety.contact_masked"]
    room: int
    kinds: list[str]
    message: str


INBOUND = ()
OUTBOUND = (ContactMaskedFrame,)
