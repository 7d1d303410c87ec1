"""Prometheus metrics (``GET /metrics``) and readiness (``GET /readyz``).

``Metrics`` is the services' ``Observer`` (services/observe.py) backed by prometheus_client,
plus the per-request count and latency the server edge measures. Each metric lives in a
registry of its own (so several servers in one process do not collide). On the hot path
a label child is looked up once and cached, so an observation costs a dict lookup and an
increment. The gauges that the store or memory can answer (backlog, waiting polls) are read
at scrape time instead of being kept up to date.

Label cardinality is bounded: the first ``metrics_max_domains`` domains and
``metrics_max_task_lists`` task lists seen get their own label values, later ones are
counted under ``other``. docs/operations.md lists every metric.
"""

from __future__ import annotations

import asyncio
import logging
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import orjson
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from openswf.server.dispatch import operation_of
from openswf.services.observe import Observer
from openswf.services.service import SwfService
from openswf.services.settings import Settings

log = logging.getLogger("openswf.metrics")

OTHER = "other"
READY_TIMEOUT_S = 5.0
# Requests: fast calls in ms, long polls up to their 60 s hold.
REQUEST_BUCKETS = (
    0.001,
    0.0025,
    0.005,
    0.01,
    0.025,
    0.05,
    0.1,
    0.25,
    0.5,
    1,
    2.5,
    5,
    10,
    30,
    60,
    70,
)
WAIT_BUCKETS = (0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 3600)
LAG_BUCKETS = (0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300)
COMMIT_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5)
BATCH_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128, 256)


class BoundedLabel:
    """The first ``limit`` distinct values pass; every later one is ``other``."""

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._seen: set[str] = set()

    def __call__(self, value: str) -> str:
        if value in self._seen:
            return value
        if len(self._seen) < self._limit:
            self._seen.add(value)
            return value
        return OTHER


def _fault_of(status: int, payload: bytes) -> str:
    if status == 200:
        return "none"
    try:
        wire_type = str(orjson.loads(payload).get("__type", ""))
    except (orjson.JSONDecodeError, AttributeError):
        return f"HTTP{status}"
    return wire_type.rsplit("#", 1)[-1] or f"HTTP{status}"


