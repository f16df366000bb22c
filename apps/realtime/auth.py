"""WebSocket authentication and the thread pool for the connect path.

channels' AuthMiddlewareStack loads the session and the user through
`database_sync_to_async`, which is thread-sensitive: every connect of a daphne process
then queues on ONE thread, behind every other connect's DB and Redis calls, and a storm
of 500 connects/s times out. Here the session and user are resolved in one hop on a
small pool of independent threads, each with its own persistent DB connection
(`close_old_connections` runs around every call, as for requests).

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


def _connect_executor() -> ThreadPoolExecutor:
    global _executor
    if _executor is None:
        _executor = ThreadPoolExecutor(max_workers=settings.WEBSOCKET_CONNECT_THREADS, thread_name_prefix="ws-connect")
    return _executor


def pooled_sync_to_async(function):
    """`database_sync_to_async` on the connect pool instead of the single thread-sensitive thread.

    For socket-path ORM and sync Redis calls that need no shared thread state.
    """
    return database_sync_to_async(function, thread_sensitive=False, executor=_connect_executor())


def user_for_session_key(session_key: str | None):
    """The active session's user, verified exactly like an HTTP request's; AnonymousUser otherwise."""
    if not session_key:
        return AnonymousUser()
    session = import_string(settings.SESSION_ENGINE + ".SessionStore")(session_key)
    return get_user(SimpleNamespace(session=session))


def _session_key(scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            return parse_cookie(value.decode("latin1")).get(settings.SESSION_COOKIE_NAME)
    return None


class SessionAuthMiddleware:
    """Puts `scope["user"]` (a User or AnonymousUser) on WebSocket scopes, in one pooled hop."""

    def __init__(self, inner) -> None:
        self.inner = inner

    async def __call__(self, scope, receive, send):
        user = await pooled_sync_to_async(user_for_session_key)(_session_key(scope))
        return await self.inner(dict(scope, user=user), receive, send)
