"""The built-in rules of issue 6 (seeded by migration 0002; staff may tune or disable them)."""

BUILTIN_RULES = [
    ("queue-wait-p95-high", "queue_wait_p95_s", "gt", 60, 60, "warning", "Queue wait p95 (last 5 min) above 60 s for 1 min."),
    (
        "queue-gender-imbalance",
        "queue_gender_ratio",
        "gt",
        3,
        60,
        "warning",
        "Queue gender ratio beyond 3:1 (queue of 10 or more) for 1 min.",
    ),
    (
        "no-matches-with-queue",
        "matchless_queue_depth",
        "gte",
        20,
        0,
        "critical",
        "No confirmed match for 2 min while the queue holds 20 or more.",
    ),
    (
        "match-success-rate-drop",
        "match_success_rate_drop_pct",
        "gt",
        50,
        0,
        "warning",
        "Match success rate down more than 50 % against the previous 15 min.",
    ),
    ("report-spike", "reports_5m", "gt", 10, 0, "warning", "More than 10 reports in 5 min."),
    (
        "moderation-item-stale",
        "moderation_oldest_pending_age_s",
        "gt",
        24 * 60 * 60,
        0,
        "warning",
        "A moderation item has waited more than 24 h.",
    ),
    (
        "celery-worker-heartbeat-missing",
        "celery_worker_heartbeat_age_s",
        "gt",
        60,
        0,
        "critical",
        "A Celery worker has not answered for 60 s.",
    ),
    (
        "websocket-connect-failures",
        "ws_connect_failures_1m",
        "gt",
        50,
        60,
        "warning",
        "More than 50 refused WebSocket connects per minute for 1 min.",
    ),
    (
        "redis-postgres-mismatch",
        "reconcile_mismatches",
        "gt",
        0,
        0,
        "critical",
        "Reconciliation found Redis counters that PostgreSQL disagrees with.",
    ),
    (
        "queue-state-lost",
        "queue_state_lost",
        "gte",
        0,
        0,
        "critical",
        "Queue state lost: Redis lost the live queue; the value is how many tickets were restored from PostgreSQL.",
    ),
]


def builtin_rules_install(*, rule_model) -> None:
    """Create the built-in rules that are missing; never overwrite a staff member's tuning."""
    for name, metric, comparison, threshold, for_s, severity, description in BUILTIN_RULES:
        rule_model.objects.get_or_create(
            name=name,
            defaults={
                "metric": metric,
                "comparison": comparison,
                "threshold": threshold,
                "for_s": for_s,
                "severity": severity,
                "description": description,
                "builtin": True,
                "labels": {"team": "liveops"},
            },
        )
