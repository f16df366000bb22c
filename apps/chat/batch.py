"""The chat's write path: sends and read receipts, group-committed.

The send path is built for throughput: each process batches the sends (and read
receipts) that arrive while the previous batch is in PostgreSQL into ONE transaction
(group commit), and each statement of a batch covers all its items: membership, blocks and
client_msg_id checks, the inserts and the rooms' sequence bumps cost a fixed few round trips.
"""

import logging
from collections.abc import Callable
from concurrent.futures import Executor
from functools import partial

from django.db import IntegrityError, transaction

from apps.chat import events
from apps.chat import metrics as chat_metrics
from apps.chat.models import MessageKind
from apps.chat.receipts import ReadRequest, apply_reads, queue_reads
from apps.chat.send import (
    PreparedSend,
    SendRequest,
    SendResult,
    prepare_sends,
    queue_send_checks,
    queue_store,
    refusal_or_original_ack,
    sends_to_store,
    stored_messages,
)
from apps.core.db import pipelined_transaction, prepared_cursor
from apps.core.errors import DomainError
from apps.moderation import text as moderation_text

logger = logging.getLogger(__name__)


def message_send(
    *,
    sender_id: int,
    room_id: int,
    client_msg_id: str,
    body: str,
    sender_is_staff: bool = False,
    kind: str = MessageKind.TEXT,
) -> SendResult:
    """Store one message (see chat_write_batch); raise DomainError when refused."""
    request = SendRequest(sender_id, room_id, client_msg_id, body, sender_is_staff, kind)
    (result,) = chat_write_batch(sends=[request], reads=[])[0]
    if isinstance(result, DomainError):
        raise result
    return result


def chat_write_batch(
    *, sends: list[SendRequest], reads: list[ReadRequest], bookkeeping: Executor | None = None
) -> tuple[list[SendResult | DomainError], list[int | DomainError]]:
    """Apply many sends and read receipts in ONE transaction (group commit).

    Each item gets its own outcome: a SendResult / new read pointer, or the DomainError
    that refused it (refused items change nothing). Frames leave after the commit.
    The dashboard's counts are recorded after the commit too: on `bookkeeping` when given
    (so a writer that commits batch after batch need not wait for them), else before returning.
    """
    return _store_batch(prepare_sends(sends), reads, bookkeeping)


def _store_batch(
    prepared: list[PreparedSend | DomainError], reads: list[ReadRequest], bookkeeping: Executor | None
) -> tuple[list[SendResult | DomainError], list[int | DomainError]]:
    """chat_write_batch's transaction, for sends already prepared (a refused one keeps its error)."""
    send_results: list[SendResult | DomainError | None] = [item if isinstance(item, DomainError) else None for item in prepared]
    cleaned = [(index, item.request, item.body) for index, item in enumerate(prepared) if isinstance(item, PreparedSend)]
    # index → id of the moderation flag its text raised
    flags = {index: item.flag_id for index, item in enumerate(prepared) if isinstance(item, PreparedSend) and item.flag_id}
    room_meta: dict[int, tuple[str, int | None]] = {}
    receipts: list[tuple[int, int, int, bool, str | None]] = []
    try:
        # Two round trips in all. The first carries BEGIN, the rooms, the sends' checks and
        # the read pointers' moves; the second locks the rooms, stores the messages and
        # commits. The rooms stay locked only while PostgreSQL runs that second trip, never
        # while this thread waits for a reply or for the GIL: a busy 1:1 room or an open
        # lobby is written by every process, and a batch that held its rooms' locks across
        # round trips made the other processes' batches queue behind it.
        with (
            prepared_cursor() as rooms_cursor,
            prepared_cursor() as checks_cursor,
            prepared_cursor() as reads_cursor,
            prepared_cursor() as store_cursor,
        ):
            with pipelined_transaction():
                queue_send_checks(rooms_cursor, checks_cursor, cleaned)
                read_targets = queue_reads(reads_cursor, reads)
                new_rows, resent, refused = sends_to_store(cleaned, send_results, room_meta, rooms_cursor, checks_cursor)
                read_results = apply_reads(reads, read_targets, reads_cursor, receipts)
                queue_store(store_cursor, new_rows, room_meta)
            stored_rows = store_cursor.fetchall() if new_rows else []
    except IntegrityError:
        # A resend racing its twin in another process (or a manual write) broke a
        # constraint; redo one by one so a single item cannot refuse the whole batch.
        logger.warning("chat batch hit a constraint; retrying item by item", exc_info=True)
        if len(cleaned) + len(reads) <= 1:
            raise
        # Already prepared: a retry neither counts against the rate limit again nor flags
        # its text a second time.
        for index, item in enumerate(prepared):
            if send_results[index] is None:
                send_results[index] = _store_batch([item], [], bookkeeping)[0][0]
        read_results = [_store_batch([], [request], bookkeeping)[1][0] for request in reads]
        return send_results, read_results

    for index, request in refused:
        send_results[index] = refusal_or_original_ack(request)
    stored = stored_messages(new_rows, resent, stored_rows, send_results)
    _flags_settle(flags, send_results)
    # Inside a caller's transaction these wait for its commit; otherwise they run now.
    events.write_batch_frames(messages=stored, reads=receipts)
    if stored:
        record = partial(chat_metrics.messages_recorded, messages=[m for m, _origin in stored], room_meta=room_meta)
        transaction.on_commit(partial(_bookkeep, record, bookkeeping), robust=True)
    return send_results, read_results


def _flags_settle(flags: dict[int, int], send_results: list) -> None:
    """Point the moderation flags the batch's texts raised (send index → flag id) at their messages.

    After the commit, outside the hot rooms' locks: a flag whose message is lost to a crash in
    between still holds the text for review.
    """
    flagged = {flag_id: send_results[index] for index, flag_id in flags.items() if isinstance(send_results[index], SendResult)}
    moderation_text.flags_attach_messages(
        seqs_by_flag={flag_id: result.seq for flag_id, result in flagged.items() if not result.duplicate}
    )
    # A resend of a flagged message was screened again before the store found the
    # original: its flag repeats the original's and would queue the same text twice.
    moderation_text.flags_discard(flag_ids=[flag_id for flag_id, result in flagged.items() if result.duplicate])


def _bookkeep(work: Callable[[], None], executor: Executor | None) -> None:
    if executor is None:
        work()
        return

    def logged() -> None:
        try:
            work()
        except Exception:
            logger.exception("chat bookkeeping failed after a commit")

    executor.submit(logged)


def room_mark_read(*, user_id: int, room_id: int, seq: int) -> int:
    """Move the user's read pointer forward (never back, never past the last message); returns it."""
    result = chat_write_batch(sends=[], reads=[ReadRequest(user_id, room_id, seq)])[1][0]
    if isinstance(result, DomainError):
        raise result
    return result
