"""Writes docs/capacity.md from the benchmarks' JSON output (never edit that file by hand).

    python scripts/capacity_report.py --cluster .run/bench/cluster.out --capacity .run/bench/capacity.out

`--cluster`: the output of `make bench-cluster` (its `cluster-detail` and `cluster` lines);
`--capacity`: the output of `make bench-matching ARGS=--capacity`; prices and assumptions come
from docs/capacity_prices.json, each with its source. It also writes docs/capacity_targets.json:
the chart's HPA and KEDA defaults the model derives, which values.yaml must carry
(deploy/capacity_targets.py checks it).

The report ends with the JSON lines it was made from, so one benchmark can be re-run alone:
`--cluster docs/capacity.md` takes the cluster lines of the report in place (a report written
before it kept its inputs gives them back from its own tables: the per-role CPU per unit as
printed, to three decimals).
"""

import argparse
import json
import math
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ROLES = {"daphne": ("web",), "celery": ("worker", "beat"), "postgresql": ("data",), "redis": ("redis",), "haproxy": ("lb",)}


def last_line(path: Path, bench: str) -> dict:
    found = None
    for line in path.read_text().splitlines():
        if line.startswith("{"):
            row = json.loads(line)
            if row.get("bench") == bench:
                found = row
    if found is None:
        raise SystemExit(f"{path}: no line with bench={bench!r}")
    return found


INPUTS_OPEN = "<!-- inputs (the benchmarks' JSON lines this report was made from):"


def cluster_lines(path: Path) -> tuple[dict, dict]:
    """The `cluster` and `cluster-detail` lines of a bench output, or of a report made from one."""
    text = path.read_text()
    if "`make bench-cluster`: `" not in text or INPUTS_OPEN in text:
        return last_line(path, "cluster"), last_line(path, "cluster-detail")
    summary = json.loads(text.split("`make bench-cluster`: `", 1)[1].split("`", 1)[0])
    header = "| unit | " + " | ".join(ROLES) + " |"
    rows = text.split(header, 1)[1].strip().splitlines()[1:]
    # One pseudo-host per role, named by the role's first host prefix, so by_role gives the sums back.
    detail = {"bench": "cluster-detail"}
    for row in rows:
        unit, *values = (cell.strip() for cell in row.strip("|").split("|"))
        if unit in UNIT_KEYS:
            detail[UNIT_KEYS[unit]] = {hosts[0]: float(v) for hosts, v in zip(ROLES.values(), values, strict=True)}
    return summary, detail


UNIT_KEYS = {
    "connect": "cpu_ms_per_connect",
    "idle": "cpu_ms_per_idle_socket_minute",
    "delivery": "cpu_ms_per_message",
    "pairing": "cpu_ms_per_pairing",
}


def by_role(per_host: dict[str, float]) -> dict[str, float]:
    return {role: sum(v for host, v in per_host.items() if host.startswith(prefixes)) for role, prefixes in ROLES.items()}


def units_by_role(detail: dict) -> dict[str, dict[str, float]]:
    """The `cluster-detail` line's CPU ms per unit, summed by role: {unit: {role: ms}}."""
    return {name: by_role(detail[key]) for name, key in UNIT_KEYS.items()}


def whole(value: float) -> int:
    """Round up, ignoring float noise (21.000000000000004 cores / 0.7 is 30 pods, not 31)."""
    return math.ceil(round(value, 6))


