"""Prometheus metrics: what an operator needs to see the App is healthy.

One registry per process (tests build many apps, so nothing global), served at
`GET /metrics` by the web process and, with METRICS_PORT, by a standalone
worker. Names follow Prometheus conventions (`_total`, `_seconds`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


@dataclass
class Metrics:
    registry: CollectorRegistry = field(default_factory=CollectorRegistry)

    def __post_init__(self) -> None:
        r = self.registry
        self.deliveries = Counter(
            "release_roles_webhook_deliveries",
            "Webhook deliveries by event and outcome (accepted, duplicate, rejected).",
            ["event", "outcome"],
            registry=r,
        )
        self.evaluations = Counter(
            "release_roles_evaluations",
            "Finished jobs by kind and check conclusion.",
            ["kind", "conclusion"],
            registry=r,
        )
        self.evaluation_seconds = Histogram(
            "release_roles_evaluation_seconds",
            "Time from claiming a job to finishing it.",
            buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
            registry=r,
        )
        self.github_calls = Histogram(
            "release_roles_github_calls_per_evaluation",
            "GitHub API calls one pull-request evaluation made.",
            buckets=(2, 4, 6, 8, 10, 15, 20, 40, 80),
            registry=r,
        )
        self.retries = Counter(
            "release_roles_job_retries", "Jobs put back after a GitHub error.", registry=r
        )
        self.failures = Counter(
            "release_roles_jobs_failed",
            "Jobs that used up their attempts (their check shows the error).",
            registry=r,
        )
        self.loop_restarts = Counter(
            "release_roles_worker_loop_restarts",
            "Worker loops that died on an unexpected error and were started again.",
            registry=r,
        )
        self.loop_errors = Counter(
            "release_roles_worker_loop_errors",
            "Errors a worker loop met outside a job (the journal unreachable) and outlived.",
            registry=r,
        )
        self.loops = Gauge(
            "release_roles_worker_loops", "Worker loops running in this process.", registry=r
        )
        self.pending = Gauge(
            "release_roles_jobs_pending", "Jobs waiting or running in the journal.", registry=r
        )
