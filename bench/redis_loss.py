"""The `--lose-redis` mode of bench/matching.py: a private Redis restarted empty, and the counts
that say whether anyone was wronged by it.

Definitions (the bench's client-side view: frames as published to each user's group):
- waiting at the loss: joined before the loss and, by then, had received neither
  `match.confirmed`, `queue.left` nor `match.cancelled` with `requeued: false`.
- wrong_matches: `match.confirmed` frames naming a Match row that is not the pair's (its users
  are not the receiver and the named partner, or its room is not the named room).
- lost_matches: `match.confirmed` frames naming a match id with no Match row, plus Match rows
  of the event for which one of its two users never received a `match.confirmed` naming it.
- abandoned_waiting: waiting at the loss, and by the end neither matched later (a
  `match.confirmed` after the loss), nor told they left (`queue.left`, or `match.cancelled`
  with `requeued: false`, after the loss), nor still in line with their restored place told
  (a `queue.status` with a position after the loss, and a ticket in Redis at the end).
"""

from collections import defaultdict

TERMINAL_KINDS = ("match.confirmed", "queue.left")


def _frames_by_user(records: list) -> dict[int, list]:
    by_user = defaultdict(list)
    for record in records:
        by_user[record[1]].append(record)
    return by_user


def _left_for_good(record) -> bool:
    kind, extra = record[2], record[5]
    return kind in TERMINAL_KINDS or (kind == "match.cancelled" and extra.get("requeued") is False)


def waiting_at_loss(records: list, join_times: dict[int, float], loss_at: float) -> set[int]:
    by_user = _frames_by_user(records)
    return {
        user_id
        for user_id, joined in join_times.items()
        if joined < loss_at and not any(r[0] < loss_at and _left_for_good(r) for r in by_user.get(user_id, []))
    }


def match_counts(records: list, matches: dict[int, tuple[int, int, int | None]]) -> tuple[int, int]:
    """(wrong, lost) over the event's Match rows {id: (user_a, user_b, room)}."""
    wrong = lost = 0
    confirmed_to: dict[int, set[int]] = defaultdict(set)
    for record in records:
        if record[2] != "match.confirmed":
            continue
        user_id, partner_id, extra = record[1], record[4], record[5]
        row = matches.get(extra["match"])
        if row is None:
            lost += 1
            continue
        if {row[0], row[1]} != {user_id, partner_id} or row[2] != extra["room"]:
            wrong += 1
            continue
        confirmed_to[extra["match"]].add(user_id)
    lost += sum(1 for match_id, row in matches.items() if confirmed_to[match_id] != {row[0], row[1]})
    return wrong, lost


def abandoned(records: list, waiting: set[int], loss_at: float, holders: set[int]) -> tuple[int, dict[str, int]]:
    """How many of those waiting at the loss were abandoned, and how the others ended."""
    by_user = _frames_by_user(records)
    fates = {"matched_later": 0, "told_left": 0, "restored_waiting": 0, "abandoned": 0}
    for user_id in waiting:
        after = [r for r in by_user.get(user_id, []) if r[0] >= loss_at]
        if any(r[2] == "match.confirmed" for r in after):
            fates["matched_later"] += 1
        elif any(_left_for_good(r) for r in after):
            fates["told_left"] += 1
        elif user_id in holders and any(r[2] == "queue.status" and r[5].get("position") for r in after):
            fates["restored_waiting"] += 1
        else:
            fates["abandoned"] += 1
    return fates["abandoned"], fates