def table(rows: list[tuple], header: tuple) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def model(units: dict, capacity: dict, prices: dict) -> dict:
    a = prices["assumptions"]
    event = a["event"]
    pairings_per_s = event["joins_per_s"] / 2
    redis_engine_ms = max(row["redis_cpu_ms_per_pairing"] for row in capacity["sizes"])

    def at_peak(role: str, *, pairing_ms_less: float = 0.0) -> float:
        """Cores a role needs at peak: every open socket's heartbeat, every delivery and every pairing."""
        return (
            event["online"] * units["idle"][role] / 60000
            + event["deliveries_per_s"] * units["delivery"][role] / 1000
            + pairings_per_s * max(0.0, units["pairing"][role] - pairing_ms_less) / 1000
        )

    cores = {
        "daphne": at_peak("daphne"),
        "celery": at_peak("celery"),
        "postgresql": at_peak("postgresql"),
        "redis (matching engine)": pairings_per_s * redis_engine_ms / 1000,
        # The rest of Redis's work: the channel layer, presence, rate limits, consent and the
        # dashboard's counters. The pairing phase's Redis time includes the engine's, counted above.
        "redis (chat, presence, counters)": at_peak("redis", pairing_ms_less=redis_engine_ms),
    }
    redis_cores = cores["redis (matching engine)"] + cores["redis (chat, presence, counters)"]
    pods = {role: whole(cores[role] / (a["pod_vcpu"] * a["target_utilisation"])) for role in ("daphne", "celery")}
    nodes = whole((pods["daphne"] + pods["celery"]) * a["pod_vcpu"] / a["node_vcpu"])
    redis_shards = whole(redis_cores / a["redis_usable_core"])
    aurora_vcpu = max(2, 2 ** math.ceil(math.log2(max(cores["postgresql"] / a["aurora_target_utilisation"], 1))))
    p = prices["prices_usd_per_hour"]
    fixed = (
        p["eks_cluster"]["value"]
        + redis_shards * a["redis_nodes_per_shard"] * p["redis_node"]["value"]
        + a["aurora_instances"] * aurora_vcpu * p["aurora_instance_per_vcpu"]["value"]
    )
    headroom = {
        "redis (one primary for the matching queues)": a["redis_usable_core"] / cores["redis (matching engine)"],
        "redis (one primary for chat, presence and counters)": a["redis_usable_core"] / cores["redis (chat, presence, counters)"],
        "postgresql (one Aurora writer, 64 vCPU)": 64 * a["aurora_target_utilisation"] / cores["postgresql"],
    }
    return {
        "cores": cores,
        "pods": pods,
        "nodes": nodes,
        "redis_shards": redis_shards,
        "aurora_vcpu": aurora_vcpu,
        "cost_on_demand": fixed + nodes * p["node_on_demand"]["value"],
        "cost_spot": fixed + nodes * p["node_spot"]["value"],
        "headroom": headroom,
        "redis_engine_ms": redis_engine_ms,
        "sockets_per_web_pod": whole(event["online"] / max(pods["daphne"], 1)),
        "connect_ms": units["connect"]["daphne"],
        "storm_s": event["online"] * units["connect"]["daphne"] / 1000 / max(pods["daphne"] * a["pod_vcpu"], 1),
    }


def engine_notes(capacity: dict) -> list[str]:
    rows = capacity["sizes"]
    rates = [row["pairings_per_s"] for row in rows]
    cpu = [row["redis_cpu_ms_per_pairing"] for row in rows]
    ceiling = min(row["redis_ceiling_pairings_per_s"] for row in rows)
    lines = [
        f"Target 10,000 pairings/s: measured {min(rates):,}–{max(rates):,}/s "
        f"({'met' if min(rates) >= 10_000 else 'not met'}); one Redis core's ceiling {ceiling:,}/s at the costliest size. "
        f"Flat within 20 %: measured rate {min(rates) / max(rates):.2f} of the fastest, Redis CPU per pairing "
        f"{min(cpu) / max(cpu):.2f} of the costliest ({'flat' if min(cpu) / max(cpu) >= 0.8 else 'not flat'}): "
        "the scans read by rank, so the queue's length costs little; what costs is the work per pairing.",
        "",
    ]
    machine = capacity.get("machine")
    if machine:
        lines += [
            f"Machine during the run: {machine['cpus']} CPUs, load average {machine['load_average_1m']}, "
            f"redis-server {machine['redis_us_per_set']} µs CPU per pipelined SET: compare machines by that figure, "
            "CPU per pairing scales with it.",
            "",
        ]
    by_command = rows[-1].get("redis_us_per_pairing_by_command")
    if by_command:
        lines += [
            f"Where redis-server's time goes per pairing at {rows[-1]['waiting']:,} waiting (µs; `evalsha` is the "
            "scripts' whole run, the other commands run inside them):",
            "",
            table([(name, usec) for name, usec in by_command.items()], ("command", "µs per pairing")),
            "",
        ]
    return lines


