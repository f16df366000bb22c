"""Events: the lobby's live counts, public pages, sign-ups, reminders, calendars and the widget (apps/events)."""

from .environment import env
from .workers import CELERY_BEAT_SCHEDULE

LOBBY_COUNTS_INTERVAL_S = 2
CELERY_BEAT_SCHEDULE["lobby-counts"] = {
    "task": "apps.events.tasks.broadcast_lobby_counts",
    "schedule": LOBBY_COUNTS_INTERVAL_S,
}

# The widget's data is computed at most once per interval per event, however many sites embed it.
EVENTS_WIDGET_REFRESH_S = env.int("EVENTS_WIDGET_REFRESH_S", default=5)
EVENTS_WIDGET_ANNOUNCEMENTS = 3
# Reminder e-mails go out this long before an event starts; each at most once per sign-up.
EVENTS_REMINDER_LEADS = {"24h": 24 * 60 * 60, "10m": 10 * 60}
EVENTS_REMINDER_BATCH = env.int("EVENTS_REMINDER_BATCH", default=500)
CELERY_BEAT_SCHEDULE["events-reminders"] = {
    "task": "apps.events.tasks.send_event_reminders",
    "schedule": 60,
    "options": {"expires": 60},
}
# A font with Hangul glyphs for the generated link-preview images (Debian's fonts-nanum).
EVENTS_OG_FONT_PATH = env("EVENTS_OG_FONT_PATH", default="/usr/share/fonts/truetype/nanum/NanumGothicBold.ttf")
