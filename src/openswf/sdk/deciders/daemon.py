"""Daemon: a long-running workflow that starts child workflows from signals.

Signal it with ``signalName="startChildWorkflowExecution"`` and an input of the form
``{"decider_spec": {...}, "input": ..., "workflow_id": "optional",
"workflow_type": {"name": ..., "version": ...} (optional, default the dynamic type),
"task_list": "optional decision task list of the child"}``; the daemon starts one child per
signal, exactly once (each child's ``control`` names its signal, so a restarted daemon sees
what it already started). Children are abandoned by default: cancelling or restarting the
daemon leaves them running. After ``max_events`` events it continues as new, in a decision
task with no signal left to handle, to keep its history short.
"""

from __future__ import annotations

from typing import Any

from openswf.sdk.converter import dumps, loads
from openswf.sdk.deciders.base import Decisions
from openswf.sdk.deciders.dynamic import SPEC_KEY
from openswf.sdk.graph import DYNAMIC_WORKFLOW_TYPE
from openswf.sdk.history import DecisionTask, attributes

SIGNAL_NAME = "startChildWorkflowExecution"
_CHILD_START_EVENTS = ("StartChildWorkflowExecutionInitiated", "StartChildWorkflowExecutionFailed")


def _decision(kind: str, **attrs: Any) -> dict[str, Any]:
    return {"decisionType": kind, kind[0].lower() + kind[1:] + "DecisionAttributes": attrs}


class DaemonDecider:
    def __init__(
        self,
        *,
        signal_name: str = SIGNAL_NAME,
        child_policy: str = "ABANDON",
        max_events: int = 10_000,
    ) -> None:
        self.signal_name = signal_name
        self.child_policy = child_policy
        self.max_events = max_events

    def decide(self, task: DecisionTask) -> Decisions:
        signals: list[tuple[int, Any]] = []
        handled: set[int] = set()
        cancel = False
        started_input: str | None = None
        for event in task.events:
            kind = event["eventType"]
            attrs = attributes(event)
            if kind == "WorkflowExecutionStarted":
                started_input = attrs.get("input")
            elif (
                kind == "WorkflowExecutionSignaled" and attrs.get("signalName") == self.signal_name
            ):
                signals.append((int(event["eventId"]), loads(attrs.get("input"))))
            elif kind in (
                "StartChildWorkflowExecutionInitiated",
                "StartChildWorkflowExecutionFailed",
            ):
                control = loads(attrs.get("control"))
                if isinstance(control, dict) and "signal" in control:
                    handled.add(int(control["signal"]))
            elif kind == "WorkflowExecutionCancelRequested":
                cancel = True
        if cancel:
            return Decisions(decisions=[_decision("CancelWorkflowExecution")])
        decisions = [
            self._start_child(task, event_id, payload)
            for event_id, payload in signals
            if event_id not in handled
        ]
        if not decisions and len(task.events) >= self.max_events:
            attrs = {"input": started_input} if started_input is not None else {}
            decisions.append(_decision("ContinueAsNewWorkflowExecution", **attrs))
        return Decisions(decisions=decisions)

    def _start_child(self, task: DecisionTask, event_id: int, payload: Any) -> dict[str, Any]:
        request = payload if isinstance(payload, dict) else {}
        name, version = DYNAMIC_WORKFLOW_TYPE
        wf_type = request.get("workflow_type") or {"name": name, "version": version}
        child_input: Any = request.get("input")
        if SPEC_KEY in request:
            child_input = {SPEC_KEY: request[SPEC_KEY], "input": request.get("input")}
        attrs: dict[str, Any] = {
            "workflowType": wf_type,
            "workflowId": str(request.get("workflow_id") or f"{task.workflow_id}-{event_id}")[:256],
            "childPolicy": self.child_policy,
            "control": dumps({"signal": event_id}),
        }
        text = dumps(child_input)
        if text is not None:
            attrs["input"] = text
        task_list = request.get("task_list") or (request.get(SPEC_KEY) or {}).get("task_list")
        if task_list:
            attrs["taskList"] = {"name": task_list}
        return _decision("StartChildWorkflowExecution", **attrs)
