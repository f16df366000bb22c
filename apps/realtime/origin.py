"""Which pages may open a WebSocket: the site's own origin, compared by scheme, host and port.

channels' AllowedHostsOriginValidator compares the Origin's host name with ALLOWED_HOSTS only,
so a page served from any port or scheme of an allowed host (`http://127.0.0.1:9` for a site
on :8000) could open a socket with the visitor's cookie. Here the Origin must equal the origin
the browser is talking to, built like Django's CSRF origin check builds it: the scheme (`wss`,
or HTTPS announced by the proxy through SECURE_PROXY_SSL_HEADER) and the Host header, itself
one of ALLOWED_HOSTS; or be listed in CSRF_TRUSTED_ORIGINS. Without an Origin header the
handshake is refused (browsers always send one). A refusal is the handshake's HTTP 403.
"""

from urllib.parse import urlsplit

from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.http.request import split_domain_port, validate_host
from django.utils.http import is_same_domain

DEFAULT_PORTS = {"http": 80, "https": 443}
DEBUG_HOSTS = [".localhost", "127.0.0.1", "[::1]"]


def _headers(scope) -> dict[bytes, bytes]:
    return {name.lower(): value for name, value in scope.get("headers", [])}


def _site_scheme(scope, headers: dict[bytes, bytes]) -> str:
    if scope.get("scheme") == "wss":
        return "https"
    proxy_header = getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
    if proxy_header:
        meta_name, secure_value = proxy_header
        header = meta_name.removeprefix("HTTP_").replace("_", "-").lower().encode("latin1")
        forwarded = headers.get(header, b"").decode("latin1").split(",")[0].strip()
        if forwarded == secure_value:
            return "https"
    return "http"


def _scheme_host_port(scheme: str, netloc: str) -> tuple[str, str, int | None] | None:
    try:
        parts = urlsplit(f"{scheme}://{netloc}")
        port = parts.port
    except ValueError:
        return None
    if not parts.hostname:
        return None
    return scheme, parts.hostname, port if port is not None else DEFAULT_PORTS.get(scheme)


def _trusted(origin: str, scheme: str, netloc: str) -> bool:
    for trusted in settings.CSRF_TRUSTED_ORIGINS:
        if "*" not in trusted:
            if trusted.lower() == origin:
                return True
            continue
        pattern = urlsplit(trusted.lower())
        if pattern.scheme == scheme and is_same_domain(netloc, pattern.netloc.removeprefix("*")):
            return True
    return False


def origin_allowed(scope) -> bool:
    headers = _headers(scope)
    try:
        origin = headers[b"origin"].decode("latin1").strip().lower()
        host = headers[b"host"].decode("latin1").strip().lower()
    except KeyError:
        return False
    domain, _port = split_domain_port(host)
    allowed_hosts = settings.ALLOWED_HOSTS or (DEBUG_HOSTS if settings.DEBUG else [])
    if not domain or not validate_host(domain, allowed_hosts):
        return False
    origin_parts = urlsplit(origin)
    if origin_parts.scheme not in DEFAULT_PORTS or origin_parts.path or origin_parts.query:
        return False
    if _trusted(origin, origin_parts.scheme, origin_parts.netloc):
        return True
    site = _scheme_host_port(_site_scheme(scope, headers), host)
    return site is not None and _scheme_host_port(origin_parts.scheme, origin_parts.netloc) == site


class SiteOriginValidator:
    """ASGI middleware: a WebSocket handshake from another origin is refused before the app runs."""

    def __init__(self, application) -> None:
        self.application = application

    async def __call__(self, scope, receive, send):
        if scope["type"] == "websocket" and not origin_allowed(scope):
            return await WebsocketDenier()(scope, receive, send)
        return await self.application(scope, receive, send)
