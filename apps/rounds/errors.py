"""The codes of the DomainErrors the rounds app raises (stable: clients and tests match on them)."""

from enum import StrEnum


class ErrorCode(StrEnum):
    ALREADY_ANSWERED = "already_answered"
    ALREADY_DONE = "already_done"
    ALREADY_PAUSED = "already_paused"
    ANSWER_CLOSED = "answer_closed"
    CHECKIN_NOT_OPEN = "checkin_not_open"
    EVENT_ENDED = "event_ended"
    EVENT_NOT_FOUND = "event_not_found"
    FORBIDDEN = "forbidden"
    INVALID_ACTION = "invalid_action"
    INVALID_ANSWER = "invalid_answer"
    NO_ROUND = "no_round"
    NOT_PAUSED = "not_paused"
    NOT_ROUND_ROOM = "not_round_room"
    NOT_ROUNDS_EVENT = "not_rounds_event"
    NOT_SEATED = "not_seated"
    NOT_TALKING = "not_talking"
    PAST_DEADLINE = "past_deadline"
    ROUND_IN_PROGRESS = "round_in_progress"
    ROUND_ENDED = "round_ended"
    ROUND_NOT_OVER = "round_not_over"
