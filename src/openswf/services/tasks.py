"""Deciders and workers: polls for decision and activity tasks, and their answers."""

from __future__ import annotations

import uuid
from typing import Any

import orjson

from openswf.engine import commands as c
from openswf.engine.state import ExecutionState
from openswf.protocol import faults
from openswf.protocol.lambdas import LAMBDA_TASK_LIST, LAMBDA_VERSION
from openswf.protocol.tokens import TaskToken, TokenSigner, decode_task_token, encode_task_token
from openswf.services.clock import Clock
from openswf.services.context import RequestContext
from openswf.services.executions import raw_json
from openswf.services.history import HistoryService
from openswf.services.matching import Claim, MatchingService
from openswf.services.observe import NO_OBSERVER, Observer, schedule_to_start_s
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
        observer: Observer = NO_OBSERVER,
    ) -> None:
        self._store = store
        self._clock = clock
        self._settings = settings
        self._registry = registry
        self._history = history
        self._matching = matching
        self._signer = signer
        self._pager = pager
        self._observer = observer

    def _empty(self, body: dict[str, Any]) -> dict[str, Any]:
        # Real SWF omits taskToken on an empty poll (reference §1.6); "" is a compat switch.
        if self._settings.empty_task_token:
            return {"taskToken": "", **body}
        return body

    def _observe_claim(self, claim: Claim, domain: str) -> None:
        row = claim.row
        wait_s = schedule_to_start_s(row.kind, row.scheduled_event_id, claim.outcome.state)
        if wait_s is not None:
            self._observer.task_started(row.kind, domain, row.task_list, wait_s)

    # --- deciders -------------------------------------------------------------------------

    async def poll_for_decision_task(self, req: dict[str, Any], ctx: RequestContext) -> Any:
        domain = await self._registry.domain(ctx, req["domain"])
        if req.get("nextPageToken"):
            return await self._decision_page(req)
        claim = await self._matching.poll(
            (domain.id, "decision", req["taskList"]["name"]),
            identity=req.get("identity"),
            hold_s=self._settings.poll_timeout_s,
            gone=ctx.gone,
        )
        if claim is None:
            return self._empty({"previousStartedEventId": 0, "startedEventId": 0})
        self._observe_claim(claim, domain.name)
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
        # The token carries no names (a workflowId and a type of 256 characters each would
        # not fit PageToken's 2048): they are the run's, read again.
        run_id = decode_task_token(self._signer, cursor["t"], "d").run_id
        row = await self._store.get_execution(run_id)
        if row is None:
            raise faults.UnknownResourceFault(f"Unknown execution: {run_id}")
        cursor["w"] = [row.workflow_id, run_id]
        cursor["y"] = {"name": row.type_name, "version": row.type_version}
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
            names = {"w", "y"}
            compact = {key: value for key, value in cursor.items() if key not in names}
            head["nextPageToken"] = self._pager.token(
                "decision-task", [compact, rows[limit - 1][0]], self._clock.now_ms()
            )
        return raw_json(head, "events", [body for _, body in rows[:limit]])

    async def respond_decision_task_completed(
        self, req: dict[str, Any], ctx: RequestContext
    ) -> None:
        token = decode_task_token(self._signer, req["taskToken"], "d")
        decisions: list[dict[str, Any]] = req.get("decisions", [])
        activity_keys, workflow_keys = _types_named(decisions)
        activity_types: dict[tuple[str, str], c.ActivityTypeInfo] = {}
        workflow_types: dict[tuple[str, str], c.WorkflowTypeInfo] = {}
        continues = any(d["decisionType"] == "ContinueAsNewWorkflowExecution" for d in decisions)
        children = bool(workflow_keys)
        row = None
        if activity_keys or workflow_keys or continues:
            # Only what never changes is read here (domain, type): a cached row will do.
            row = await self._store.get_execution(token.run_id, cached=True)
            if row is None:
                raise faults.UnknownResourceFault("Unknown decision task")
            if continues:
                # The new run's type: the same name, and the decision's version or this one's.
                for d in decisions:
                    if d["decisionType"] == "ContinueAsNewWorkflowExecution":
                        attrs = d.get("continueAsNewWorkflowExecutionDecisionAttributes", {})
                        version = attrs.get("workflowTypeVersion") or row.type_version
                        workflow_keys.add((row.type_name, version))
            for record in await self._store.get_types(
                row.domain_id, "activity", sorted(activity_keys)
            ):
                activity_types[(record.name, record.version)] = c.ActivityTypeInfo(
                    status=record.status, configuration=record.configuration
                )
            for record in await self._store.get_types(
                row.domain_id, "workflow", sorted(workflow_keys)
            ):
                workflow_types[(record.name, record.version)] = c.WorkflowTypeInfo(
                    status=record.status, configuration=record.configuration
                )
        headroom = None
        if children and row is not None:
            # Children count against the domain's open executions: past the quota a child
            # fails at once, with no Initiated event (initiatedEventId 0).
            limit = self._settings.max_open_executions_per_domain
            headroom = max(0, limit - await self._store.count_open_executions(row.domain_id))
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
                workflow_types=workflow_types,
                new_run_id=uuid.uuid4().hex if continues else "",
                open_workflows_headroom=headroom,
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
        task_list = req["taskList"]["name"]
        kind = "lambda" if task_list == LAMBDA_TASK_LIST else "activity"
        claim = await self._matching.poll(
            (domain.id, kind, task_list),
            identity=req.get("identity"),
            hold_s=self._settings.poll_timeout_s,
            gone=ctx.gone,
        )
        if claim is None:
            return self._empty({"startedEventId": 0})
        self._observe_claim(claim, domain.name)
        state: ExecutionState = claim.outcome.state
        started = claim.started_event_id
        token = TaskToken(
            kind="a" if kind == "activity" else "l",
            run_id=state.run_id,
            scheduled_event_id=claim.row.scheduled_event_id,
            started_event_id=started,
        )
        payload = orjson.loads(claim.row.payload or b"{}")
        if kind == "lambda":  # see protocol/lambdas.py: a function, dressed as an activity
            payload["activityId"] = payload["id"]
            payload["activityType"] = {"name": payload["name"], "version": LAMBDA_VERSION}
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
        token = decode_task_token(self._signer, req["taskToken"], "a", "l")
        if token.kind == "l":
            if outcome == "canceled":
                raise faults.UnknownResourceFault("Lambda functions cannot be canceled")
            await self._history.apply(
                token.run_id,
                c.RespondLambdaTask(
                    scheduled_event_id=token.scheduled_event_id,
                    started_event_id=token.started_event_id,
                    outcome=_RESPOND_OUTCOMES[outcome],
                    result=req.get("result"),
                    reason=req.get("reason"),
                    details=req.get("details"),
                ),
            )
            return
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


def _types_named(
    decisions: list[dict[str, Any]],
) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    """The activity and workflow types the decisions name, to look up before the engine."""
    activities: set[tuple[str, str]] = set()
    workflows: set[tuple[str, str]] = set()
    for d in decisions:
        if d["decisionType"] == "ScheduleActivityTask":
            ref = d["scheduleActivityTaskDecisionAttributes"]["activityType"]
            activities.add((ref["name"], ref["version"]))
        elif d["decisionType"] == "StartChildWorkflowExecution":
            ref = d["startChildWorkflowExecutionDecisionAttributes"]["workflowType"]
            workflows.add((ref["name"], ref["version"]))
    return activities, workflows
