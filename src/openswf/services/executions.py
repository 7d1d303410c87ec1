"""Starting executions and acting on them from outside: describe, history, signal,
request cancel, terminate."""

from __future__ import annotations

import time
import uuid
from typing import Any

import orjson

from openswf.engine import commands as c
from openswf.protocol import faults
from openswf.services.clock import Clock
from openswf.services.codec import decode_state
from openswf.services.context import RequestContext
from openswf.services.history import HistoryService
from openswf.services.paging import Pager, page_size
from openswf.services.registry import RegistryService, type_label
from openswf.services.settings import Settings
from openswf.services.wire import seconds, without_none
from openswf.storage.base import Store
from openswf.storage.records import DomainRecord, ExecutionRow

# What StartWorkflowExecution resolves from the type: (request member, type default).
_REQUIRED_DEFAULTS = (
    ("taskList", "defaultTaskList"),
    ("executionStartToCloseTimeout", "defaultExecutionStartToCloseTimeout"),
    ("taskStartToCloseTimeout", "defaultTaskStartToCloseTimeout"),
    ("childPolicy", "defaultChildPolicy"),
)


def raw_json(head: dict[str, Any], member: str, items: list[bytes]) -> bytes:
    """A JSON object whose ``member`` is a list of already-encoded items (stored events)."""
    body = orjson.dumps(head)
    joined = b",".join(items)
    prefix = b"{" if body == b"{}" else body[:-1] + b","
    return prefix + b'"' + member.encode() + b'":[' + joined + b"]}"


def execution_info(row: ExecutionRow) -> dict[str, Any]:
    info: dict[str, Any] = {
        "execution": {"workflowId": row.workflow_id, "runId": row.run_id},
        "workflowType": {"name": row.type_name, "version": row.type_version},
        "startTimestamp": seconds(row.start_ms),
    }
    if row.close_ms is not None:
        info["closeTimestamp"] = seconds(row.close_ms)
    info["executionStatus"] = "OPEN" if row.is_open else "CLOSED"
    if row.close_status is not None:
        info["closeStatus"] = row.close_status
    if row.parent_workflow_id is not None:
        info["parent"] = {"workflowId": row.parent_workflow_id, "runId": row.parent_run_id}
    if row.tags:
        info["tagList"] = row.tags
    info["cancelRequested"] = row.cancel_requested
    return info


