"""The only write path to an execution (DESIGN.md invariant 1).

``apply`` loads the run's state and version, runs the engine, and commits the new events,
the state snapshot, the task rows and the timer rows in one transaction with an
expected-version check. After the commit it tells the matcher about new tasks and the timer
service about new timers: nothing is handed out before it is durable.
"""

from __future__ import annotations

import asyncio
import time
import weakref
from collections.abc import Callable
from dataclasses import replace

import orjson

from openswf.engine import commands as c
from openswf.engine.machine import handle, new_execution
from openswf.engine.transition import Outcome
from openswf.protocol.faults import UnknownResourceFault, WorkflowExecutionAlreadyStartedFault
from openswf.services.clock import Clock
from openswf.services.codec import decode_state, encode_event, encode_state
from openswf.services.observe import NO_OBSERVER, Observer
from openswf.storage.base import Store
from openswf.storage.records import (
    DuplicateOpenExecution,
    ExecutionCommit,
    ExecutionRow,
    NewTask,
    TaskRow,
    VersionConflict,
)

MAX_ATTEMPTS = 8


def changes_anything(outcome: Outcome, command: c.Command) -> bool:
    """Whether a transition must be written: new events, a re-armed timer (a heartbeat
    timeout that found a newer heartbeat), or a heartbeat (kept in the state, not history)."""
    return bool(outcome.events or outcome.effects.timers) or isinstance(command, c.RecordHeartbeat)


class HistoryService:
    def __init__(
        self,
        store: Store,
        clock: Clock,
        limits: c.Limits,
        *,
        on_tasks: Callable[[list[TaskRow]], None],
        on_timer: Callable[[int], None],
        observer: Observer = NO_OBSERVER,
    ) -> None:
        self._store = store
        self._clock = clock
        self._limits = limits
        self._on_tasks = on_tasks
        self._on_timer = on_timer
        self._observer = observer
        # One lock per run serialises this process's writers; the version check guards
        # against writers in other processes.
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()

    async def start(self, domain_id: int, command: c.StartExecution) -> Outcome:
        """Start a run (by StartWorkflowExecution, or a parent's StartChild decision)."""
        outcome = new_execution(command, self._clock.now_ms(), self._limits)
        try:
            await self._commit(new_run_row(domain_id, command, outcome), 0, outcome)
        except DuplicateOpenExecution as error:
            raise WorkflowExecutionAlreadyStartedFault() from error
        return outcome

    async def apply(self, run_id: str, command: c.Command) -> Outcome:
        lock = self._locks.get(run_id)
        if lock is None:
            lock = self._locks[run_id] = asyncio.Lock()
        async with lock:
            # A shared store may answer the first read from its row cache, which can be stale
            # (a peer it cannot see). A commit's version check catches a stale row; a refusal
            # or a "nothing to do" commits nothing, so it is judged again on a fresh read.
            fresh = not self._store.shared
            for _attempt in range(MAX_ATTEMPTS):
                row = await self._store.get_execution(run_id, cached=not fresh)
                if row is None:
                    raise UnknownResourceFault(f"Unknown execution: runId={run_id}")
                try:
                    outcome = handle(
                        decode_state(row.state), command, self._clock.now_ms(), self._limits
                    )
                except Exception:
                    if fresh:
                        raise
                    fresh = True
                    continue
                if not changes_anything(outcome, command):
                    if fresh:
                        return outcome
                    fresh = True
                    continue
                state = outcome.state
                new_row = replace(
                    row,
                    close_ms=state.close_ms,
                    close_status=state.close_status,
                    cancel_requested=state.cancel_requested,
                    version=row.version + 1,
                    state=encode_state(state),
                )
                try:
                    await self._commit(new_row, row.version, outcome)
                except VersionConflict:
                    continue  # another server wrote first: run the command on its state
                return outcome
        raise VersionConflict(run_id)

    async def _commit(self, row: ExecutionRow, expected_version: int, outcome: Outcome) -> None:
        started = time.perf_counter()
        created = await self._store.commit(self._execution_commit(row, expected_version, outcome))
        self._observe(started, expected_version, outcome)
        if created:
            self._on_tasks(created)
        due = [timer.due_ms for timer in outcome.effects.timers]
        if outcome.continued_as_new is not None:
            due += [timer.due_ms for timer in outcome.continued_as_new.effects.timers]
        if due:
            self._on_timer(min(due))

    def _observe(self, started: float, expected_version: int, outcome: Outcome) -> None:
        observer = self._observer
        observer.committed(time.perf_counter() - started)
        if expected_version == 0:
            observer.execution_started()
        if outcome.effects.closed and outcome.state.close_status:
            observer.execution_closed(outcome.state.close_status)
        if outcome.continued_as_new is not None:
            observer.execution_started()

    def _execution_commit(
        self, row: ExecutionRow, expected_version: int, outcome: Outcome
    ) -> ExecutionCommit:
        effects = outcome.effects
        successor = None
        if outcome.continued_as_new is not None:
            new_run = outcome.continued_as_new
            successor = self._execution_commit(continued_run_row(row, new_run), 0, new_run)
        return ExecutionCommit(
            row=row,
            expected_version=expected_version,
            events=[(event.event_id, encode_event(event)) for event in outcome.events],
            new_tasks=[
                NewTask(
                    kind=task.kind,
                    task_list=task.task_list,
                    priority=task.priority,
                    scheduled_event_id=task.scheduled_event_id,
                    payload=None if task.payload is None else orjson.dumps(task.payload),
                )
                for task in effects.new_tasks
            ],
            done_tasks=effects.done_tasks,
            timers=[(timer.key, timer.due_ms) for timer in effects.timers],
            cleared_timers=effects.cleared_timers,
            closed=effects.closed,
            successor=successor,
        )


def new_run_row(domain_id: int, command: c.StartExecution, outcome: Outcome) -> ExecutionRow:
    parent = command.parent or {}
    return ExecutionRow(
        run_id=command.run_id,
        domain_id=domain_id,
        workflow_id=command.workflow_id,
        type_name=command.workflow_type["name"],
        type_version=command.workflow_type["version"],
        start_ms=outcome.state.start_ms,
        close_ms=None,
        close_status=None,
        cancel_requested=False,
        parent_workflow_id=parent.get("workflowId"),
        parent_run_id=parent.get("runId"),
        tags=list(command.tag_list),
        version=1,
        state=encode_state(outcome.state),
    )


def continued_run_row(old: ExecutionRow, new_run: Outcome) -> ExecutionRow:
    state = new_run.state
    return ExecutionRow(
        run_id=state.run_id,
        domain_id=old.domain_id,
        workflow_id=state.workflow_id,
        type_name=state.workflow_type["name"],
        type_version=state.workflow_type["version"],
        start_ms=state.start_ms,
        close_ms=None,
        close_status=None,
        cancel_requested=False,
        parent_workflow_id=old.parent_workflow_id,
        parent_run_id=old.parent_run_id,
        tags=list(state.tag_list),
        version=1,
        state=encode_state(state),
    )
