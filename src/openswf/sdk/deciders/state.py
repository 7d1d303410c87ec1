"""Where a task graph stands, rebuilt from a workflow's history (replay).

``GraphState.replay(tasks, events)`` walks the events once, oldest first, and finds for each
task its attempts, whether one is open, its result, its failures, and whether it waits for
a retry. Generators are expanded at the event that completes them, so the events of the
tasks they generated, which come later, find their tasks. Nothing here sends anything:
``graph.py`` turns the state into decisions.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from openswf.sdk.converter import loads
from openswf.sdk.graph import MAX_ID, Generator, Task, task_from_dict
from openswf.sdk.history import Event, attributes

log = logging.getLogger("openswf.sdk.decider")

# ScheduleActivityTask / StartTimer / StartChild failures that pass: try again next time.
TRANSIENT_CAUSES = frozenset(
    {
        "ACTIVITY_CREATION_RATE_EXCEEDED",
        "OPEN_ACTIVITIES_LIMIT_EXCEEDED",
        "TIMER_CREATION_RATE_EXCEEDED",
        "OPEN_TIMERS_LIMIT_EXCEEDED",
        "CHILD_CREATION_RATE_EXCEEDED",
        "OPEN_CHILDREN_LIMIT_EXCEEDED",
        "OPEN_WORKFLOWS_LIMIT_EXCEEDED",
    }
)

# Task statuses.
PENDING = "pending"  # not started yet, or ready for its next attempt
OPEN = "open"  # an attempt is running (scheduled, started, armed, initiated)
BACKOFF = "backoff"  # failed, retries after a delay whose timer is not armed yet
BACKOFF_TIMER = "backoff_timer"  # the retry timer is armed
COMPLETED = "completed"
FAILED = "failed"  # failed for good


def short_id(prefix: str, task_id: str) -> str:
    """``prefix + task_id`` within SWF's 256 characters (hashing the id if needed)."""
    name = prefix + task_id
    if len(name) <= MAX_ID:
        return name
    return prefix + hashlib.sha1(task_id.encode(), usedforsecurity=False).hexdigest()


@dataclass
class TaskState:
    task: Task
    status: str = PENDING
    attempts: int = 0
    result: Any = None
    failures: list[dict[str, Any]] = field(default_factory=list)
    retry_delay: int = 0
    generated: list[str] | None = None
    generator: str | None = None  # the generator that made this task, if one did
    child_run_id: str | None = None

    @property
    def last_failure(self) -> dict[str, Any] | None:
        return self.failures[-1] if self.failures else None


