"""ScheduleLambdaFunction: Lambda tasks reach Lambda workers on the reserved task list."""

from __future__ import annotations

from typing import Any

from openswf.protocol.lambdas import LAMBDA_TASK_LIST, LAMBDA_VERSION
from openswf.services.clock import ManualClock
from openswf.services.settings import Settings
from openswf.testing import LocalServer
from tests.conftest import make_client, unique
from tests.integration.swf_helpers import decide, decision, history, last, start, types_of

ROLE = "arn:aws:iam::123456789012:role/swf-lambda"


def test_a_lambda_worker_runs_the_function(swf: Any, domain: str) -> None:
    run = start(swf, domain, unique("lambda"), lambdaRole=ROLE)
    decide(
        swf,
        domain,
        [decision("ScheduleLambdaFunction", id="f1", name="double", input="21", control="c")],
    )
    task = swf.poll_for_activity_task(domain=domain, taskList={"name": LAMBDA_TASK_LIST})
    assert task["activityId"] == "f1"
    assert task["activityType"] == {"name": "double", "version": LAMBDA_VERSION}
    assert task["input"] == "21"
    swf.respond_activity_task_completed(taskToken=task["taskToken"], result="42")
    events = history(swf, domain, run)
    scheduled = last(events, "LambdaFunctionScheduled")
    assert scheduled["startToCloseTimeout"] == "900"
    assert scheduled["control"] == "c"
    assert last(events, "LambdaFunctionCompleted")["result"] == "42"
    assert types_of(events)[-1] == "DecisionTaskScheduled"


def test_a_failing_function_and_a_duplicate_id(swf: Any, domain: str) -> None:
    run = start(swf, domain, unique("lambda"), lambdaRole=ROLE)
    decide(
        swf,
        domain,
        [
            decision("ScheduleLambdaFunction", id="f1", name="boom"),
            decision("ScheduleLambdaFunction", id="f1", name="boom"),
        ],
    )
    events = history(swf, domain, run)
    assert last(events, "ScheduleLambdaFunctionFailed")["cause"] == "ID_ALREADY_IN_USE"
    task = swf.poll_for_activity_task(domain=domain, taskList={"name": LAMBDA_TASK_LIST})
    swf.respond_activity_task_failed(taskToken=task["taskToken"], reason="bad", details="trace")
    failed = last(history(swf, domain, run), "LambdaFunctionFailed")
    assert (failed["reason"], failed["details"]) == ("bad", "trace")


def test_without_a_lambda_role_the_function_cannot_start(swf: Any, domain: str) -> None:
    run = start(swf, domain, unique("lambda"))
    decide(swf, domain, [decision("ScheduleLambdaFunction", id="f1", name="fn")])
    events = history(swf, domain, run)
    assert last(events, "StartLambdaFunctionFailed")["cause"] == "ASSUME_ROLE_FAILED"
    assert types_of(events)[-1] == "DecisionTaskScheduled"


def test_with_no_lambda_worker_the_function_times_out() -> None:
    with LocalServer(settings=Settings(poll_timeout_s=0.1), clock=ManualClock()) as server:
        swf = make_client(server.endpoint)
        swf.register_domain(name="lam", workflowExecutionRetentionPeriodInDays="1")
        swf.register_workflow_type(
            domain="lam",
            name="wf",
            version="1",
            defaultTaskList={"name": "decisions"},
            defaultExecutionStartToCloseTimeout="3600",
            defaultTaskStartToCloseTimeout="60",
            defaultChildPolicy="TERMINATE",
        )
        run = start(swf, "lam", "lonely", lambdaRole=ROLE)
        decide(
            swf,
            "lam",
            [decision("ScheduleLambdaFunction", id="f1", name="fn", startToCloseTimeout="30")],
        )
        server.advance(30)
        events = history(swf, "lam", run)
        assert last(events, "LambdaFunctionTimedOut") == {
            "scheduledEventId": 5,
            "startedEventId": 0,
            "timeoutType": "START_TO_CLOSE",
        }
        # The timed-out function is never handed out.
        answer = swf.poll_for_activity_task(domain="lam", taskList={"name": LAMBDA_TASK_LIST})
        assert "taskToken" not in answer
