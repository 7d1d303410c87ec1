"""Messages between executions: starting children, signals and cancels to other executions,
telling parents that a child closed, and applying child policies.

A transition that owes another execution something writes a ``msg:`` row in the timers
table, due at once, in the same transaction as its events (the outbox). The timer service
hands those rows here. Each delivery is two writes through the one write path (the target's,
then the source's), so every handler is idempotent: a relay that dies between the two runs
the message again, finds what it already did, and only finishes the job.
"""

from __future__ import annotations

import hashlib
from typing import Any

from openswf.engine import commands as c
from openswf.engine.events import CLOSE_EVENTS, HistoryEvent
from openswf.engine.state import ChildState, ExecutionState
from openswf.protocol import faults
from openswf.services.codec import decode_event, decode_state
from openswf.services.history import HistoryService
from openswf.services.settings import Settings
from openswf.storage.base import Store
from openswf.storage.records import MESSAGE_PREFIX, ExecutionQuery, ExecutionRow


class RelayService:
    def __init__(self, store: Store, history: HistoryService, settings: Settings) -> None:
        self._store = store
        self._history = history
        self._settings = settings

    async def deliver(self, run_id: str, key: str) -> None:
        """Carry out one outbox message of run ``run_id``. Safe to run more than once."""
        source = await self._store.get_execution(run_id)
        if source is None:
            return  # purged: nobody is left to act for
        state = decode_state(source.state)
        kind, _, argument = key[len(MESSAGE_PREFIX) :].partition(":")
        if kind == "start-child":
            await self._start_child(source, state, int(argument))
        elif kind in ("signal", "cancel"):
            await self._external(kind, source, state, int(argument))
        elif kind == "notify-parent":
            await self._notify_parent(source, state)
        elif kind == "child-policy":
            await self._apply_child_policy(source, state, argument)

    async def _event(self, run_id: str, event_id: int) -> HistoryEvent:
        rows = await self._store.read_events(
            run_id, after=event_id - 1, before=event_id + 1, limit=1, reverse=False
        )
        return decode_event(rows[0][1])

    async def _event_attributes(self, run_id: str, event_id: int) -> dict[str, Any]:
        return (await self._event(run_id, event_id)).attributes

    async def _apply_quietly(self, run_id: str, command: c.Command) -> bool:
        """Apply a command to a run that may have closed or gone meanwhile."""
        try:
            await self._history.apply(run_id, command)
        except faults.UnknownResourceFault:
            return False
        return True

    # --- children -------------------------------------------------------------------------

    async def _start_child(
        self, parent: ExecutionRow, state: ExecutionState, initiated: int
    ) -> None:
        child = state.children.get(initiated)
        if not state.is_open or child is None or child.run_id is not None:
            return  # done before, or the parent closed: a closed parent starts nothing
        run_id = child_run_id(parent.run_id, initiated)
        if await self._settle_if_started(parent, run_id, initiated):
            return
        if await self._settle_if_running(parent, child.workflow_id, initiated):
            return
        limit = self._settings.max_open_executions_per_domain
        if await self._store.count_open_executions(parent.domain_id) >= limit:
            await self._history.apply(
                parent.run_id,
                c.ChildStartFailed(
                    initiated_event_id=initiated, cause="OPEN_WORKFLOWS_LIMIT_EXCEEDED"
                ),
            )
            return
        attrs = await self._event_attributes(parent.run_id, initiated)
        command = _child_start_command(child, attrs, parent, initiated, run_id)
        try:
            await self._history.start(parent.domain_id, command)
        except faults.WorkflowExecutionAlreadyStartedFault:
            # The workflowId was taken between our look and our start: by another relay
            # delivering this same message (then it is our child), or by someone else.
            if not await self._settle_if_started(parent, run_id, initiated):
                await self._settle_if_running(parent, child.workflow_id, initiated)
            return
        await self._history.apply(
            parent.run_id, c.ChildStarted(initiated_event_id=initiated, run_id=command.run_id)
        )
        # The parent may have been terminated while the child started: its child-policy
        # message found no child to act on then, so the policy is applied here.
        current = await self._store.get_execution(parent.run_id)
        if current is not None and not current.is_open:
            policy = await self._closing_child_policy(current)
            if policy is not None:
                await self._apply_policy_to(command.run_id, policy)

    async def _settle_if_started(self, parent: ExecutionRow, run_id: str, initiated: int) -> bool:
        """If this message's child run exists, whatever its state (it may have closed, or
        continued as new, since an earlier delivery started it), record its start."""
        existing = await self._store.get_execution(run_id)
        if existing is None or not _is_child_of(existing, parent, initiated):
            return False
        await self._history.apply(
            parent.run_id, c.ChildStarted(initiated_event_id=initiated, run_id=run_id)
        )
        return True

    async def _settle_if_running(
        self, parent: ExecutionRow, workflow_id: str, initiated: int
    ) -> bool:
        """If a run of ``workflow_id`` is open, record what it means for the parent (our
        child started, or the id is taken) and say so."""
        existing = await self._store.find_execution(parent.domain_id, workflow_id, None)
        if existing is None:
            return False
        command: c.Command
        if _is_child_of(existing, parent, initiated):
            command = c.ChildStarted(initiated_event_id=initiated, run_id=existing.run_id)
        else:
            command = c.ChildStartFailed(
                initiated_event_id=initiated, cause="WORKFLOW_ALREADY_RUNNING"
            )
        await self._history.apply(parent.run_id, command)
        return True

    async def _notify_parent(self, child: ExecutionRow, state: ExecutionState) -> None:
        if state.parent is None:
            return
        rows = await self._store.read_events(
            child.run_id, after=0, before=2**62, limit=1, reverse=True
        )
        close = decode_event(rows[0][1])
        if close.event_type not in CLOSE_EVENTS:
            return
        await self._apply_quietly(
            state.parent["runId"],
            c.ChildClosed(
                initiated_event_id=state.parent_initiated_event_id,
                run_id=child.run_id,
                close_event=close.event_type,
                attributes=close.attributes,
            ),
        )

    async def _closing_child_policy(self, run: ExecutionRow) -> str | None:
        """The child policy a closed run applies: only termination and time-out apply one."""
        rows = await self._store.read_events(
            run.run_id, after=0, before=2**62, limit=1, reverse=True
        )
        close = decode_event(rows[0][1])
        if close.event_type not in ("WorkflowExecutionTerminated", "WorkflowExecutionTimedOut"):
            return None
        policy: str = close.attributes["childPolicy"]
        return None if policy == "ABANDON" else policy

    async def _apply_child_policy(
        self, parent: ExecutionRow, state: ExecutionState, policy: str
    ) -> None:
        for child in state.children.values():
            # A child that continued as new is the open run of its workflowId now; one whose
            # start is being delivered right now is found the same way (or applies the
            # policy itself once started, see _start_child).
            run = await self._store.find_execution(parent.domain_id, child.workflow_id, None)
            if run is None or run.parent_run_id != parent.run_id:
                continue
            await self._apply_policy_to(run.run_id, policy)

    async def _apply_policy_to(self, run_id: str, policy: str) -> None:
        command: c.Command
        if policy == "TERMINATE":
            command = c.TerminateExecution(cause="CHILD_POLICY_APPLIED")
        else:
            command = c.RequestCancelExecution(cause="CHILD_POLICY_APPLIED")
        await self._apply_quietly(run_id, command)

    # --- signals and cancels to other executions ---------------------------------------------

    async def _external(
        self, kind: str, source: ExecutionRow, state: ExecutionState, initiated: int
    ) -> None:
        pending = (state.signals_out if kind == "signal" else state.cancels_out).get(initiated)
        if not state.is_open or pending is None:
            return
        target = await self._store.find_execution(
            source.domain_id, pending.workflow_id, pending.run_id or None
        )
        if target is None and not pending.run_id:
            target = await self._latest_closed_run(source.domain_id, pending.workflow_id)
        # An earlier delivery may have reached the target before its second write failed;
        # the target may have closed since, or continued as new. It heard the message: say
        # so, and deliver nothing again.
        earlier = None
        if target is not None:
            chain = not pending.run_id
            earlier = await self._received_by(target, source.run_id, initiated, chain=chain)
        if earlier is not None:
            await self._apply_quietly(
                source.run_id,
                c.ExternalDelivered(
                    kind=kind,
                    initiated_event_id=initiated,
                    target={"workflowId": earlier.workflow_id, "runId": earlier.run_id},
                ),
            )
            return
        delivered = False
        if target is not None and target.is_open:
            external = {"workflowId": source.workflow_id, "runId": source.run_id}
            command: c.Command
            if kind == "signal":
                attrs = await self._event_attributes(source.run_id, initiated)
                command = c.SignalExecution(
                    signal_name=attrs["signalName"],
                    input=attrs.get("input"),
                    external=external,
                    external_initiated_event_id=initiated,
                )
            else:
                command = c.RequestCancelExecution(
                    external=external, external_initiated_event_id=initiated
                )
            delivered = await self._apply_quietly(target.run_id, command)
        if delivered:
            assert target is not None
            result = c.ExternalDelivered(
                kind=kind,
                initiated_event_id=initiated,
                target={"workflowId": target.workflow_id, "runId": target.run_id},
            )
        else:
            result = c.ExternalDelivered(
                kind=kind, initiated_event_id=initiated, cause="UNKNOWN_EXTERNAL_WORKFLOW_EXECUTION"
            )
        await self._apply_quietly(source.run_id, result)

    async def _received_by(
        self, target: ExecutionRow, source_run_id: str, initiated: int, *, chain: bool
    ) -> ExecutionRow | None:
        """The run that already received message ``initiated`` of ``source_run_id``, if one
        did: ``target`` itself or, with ``chain``, a run of the continue-as-new chain that
        led to it. Runs that closed before the message was sent cannot have, so the walk
        back ends there."""
        key = f"{source_run_id}/{initiated}"
        state = decode_state(target.state)
        if key in state.external_received:
            return target
        sent_ms: int | None = None
        previous = state.continued_execution_run_id if chain else None
        while previous:
            run = await self._store.get_execution(previous)
            if run is None:
                return None
            if sent_ms is None:
                sent_ms = (await self._event(source_run_id, initiated)).timestamp_ms
            if run.close_ms is not None and run.close_ms < sent_ms:
                return None
            state = decode_state(run.state)
            if key in state.external_received:
                return run
            previous = state.continued_execution_run_id
        return None

    async def _latest_closed_run(self, domain_id: int, workflow_id: str) -> ExecutionRow | None:
        query = ExecutionQuery(
            domain_id=domain_id, open=False, by_close_time=True, workflow_id=workflow_id
        )
        rows = await self._store.list_executions(query, after=None, limit=1, reverse=False)
        return rows[0] if rows else None


