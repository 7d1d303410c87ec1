"""What the services report as they work, for the server's metrics (server/metrics.py).

The services call an ``Observer``; the default one does nothing, so the services neither know
nor import Prometheus, and tests and embedders pay nothing. Each call sits where the fact is
known already (a claim, a commit, a fired timer) and costs a method call: the observer does the
counting. Gauges that the store can answer (backlog) or that live in memory (waiting polls)
are read when /metrics is scraped, not kept up to date on the hot path.
"""

from __future__ import annotations

from openswf.engine.state import ExecutionState


class Observer:
    """No-op base: the server's metrics override what they count."""

    def task_started(self, kind: str, domain: str, task_list: str, wait_s: float) -> None:
        """A poll claimed a task that waited ``wait_s`` seconds since it was scheduled."""

    def timer_lag(self, lag_s: float) -> None:
        """A batch of due timers fired ``lag_s`` seconds after the oldest of them fell due."""

    def committed(self, seconds: float) -> None:
        """An execution's transaction committed (as the service waited for it)."""

    def execution_started(self) -> None: ...

    def execution_closed(self, close_status: str) -> None: ...

    def store_error(self, error: str) -> None:
        """The store failed a request or a background job (unavailable, contended)."""


NO_OBSERVER = Observer()


def schedule_to_start_s(kind: str, scheduled_event_id: int, state: ExecutionState) -> float | None:
    """How long a just-claimed task waited: its Started time minus its Scheduled time, from
    the state the claim left (no extra read)."""
    task: object | None
    if kind == "decision":
        task = state.decision
    elif kind == "lambda":
        task = state.lambdas.get(scheduled_event_id)
    else:
        task = state.activities.get(scheduled_event_id)
    started = getattr(task, "started_ms", 0)
    scheduled = getattr(task, "scheduled_ms", 0)
    if not started:
        return None
    return max(0, started - scheduled) / 1000
