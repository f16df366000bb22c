"""Tasks that only test workers load (`celery worker --include tests.worker_tasks`)."""

import time
from pathlib import Path

from celery import shared_task


@shared_task(acks_late=True)
def hold(marker: str, seconds: float) -> None:
    """Marks that it started, then keeps its (unacknowledged) message for a while."""
    Path(marker).touch()
    time.sleep(seconds)