def _is_child_of(run: ExecutionRow, parent: ExecutionRow, initiated: int) -> bool:
    if run.parent_run_id != parent.run_id:
        return False
    return decode_state(run.state).parent_initiated_event_id == initiated


def child_run_id(parent_run_id: str, initiated: int) -> str:
    """The run id of the child that the parent's Initiated event ``initiated`` starts.

    Derived from the two, so that a delivery retried after its start committed (the second
    write failed, or the relay died) finds that very run by its key, even if it has closed
    meanwhile, and never starts the child twice. Parent run ids are unique, so these are."""
    digest = hashlib.sha256(f"{parent_run_id}/child/{initiated}".encode()).hexdigest()
    return digest[:32]


def _child_start_command(
    child: ChildState, attrs: dict[str, Any], parent: ExecutionRow, initiated: int, run_id: str
) -> c.StartExecution:
    """The child's start, from the parent's Initiated event (its values are resolved)."""
    return c.StartExecution(
        workflow_id=child.workflow_id,
        run_id=run_id,
        workflow_type=dict(attrs["workflowType"]),
        task_list=attrs["taskList"]["name"],
        task_priority=attrs.get("taskPriority", "0"),
        execution_start_to_close_timeout=attrs["executionStartToCloseTimeout"],
        task_start_to_close_timeout=attrs["taskStartToCloseTimeout"],
        child_policy=attrs["childPolicy"],
        lambda_role=attrs.get("lambdaRole"),
        tag_list=list(attrs.get("tagList", [])),
        input=attrs.get("input"),
        parent={"workflowId": parent.workflow_id, "runId": parent.run_id},
        parent_initiated_event_id=initiated,
    )
