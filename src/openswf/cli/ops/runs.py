"""One execution by workflow id (its latest run unless a run id is given), its first and
closing events, and waiting for it to close."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

import click

from openswf.cli.ops.options import Ops
from openswf.sdk.converter import loads
from openswf.sdk.history import attributes

# `openswf workflow wait` exits with these, by close status (docs/operations.md).
EXIT_CODES = {
    "COMPLETED": 0,
    "FAILED": 3,
    "CANCELED": 4,
    "TERMINATED": 5,
    "TIMED_OUT": 6,
    "CONTINUED_AS_NEW": 7,
}
EXIT_STILL_OPEN = 8  # --timeout ran out first
F = TypeVar("F", bound=Callable[..., Any])
WAIT_BACKOFF_S = (0.1, 0.2, 0.5, 1.0, 2.0)


def run_id_option() -> Callable[[F], F]:
    return click.option(
        "--run-id", default=None, metavar="RUN_ID", help="A given run (default: the latest)."
    )


def resolve(ops: Ops, workflow_id: str, run_id: str | None) -> dict[str, str]:
    """``{"workflowId", "runId"}``: with no run id, the open run, else the newest closed."""
    if run_id:
        return {"workflowId": workflow_id, "runId": run_id}
    for operation in ("ListOpenWorkflowExecutions", "ListClosedWorkflowExecutions"):
        page = ops.client.call(
            operation,
            domain=ops.domain,
            startTimeFilter={"oldestDate": 0},
            executionFilter={"workflowId": workflow_id},
            maximumPageSize=1,
        )
        infos = page.get("executionInfos", [])
        if infos:
            return dict(infos[0]["execution"])
    raise click.ClickException(
        f"no execution with workflow id {workflow_id!r} in domain {ops.domain!r}"
    )


def edge_event(ops: Ops, execution: dict[str, str], *, last: bool) -> dict[str, Any] | None:
    """The first event of a history (its start) or the last (its close, once closed)."""
    page = ops.client.call(
        "GetWorkflowExecutionHistory",
        domain=ops.domain,
        execution=execution,
        maximumPageSize=1,
        reverseOrder=last,
    )
    events = page.get("events", [])
    return dict(events[0]) if events else None


def describe_execution(ops: Ops, execution: dict[str, str]) -> dict[str, Any]:
    answer: dict[str, Any] = ops.client.call(
        "DescribeWorkflowExecution", domain=ops.domain, execution=execution
    )
    return answer


def outcome(close_status: str, event: dict[str, Any] | None) -> dict[str, Any]:
    """What a closed run ended with: its result, or reason and details, decoded."""
    found: dict[str, Any] = {"closeStatus": close_status}
    attrs = attributes(event) if event else {}
    for member in ("result", "details"):
        if member in attrs:
            found[member] = loads(attrs[member])
    for member in ("reason", "cause", "timeoutType", "newExecutionRunId"):
        if member in attrs:
            found[member] = attrs[member]
    return found


def wait_closed(
    ops: Ops, execution: dict[str, str], timeout: float | None
) -> dict[str, Any] | None:
    """The execution info once the run is closed; None if ``timeout`` seconds pass first.
    DescribeWorkflowExecution is read with a backoff (SWF has no long poll for a close)."""
    deadline = None if timeout is None else time.monotonic() + timeout
    attempt = 0
    while True:
        detail = describe_execution(ops, execution)
        info = dict(detail["executionInfo"])
        if info.get("executionStatus") == "CLOSED":
            return info
        pause = WAIT_BACKOFF_S[min(attempt, len(WAIT_BACKOFF_S) - 1)]
        attempt += 1
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            pause = min(pause, left)
        time.sleep(pause)
