"""The only place that builds matching frames and hands them to the realtime layer (after commit)."""

from datetime import UTC, datetime

from apps.matching.protocol import (
    MatchAcceptedFrame,
    MatchCancelledFrame,
    MatchConfirmedFrame,
    MatchEndedFrame,
    MatchProposedFrame,
    PublicCard,
    QueueLeftFrame,
    QueueStatusFrame,
)
from apps.realtime.events import send_many
from apps.realtime.protocol import user_group


def proposals_announce(*, proposals: list[tuple[int, int, dict[int, PublicCard], int, float]]) -> None:
    """Each pair gets the other's public card; `proposals` holds (proposal, event, cards by user, timeout, deadline ms)."""
    frames: list[tuple[int, MatchProposedFrame]] = []
    for proposal_id, event_id, cards, accept_timeout_s, deadline_ms in proposals:
        (first, first_card), (second, second_card) = cards.items()
        expires_at = datetime.fromtimestamp(deadline_ms / 1000, tz=UTC).isoformat()
        for user_id, partner in ((first, second_card), (second, first_card)):
            frames.append(
                (
                    user_id,
                    {
                        "type": "match.proposed",
                        "proposal": proposal_id,
                        "event": event_id,
                        "partner": partner,
                        "accept_timeout_s": accept_timeout_s,
                        "expires_at": expires_at,
                    },
                )
            )
    _send_each(frames)


def proposal_accepted(*, user_id: int, proposal_id: int, event_id: int) -> None:
    frame: MatchAcceptedFrame = {"type": "match.accepted", "proposal": proposal_id, "event": event_id}
    _send_each([(user_id, frame)])


def proposal_cancelled(*, outcomes: list[tuple[int, str, bool]], proposal_id: int, event_id: int) -> None:
    """`outcomes` holds (user id, reason, requeued) for each user told."""
    frames: list[tuple[int, MatchCancelledFrame]] = [
        (
            user_id,
            {"type": "match.cancelled", "proposal": proposal_id, "event": event_id, "reason": reason, "requeued": requeued},
        )
        for user_id, reason, requeued in outcomes
    ]
    _send_each(frames)


def match_confirmed(*, proposal_id: int, event_id: int, match_id: int, room_id: int | None, cards: dict[int, PublicCard]) -> None:
    (first, first_card), (second, second_card) = cards.items()

    def frame(partner: PublicCard) -> MatchConfirmedFrame:
        return {
            "type": "match.confirmed",
            "proposal": proposal_id,
            "event": event_id,
            "match": match_id,
            "room": room_id,
            "partner": partner,
        }

    _send_each([(first, frame(second_card)), (second, frame(first_card))])


def match_ended(*, user_ids: list[int], match_id: int, event_id: int) -> None:
    frame: MatchEndedFrame = {"type": "match.ended", "match": match_id, "event": event_id}
    _send_each([(user_id, frame) for user_id in user_ids])


def queue_left(*, user_id: int, event_id: int, reason: str, waited_s: int | None = None) -> None:
    frame: QueueLeftFrame = {"type": "queue.left", "event": event_id, "reason": reason}
    if waited_s is not None:
        frame["waited_s"] = waited_s
    _send_each([(user_id, frame)])


def queue_statuses(*, frames: dict[int, QueueStatusFrame]) -> None:
    _send_each(frames.items())


def _send_each(frames) -> None:
    """Each (user id, frame) to that user's group, after commit, in one hop to the event loop."""
    send_many(([user_group(user_id)], frame) for user_id, frame in frames)


def queue_status_frame(
    *,
    event_id: int,
    state: str,
    position: int | None,
    waiting: dict[str, int],
    partners_waiting: int,
    eta_s: int | None,
    long_side: bool,
    waited_s: int,
    max_wait_s: int,
    proposal: int | None = None,
) -> QueueStatusFrame:
    """A student's place in the queue (`proposal` only while they are in one)."""
    frame: QueueStatusFrame = {
        "type": "queue.status",
        "event": event_id,
        "state": state,
        "position": position,
        "waiting": waiting,
        "partners_waiting": partners_waiting,
        "eta_s": eta_s,
        "long_side": long_side,
        "waited_s": waited_s,
        "max_wait_s": max_wait_s,
    }
    if proposal is not None:
        frame["proposal"] = proposal
    return frame
