from celery import shared_task

from apps.dashboard import services


@shared_task(ignore_result=True)
def publish_dashboard_snapshots() -> None:
    services.dashboard_publish()


@shared_task(ignore_result=True)
def flush_metrics() -> None:
    services.metrics_flush()


@shared_task(ignore_result=True)
def reconcile_metrics() -> None:
    services.metrics_reconcile()
