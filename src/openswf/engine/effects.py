"""What a transition asks the outside world to do besides recording events.

The services layer writes these in the same transaction as the events that cause them
(the transactional outbox of DESIGN.md, invariant 3).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, kw_only=True, slots=True)
class TaskSpec:
    """A decision or activity task to put on a task list."""

    kind: str  # "decision" | "activity"
    task_list: str
    priority: int
    scheduled_event_id: int
    payload: dict[str, Any] | None = None  # what the poll answer needs besides the state


@dataclass(frozen=True, kw_only=True, slots=True)
class TimerSpec:
    """``key`` names what is timed (``activity:7:HEARTBEAT``); one row per key and run."""

    key: str
    due_ms: int


@dataclass(kw_only=True)
class Effects:
    new_tasks: list[TaskSpec] = field(default_factory=list)
    done_tasks: list[tuple[str, int]] = field(default_factory=list)  # (kind, scheduledEventId)
    timers: list[TimerSpec] = field(default_factory=list)
    cleared_timers: list[str] = field(default_factory=list)
    closed: bool = False  # the run closed: drop all its task and timer rows