class ExecutionService:
    def __init__(
        self,
        store: Store,
        clock: Clock,
        settings: Settings,
        registry: RegistryService,
        history: HistoryService,
        pager: Pager,
    ) -> None:
        self._store = store
        self._clock = clock
        self._settings = settings
        self._registry = registry
        self._history = history
        self._pager = pager
        # Open executions per domain, for the quota check: counting on every start would
        # cost a scan of the open index, and SWF's own quota is approximate ("may trip
        # earlier"), so a count at most a second old, plus this server's starts, will do.
        self._open_counts: dict[int, tuple[int, float]] = {}

    async def _open_count(self, domain_id: int) -> int:
        cached = self._open_counts.get(domain_id)
        if cached is not None and time.monotonic() - cached[1] < 1.0:
            return cached[0]
        count = await self._store.count_open_executions(domain_id)
        self._open_counts[domain_id] = (count, time.monotonic())
        return count

    async def find(
        self, domain: DomainRecord, workflow_id: str, run_id: str | None
    ) -> ExecutionRow:
        row = await self._store.find_execution(domain.id, workflow_id, run_id)
        if row is None:
            label = f"workflowId={workflow_id}" + (f", runId={run_id}" if run_id else "")
            raise faults.UnknownResourceFault(f"Unknown execution: WorkflowExecution=[{label}]")
        return row

    async def start(self, req: dict[str, Any], ctx: RequestContext) -> dict[str, Any]:
        domain = await self._registry.domain(ctx, req["domain"])
        ref = req["workflowType"]
        record = await self._registry.type(domain, "workflow", ref)
        if record.status != "REGISTERED":
            raise faults.TypeDeprecatedFault(type_label("workflow", ref["name"], ref["version"]))
        config = record.configuration
        resolved: dict[str, Any] = {}
        for member, default in _REQUIRED_DEFAULTS:
            value = req.get(member) or config.get(default)
            if value is None:
                raise faults.DefaultUndefinedFault(
                    f"No value for {member}: none was given and the workflow type has no {default}"
                )
            resolved[member] = value
        limit = self._settings.max_open_executions_per_domain
        open_count = await self._open_count(domain.id)
        if open_count >= limit:
            raise faults.LimitExceededFault(f"Open execution limit of {limit} reached")
        command = c.StartExecution(
            workflow_id=req["workflowId"],
            run_id=uuid.uuid4().hex,
            workflow_type={"name": ref["name"], "version": ref["version"]},
            task_list=resolved["taskList"]["name"],
            task_priority=req.get("taskPriority") or config.get("defaultTaskPriority") or "0",
            execution_start_to_close_timeout=resolved["executionStartToCloseTimeout"],
            task_start_to_close_timeout=resolved["taskStartToCloseTimeout"],
            child_policy=resolved["childPolicy"],
            lambda_role=req.get("lambdaRole") or config.get("defaultLambdaRole"),
            tag_list=list(req.get("tagList", [])),
            input=req.get("input"),
        )
        await self._history.start(domain.id, command)
        self._open_counts[domain.id] = (open_count + 1, self._open_counts[domain.id][1])
        return {"runId": command.run_id}

    async def describe(self, req: dict[str, Any], ctx: RequestContext) -> dict[str, Any]:
        domain = await self._registry.domain(ctx, req["domain"])
        execution = req["execution"]
        row = await self.find(domain, execution["workflowId"], execution["runId"])
        state = decode_state(row.state)
        result: dict[str, Any] = {
            "executionInfo": execution_info(row),
            "executionConfiguration": without_none(
                taskStartToCloseTimeout=state.task_start_to_close_timeout,
                executionStartToCloseTimeout=state.execution_start_to_close_timeout,
                taskList={"name": state.original_task_list or state.task_list},
                taskPriority=str(state.task_priority),
                childPolicy=state.child_policy,
                lambdaRole=state.lambda_role,
            ),
            "openCounts": {
                "openActivityTasks": len(state.activities),
                "openDecisionTasks": 1 if state.decision is not None else 0,
                "openTimers": len(state.timers),
                # A closed run keeps its children for the child policy; none are open.
                "openChildWorkflowExecutions": len(state.children) if state.is_open else 0,
                "openLambdaFunctions": len(state.lambdas),
            },
        }
        if state.latest_activity_task_ms is not None:
            result["latestActivityTaskTimestamp"] = seconds(state.latest_activity_task_ms)
        if state.latest_execution_context is not None:
            result["latestExecutionContext"] = state.latest_execution_context
        return result

    async def history(self, req: dict[str, Any], ctx: RequestContext) -> bytes:
        domain = await self._registry.domain(ctx, req["domain"])
        execution = req["execution"]
        row = await self.find(domain, execution["workflowId"], execution["runId"])
        now = self._clock.now_ms()
        scope = "history:" + row.run_id
        position = self._pager.position(req, scope, now)
        reverse = bool(req.get("reverseOrder"))
        limit = page_size(req)
        if reverse:
            after, before = 0, position if position is not None else 2**62
        else:
            after, before = position if position is not None else 0, 2**62
        rows = await self._store.read_events(
            row.run_id, after=after, before=before, limit=limit + 1, reverse=reverse
        )
        head: dict[str, Any] = {}
        if len(rows) > limit:
            head["nextPageToken"] = self._pager.token(scope, rows[limit - 1][0], now)
        return raw_json(head, "events", [body for _, body in rows[:limit]])

    async def _open_run(self, req: dict[str, Any], ctx: RequestContext) -> ExecutionRow:
        domain = await self._registry.domain(ctx, req["domain"])
        row = await self.find(domain, req["workflowId"], req.get("runId") or None)
        if not row.is_open:
            raise faults.UnknownResourceFault(
                f"Unknown execution: WorkflowExecution=[workflowId={row.workflow_id}, "
                f"runId={row.run_id}]"
            )
        return row

    async def signal(self, req: dict[str, Any], ctx: RequestContext) -> None:
        row = await self._open_run(req, ctx)
        await self._history.apply(
            row.run_id, c.SignalExecution(signal_name=req["signalName"], input=req.get("input"))
        )

    async def request_cancel(self, req: dict[str, Any], ctx: RequestContext) -> None:
        row = await self._open_run(req, ctx)
        await self._history.apply(row.run_id, c.RequestCancelExecution())

    async def terminate(self, req: dict[str, Any], ctx: RequestContext) -> None:
        row = await self._open_run(req, ctx)
        await self._history.apply(
            row.run_id,
            c.TerminateExecution(
                reason=req.get("reason"),
                details=req.get("details"),
                child_policy=req.get("childPolicy"),
            ),
        )
