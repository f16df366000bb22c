"""Plain prepared statements for the hottest paths (every socket connect of a storm, every
chat write batch)."""

import contextlib
import logging
import time
from collections.abc import Iterator

import psycopg
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.expressions import RawSQL

logger = logging.getLogger(__name__)


class PreparedCursor:
    """A server-binding cursor on Django's connection whose every statement is prepared.

    Django's PostgreSQL connection binds parameters client-side, and such statements are
    parsed and planned by PostgreSQL on every execution: on the connect path that was about
    half of PostgreSQL's CPU in a 500 connects/s storm. Here a statement is prepared once
    per connection (and parameter types). It runs on the same connection, so inside the
    caller's transaction. Statements must be constant strings with `%s` or `%(name)s`
    placeholders: each distinct text is prepared once.

    As with Django's own cursors, errors come out as Django's (an IntegrityError is
    `django.db.IntegrityError`), a broken connection is marked so that Django replaces it,
    and statements are logged where Django logs queries (DEBUG, CaptureQueriesContext).
    """

    def __init__(self, cursor: psycopg.Cursor, wrapper: BaseDatabaseWrapper) -> None:
        self._cursor = cursor
        # Django's `connection` is a proxy that looks the thread's connection up on every
        # attribute: a few microseconds each, several times per statement on the hot path.
        self._wrapper = wrapper

    def execute(self, sql: str, params=None) -> "PreparedCursor":
        self._wrapper.validate_no_broken_transaction()
        started = time.monotonic()
        try:
            with self._wrapper.wrap_database_errors:
                self._cursor.execute(sql, params, prepare=True)
        finally:
            _log_query(self._wrapper, sql, started, prepared=True)
        return self

    def fetchone(self):
        with self._wrapper.wrap_database_errors:
            return self._cursor.fetchone()

    def fetchall(self) -> list[tuple]:
        with self._wrapper.wrap_database_errors:
            return self._cursor.fetchall()


def _connected_wrapper() -> BaseDatabaseWrapper:
    wrapper = connections[DEFAULT_DB_ALIAS]
    wrapper.ensure_connection()
    return wrapper


@contextlib.contextmanager
def prepared_cursor() -> Iterator[PreparedCursor]:
    wrapper = _connected_wrapper()
    with psycopg.Cursor(wrapper.connection) as cursor:
        yield PreparedCursor(cursor, wrapper)


_PIPELINE_SAVEPOINT = "pipelined_transaction"


def _log_query(wrapper: BaseDatabaseWrapper, sql: str, started: float, **extra) -> None:
    """Where Django logs its queries (DEBUG, CaptureQueriesContext), in its format."""
    if wrapper.queries_logged:
        wrapper.queries_log.append({"sql": sql, "time": f"{time.monotonic() - started:.3f}", **extra})


def _execute_plain(wrapper: BaseDatabaseWrapper, sql: str) -> None:
    started = time.monotonic()
    try:
        wrapper.connection.execute(sql)
    finally:
        _log_query(wrapper, sql, started)


@contextlib.contextmanager
def pipelined_transaction() -> Iterator[None]:
    """A transaction whose statements travel to PostgreSQL together, BEGIN and COMMIT included.

    Statements executed inside are queued. Reading a result inside sends what is queued and
    waits for it: one round trip. COMMIT goes with whatever is still queued at the end, so a
    block that reads once in the middle costs two round trips in all. (Under Django's atomic,
    psycopg sends BEGIN in a round trip of its own and COMMIT in another: the chat's write
    batch took four; a pipeline opened around the atomic took six, as psycopg also syncs the
    pipeline to switch autocommit.) Inside a caller's transaction the block is a savepoint.

    If anything inside fails, the block is rolled back and the error comes out, as Django's,
    when the block ends. Give each statement its own prepared cursor; results may be read
    after the block. Django's on_commit does not see this transaction: run what must follow
    the commit after the block.
    """
    wrapper = _connected_wrapper()
    in_callers_transaction = not wrapper.get_autocommit()
    if in_callers_transaction:
        begin, commit = f"SAVEPOINT {_PIPELINE_SAVEPOINT}", f"RELEASE SAVEPOINT {_PIPELINE_SAVEPOINT}"
        undo = [f"ROLLBACK TO SAVEPOINT {_PIPELINE_SAVEPOINT}", commit]
    else:
        begin, commit, undo = "BEGIN", "COMMIT", ["ROLLBACK"]
    try:
        with wrapper.wrap_database_errors, wrapper.connection.pipeline():
            _execute_plain(wrapper, begin)
            yield
            _execute_plain(wrapper, commit)
    except BaseException:
        try:
            with wrapper.wrap_database_errors:
                for sql in undo:
                    _execute_plain(wrapper, sql)
        except Exception:
            # The connection broke: the server ends its transaction; Django must not reuse it.
            logger.warning("rolling a pipelined transaction back failed; closing the connection", exc_info=True)
            wrapper.close()
        raise


def fetch_prepared(sql: str, params: list, *, one: bool = False):
    """Run a fixed read statement prepared (see PreparedCursor); return its rows (or its
    first row, or None, with `one`)."""
    with prepared_cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone() if one else cursor.fetchall()


def ids_in(ids) -> RawSQL:
    """The right-hand side of an `__in` filter over many ids, as ONE array parameter.

    `filter(user_id__in=[...5,000 ids...])` prepares each id in Django and spells thousands of
    placeholders that psycopg splits on every execution: most of a round start's query CPU.
    `filter(user_id__in=ids_in(ids))` sends `IN (SELECT unnest(%s::bigint[]))` with one array.
    """
    return RawSQL("SELECT unnest(%s::bigint[])", [list(ids)])
