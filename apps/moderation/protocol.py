"""Safety frames (see docs/protocol.md, "Safety")."""

from typing import Literal, TypedDict


class ContactMaskedFrame(TypedDict):
    """Server → the sender's tabs: contact details in their message were masked (a lobby, or a round before a mutual yes)."""

    type: Literal["safety.contact_masked"]
    room: int
    kinds: list[str]
    message: str


class NoticeFrame(TypedDict):
    """Server → the student's tabs: a moderation notice for them (a sanction, a lifted sanction,
    an appeal's result, a report handled); the page shows it until acknowledged."""

    type: Literal["safety.notice"]
    notice: int
    kind: Literal["sanction", "sanction_lifted", "appeal_upheld", "report_handled"]
    title: str
    url: str


INBOUND = ()
OUTBOUND = (ContactMaskedFrame, NoticeFrame)
