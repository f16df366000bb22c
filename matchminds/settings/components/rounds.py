"""Speed-dating rounds (apps/rounds)."""

from .environment import env
from .workers import CELERY_BEAT_SCHEDULE

# The event clock ticks every interval; the warning comes this long before a round's end.
ROUNDS_CLOCK_INTERVAL_S = env.float("ROUNDS_CLOCK_INTERVAL_S", default=1.0)
ROUNDS_WARNING_S = env.int("ROUNDS_WARNING_S", default=30)
# A seated student's partner is told they left only when no socket came back within this long.
ROUNDS_DISCONNECT_GRACE_S = env.int("ROUNDS_DISCONNECT_GRACE_S", default=5)
CELERY_BEAT_SCHEDULE["rounds-clock"] = {
    "task": "apps.rounds.tasks.rounds_clock",
    "schedule": ROUNDS_CLOCK_INTERVAL_S,
    "options": {"expires": ROUNDS_CLOCK_INTERVAL_S * 2},
}
