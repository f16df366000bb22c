"""The codes of the DomainErrors the rounds app raises (stable: clients and tests match on them)."""

from enum import StrEnum


class ErrorCode(StrEnum):
    ALREADY_ANSWERED = "already_answered"
    ANSWER_CLOSED = "answer_closed"
    CHECKIN_NOT_OPEN = "checkin_not_open"
    EVENT_ENDED = "event_ended"
    INVALID_ANSWER = "invalid_answer"
    NOT_ROUND_ROOM = "not_round_room"
    NOT_ROUNDS_EVENT = "not_rounds_event"
    NOT_SEATED = "not_seated"
    ROUND_IN_PROGRESS = "round_in_progress"
    ROUND_NOT_OVER = "round_not_over"
