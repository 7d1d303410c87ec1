"""The builder every command uses: append events, evolve the state, collect effects."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from openswf.engine.commands import Limits
from openswf.engine.effects import Effects, TaskSpec, TimerSpec
from openswf.engine.events import CLOSE_EVENTS, HistoryEvent
from openswf.engine.state import ActivityState, ExecutionState, evolve


class StaleTask(Exception):
    """A task row that no longer matches the execution: the poller skips it."""


def duration_ms(value: str) -> int | None:
    """A duration string in milliseconds; ``None`` for ``NONE`` (no limit)."""
    if value == "NONE" or value == "":
        return None
    return int(value) * 1000


@dataclass(kw_only=True)
class Outcome:
    events: list[HistoryEvent]
    effects: Effects
    state: ExecutionState
    reply: Any = None
    # A ContinueAsNewWorkflowExecution closed this run: the new run, written in the same
    # transaction so the workflowId is never free in between.
    continued_as_new: Outcome | None = None


@dataclass(kw_only=True)
class Transition:
    state: ExecutionState
    now_ms: int
    limits: Limits
    events: list[HistoryEvent] = field(default_factory=list)
    effects: Effects = field(default_factory=Effects)
    continued: Outcome | None = None

    def add(self, event_type: str, attributes: dict[str, Any]) -> HistoryEvent:
        event = HistoryEvent(
            event_id=self.state.next_event_id,
            timestamp_ms=self.now_ms,
            event_type=event_type,
            attributes=attributes,
        )
        evolve(self.state, event)
        self.events.append(event)
        if event_type in CLOSE_EVENTS:
            self._closed(event)
        return event

    def _closed(self, event: HistoryEvent) -> None:
        """What a closing run owes others: its parent hears of it (a run that continues as
        new stays the parent's child), and its open children get its child policy when it
        was terminated or timed out (reference §6.9)."""
        self.effects.closed = True
        state = self.state
        if state.parent is not None and event.event_type != "WorkflowExecutionContinuedAsNew":
            self.send("notify-parent")
        if event.event_type in ("WorkflowExecutionTerminated", "WorkflowExecutionTimedOut"):
            policy = event.attributes["childPolicy"]
            if state.children and policy != "ABANDON":
                self.send("child-policy:" + policy)

    def outcome(self, reply: Any = None) -> Outcome:
        self._enforce_history_limit()
        return Outcome(
            events=self.events,
            effects=self.effects,
            state=self.state,
            reply=reply,
            continued_as_new=self.continued,
        )

    # --- decision tasks -----------------------------------------------------------------

    def request_decision(self) -> None:
        """Something happened the decider must see (reference §6.4).

        With no decision task open, schedule one. A scheduled task absorbs the new events;
        a started one was flagged by ``evolve`` and is followed by a new task when it ends.
        """
        if self.state.is_open and self.state.decision is None:
            self.schedule_decision()

    def schedule_decision(self) -> None:
        state = self.state
        attrs: dict[str, Any] = {
            "taskList": {"name": state.task_list},
            "taskPriority": str(state.task_priority),
            "startToCloseTimeout": state.task_start_to_close_timeout,
        }
        s2s = state.override_schedule_to_start_timeout
        if s2s is not None:
            attrs["scheduleToStartTimeout"] = s2s
        event = self.add("DecisionTaskScheduled", attrs)
        self.effects.new_tasks.append(
            TaskSpec(
                kind="decision",
                task_list=state.task_list,
                priority=state.task_priority,
                scheduled_event_id=event.event_id,
            )
        )
        if s2s is not None:
            self.set_timer(f"decision:{event.event_id}:SCHEDULE_TO_START", s2s)

    # --- timers -------------------------------------------------------------------------

    def set_timer(self, key: str, duration: str, *, start_ms: int | None = None) -> None:
        delay = duration_ms(duration)
        if delay is not None:
            base = self.now_ms if start_ms is None else start_ms
            self.effects.timers.append(TimerSpec(key=key, due_ms=base + delay))

    def send(self, message: str) -> None:
        """A message to deliver to another execution once this transition commits: a row of
        the timers table due now (the outbox), handled by the relay service."""
        self.effects.timers.append(TimerSpec(key="msg:" + message, due_ms=self.now_ms))

    def clear_activity_timers(self, activity: ActivityState) -> None:
        prefix = f"activity:{activity.scheduled_event_id}:"
        for kind in ("SCHEDULE_TO_START", "SCHEDULE_TO_CLOSE", "START_TO_CLOSE", "HEARTBEAT"):
            self.effects.cleared_timers.append(prefix + kind)

    # --- limits -------------------------------------------------------------------------

    def _enforce_history_limit(self) -> None:
        state = self.state
        if state.is_open and state.next_event_id >= self.limits.max_history_events:
            self.add(
                "WorkflowExecutionTerminated",
                {"childPolicy": state.child_policy, "cause": "EVENT_LIMIT_EXCEEDED"},
            )
