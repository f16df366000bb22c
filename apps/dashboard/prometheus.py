"""Prometheus exposition: process metrics from django-prometheus plus business metrics from Redis.

Multi-process correctness: HTTP/DB counters live in each process; with
PROMETHEUS_MULTIPROC_DIR set (every daphne and Celery process shares the directory),
prometheus_client's MultiProcessCollector sums them across processes at scrape time.
Business counters and gauges are *not* kept in process memory at all: the collector reads
the totals every process wrote to Redis, so any process answering a scrape reports the
same numbers. (Scraping several web pods therefore gives identical business series per
pod: aggregate them with max(), as deploy/grafana/matchminds-business.json does.)
"""

import ipaddress
import secrets
import time

from django.conf import settings
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily

from apps.core.observability.registry import process_registry
from apps.core.redis import get_redis
from apps.events.selectors import event_live_list
from apps.telemetry.metrics import ALL, TOTALS_KEY, WAIT_BUCKETS_S, Metric, gauges_key, online_dims_key, online_key

PREFIX = "matchminds_"


def _split_totals(raw: dict[str, str]) -> tuple[dict, dict]:
    counters: dict[str, dict[str, float]] = {}
    histogram: dict[str, float] = {}
    for field, value in raw.items():
        name, _, dim = field.partition("|")
        if name.startswith(f"{Metric.QUEUE_WAIT}:"):
            if dim == ALL:
                histogram[name.split(":", 1)[1]] = float(value)
            continue
        counters.setdefault(name, {})[dim] = float(value)
    return counters, histogram


class BusinessCollector:
    """Reads Redis at scrape time; see the module docstring for why."""

    def collect(self):
        client = get_redis()
        now = time.time()
        live_event_ids = [event.pk for event in event_live_list()]
        pipe = client.pipeline(transaction=False)
        pipe.hgetall(TOTALS_KEY)
        pipe.smembers(online_dims_key(ALL))
        pipe.hgetall(gauges_key(ALL))
        pipe.zrange("mm:workers", 0, -1, withscores=True)
        for event_id in live_event_ids:
            pipe.hgetall(gauges_key(str(event_id)))
        totals, dims, global_gauges, workers, *event_gauges = pipe.execute()
        dims = sorted(dim for dim in dims if not dim.startswith("u:"))
        online_pipe = client.pipeline(transaction=False)
        for dim in dims:
            online_pipe.zcount(online_key(ALL, dim), now, "+inf")
        online = dict(zip(dims, online_pipe.execute(), strict=True))

        yield from _counter_families(totals)

        family = GaugeMetricFamily(f"{PREFIX}online_users", "Users with a live socket.", labels=["dimension"])
        for dim, value in online.items():
            family.add_metric([dim], value)
        yield family
        family = GaugeMetricFamily(f"{PREFIX}queue_depth", "Tickets waiting in the matching queue.", labels=["event", "gender"])
        for event_id, gauges in zip(live_event_ids, event_gauges, strict=True):
            for gender in ("M", "F"):
                family.add_metric([str(event_id), gender], float(gauges.get(f"{Metric.QUEUE_DEPTH}|g:{gender}", 0)))
        yield family
        for name, help_text in (
            (Metric.MODERATION_BACKLOG, "Moderation items waiting for a decision."),
            (Metric.RECONCILE_MISMATCHES, "Redis minute counters that PostgreSQL disagrees with."),
        ):
            family = GaugeMetricFamily(f"{PREFIX}{name}", help_text)
            family.add_metric([], float(global_gauges.get(f"{name}|{ALL}", 0)))
            yield family
        family = GaugeMetricFamily(f"{PREFIX}live_events", "Events live now.")
        family.add_metric([], len(live_event_ids))
        yield family
        family = GaugeMetricFamily(
            f"{PREFIX}celery_worker_heartbeat_age_seconds", "Seconds since each worker answered a ping.", labels=["worker"]
        )
        for hostname, seen in workers:
            family.add_metric([hostname], round(now - seen, 1))
        yield family


def _counter_families(totals: dict):
    """The business counters (overall, by region, by gender) and the queue-wait histogram."""
    counters, histogram = _split_totals(totals)
    for name, by_dim in sorted(counters.items()):
        family = CounterMetricFamily(f"{PREFIX}{name}", f"Business counter {name} (docs/metrics.md).", labels=[])
        family.add_metric([], by_dim.get(ALL, 0.0))
        yield family
        for kind, label in (("r:", "region"), ("g:", "gender")):
            family = CounterMetricFamily(f"{PREFIX}{name}_by_{label}", f"{name} by {label}.", labels=[label])
            for dim, value in sorted(by_dim.items()):
                if dim.startswith(kind):
                    family.add_metric([dim[2:]], value)
            yield family
    if histogram:
        cumulative, buckets = 0.0, []
        for index, bound in enumerate(WAIT_BUCKETS_S):
            cumulative += histogram.get(f"b{index}", 0.0)
            buckets.append((f"{bound:g}", cumulative))
        cumulative += histogram.get(f"b{len(WAIT_BUCKETS_S)}", 0.0)
        buckets.append(("+Inf", cumulative))
        family = HistogramMetricFamily(
            f"{PREFIX}queue_wait_seconds", "Time from joining the queue to a confirmed match or leaving."
        )
        family.add_metric([], buckets, histogram.get("sum", 0.0))
        yield family


_business_registry = CollectorRegistry(auto_describe=False)
_business_registry.register(BusinessCollector())


def exposition() -> bytes:
    return generate_latest(process_registry()) + generate_latest(_business_registry)


def scrape_allowed(request) -> bool:
    """Staff sessions, the configured bearer token, or a client in an allowed network."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.is_active and user.is_staff:
        return True
    token = settings.METRICS_BEARER_TOKEN
    header = request.headers.get("Authorization", "")
    if token and header.startswith("Bearer ") and secrets.compare_digest(header[7:].encode(), token.encode()):
        return True
    if settings.METRICS_ALLOWED_NETWORKS:
        try:
            client = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
        except ValueError:
            return False
        return any(client in ipaddress.ip_network(network, strict=False) for network in settings.METRICS_ALLOWED_NETWORKS)
    return False