UNIT_NOTES = [
    "- Each unit has a phase of its own in `make bench-cluster`, before the faults, with every student on the "
    "event's lobby page until she has a room: *connect* is the connect storm divided by the sockets opened; "
    "*idle* per socket and minute with every socket open and nothing sent but the heartbeat (one heartbeat "
    "interval, so every socket pings once), half of the students in rooms and half in the lobby, as during an "
    "event; both net of what the cluster spends with nobody connected (beat's periodic tasks and the probes). "
    "*pairing* while half the students join with chat paused (the join's web, worker, database and Redis work, "
    "divided by the matches made), net of the same sockets idle in the lobby; *delivery* while those pairs chat "
    "and nobody joins, per message (each 1:1 message has one recipient), net of the idle phase. Every phase but "
    "the connect storm lasts whole heartbeat intervals, so it counts as many pings per socket as the idle phase "
    "it is net of.",
    "- *join + pairing, engine only*: redis-server CPU per pairing (two joins and one pairing script) in the "
    "capacity bench, the largest of its three queue sizes.",
]
BEYOND_ONE_NODE = (
    "Web and worker pods scale out; the single-node parts do not. Past that size the design must change. Today "
    "one Redis holds the channel layer, presence, rate limits, consent and the dashboard's counters, and each "
    "message costs it a few round trips besides the channel layer's publish. Then they move to primaries of "
    "their own; the channel layer spreads its channels and groups over several Redis primaries (channels-redis "
    "shards by consistent hashing over its `hosts` list); the counters are summed in each process and flushed "
    "once a second; the matching queues shard by event across primaries (cluster mode, one event's keys in one "
    "hash slot), and one event larger than one primary needs its queue split by bucket or the per-pairing work "
    "cut further."
)


def render(cluster: dict, detail: dict, capacity: dict, capacity_summary: dict, prices: dict) -> str:
    inputs = (detail, cluster, capacity, capacity_summary)
    units = units_by_role(detail)
    m = model(units, capacity, prices)
    out = [
        "# Capacity and cost model",
        "",
        "Generated by `scripts/capacity_report.py` from benchmark output; do not edit by hand.",
        "",
        *measured_section(cluster, capacity, capacity_summary),
        *units_section(units, m),
        *event_section(m, prices),
        *saturation_section(m),
        *assumptions_section(prices, inputs),
    ]
    return "\n".join(out)


def measured_section(cluster: dict, capacity: dict, capacity_summary: dict) -> list[str]:
    sizes = [
        (
            f"{row['waiting']:,}",
            f"{row['pairings_per_s']:,}",
            row["redis_cpu_ms_per_pairing"],
            f"{row['redis_ceiling_pairings_per_s']:,}",
        )
        for row in capacity["sizes"]
    ]
    header = (
        "waiting tickets",
        "pairings/s (measured)",
        "redis-server CPU ms per pairing",
        "one Redis core's ceiling, pairings/s",
    )
    return [
        "## Measured",
        "",
        f"`make bench-cluster`: `{json.dumps(cluster)}`",
        "",
        f"`make bench-matching ARGS=--capacity`: `{json.dumps(capacity_summary)}`",
        "",
        table(sizes, header),
        "",
        *engine_notes(capacity),
    ]


def units_section(units: dict, m: dict) -> list[str]:
    unit_rows = [(name, *(f"{units[name][role]:.3f}" for role in ROLES)) for name in ("connect", "idle", "delivery", "pairing")]
    unit_rows.append(("join + pairing, engine only", "", "", "", f"{m['redis_engine_ms']:.3f}", ""))
    return [
        "CPU milliseconds per unit, by component (sum over the cluster's hosts of that role):",
        "",
        table(unit_rows, ("unit", *ROLES)),
        "",
        *UNIT_NOTES,
        "",
    ]


def event_section(m: dict, prices: dict) -> list[str]:
    a, p = prices["assumptions"], prices["prices_usd_per_hour"]
    event = a["event"]
    costs = [("on-demand nodes", f"${m['cost_on_demand']:.2f}"), ("spot nodes", f"${m['cost_spot']:.2f}")]
    return [
        "## A nationwide event",
        "",
        f"{event['online']:,} students online, {event['joins_per_s']:,} joins/s and "
        f"{event['deliveries_per_s']:,} deliveries/s at peak ({event['joins_per_s'] // 2:,} pairings/s).",
        "",
        table([(role, f"{cores:.2f}") for role, cores in m["cores"].items()], ("component", "cores at peak")),
        "",
        "Each component's cores: students online × *idle* / 60,000 + deliveries/s × *delivery* / 1,000 + "
        "pairings/s × *pairing* / 1,000; Redis's pairing work is split between the matching engine (the "
        "capacity bench's figure) and the rest.",
        "",
        f"- web pods ({a['pod_vcpu']} vCPU, {a['target_utilisation']:.0%} target): **{m['pods']['daphne']}**, "
        f"about {m['sockets_per_web_pod']:,} sockets each; worker pods: **{m['pods']['celery']}**; "
        f"nodes ({p['node_on_demand']['instance']}): **{m['nodes']}**.",
        f"- Redis: **{m['redis_shards']}** primary shard(s) of {p['redis_node']['instance']} with a replica each.",
        f"- Aurora PostgreSQL: writer of **{m['aurora_vcpu']} vCPU** (and one reader), at {a['aurora_target_utilisation']:.0%}.",
        f"- Everyone connecting at once (the event's opening minute): "
        f"{event['online']:,} × {m['connect_ms']:.2f} ms of daphne CPU per connect is {m['storm_s']:.1f} s of the "
        f"{m['pods']['daphne']} web pods' whole CPU.",
        "",
        "Cost per event-hour (peak sized for the whole hour):",
        "",
        table(costs, ("EKS", "USD per hour")),
        "",
        "### Chart defaults derived from it",
        "",
        f"- web HPA: `targetAveragePerPod` of open sockets about {m['sockets_per_web_pod']:,}, "
        f"`maxReplicas` at least {m['pods']['daphne']}; CPU target {a['target_utilisation']:.0%}.",
        f"- worker (KEDA): `maxReplicaCount` at least {m['pods']['celery']}.",
        "",
    ]