class Metrics(Observer):
    def __init__(self, settings: Settings) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.domain_label = BoundedLabel(settings.metrics_max_domains)
        self.task_list_label = BoundedLabel(settings.metrics_max_task_lists)
        self._operations: frozenset[str] = frozenset()
        r = self.registry
        self.requests = Counter(
            "openswf_requests",
            "SWF API requests answered, by operation and fault (none: success).",
            ["operation", "fault"],
            registry=r,
        )
        self.request_seconds = Histogram(
            "openswf_request_duration_seconds",
            "Time to answer an SWF API request (long polls include their wait).",
            ["operation"],
            buckets=REQUEST_BUCKETS,
            registry=r,
        )
        self.polls_waiting = Gauge(
            "openswf_polls_waiting",
            "Long polls waiting for a task on this server, by task kind and list.",
            ["kind", "domain", "task_list"],
            registry=r,
        )
        self.backlog = Gauge(
            "openswf_task_backlog",
            "Tasks scheduled and not yet started, in the store, by kind and list.",
            ["kind", "domain", "task_list"],
            registry=r,
        )
        self.schedule_to_start = Histogram(
            "openswf_task_schedule_to_start_seconds",
            "How long a task waited between scheduled and started (claimed by a poll).",
            ["kind", "domain", "task_list"],
            buckets=WAIT_BUCKETS,
            registry=r,
        )
        self.timer_lag_seconds = Histogram(
            "openswf_timer_lag_seconds",
            "How late timers and timeouts fire: now minus the due time of a batch's oldest.",
            buckets=LAG_BUCKETS,
            registry=r,
        )
        self.commit_seconds = Histogram(
            "openswf_commit_duration_seconds",
            "Time an execution's transaction took to commit, as the request waited for it.",
            buckets=COMMIT_BUCKETS,
            registry=r,
        )
        self.batch_size = Histogram(
            "openswf_commit_batch_size",
            "Transactions per group commit (SQLite: one fsync for the whole batch).",
            buckets=BATCH_BUCKETS,
            registry=r,
        )
        self.batch_seconds = Histogram(
            "openswf_commit_batch_duration_seconds",
            "Time one group commit took on the writer thread (SQLite).",
            buckets=COMMIT_BUCKETS,
            registry=r,
        )
        self.started = Counter(
            "openswf_executions_started", "Workflow executions started.", registry=r
        )
        self.closed = Counter(
            "openswf_executions_closed",
            "Workflow executions closed, by close status.",
            ["status"],
            registry=r,
        )
        self.store_errors = Counter(
            "openswf_store_errors",
            "Store failures: requests answered 503 (unavailable, contended) and background "
            "jobs that could not read the store.",
            ["error"],
            registry=r,
        )
        info = Gauge("openswf_info", "The openswf version serving.", ["version"], registry=r)
        info.labels(_version()).set(1)
        self.ready = Gauge(
            "openswf_ready", "1 when the store answered the last readiness check.", registry=r
        )
        self._request_children: dict[tuple[str, str], tuple[Any, Any]] = {}
        self._wait_children: dict[tuple[str, str, str], Any] = {}
        self._closed_children: dict[str, Any] = {}

    def bind(self, service: SwfService) -> None:
        """Hook what only the service and its store know (called once it has started)."""
        self._operations = frozenset(service.handlers)
        observe_batches = getattr(service.store, "observe_batches", None)
        if observe_batches is not None:
            observe_batches(self._batch)

    # --- the server edge ----------------------------------------------------------------

    def request(self, target: str | None, status: int, payload: bytes, seconds: float) -> None:
        fault = _fault_of(status, payload) if status != 200 else "none"
        key = (target or "", fault)
        children = self._request_children.get(key)
        if children is None:
            operation = operation_of(target) or ""
            if operation not in self._operations:
                operation = "unknown"  # any X-Amz-Target would otherwise be a new series
            children = (
                self.requests.labels(operation, fault),
                self.request_seconds.labels(operation),
            )
            if len(self._request_children) < 4096:
                self._request_children[key] = children
        children[0].inc()
        children[1].observe(seconds)

    # --- Observer -----------------------------------------------------------------------

    def task_started(self, kind: str, domain: str, task_list: str, wait_s: float) -> None:
        key = (kind, domain, task_list)
        child = self._wait_children.get(key)
        if child is None:
            child = self.schedule_to_start.labels(
                kind, self.domain_label(domain), self.task_list_label(task_list)
            )
            if len(self._wait_children) < 4096:
                self._wait_children[key] = child
        child.observe(wait_s)

    def timer_lag(self, lag_s: float) -> None:
        self.timer_lag_seconds.observe(lag_s)

    def committed(self, seconds: float) -> None:
        self.commit_seconds.observe(seconds)

    def execution_started(self) -> None:
        self.started.inc()

    def execution_closed(self, close_status: str) -> None:
        child = self._closed_children.get(close_status)
        if child is None:
            child = self._closed_children[close_status] = self.closed.labels(close_status)
        child.inc()

    def store_error(self, error: str) -> None:
        self.store_errors.labels(error).inc()

    def _batch(self, size: int, seconds: float) -> None:  # on SQLite's writer thread
        self.batch_size.observe(size)
        self.batch_seconds.observe(seconds)

    # --- scrape time --------------------------------------------------------------------

    async def refresh(self, service: SwfService) -> None:
        """Set the gauges read at scrape time: waiting polls (memory) and backlog (store)."""
        waiting: dict[tuple[str, str, str], float] = {}
        if service.matching is not None:
            names = service.registry.domain_names() if service.registry else {}
            for (domain_id, kind, task_list), count in service.matching.pollers().items():
                key = self._labels(kind, names.get(domain_id, str(domain_id)), task_list)
                waiting[key] = waiting.get(key, 0) + count
        _replace(self.polls_waiting, waiting)
        backlog: dict[tuple[str, str, str], float] = {}
        try:
            # Sorted: which lists get their own label does not depend on the store's order.
            for domain, kind, task_list, count in sorted(await service.store.task_counts()):
                key = self._labels(kind, domain, task_list)
                backlog[key] = backlog.get(key, 0) + count
        except Exception as error:  # the store is away: say so, keep the last backlog
            log.warning("cannot read the backlog for metrics: %r", error)
            self.store_error("metrics")
            return
        _replace(self.backlog, backlog)

    def _labels(self, kind: str, domain: str, task_list: str) -> tuple[str, str, str]:
        return kind, self.domain_label(domain), self.task_list_label(task_list)

    def render(self) -> bytes:
        return generate_latest(self.registry)


def _replace(gauge: Gauge, values: dict[tuple[str, str, str], float]) -> None:
    gauge.clear()  # lists that emptied since the last scrape disappear
    for labels, value in values.items():
        gauge.labels(*labels).set(value)


def _version() -> str:
    try:
        return version("openswf")
    except PackageNotFoundError:
        return "unknown"


async def check_ready(service: SwfService) -> str | None:
    """None when the service has started and its store answers; else why not."""
    if not service.handlers:
        return "starting"
    try:
        await asyncio.wait_for(
            service.store.count_domains(service.settings.default_region), READY_TIMEOUT_S
        )
    except Exception as error:
        return f"store: {error!r}"
    return None


def routes(service: SwfService, metrics: Metrics | None) -> list[Route]:
    """``/readyz`` and (with metrics) ``/metrics``, for the Starlette part of the app."""

    async def readyz(request: Request) -> Response:
        problem = await check_ready(service)
        if metrics is not None:
            metrics.ready.set(0 if problem else 1)
        if problem:
            return JSONResponse({"status": "unavailable", "reason": problem}, status_code=503)
        return JSONResponse({"status": "ready"})

    async def scrape(request: Request) -> Response:
        assert metrics is not None
        if service.handlers:
            await metrics.refresh(service)
        return Response(metrics.render(), media_type=CONTENT_TYPE_LATEST)

    found = [Route("/readyz", readyz, methods=["GET", "HEAD"])]
    if metrics is not None:
        found.append(Route("/metrics", scrape, methods=["GET"]))
    return found
