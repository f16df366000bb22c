"""Plain statements for the hottest read paths (every socket connect of a storm)."""

import psycopg
from django.db import connection


def fetch_prepared(sql: str, params: list, *, one: bool = False):
    """Run a fixed read statement as a server-side prepared statement; return its rows
    (or its first row, or None, with `one`).

    Django's PostgreSQL connection binds parameters client-side, and such statements are
    parsed and planned by PostgreSQL on every execution: on the connect path that was about
    half of PostgreSQL's CPU in a 500 connects/s storm. A server-binding cursor on the same
    connection (same transaction) prepares the statement once per connection. `sql` uses
    `%s` placeholders and must be a constant string: each distinct text is prepared once.
    """
    connection.ensure_connection()
    with psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(sql, params, prepare=True)
        return cursor.fetchone() if one else cursor.fetchall()
