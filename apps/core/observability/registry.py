"""The process's Prometheus registry: every process's own metrics summed across processes
when PROMETHEUS_MULTIPROC_DIR is set (every daphne and Celery process shares the directory)."""

import os

from prometheus_client import REGISTRY, CollectorRegistry
from prometheus_client.multiprocess import MultiProcessCollector


def process_registry() -> CollectorRegistry:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
        return registry
    return REGISTRY
