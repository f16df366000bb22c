"""WebSocket authentication and the thread pool of the socket paths.

channels' AuthMiddlewareStack and `database_sync_to_async` are thread-sensitive: every
connect of a daphne process queues on ONE thread, several hops each, and a storm of 500
connects/s times out. Here a socket's whole connect (session, user, presence, every app's
connect loader) is ONE hop on a small pool of independent threads, each with its own
persistent DB connection (`close_old_connections` runs around every call, as for requests).

The check is that of Django's `get_user`: the session must be unexpired, its backend still
enabled and its auth hash must match the user's (a password change logs the socket out), so
security is exactly that of an HTTP request. With the database session engine it runs as two
plain statements: the ORM's query building was a third of a connect's CPU in a storm.
"""

import functools
import hashlib
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

from channels.db import database_sync_to_async
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user, get_user_model
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.http.cookie import parse_cookie
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.module_loading import import_string

from apps.core.db import fetch_prepared

DB_SESSION_ENGINE = "django.contrib.sessions.backends.db"

_executor: ThreadPoolExecutor | None = None


def _socket_executor() -> ThreadPoolExecutor:
    global _executor
    if _executor is None:
        _executor = ThreadPoolExecutor(max_workers=settings.WEBSOCKET_SYNC_THREADS, thread_name_prefix="ws-sync")
    return _executor


@functools.lru_cache(maxsize=256)
def pooled_sync_to_async(function):
    """`database_sync_to_async` on the socket pool instead of the single thread-sensitive thread.

    For socket-path ORM and sync Redis calls that need no shared thread state. Wrappers are
    kept: building one is a few inspections of `function`, paid on every frame and connect.
    """
    return database_sync_to_async(function, thread_sensitive=False, executor=_socket_executor())


def session_key_digest(session_key: str | None) -> str:
    """How a session is named in messages to its sockets (`events.user_sessions_end`): never the key."""
    return hashlib.sha256((session_key or "").encode()).hexdigest()


_heartbeat_executor: ThreadPoolExecutor | None = None


@functools.lru_cache(maxsize=64)
def heartbeat_sync_to_async(function):
    """Like `pooled_sync_to_async`, on a thread of its own for heartbeats' presence refresh.

    A `pong` follows the refresh (one pipelined Redis round trip). On the socket pool it queued
    behind a reconnect storm's connects (each a PostgreSQL session lookup): at 2,000 students
    (`make bench-cluster`) pings waited past the client's 10 s pong timeout, live sockets were
    dropped and connected again, and the storm fed itself.
    """
    global _heartbeat_executor
    if _heartbeat_executor is None:
        _heartbeat_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ws-beat")
    return database_sync_to_async(function, thread_sensitive=False, executor=_heartbeat_executor)


def session_key_from_scope(scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            return parse_cookie(value.decode("latin1")).get(settings.SESSION_COOKIE_NAME)
    return None


def user_for_session_key(session_key: str | None):
    """The session's user, verified exactly like an HTTP request's; AnonymousUser otherwise."""
    if not session_key:
        return AnonymousUser()
    if settings.SESSION_ENGINE != DB_SESSION_ENGINE:
        session = import_string(settings.SESSION_ENGINE + ".SessionStore")(session_key)
        return get_user(SimpleNamespace(session=session))
    return _user_for_db_session(session_key) or AnonymousUser()


def _user_for_db_session(session_key: str):
    store_class = import_string(DB_SESSION_ENGINE + ".SessionStore")
    row = fetch_prepared(_session_sql(store_class.get_model_class()._meta.db_table), [session_key, timezone.now()], one=True)
    if row is None:
        return None
    data = store_class().decode(row[0])  # {} when the signature does not verify
    session_hash = data.get(HASH_SESSION_KEY)
    if data.get(BACKEND_SESSION_KEY) not in settings.AUTHENTICATION_BACKENDS or not session_hash:
        return None
    user = _user_by_pk(data.get(SESSION_KEY))
    if user is None:
        return None
    if constant_time_compare(session_hash, user.get_session_auth_hash()) or any(
        constant_time_compare(session_hash, fallback) for fallback in user.get_session_auth_fallback_hash()
    ):
        # A fallback-secret session is not re-keyed here (a socket cannot set cookies); the
        # tab's next HTTP request does that.
        return user
    return None


@functools.cache
def _session_sql(table: str) -> str:
    return f"SELECT session_data FROM {table} WHERE session_key = %s AND expire_date > %s"  # noqa: S608


@functools.cache
def _user_sql() -> tuple[str, list[str]]:
    user_model = get_user_model()
    fields = user_model._meta.concrete_fields
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    sql = f"SELECT {columns} FROM {user_model._meta.db_table} WHERE {user_model._meta.pk.column} = %s"  # noqa: S608
    return sql, [field.attname for field in fields]


def _user_by_pk(raw_pk):
    user_model = get_user_model()
    try:
        pk = user_model._meta.pk.to_python(raw_pk)
    except Exception:  # noqa: BLE001 - a malformed id in a signed session still means: nobody
        return None
    sql, attnames = _user_sql()
    row = fetch_prepared(sql, [pk], one=True)
    return None if row is None else user_model.from_db(connection.alias, attnames, row)
