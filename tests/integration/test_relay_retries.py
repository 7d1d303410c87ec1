"""The relay's deliveries retried after a partial failure: each message acts exactly once.

A delivery is two writes (the target's, then the source's); the second can fail after the
first committed (a dropped database connection, a crash). The retry must find what the first
attempt did, whatever happened to it since.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from openswf.engine import commands as c
from openswf.services.settings import Settings
from openswf.storage.records import StoreUnavailable
from openswf.testing import LocalServer
from tests.conftest import make_client, unique
from tests.integration.swf_helpers import (
    WF,
    attributes,
    decide,
    decision,
    poll_decision,
    start,
    wait_for_event,
)


@pytest.fixture
def local(db_url: str) -> Iterator[LocalServer]:
    with LocalServer(db_url, settings=Settings(poll_timeout_s=1.0)) as running:
        yield running


async def _until(flag: threading.Event) -> None:
    while not flag.is_set():
        await asyncio.sleep(0.005)


def _register(swf: Any) -> str:
    domain = unique("dom")
    swf.register_domain(name=domain, workflowExecutionRetentionPeriodInDays="1")
    swf.register_workflow_type(
        domain=domain,
        name="wf",
        version="1",
        defaultTaskList={"name": "decisions"},
        defaultExecutionStartToCloseTimeout="3600",
        defaultTaskStartToCloseTimeout="60",
        defaultChildPolicy="TERMINATE",
    )
    return domain


class BrokenRelay:
    """The relay's second write (``second``, on the source) fails once, after the first
    committed; the retry of that message (``message``) waits until the test calls
    ``release()``, so the test arranges what happens in between. Commands of type ``after``
    wait until the retry is done."""

    def __init__(
        self,
        server: LocalServer,
        second: type[c.Command],
        message: str,
        after: type[c.Command] | None = None,
    ) -> None:
        self.failed = threading.Event()
        self._released = threading.Event()
        self._retried = threading.Event()
        history = server.app.service.history
        relay = server.app.service._timers._relay
        apply, deliver = history.apply, relay.deliver

        async def flaky_apply(run_id: str, command: c.Command) -> Any:
            if isinstance(command, second) and not self.failed.is_set():
                self.failed.set()
                raise StoreUnavailable("simulated: connection lost between the relay's writes")
            if after is not None and isinstance(command, after):
                await _until(self._retried)
            return await apply(run_id, command)

        async def held_deliver(run_id: str, key: str) -> None:
            retry = key.startswith(message) and self.failed.is_set()
            if retry:
                await _until(self._released)
            try:
                await deliver(run_id, key)
            finally:
                if retry:
                    self._retried.set()

        history.apply = flaky_apply  # type: ignore[method-assign]
        relay.deliver = held_deliver  # type: ignore[method-assign]

    def release(self) -> None:
        self._released.set()


def test_a_child_start_retried_after_the_child_closed_does_not_start_it_again(
    local: LocalServer,
) -> None:
    """ChildStarted fails to reach the parent once, after the child's start committed; the
    child completes before the retry. The retry recognises the closed child: one run."""
    # The parent hears of the close only after the retry.
    broken = BrokenRelay(local, c.ChildStarted, "msg:start-child", after=c.ChildClosed)
    swf = make_client(local.endpoint)
    domain = _register(swf)
    parent = start(swf, domain, unique("parent"))
    child_id = unique("child")
    decide(
        swf,
        domain,
        [
            decision(
                "StartChildWorkflowExecution",
                workflowType=WF,
                workflowId=child_id,
                taskList={"name": "children"},
            )
        ],
    )
    task = poll_decision(swf, domain, "children")
    child_run = task["workflowExecution"]["runId"]
    assert broken.failed.is_set()
    swf.respond_decision_task_completed(
        taskToken=task["taskToken"],
        decisions=[decision("CompleteWorkflowExecution", result="done")],
    )
    broken.release()

    events = wait_for_event(swf, domain, parent, "ChildWorkflowExecutionCompleted")
    runs = [
        info["execution"]["runId"]
        for listing in (swf.list_open_workflow_executions, swf.list_closed_workflow_executions)
        for info in listing(
            domain=domain,
            startTimeFilter={"oldestDate": 0},
            executionFilter={"workflowId": child_id},
        )["executionInfos"]
    ]
    assert runs == [child_run]
    started = [e for e in events if e["eventType"] == "ChildWorkflowExecutionStarted"]
    assert [attributes(e)["workflowExecution"]["runId"] for e in started] == [child_run]
    completed = next(e for e in events if e["eventType"] == "ChildWorkflowExecutionCompleted")
    assert attributes(completed)["workflowExecution"]["runId"] == child_run
    assert attributes(completed)["result"] == "done"


def test_a_signal_retried_across_a_continue_as_new_reaches_one_run(local: LocalServer) -> None:
    """A signal by workflowId alone reached run A, but the source never heard so; A then
    continued as new to B. The retry must not signal B: A was the target, and heard it."""
    broken = BrokenRelay(local, c.ExternalDelivered, "msg:signal")
    swf = make_client(local.endpoint)
    domain = _register(swf)
    target_id = unique("target")
    run_a = start(swf, domain, target_id, taskList={"name": "targets"})
    source = start(swf, domain, unique("source"))
    decide(
        swf,
        domain,
        [decision("SignalExternalWorkflowExecution", workflowId=target_id, signalName="go")],
    )
    # A hears the signal (its first decision task sees it) and continues as new.
    task = poll_decision(swf, domain, "targets")
    assert task["workflowExecution"] == run_a
    if "WorkflowExecutionSignaled" not in [e["eventType"] for e in task["events"]]:
        swf.respond_decision_task_completed(taskToken=task["taskToken"], decisions=[])
        task = poll_decision(swf, domain, "targets")
    assert broken.failed.is_set()
    swf.respond_decision_task_completed(
        taskToken=task["taskToken"],
        decisions=[decision("ContinueAsNewWorkflowExecution", taskList={"name": "targets"})],
    )
    broken.release()

    events = wait_for_event(swf, domain, source, "ExternalWorkflowExecutionSignaled")
    signaled = [e for e in events if e["eventType"] == "ExternalWorkflowExecutionSignaled"]
    assert [attributes(e)["workflowExecution"] for e in signaled] == [run_a]
    (open_run,) = swf.list_open_workflow_executions(
        domain=domain, startTimeFilter={"oldestDate": 0}, executionFilter={"workflowId": target_id}
    )["executionInfos"]
    run_b = open_run["execution"]
    assert run_b["runId"] != run_a["runId"]
    b_events = swf.get_workflow_execution_history(domain=domain, execution=run_b)["events"]
    assert "WorkflowExecutionSignaled" not in [e["eventType"] for e in b_events]


def test_a_cancel_retried_after_its_target_closed_is_known_as_delivered(
    local: LocalServer,
) -> None:
    """The cancel request reached its target, but the source never heard so; the target
    then closed (canceled). The retry finds the closed run heard it: delivered, not failed."""
    broken = BrokenRelay(local, c.ExternalDelivered, "msg:cancel")
    swf = make_client(local.endpoint)
    domain = _register(swf)
    target_id = unique("target")
    target = start(swf, domain, target_id, taskList={"name": "targets"})
    source = start(swf, domain, unique("source"))
    decide(
        swf,
        domain,
        [decision("RequestCancelExternalWorkflowExecution", workflowId=target_id)],
    )
    task = poll_decision(swf, domain, "targets")
    if "WorkflowExecutionCancelRequested" not in [e["eventType"] for e in task["events"]]:
        swf.respond_decision_task_completed(taskToken=task["taskToken"], decisions=[])
        task = poll_decision(swf, domain, "targets")
    assert broken.failed.is_set()
    swf.respond_decision_task_completed(
        taskToken=task["taskToken"], decisions=[decision("CancelWorkflowExecution")]
    )
    broken.release()

    events = wait_for_event(swf, domain, source, "ExternalWorkflowExecutionCancelRequested")
    kinds = [e["eventType"] for e in events]
    assert "RequestCancelExternalWorkflowExecutionFailed" not in kinds
    requested = [e for e in events if e["eventType"] == "ExternalWorkflowExecutionCancelRequested"]
    assert [attributes(e)["workflowExecution"] for e in requested] == [target]
