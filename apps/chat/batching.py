"""Group commit for one daphne process: concurrent sends and receipts share a transaction.

Requests queue while the previous batch is in PostgreSQL; the next batch takes them all
(up to CHAT_BATCH_MAX), so a quiet room pays no extra latency and a busy process pays one
commit per batch instead of one per message. A single worker thread keeps batches in
order and the send path off the thread that serves logins and other DB calls; the
dashboard's counts of a committed batch are recorded on another thread, so the next batch
does not wait for them.
"""

import asyncio
from concurrent.futures import ThreadPoolExecutor

from channels.db import database_sync_to_async
from django.conf import settings

from apps.chat import batch as chat_batch
from apps.chat import receipts as chat_receipts
from apps.chat import send as chat_send


class ChatWriteBatcher:
    def __init__(self) -> None:
        self._pending: list[tuple[object, asyncio.Future]] = []
        self._worker: asyncio.Task | None = None
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chat-writes")
        self._bookkeeping = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chat-bookkeeping")
        self._apply = database_sync_to_async(self._apply_sync, thread_sensitive=False, executor=self._executor)

    async def submit(self, request: chat_send.SendRequest | chat_receipts.ReadRequest):
        """Queue one write; resolve to its SendResult / read pointer or raise its DomainError."""
        future = asyncio.get_running_loop().create_future()
        self._pending.append((request, future))
        if self._worker is None or self._worker.done():
            self._worker = asyncio.create_task(self._drain())
        result = await future
        if isinstance(result, Exception):
            raise result
        return result

    async def _drain(self) -> None:
        while self._pending:
            batch = self._pending[: settings.CHAT_BATCH_MAX]
            del self._pending[: settings.CHAT_BATCH_MAX]
            sends = [(request, future) for request, future in batch if isinstance(request, chat_send.SendRequest)]
            reads = [(request, future) for request, future in batch if isinstance(request, chat_receipts.ReadRequest)]
            try:
                send_results, read_results = await self._apply([r for r, _f in sends], [r for r, _f in reads])
            except Exception as error:  # noqa: BLE001 - the batch failed as a whole: every waiter must hear why
                for _request, future in batch:
                    if not future.done():
                        future.set_exception(error)
                continue
            for (_request, future), result in zip(sends + reads, send_results + read_results, strict=True):
                if not future.done():
                    future.set_result(result)

    def _apply_sync(self, sends, reads):
        return chat_batch.chat_write_batch(sends=sends, reads=reads, bookkeeping=self._bookkeeping)


_batcher: ChatWriteBatcher | None = None


def get_batcher() -> ChatWriteBatcher:
    global _batcher
    if _batcher is None:
        _batcher = ChatWriteBatcher()
    return _batcher
