"""Per-response relaxations of the site-wide security headers."""

from __future__ import annotations

from collections.abc import Sequence

from django.http import HttpResponseBase


def allow_framing(response: HttpResponseBase, *, origins: Sequence[str]) -> HttpResponseBase:
    """Let the given origins (e.g. ``https://univ.example``) embed this response in a frame.

    Replaces the CSP's frame-ancestors for this response only and drops X-Frame-Options
    (which cannot name origins); no origins keeps the page unframeable.
    """
    response._csp_replace = {"frame-ancestors": list(origins) or ["'none'"]}
    response.xframe_options_exempt = bool(origins)
    return response
