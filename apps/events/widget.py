"""The embeddable live widget: its one cached snapshot per event, and who may frame it.

However many pages embed the widget, its data is computed at most once per
EVENTS_WIDGET_REFRESH_S per event: the first request after expiry takes a short lock and
computes; everyone else gets the cached copy (or, while the lock is held, the previous one).
"""

import ipaddress
import re
import time
from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from prometheus_client import Counter

from apps.accounts.models import Profile
from apps.events.models import Event, EventState
from apps.events.signups import signup_summary
from apps.realtime import presence

WIDGET_COMPUTATIONS = Counter(
    "matchminds_event_widget_computations_total", "Widget snapshots computed (each serves every viewer for an interval)"
)
# Chat registers the latest lobby announcements here (AppConfig.ready), so events need not know chat.
lobby_announcement_providers: list[Callable[..., list[dict]]] = []

_LOCK_WAIT_S = 3.0
_STALE_FACTOR = 60


def _key(slug: str) -> str:
    return f"events:widget:{slug}"


_HOST = re.compile(r"^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$")


def origin_normalized(entry: str) -> str | None:
    """`scheme://host[:port]` in canonical form, or None when `entry` is not exactly an origin."""
    parts = urlsplit(entry.strip())
    try:
        port = parts.port
    except ValueError:
        return None
    host = parts.hostname or ""
    well_formed = (
        parts.scheme in ("http", "https")
        and (_HOST.match(host) or _is_ipv6(host))
        and parts.username is None
        and parts.password is None
        and parts.path in ("", "/")
        and not parts.query
        and not parts.fragment
        and not entry.strip().endswith(("?", "#"))
    )
    if not well_formed:
        return None
    netloc = f"[{host}]" if ":" in host else host
    return f"{parts.scheme}://{netloc}" + (f":{port}" if port else "")


def _is_ipv6(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).version == 6
    except ValueError:
        return False


def embed_origins_parse(text: str) -> list[str]:
    """One origin per line; raises naming the first line that is not one."""
    origins = []
    for line_number, raw in enumerate(text.splitlines(), start=1):
        entry = raw.strip()
        if not entry:
            continue
        origin = origin_normalized(entry)
        if origin is None:
            raise ValidationError(
                _('Line %(line)s, "%(entry)s", is not an origin. Write scheme://host[:port], e.g. https://club.example.ac.kr')
                % {"line": line_number, "entry": entry}
            )
        if origin not in origins:
            origins.append(origin)
    return origins


def frame_ancestors_policy(origins: list[str]) -> str:
    """The widget's whole Content-Security-Policy: static files from the site, framed only by `origins`."""
    ancestors = " ".join(origins) if origins else "'none'"
    return (
        f"frame-ancestors {ancestors}; default-src 'self'; script-src 'self'; style-src 'self'; "
        "img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; object-src 'none'"
    )


def _gender_balance(event_id: int) -> dict[str, int]:
    member_ids = presence.lease_members(presence.lobby_scope(event_id))
    counts = {"M": 0, "F": 0}
    if member_ids:
        for gender in Profile.objects.filter(user_id__in=[int(member) for member in member_ids]).values_list("gender", flat=True):
            counts[gender] = counts.get(gender, 0) + 1
    return counts


def _compute(slug: str) -> dict:
    """Everything the widget and the public page's live panel show; one database trip per part."""
    WIDGET_COMPUTATIONS.inc()
    event = Event.objects.filter(slug=slug).first()
    if event is None:
        return {"found": False}
    state = event.state
    live = state == EventState.LIVE
    gender = _gender_balance(event.pk) if live else None
    announcements: list[dict] = []
    for provider in lobby_announcement_providers:
        announcements.extend(provider(event_id=event.pk, limit=settings.EVENTS_WIDGET_ANNOUNCEMENTS))
    announcements.sort(key=lambda item: item["sent_at"], reverse=True)
    summary = signup_summary(event=event)
    return {
        "found": True,
        # Only well-formed origins reach the header, however the list was written.
        "frame_origins": [origin for origin in map(origin_normalized, event.embed_origin_list()) if origin],
        "public": {
            "event": event.slug,
            "name": event.name,
            "state": state,
            "starts_at": event.starts_at.isoformat(),
            "ends_at": event.ends_at.isoformat(),
            "online": sum(gender.values()) if gender is not None else None,
            "gender": gender,
            "places_left": summary.places_left,
            "announcements": announcements[: settings.EVENTS_WIDGET_ANNOUNCEMENTS],
            "generated_at": timezone.now().isoformat(),
            "refresh_s": settings.EVENTS_WIDGET_REFRESH_S,
        },
    }


def widget_snapshot(*, slug: str) -> dict:
    """The cached snapshot for `slug` ({"found": False} for an unknown one), computed at most once per interval."""
    key = _key(slug)
    snapshot = cache.get(key)
    if snapshot is not None:
        return snapshot
    lock_key = f"{key}:lock"
    if not cache.add(lock_key, 1, timeout=int(_LOCK_WAIT_S) + 1):
        stale = cache.get(f"{key}:stale")
        if stale is not None:
            return stale
        deadline = time.monotonic() + _LOCK_WAIT_S
        while time.monotonic() < deadline:
            time.sleep(0.02)
            snapshot = cache.get(key)
            if snapshot is not None:
                return snapshot
    try:
        # A viewer that missed the cache just before the lock holder filled it and released
        # the lock must not compute the same interval a second time.
        snapshot = cache.get(key)
        if snapshot is not None:
            return snapshot
        snapshot = _compute(slug)
        interval = settings.EVENTS_WIDGET_REFRESH_S
        cache.set_many({key: snapshot}, timeout=interval)
        cache.set(f"{key}:stale", snapshot, timeout=interval * _STALE_FACTOR)
    finally:
        cache.delete(lock_key)
    return snapshot


def embed_snippet(*, base_url: str, slug: str) -> str:
    """The copy-paste code for a partner page."""
    src = base_url + reverse("embed:widget", args=[slug])
    return (
        f'<iframe src="{src}" title="MatchMinds" width="360" height="420" '
        'style="border:0;max-width:100%" loading="lazy"></iframe>'
    )