class GraphState:
    def __init__(self, tasks: Iterable[Task], *, retry_key: str = "") -> None:
        self.states: dict[str, TaskState] = {}
        self.retry_key = retry_key
        self.cancel_requested = False
        self.signals: list[tuple[int, str, Any]] = []  # (event id, name, decoded input)
        self.errors: list[str] = []
        self._by_scheduled: dict[int, str] = {}
        self._by_timer: dict[int, tuple[str, str]] = {}  # TimerStarted id -> (kind, task id)
        self._by_initiated: dict[int, str] = {}
        for task in tasks:
            self.states[task.id] = TaskState(task)

    @classmethod
    def replay(
        cls, tasks: Iterable[Task], events: Iterable[Event], *, retry_key: str = ""
    ) -> GraphState:
        state = cls(tasks, retry_key=retry_key)
        for event in events:
            state.apply(event)
        return state

    # --- queries -------------------------------------------------------------------------

    def done(self, task_id: str) -> bool:
        st = self.states.get(task_id)
        if st is None or st.status != COMPLETED:
            return False
        return st.generated is None or all(self.done(g) for g in st.generated)

    def ready(self, st: TaskState) -> bool:
        # A generated task waits for its generator's activity only (the generator, in
        # turn, counts as done once everything it generated is).
        return st.status == PENDING and all(
            self.states[r].status == COMPLETED if r == st.generator else self.done(r)
            for r in st.task.requires
        )

    def context_requires(self, st: TaskState) -> list[str]:
        """The requirements whose results a task sees (not its own generator)."""
        return [r for r in st.task.requires if r != st.generator]

    def results_of(self, task_id: str) -> dict[str, Any]:
        """What a dependent of ``task_id`` sees: its result, or for a generator the
        results of everything it generated."""
        st = self.states[task_id]
        if st.generated is not None:
            out: dict[str, Any] = {}
            for generated in st.generated:
                out.update(self.results_of(generated))
            return out
        if st.task.kind == "timer":
            return {}
        return {task_id: st.result}

    def all_done(self) -> bool:
        return all(self.done(task_id) for task_id in self.states)

    def progress(self) -> dict[str, int]:
        counts = {"total": len(self.states), "done": 0, "running": 0, "failed": 0, "pending": 0}
        for st in self.states.values():
            if st.status == COMPLETED:
                counts["done"] += 1
            elif st.status == FAILED:
                counts["failed"] += 1
            elif st.status in (OPEN, BACKOFF, BACKOFF_TIMER):
                counts["running"] += 1
            else:
                counts["pending"] += 1
        return counts

    # --- replay --------------------------------------------------------------------------

    def _ended(self, st: TaskState, outcome: str, reason: str | None, details: Any) -> None:
        st.failures.append(
            {"attempt": st.attempts, "outcome": outcome, "reason": reason, "details": details}
        )
        retry = st.task.retry
        if retry is not None and retry.should_retry(st.attempts, outcome, reason):
            st.retry_delay = retry.delay_before(st.attempts + 1, f"{self.retry_key}/{st.task.id}")
            st.status = BACKOFF if st.retry_delay > 0 else PENDING
        else:
            st.status = FAILED

    def _schedule_failed(self, st: TaskState, cause: str) -> None:
        if cause in TRANSIENT_CAUSES:
            st.status = PENDING
            return
        st.failures.append(
            {"attempt": st.attempts, "outcome": "failed", "reason": cause, "details": None}
        )
        st.status = FAILED

    def _completed(self, st: TaskState, result: Any) -> None:
        st.status = COMPLETED
        st.result = result
        if isinstance(st.task, Generator) and st.generated is None:
            self._expand(st)

    def _expand(self, st: TaskState) -> None:
        st.generated = []
        specs = st.result if isinstance(st.result, list) else []
        if not isinstance(st.result, list):
            self.errors.append(f"generator {st.task.id} returned {type(st.result).__name__}")
        for spec in specs:
            try:
                data = dict(spec)
                data["requires"] = [*data.get("requires", ()), st.task.id]
                task = task_from_dict(data)
            except (TypeError, ValueError, KeyError) as error:
                self.errors.append(f"generator {st.task.id} made a bad task: {error}")
                continue
            task_id, n = task.id, 1
            while task_id in self.states:
                n += 1
                task_id = f"{task.id}#{n}"
            if task_id != task.id:
                task.id = task_id
            self.states[task_id] = TaskState(task, generator=st.task.id)
            st.generated.append(task_id)

    def apply(self, event: Event) -> None:
        kind = event["eventType"]
        handler = _HANDLERS.get(kind)
        if handler is not None:
            handler(self, int(event["eventId"]), attributes(event))

    def _task(self, task_id: str | None) -> TaskState | None:
        st = self.states.get(task_id or "")
        if st is None and task_id:
            log.debug("history names task %r, which the graph does not have", task_id)
        return st

    def _activity_scheduled(self, event_id: int, attrs: Mapping[str, Any]) -> None:
        st = self._task(attrs.get("activityId"))
        if st is not None:
            st.attempts += 1
            st.status = OPEN
            self._by_scheduled[event_id] = st.task.id

    def _schedule_activity_failed(self, event_id: int, attrs: Mapping[str, Any]) -> None:
        st = self._task(attrs.get("activityId"))
        if st is not None:
            self._schedule_failed(st, str(attrs.get("cause", "")))

    def _activity_closed(self, event_id: int, attrs: Mapping[str, Any], outcome: str) -> None:
        st = self._task(self._by_scheduled.get(int(attrs.get("scheduledEventId", 0))))
        if st is None:
            return
        if outcome == "completed":
            self._completed(st, loads(attrs.get("result")))
        elif outcome == "failed":
            self._ended(st, "failed", attrs.get("reason"), loads(attrs.get("details")))
        elif outcome == "timed_out":
            reason = attrs.get("timeoutType")
            self._ended(st, "timed_out", reason, loads(attrs.get("details")))
        else:
            self._ended(st, "canceled", None, loads(attrs.get("details")))

    def _timer_started(self, event_id: int, attrs: Mapping[str, Any]) -> None:
        control = loads(attrs.get("control"))
        if not isinstance(control, dict):
            return
        if "retry" in control:
            st = self._task(control["retry"])
            if st is not None:
                st.status = BACKOFF_TIMER
                self._by_timer[event_id] = ("retry", st.task.id)
        elif "timer" in control:
            st = self._task(control["timer"])
            if st is not None:
                st.attempts += 1
                st.status = OPEN
                self._by_timer[event_id] = ("timer", st.task.id)

    def _timer_fired(self, event_id: int, attrs: Mapping[str, Any]) -> None:
        kind, task_id = self._by_timer.get(int(attrs.get("startedEventId", 0)), ("", ""))
        st = self._task(task_id)
        if st is not None:
            if kind == "retry":
                st.status = PENDING
            else:
                self._completed(st, None)

    def _timer_canceled(self, event_id: int, attrs: Mapping[str, Any]) -> None:
        kind, task_id = self._by_timer.get(int(attrs.get("startedEventId", 0)), ("", ""))
        st = self._task(task_id)
        if st is not None and kind == "timer":
            self._ended(st, "canceled", "timer canceled", None)

    def _start_timer_failed(self, event_id: int, attrs: Mapping[str, Any]) -> None:
        timer_id = str(attrs.get("timerId", ""))
        cause = str(attrs.get("cause", ""))
        for st in self.states.values():
            if st.status == BACKOFF and timer_id == retry_timer_id(st):
                st.status = PENDING  # retry without the delay rather than not at all
                return
            if st.task.kind == "timer" and timer_id == st.task.id and st.status == PENDING:
                self._schedule_failed(st, cause)
                return

    def _child_initiated(self, event_id: int, attrs: Mapping[str, Any]) -> None:
        control = loads(attrs.get("control"))
        st = self._task(control.get("task") if isinstance(control, dict) else None)
        if st is not None:
            st.attempts += 1
            st.status = OPEN
            self._by_initiated[event_id] = st.task.id

    def _start_child_failed(self, event_id: int, attrs: Mapping[str, Any]) -> None:
        control = loads(attrs.get("control"))
        task_id = control.get("task") if isinstance(control, dict) else None
        task_id = task_id or self._by_initiated.get(int(attrs.get("initiatedEventId", 0)))
        st = self._task(task_id)
        if st is not None:
            if st.status == PENDING:  # failed before any Initiated event: count the attempt
                st.attempts += 1
            self._schedule_failed(st, str(attrs.get("cause", "")))

    def _child_event(self, event_id: int, attrs: Mapping[str, Any], outcome: str) -> None:
        st = self._task(self._by_initiated.get(int(attrs.get("initiatedEventId", 0))))
        if st is None:
            return
        if outcome == "started":
            st.child_run_id = attrs.get("workflowExecution", {}).get("runId")
        elif outcome == "completed":
            self._completed(st, loads(attrs.get("result")))
        elif outcome == "failed":
            self._ended(st, "failed", attrs.get("reason"), loads(attrs.get("details")))
        elif outcome == "timed_out":
            self._ended(st, "timed_out", attrs.get("timeoutType"), None)
        elif outcome == "canceled":
            self._ended(st, "canceled", None, loads(attrs.get("details")))
        else:  # terminated
            self._ended(st, "failed", "ChildWorkflowExecutionTerminated", None)

    def _cancel_requested(self, event_id: int, attrs: Mapping[str, Any]) -> None:
        self.cancel_requested = True

    def _signaled(self, event_id: int, attrs: Mapping[str, Any]) -> None:
        self.signals.append((event_id, str(attrs.get("signalName")), loads(attrs.get("input"))))


