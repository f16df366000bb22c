"""WebSocket authentication and the thread pool of the socket paths.

channels' AuthMiddlewareStack and `database_sync_to_async` are thread-sensitive: every
connect of a daphne process queues on ONE thread, several hops each, and a storm of 500
connects/s times out. Here a socket's whole connect (session, user, presence, every app's
connect loader) is ONE hop on a small pool of independent threads, each with its own
persistent DB connection (`close_old_connections` runs around every call, as for requests).

The check itself is Django's `get_user`: the session's backend must still be enabled and
its auth hash must match the user's (a password change logs the socket out), so security
is exactly that of an HTTP request.
"""

from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

from channels.db import database_sync_to_async
from django.conf import settings
from django.contrib.auth import get_user
from django.contrib.auth.models import AnonymousUser
from django.http.cookie import parse_cookie
from django.utils.module_loading import import_string

_executor: ThreadPoolExecutor | None = None


def _socket_executor() -> ThreadPoolExecutor:
    global _executor
    if _executor is None:
        _executor = ThreadPoolExecutor(max_workers=settings.WEBSOCKET_SYNC_THREADS, thread_name_prefix="ws-sync")
    return _executor


def pooled_sync_to_async(function):
    """`database_sync_to_async` on the socket pool instead of the single thread-sensitive thread.

    For socket-path ORM and sync Redis calls that need no shared thread state.
    """
    return database_sync_to_async(function, thread_sensitive=False, executor=_socket_executor())


def session_key_from_scope(scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            return parse_cookie(value.decode("latin1")).get(settings.SESSION_COOKIE_NAME)
    return None


def user_for_session_key(session_key: str | None):
    """The session's user, verified exactly like an HTTP request's; AnonymousUser otherwise."""
    if not session_key:
        return AnonymousUser()
    session = import_string(settings.SESSION_ENGINE + ".SessionStore")(session_key)
    return get_user(SimpleNamespace(session=session))
