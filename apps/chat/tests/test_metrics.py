"""The chat feeds the live dashboard: messages and conversations that took off."""

from concurrent.futures import Executor
from functools import partial

import pytest

from apps.chat import batch as chat_batch
from apps.chat import send as chat_send
from apps.chat.tests.factories import make_pair
from apps.core.redis import get_redis
from apps.events.tests.factories import make_event
from apps.telemetry.metrics import ALL, TOTALS_KEY, Metric, event_totals_key

pytestmark = pytest.mark.django_db


def total(name: str) -> float:
    return float(get_redis().hget(TOTALS_KEY, f"{name}|{ALL}") or 0)


def send(sender, room, number: int) -> None:
    chat_batch.message_send(sender_id=sender.pk, room_id=room.pk, client_msg_id=f"{sender.pk}-{number}", body=f"message {number}")


def test_messages_count_per_event_and_a_conversation_counts_once_when_both_sent_three(django_capture_on_commit_callbacks):
    # Given a 1:1 room from a match in a live event
    event = make_event(name="live")
    alice, bob, room = make_pair(event_id=event.pk)

    with django_capture_on_commit_callbacks(execute=True):
        # When Alice sends five messages and Bob two, it is not yet a conversation
        for number in range(5):
            send(alice, room, number)
        for number in range(2):
            send(bob, room, number)
    assert total(Metric.MESSAGES) == 7
    assert total(Metric.CONVERSATIONS) == 0

    with django_capture_on_commit_callbacks(execute=True):
        # When Bob sends his third and fourth, the conversation counts exactly once
        send(bob, room, 2)
        send(bob, room, 3)
    assert total(Metric.MESSAGES) == 9
    assert total(Metric.CONVERSATIONS) == 1
    assert float(get_redis().hget(event_totals_key(str(event.pk)), Metric.CONVERSATIONS)) == 1


def test_a_resent_message_is_not_counted_twice(django_capture_on_commit_callbacks):
    alice, bob, room = make_pair()
    with django_capture_on_commit_callbacks(execute=True):
        send(alice, room, 1)
        send(alice, room, 1)
    assert total(Metric.MESSAGES) == 1


class HeldExecutor(Executor):
    """Runs what it is given only when told: shows the writer does not wait for it."""

    def __init__(self) -> None:
        self.held: list = []

    def submit(self, fn, /, *args, **kwargs):
        self.held.append(partial(fn, *args, **kwargs))

    def run_held(self) -> None:
        while self.held:
            self.held.pop(0)()


def test_a_batch_with_a_bookkeeping_executor_leaves_the_counts_to_it(django_capture_on_commit_callbacks):
    alice, bob, room = make_pair()
    bookkeeping = HeldExecutor()
    sends = [chat_send.SendRequest(alice.pk, room.pk, f"held-{number}", f"message {number}") for number in range(3)]

    with django_capture_on_commit_callbacks(execute=True):
        results, _reads = chat_batch.chat_write_batch(sends=sends, reads=[], bookkeeping=bookkeeping)

    assert [result.seq for result in results] == [1, 2, 3]
    assert total(Metric.MESSAGES) == 0
    assert len(bookkeeping.held) == 1
    bookkeeping.run_held()
    assert total(Metric.MESSAGES) == 3
    assert get_redis().hget(f"chat:conv:{room.pk}", str(alice.pk)) == "3"
