"""Deciders and workers: polls for decision and activity tasks, and their answers."""

from __future__ import annotations

from typing import Any

import orjson

from openswf.engine import commands as c
from openswf.engine.state import ExecutionState
from openswf.protocol import faults
from openswf.protocol.tokens import TaskToken, TokenSigner, decode_task_token, encode_task_token
from openswf.services.clock import Clock
from openswf.services.context import RequestContext
from openswf.services.executions import raw_json
from openswf.services.history import HistoryService
from openswf.services.matching import MatchingService
from openswf.services.paging import Pager, page_size
from openswf.services.registry import RegistryService
from openswf.services.settings import Settings
from openswf.storage.base import Store

_RESPOND_OUTCOMES = {"completed": "Completed", "failed": "Failed", "canceled": "Canceled"}


class TaskService:
    def __init__(
        self,
        store: Store,
        clock: Clock,
        settings: Settings,
        registry: RegistryService,
        history: HistoryService,
        matching: MatchingService,
        signer: TokenSigner,
        pager: Pager,
    ) -> None:
        self._store = store
        self._clock = clock
        self._settings = settings
        self._registry = registry
        self._history = history
        self._matching = matching
        self._signer = signer
        self._pager = pager

    def _empty(self, body: dict[str, Any]) -> dict[str, Any]:
        # Real SWF omits taskToken on an empty poll (reference §1.6); "" is a compat switch.
        if self._settings.empty_task_token:
            return {"taskToken": "", **body}
        return body

    # --- deciders -------------------------------------------------------------------------

    async def poll_for_decision_task(self, req: dict[str, Any], ctx: RequestContext) -> Any:
        domain = await self._registry.domain(ctx, req["domain"])
        if req.get("nextPageToken"):
            return await self._decision_page(req)
        claim = await self._matching.poll(
            (domain.id, "decision", req["taskList"]["name"]),
            identity=req.get("identity"),
            hold_s=self._settings.poll_timeout_s,
            is_disconnected=ctx.is_disconnected,
        )
        if claim is None:
            return self._empty({"previousStartedEventId": 0, "startedEventId": 0})
        state = claim.outcome.state
        started = claim.started_event_id
        token = TaskToken(
            kind="d",
            run_id=state.run_id,
            scheduled_event_id=claim.row.scheduled_event_id,
            started_event_id=started,
        )
        first = 0
        if req.get("startAtPreviousStartedEvent") and state.previous_started_event_id:
            first = state.previous_started_event_id - 1
        cursor = {
            "t": encode_task_token(self._signer, token),
            "w": [state.workflow_id, state.run_id],
            "y": state.workflow_type,
            "p": state.previous_started_event_id,
            "s": started,
            "f": first,
        }
        return await self._decision_response(cursor, None, req)

    async def _decision_page(self, req: dict[str, Any]) -> bytes:
        """A continuation: the next page of the same decision task, never a new claim."""
        now = self._clock.now_ms()
        cursor, position = self._pager.position(req, "decision-task", now)
        return await self._decision_response(cursor, position, req)

    async def _decision_response(
        self, cursor: dict[str, Any], position: int | None, req: dict[str, Any]
    ) -> bytes:
        reverse = bool(req.get("reverseOrder"))
        limit = page_size(req)
        started = cursor["s"]
        run_id = cursor["w"][1]
        if reverse:
            after, before = cursor["f"], position if position is not None else started + 1
        else:
            after, before = position if position is not None else cursor["f"], started + 1
        rows = await self._store.read_events(
            run_id, after=after, before=before, limit=limit + 1, reverse=reverse
        )
        head: dict[str, Any] = {
            "taskToken": cursor["t"],
            "startedEventId": started,
            "workflowExecution": {"workflowId": cursor["w"][0], "runId": run_id},
            "workflowType": cursor["y"],
            "previousStartedEventId": cursor["p"],
        }
        if len(rows) > limit:
            head["nextPageToken"] = self._pager.token(
                "decision-task", [cursor, rows[limit - 1][0]], self._clock.now_ms()
            )
        return raw_json(head, "events", [body for _, body in rows[:limit]])

    async def respond_decision_task_completed(
        self, req: dict[str, Any], ctx: RequestContext
    ) -> None:
        token = decode_task_token(self._signer, req["taskToken"], "d")
        decisions: list[dict[str, Any]] = req.get("decisions", [])
        wanted = {
            (ref["name"], ref["version"])
            for d in decisions
            if d["decisionType"] == "ScheduleActivityTask"
            for ref in [d["scheduleActivityTaskDecisionAttributes"]["activityType"]]
        }
        activity_types: dict[tuple[str, str], c.ActivityTypeInfo] = {}
        if wanted:
            row = await self._store.get_execution(token.run_id)
            if row is None:
                raise faults.UnknownResourceFault("Unknown decision task")
            for record in await self._store.get_types(row.domain_id, "activity", sorted(wanted)):
                activity_types[(record.name, record.version)] = c.ActivityTypeInfo(
                    status=record.status, configuration=record.configuration
                )
        task_list = req.get("taskList")
        await self._history.apply(
            token.run_id,
            c.CompleteDecisionTask(
                scheduled_event_id=token.scheduled_event_id,
                started_event_id=token.started_event_id,
                decisions=decisions,
                execution_context=req.get("executionContext"),
                task_list=task_list["name"] if task_list else None,
                task_list_schedule_to_start_timeout=req.get("taskListScheduleToStartTimeout"),
                activity_types=activity_types,
            ),
        )

    async def count_pending_decision_tasks(
        self, req: dict[str, Any], ctx: RequestContext
    ) -> dict[str, Any]:
        return await self._count(req, ctx, "decision")

    # --- workers --------------------------------------------------------------------------

    async def poll_for_activity_task(
        self, req: dict[str, Any], ctx: RequestContext
    ) -> dict[str, Any]:
        domain = await self._registry.domain(ctx, req["domain"])
        claim = await self._matching.poll(
            (domain.id, "activity", req["taskList"]["name"]),
            identity=req.get("identity"),
            hold_s=self._settings.poll_timeout_s,
            is_disconnected=ctx.is_disconnected,
        )
        if claim is None:
            return self._empty({"startedEventId": 0})
        state: ExecutionState = claim.outcome.state
        started = claim.started_event_id
        token = TaskToken(
            kind="a",
            run_id=state.run_id,
            scheduled_event_id=claim.row.scheduled_event_id,
            started_event_id=started,
        )
        payload = orjson.loads(claim.row.payload or b"{}")
        answer: dict[str, Any] = {
            "taskToken": encode_task_token(self._signer, token),
            "activityId": payload["activityId"],
            "startedEventId": started,
            "workflowExecution": state.execution(),
            "activityType": payload["activityType"],
        }
        if "input" in payload:
            answer["input"] = payload["input"]
        return answer

    async def respond_activity_task(
        self, outcome: str, req: dict[str, Any], ctx: RequestContext
    ) -> None:
        token = decode_task_token(self._signer, req["taskToken"], "a")
        await self._history.apply(
            token.run_id,
            c.RespondActivityTask(
                scheduled_event_id=token.scheduled_event_id,
                started_event_id=token.started_event_id,
                outcome=_RESPOND_OUTCOMES[outcome],
                result=req.get("result"),
                reason=req.get("reason"),
                details=req.get("details"),
            ),
        )

    async def record_heartbeat(self, req: dict[str, Any], ctx: RequestContext) -> dict[str, Any]:
        token = decode_task_token(self._signer, req["taskToken"], "a")
        outcome = await self._history.apply(
            token.run_id,
            c.RecordHeartbeat(
                scheduled_event_id=token.scheduled_event_id,
                started_event_id=token.started_event_id,
                details=req.get("details"),
            ),
        )
        return {"cancelRequested": bool(outcome.reply)}

    async def count_pending_activity_tasks(
        self, req: dict[str, Any], ctx: RequestContext
    ) -> dict[str, Any]:
        return await self._count(req, ctx, "activity")

    async def _count(self, req: dict[str, Any], ctx: RequestContext, kind: str) -> dict[str, Any]:
        domain = await self._registry.domain(ctx, req["domain"])
        count = await self._store.count_tasks(domain.id, kind, req["taskList"]["name"])
        return {"count": count, "truncated": False}