def retry_timer_id(st: TaskState) -> str:
    return short_id(f"retry-{st.attempts + 1}-", st.task.id)


def _closed(outcome: str) -> Any:
    return lambda s, i, a: s._activity_closed(i, a, outcome)


def _child(outcome: str) -> Any:
    return lambda s, i, a: s._child_event(i, a, outcome)


_HANDLERS: dict[str, Any] = {
    "ActivityTaskScheduled": GraphState._activity_scheduled,
    "ScheduleActivityTaskFailed": GraphState._schedule_activity_failed,
    "ActivityTaskCompleted": _closed("completed"),
    "ActivityTaskFailed": _closed("failed"),
    "ActivityTaskTimedOut": _closed("timed_out"),
    "ActivityTaskCanceled": _closed("canceled"),
    "TimerStarted": GraphState._timer_started,
    "TimerFired": GraphState._timer_fired,
    "TimerCanceled": GraphState._timer_canceled,
    "StartTimerFailed": GraphState._start_timer_failed,
    "StartChildWorkflowExecutionInitiated": GraphState._child_initiated,
    "StartChildWorkflowExecutionFailed": GraphState._start_child_failed,
    "ChildWorkflowExecutionStarted": _child("started"),
    "ChildWorkflowExecutionCompleted": _child("completed"),
    "ChildWorkflowExecutionFailed": _child("failed"),
    "ChildWorkflowExecutionTimedOut": _child("timed_out"),
    "ChildWorkflowExecutionCanceled": _child("canceled"),
    "ChildWorkflowExecutionTerminated": _child("terminated"),
    "WorkflowExecutionCancelRequested": GraphState._cancel_requested,
    "WorkflowExecutionSignaled": GraphState._signaled,
}