def saturation_section(m: dict) -> list[str]:
    first = min(m["headroom"], key=m["headroom"].get)
    factors = [(name, f"{factor:.2f}x") for name, factor in m["headroom"].items()]
    return [
        "### What saturates first",
        "",
        table(factors, ("single-node component", "event size it takes")),
        "",
        f"**{first}** saturates first: at {m['headroom'][first]:.2f} times this event. {BEYOND_ONE_NODE}",
        "",
    ]


def assumptions_section(prices: dict, inputs: tuple[dict, ...]) -> list[str]:
    a, p = prices["assumptions"], prices["prices_usd_per_hour"]
    rows = [(name, f"${row['value']}", row.get("instance", ""), row["source"]) for name, row in p.items()]
    return [
        "## Assumptions and prices",
        "",
        f"Region {prices['region']}; prices {prices['checked']}.",
        "",
        table(rows, ("item", "USD/h", "what", "source")),
        "",
        *[f"- {key}: {value}" for key, value in a.items() if key != "event"],
        "",
        INPUTS_OPEN,
        *(json.dumps(line) for line in inputs),
        "-->",
        "",
    ]


def chart_targets(cluster: dict, detail: dict, capacity: dict, prices: dict) -> dict:
    """The chart's autoscaling defaults this model implies, keyed by their path in values.yaml.

    Written to docs/capacity_targets.json next to the report; deploy/capacity_targets.py (run by
    `make check-deploy` and tests/bench/test_capacity_targets.py) fails when values.yaml differs.
    """
    units = units_by_role(detail)
    m = model(units, capacity, prices)
    a = prices["assumptions"]
    cpu_percent = round(a["target_utilisation"] * 100)
    # A worker pod at its CPU target runs this many queued tasks a second; KEDA adds a replica per
    # that many tasks times the wait a queued task may have at peak.
    tasks_per_pod_s = a["pod_vcpu"] * a["target_utilisation"] * 1000 / units["pairing"]["celery"] * a["tasks_per_pairing"]
    return {
        "source": {"students": cluster.get("students"), "event": a["event"]},
        "values": {
            "web.autoscaling.maxReplicas": m["pods"]["daphne"],
            "web.autoscaling.targetCPUUtilizationPercentage": cpu_percent,
            "web.autoscaling.connections.targetAveragePerPod": str(m["sockets_per_web_pod"]),
            "worker.autoscaling.maxReplicas": m["pods"]["celery"],
            "worker.autoscaling.targetCPUUtilizationPercentage": cpu_percent,
            "worker.keda.maxReplicas": m["pods"]["celery"],
            "worker.keda.cpuUtilizationPercentage": cpu_percent,
            "worker.keda.listLength": str(max(1, math.floor(tasks_per_pod_s * a["worker_queue_wait_s"]))),
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cluster", type=Path, required=True)
    parser.add_argument("--capacity", type=Path, required=True)
    parser.add_argument("--prices", type=Path, default=ROOT / "docs" / "capacity_prices.json")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "capacity.md")
    parser.add_argument("--targets", type=Path, help="default: capacity_targets.json beside --out")
    args = parser.parse_args()
    cluster, detail = cluster_lines(args.cluster)
    capacity_detail = last_line(args.capacity, "matching-capacity-detail")
    prices = json.loads(args.prices.read_text())
    text = render(cluster, detail, capacity_detail, last_line(args.capacity, "matching-capacity"), prices)
    args.out.write_text(text)
    print(f"wrote {args.out}")
    targets = chart_targets(cluster, detail, capacity_detail, prices)
    targets_path = args.targets or args.out.with_name("capacity_targets.json")
    targets_path.write_text(json.dumps(targets, indent=2) + "\n")
    print(f"wrote {targets_path}: make values.yaml agree with it (make check-deploy fails otherwise)")


if __name__ == "__main__":
    main()
