"""Plain prepared statements for the hottest paths (every socket connect of a storm, every
chat write batch)."""

import contextlib
import time
from collections.abc import Iterator

import psycopg
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper


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
            if self._wrapper.queries_logged:
                self._wrapper.queries_log.append({"sql": sql, "time": f"{time.monotonic() - started:.3f}", "prepared": True})
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


@contextlib.contextmanager
def pipelined() -> Iterator[None]:
    """Send the statements executed inside to PostgreSQL together: one round trip for all.

    In a transaction that has not started yet, its BEGIN goes along too. Statements still
    run one after the other, each with its own snapshot. Give each statement its own
    cursor and read the results after the block. The first statement that fails skips the
    rest, and its error comes out, as Django's, when the block ends.
    """
    wrapper = _connected_wrapper()
    with wrapper.wrap_database_errors, wrapper.connection.pipeline():
        yield


def fetch_prepared(sql: str, params: list, *, one: bool = False):
    """Run a fixed read statement prepared (see PreparedCursor); return its rows (or its
    first row, or None, with `one`)."""
    with prepared_cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone() if one else cursor.fetchall()
