"""Waiting for an execution to close, and its result.

    run_id = order.start(client, "shop", "order-1", input={"id": 1})
    result = wait_for_result(client, "shop", "order-1", run_id, timeout=300)

The result is decoded by the converter (so offloaded payloads are fetched). An execution
that closes any other way raises ``ExecutionFailed`` with its close status, reason and
details; one that continues as new is followed to its new run.
"""

from __future__ import annotations

import time
from typing import Any

from openswf.sdk.client import Client
from openswf.sdk.converter import loads
from openswf.sdk.history import attributes

_STATUS = {
    "WorkflowExecutionFailed": "FAILED",
    "WorkflowExecutionCanceled": "CANCELED",
    "WorkflowExecutionTerminated": "TERMINATED",
    "WorkflowExecutionTimedOut": "TIMED_OUT",
}


class ExecutionFailed(Exception):
    """The execution closed without a result: ``status`` is FAILED, CANCELED, TERMINATED or
    TIMED_OUT; ``reason`` and ``details`` (decoded) are what its close event says."""

    def __init__(self, status: str, reason: str | None, details: Any, run_id: str) -> None:
        super().__init__(f"workflow {status.lower()}: {reason or ''}".rstrip(": "))
        self.status = status
        self.reason = reason
        self.details = details
        self.run_id = run_id


class WaitTimeout(TimeoutError):
    """The execution was still open when ``wait_for_result``'s timeout ran out."""


def wait_for_result(
    client: Client,
    domain: str,
    workflow_id: str,
    run_id: str | None = None,
    *,
    timeout: float | None = None,
    poll_interval: float = 0.5,
    follow_continue_as_new: bool = True,
) -> Any:
    """Block until the execution closes; return its decoded result, or raise
    ``ExecutionFailed``. Without ``run_id``, waits for the workflow id's current run."""
    deadline = None if timeout is None else time.monotonic() + timeout
    if run_id is None:
        run_id = _current_run(client, domain, workflow_id)
    delay = min(0.05, poll_interval)
    while True:
        info = client.describe_workflow_execution(
            domain=domain, execution={"workflowId": workflow_id, "runId": run_id}
        )
        if info["executionInfo"]["executionStatus"] == "CLOSED":
            closing = _closing_event(client, domain, workflow_id, run_id)
            kind = closing["eventType"]
            attrs = attributes(closing)
            if kind == "WorkflowExecutionCompleted":
                return loads(attrs.get("result"))
            if kind == "WorkflowExecutionContinuedAsNew" and follow_continue_as_new:
                run_id = str(attrs["newExecutionRunId"])
                continue
            details = attrs.get("details")
            raise ExecutionFailed(
                _STATUS.get(kind, kind),
                attrs.get("reason") or attrs.get("cause") or attrs.get("timeoutType"),
                loads(details) if isinstance(details, str) else details,
                run_id,
            )
        if deadline is not None and time.monotonic() + delay > deadline:
            raise WaitTimeout(f"{workflow_id} ({run_id}) still open after {timeout} s")
        time.sleep(delay)  # SWF has no long poll for a close: back off to poll_interval
        delay = min(poll_interval, delay * 2)


def _current_run(client: Client, domain: str, workflow_id: str) -> str:
    answer = client.list_open_workflow_executions(
        domain=domain,
        startTimeFilter={"oldestDate": 0},
        executionFilter={"workflowId": workflow_id},
        maximumPageSize=1,
    )
    infos = answer.get("executionInfos") or []
    if not infos:
        answer = client.list_closed_workflow_executions(
            domain=domain,
            startTimeFilter={"oldestDate": 0},
            executionFilter={"workflowId": workflow_id},
            maximumPageSize=1,
            reverseOrder=False,
        )
        infos = answer.get("executionInfos") or []
    if not infos:
        raise LookupError(f"no execution of workflow id {workflow_id!r} in {domain}")
    return str(infos[0]["execution"]["runId"])


def _closing_event(client: Client, domain: str, workflow_id: str, run_id: str) -> Any:
    page = client.get_workflow_execution_history(
        domain=domain,
        execution={"workflowId": workflow_id, "runId": run_id},
        maximumPageSize=1,
        reverseOrder=True,
    )
    return page["events"][0]
