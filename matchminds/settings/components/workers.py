"""Celery: the broker, delivery guarantees, limits, queues. Each feature's component adds its periodic
tasks to CELERY_BEAT_SCHEDULE."""

from .core import TIME_ZONE
from .data import REDIS_URL
from .environment import env

# Celery: tasks are idempotent, acknowledged late so a killed worker's task is redelivered.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=60)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=45)
CELERY_TASK_IGNORE_RESULT = True
# The queues workers consume and KEDA scales them on (deploy/helm: worker.keda.queues; `make
# check-deploy` fails when the two drift). Literals: the check reads them without Django.
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_ROUTES: dict = {}
# The worker's main process serves task and queue metrics on this port (0: off); docs/metrics.md.
CELERY_METRICS_PORT = env.int("CELERY_METRICS_PORT", default=0)
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 300}
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE: dict = {}
CELERY_WORKER_HEARTBEAT_FILE = env("CELERY_WORKER_HEARTBEAT_FILE", default="/tmp/celery-worker-heartbeat")
