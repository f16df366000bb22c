"""Waits told to people in the largest unit that reads naturally ("24시간", not "86400초")."""

import math

from django.utils.translation import ngettext

MINUTE_S = 60
HOUR_S = 60 * MINUTE_S
DAY_S = 24 * HOUR_S
# Up to 90 of a unit is still told in it ("90초", "90분"); two days and more in days.
SECONDS_UP_TO = 90
MINUTES_UP_TO = 90 * MINUTE_S
HOURS_UP_TO = 2 * DAY_S


def duration_text(seconds: int | float) -> str:
    """`seconds` as a count of one unit, rounded up so that a wait is never told short."""
    seconds = max(1, math.ceil(seconds))
    if seconds <= SECONDS_UP_TO:
        return ngettext("%(count)d second", "%(count)d seconds", seconds) % {"count": seconds}
    if seconds <= MINUTES_UP_TO:
        minutes = math.ceil(seconds / MINUTE_S)
        return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}
    if seconds <= HOURS_UP_TO:
        hours = math.ceil(seconds / HOUR_S)
        return ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}
    days = math.ceil(seconds / DAY_S)
    return ngettext("%(count)d day", "%(count)d days", days) % {"count": days}
