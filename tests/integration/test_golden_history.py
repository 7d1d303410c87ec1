"""The golden history: one workflow through boto3 that makes every one of the 13 decisions,
then every history it produced, checked whole against the reference and botocore's model.

For each run: the exact sequence of event types (written out below, so any change in the shape
of a history fails here), eventIds 1..N, and every event's attributes against the model's
``<EventType>EventAttributes`` shape: no member the model does not define, every required
member present, no nulls, and the values of the model's types and enums, all the way down.
The histories are read as the raw JSON the server sent: botocore would silently drop members
its model does not know, and nulls.

The story (deliveries between executions are asynchronous, as in SWF, so each is awaited
before the next step, which keeps every history deterministic):

- the main run (R1) schedules two activities, records a marker, starts two timers and a
  child; a worker completes one activity; the decider cancels the other before it started,
  cancels a timer and signals the target; then asks the target to cancel and schedules a
  Lambda function, which a Lambda worker runs; the child fails; R1 continues as new;
- the new run (R2) completes;
- the child fails (FailWorkflowExecution), the target cancels (CancelWorkflowExecution).
"""

from __future__ import annotations

import datetime as _dt
import json
from typing import Any

from openswf.protocol.history_check import event_nonconformities, history_problems
from openswf.protocol.lambdas import LAMBDA_TASK_LIST, LAMBDA_VERSION
from openswf.testing import LocalServer
from tests.conftest import make_client, unique
from tests.integration.swf_helpers import (
    ACT,
    WF,
    attributes,
    decide,
    decision,
    poll_decision,
    start,
    types_of,
    wait_for_event,
)

ROLE = "arn:aws:iam::123456789012:role/swf-lambda"

ALL_DECISIONS = {
    "ScheduleActivityTask",
    "RequestCancelActivityTask",
    "CompleteWorkflowExecution",
    "FailWorkflowExecution",
    "CancelWorkflowExecution",
    "ContinueAsNewWorkflowExecution",
    "RecordMarker",
    "StartTimer",
    "CancelTimer",
    "SignalExternalWorkflowExecution",
    "RequestCancelExternalWorkflowExecution",
    "StartChildWorkflowExecution",
    "ScheduleLambdaFunction",
}

MAIN_RUN_1 = [
    "WorkflowExecutionStarted",  # 1
    "DecisionTaskScheduled",  # 2
    # decision task 1
    "DecisionTaskStarted",  # 3
    "DecisionTaskCompleted",  # 4
    "ActivityTaskScheduled",  # 5  a1, for the worker
    "ActivityTaskScheduled",  # 6  a2, on a list nobody polls
    "MarkerRecorded",  # 7
    "TimerStarted",  # 8  t1
    "TimerStarted",  # 9  t2
    "StartChildWorkflowExecutionInitiated",  # 10
    # the relay started the child
    "ChildWorkflowExecutionStarted",  # 11
    "DecisionTaskScheduled",  # 12
    # the activity worker, while decision task 12 waits
    "ActivityTaskStarted",  # 13
    "ActivityTaskCompleted",  # 14
    # decision task 2
    "DecisionTaskStarted",  # 15
    "DecisionTaskCompleted",  # 16
    "ActivityTaskCancelRequested",  # 17  a2
    "ActivityTaskCanceled",  # 18  at once: a2 never started
    "TimerCanceled",  # 19  t2
    "SignalExternalWorkflowExecutionInitiated",  # 20
    "DecisionTaskScheduled",  # 21  for the cancelled activity
    # the relay delivered the signal
    "ExternalWorkflowExecutionSignaled",  # 22
    # decision task 3
    "DecisionTaskStarted",  # 23
    "DecisionTaskCompleted",  # 24
    "RequestCancelExternalWorkflowExecutionInitiated",  # 25
    "LambdaFunctionScheduled",  # 26
    # the relay delivered the cancel request
    "ExternalWorkflowExecutionCancelRequested",  # 27
    "DecisionTaskScheduled",  # 28
    # the Lambda worker
    "LambdaFunctionStarted",  # 29
    "LambdaFunctionCompleted",  # 30
    # the child failed
    "ChildWorkflowExecutionFailed",  # 31
    # decision task 4
    "DecisionTaskStarted",  # 32
    "DecisionTaskCompleted",  # 33
    "WorkflowExecutionContinuedAsNew",  # 34
]

MAIN_RUN_2 = [
    "WorkflowExecutionStarted",  # 1
    "DecisionTaskScheduled",  # 2
    "DecisionTaskStarted",  # 3
    "DecisionTaskCompleted",  # 4
    "WorkflowExecutionCompleted",  # 5
]

CHILD_RUN = [
    "WorkflowExecutionStarted",  # 1
    "DecisionTaskScheduled",  # 2
    "DecisionTaskStarted",  # 3
    "DecisionTaskCompleted",  # 4
    "WorkflowExecutionFailed",  # 5
]

TARGET_RUN = [
    "WorkflowExecutionStarted",  # 1
    "DecisionTaskScheduled",  # 2
    "WorkflowExecutionSignaled",  # 3
    "WorkflowExecutionCancelRequested",  # 4
    "DecisionTaskStarted",  # 5
    "DecisionTaskCompleted",  # 6
    "WorkflowExecutionCanceled",  # 7
]


def raw_history(client: Any, domain: str, run: dict[str, str]) -> list[dict[str, Any]]:
    """The run's whole history as the server sent it, page by page."""
    pages: list[dict[str, Any]] = []

    def capture(http_response: Any, **_: Any) -> None:
        pages.append(json.loads(http_response.content))

    event_name = "after-call.swf.GetWorkflowExecutionHistory"
    client.meta.events.register(event_name, capture)
    try:
        request: dict[str, Any] = {"domain": domain, "execution": run}
        while True:
            answer = client.get_workflow_execution_history(**request)
            if not answer.get("nextPageToken"):
                break
            request["nextPageToken"] = answer["nextPageToken"]
    finally:
        client.meta.events.unregister(event_name, capture)
    return [event for page in pages for event in page["events"]]


def check_history(events: list[dict[str, Any]], expected: list[str], name: str) -> None:
    assert types_of(events) == expected, f"{name}: the shape of the history changed"
    assert [e["eventId"] for e in events] == list(range(1, len(expected) + 1)), name
    stamps = [e["eventTimestamp"] for e in events]
    assert stamps == sorted(stamps), f"{name}: event timestamps go backwards"
    problems = history_problems(events)
    assert problems == [], f"{name}:\n" + "\n".join(problems)


def by_id(events: list[dict[str, Any]], event_id: int) -> dict[str, Any]:
    event = events[event_id - 1]
    assert event["eventId"] == event_id
    return attributes(event)


# --- the story ----------------------------------------------------------------------------


def test_every_decision_in_one_workflow_and_every_history_whole(
    server: LocalServer, swf: Any, domain: str
) -> None:
    made: set[str] = set()

    def decisions(*items: dict[str, Any]) -> list[dict[str, Any]]:
        made.update(d["decisionType"] for d in items)
        return list(items)

    main_id, child_id, target_id = unique("golden"), unique("golden-child"), unique("target")
    target = start(swf, domain, target_id, taskList={"name": "target"}, input="t")
    main = start(
        swf,
        domain,
        main_id,
        taskList={"name": "main"},
        input="first",
        tagList=["golden"],
        lambdaRole=ROLE,
    )

    # Decision task 1: two activities, a marker, two timers, a child.
    task = decide(
        swf,
        domain,
        decisions(
            decision(
                "ScheduleActivityTask",
                activityType=ACT,
                activityId="a1",
                input="work",
                control="a1-control",
            ),
            decision(
                "ScheduleActivityTask",
                activityType=ACT,
                activityId="a2",
                taskList={"name": "nobody-polls-this"},
            ),
            decision("RecordMarker", markerName="checkpoint", details="step 1"),
            decision("StartTimer", timerId="t1", startToFireTimeout="3600", control="t1c"),
            decision("StartTimer", timerId="t2", startToFireTimeout="3600"),
            decision(
                "StartChildWorkflowExecution",
                workflowType=WF,
                workflowId=child_id,
                taskList={"name": "child"},
                input="for the child",
                control="child-control",
                tagList=["kid"],
            ),
        ),
        "main",
    )
    assert task["workflowExecution"] == main
    wait_for_event(swf, domain, main, "ChildWorkflowExecutionStarted")

    # The activity worker completes a1 while decision task 12 waits.
    work = swf.poll_for_activity_task(
        domain=domain, taskList={"name": "activities"}, identity="worker"
    )
    assert work["activityId"] == "a1"
    swf.respond_activity_task_completed(taskToken=work["taskToken"], result="a1-done")

    # Decision task 2: cancel a2 (never started) and t2, signal the target.
    decide(
        swf,
        domain,
        decisions(
            decision("RequestCancelActivityTask", activityId="a2"),
            decision("CancelTimer", timerId="t2"),
            decision(
                "SignalExternalWorkflowExecution",
                workflowId=target_id,
                runId=target["runId"],
                signalName="wake",
                input="signal input",
                control="signal-control",
            ),
        ),
        "main",
    )
    wait_for_event(swf, domain, main, "ExternalWorkflowExecutionSignaled")

    # Decision task 3: ask the target to cancel, schedule a Lambda function.
    decide(
        swf,
        domain,
        decisions(
            decision(
                "RequestCancelExternalWorkflowExecution",
                workflowId=target_id,
                control="cancel-control",
            ),
            decision(
                "ScheduleLambdaFunction",
                id="f1",
                name="double",
                input="21",
                control="f1-control",
                startToCloseTimeout="300",
            ),
        ),
        "main",
    )
    wait_for_event(swf, domain, main, "ExternalWorkflowExecutionCancelRequested")

    # The Lambda worker.
    function = swf.poll_for_activity_task(domain=domain, taskList={"name": LAMBDA_TASK_LIST})
    assert function["activityId"] == "f1"
    assert function["activityType"] == {"name": "double", "version": LAMBDA_VERSION}
    swf.respond_activity_task_completed(taskToken=function["taskToken"], result="42")

    # The child fails.
    child_task = poll_decision(swf, domain, "child")
    child = child_task["workflowExecution"]
    assert child["workflowId"] == child_id
    swf.respond_decision_task_completed(
        taskToken=child_task["taskToken"],
        decisions=decisions(
            decision("FailWorkflowExecution", reason="child reason", details="child details")
        ),
    )
    wait_for_event(swf, domain, main, "ChildWorkflowExecutionFailed")

    # Decision task 4: continue as new.
    decide(
        swf,
        domain,
        decisions(
            decision(
                "ContinueAsNewWorkflowExecution",
                input="second",
                taskList={"name": "main"},
                taskStartToCloseTimeout="45",
            )
        ),
        "main",
    )

    # The new run completes.
    task = poll_decision(swf, domain, "main")
    second = task["workflowExecution"]
    assert second["workflowId"] == main_id and second["runId"] != main["runId"]
    swf.respond_decision_task_completed(
        taskToken=task["taskToken"],
        decisions=decisions(decision("CompleteWorkflowExecution", result="all done")),
    )

    # The target, signalled and asked to cancel, cancels.
    decide(
        swf,
        domain,
        decisions(decision("CancelWorkflowExecution", details="target cancelled")),
        "target",
    )

    assert made == ALL_DECISIONS

    # --- every history, whole ---------------------------------------------------------------
    client = make_client(server.endpoint)
    r1 = raw_history(client, domain, main)
    r2 = raw_history(client, domain, second)
    kid = raw_history(client, domain, child)
    tgt = raw_history(client, domain, target)
    check_history(r1, MAIN_RUN_1, "main run 1")
    check_history(r2, MAIN_RUN_2, "main run 2")
    check_history(kid, CHILD_RUN, "child")
    check_history(tgt, TARGET_RUN, "target")

    # --- and how the histories point at each other -------------------------------------------
    assert by_id(r1, 1)["lambdaRole"] == ROLE
    assert by_id(r1, 1)["parentInitiatedEventId"] == 0
    assert by_id(r1, 14) == {"result": "a1-done", "scheduledEventId": 5, "startedEventId": 13}
    assert by_id(r1, 13) == {"identity": "worker", "scheduledEventId": 5}
    assert by_id(r1, 17) == {"decisionTaskCompletedEventId": 16, "activityId": "a2"}
    assert by_id(r1, 18) == {
        "scheduledEventId": 6,
        "startedEventId": 0,
        "latestCancelRequestedEventId": 17,
    }
    assert by_id(r1, 19) == {
        "timerId": "t2",
        "startedEventId": 9,
        "decisionTaskCompletedEventId": 16,
    }

    # The child: linked to the Initiated event; its start and close in the parent.
    initiated = by_id(r1, 10)
    assert initiated["childPolicy"] == "TERMINATE" and initiated["control"] == "child-control"
    child_started = by_id(kid, 1)
    assert child_started["parentWorkflowExecution"] == main
    assert child_started["parentInitiatedEventId"] == 10
    assert child_started["tagList"] == ["kid"]
    assert by_id(r1, 11) == {"workflowExecution": child, "workflowType": WF, "initiatedEventId": 10}
    assert by_id(r1, 31) == {
        "workflowExecution": child,
        "workflowType": WF,
        "reason": "child reason",
        "details": "child details",
        "initiatedEventId": 10,
        "startedEventId": 11,
    }

    # The signal and the cancel request: in the target, then reported back.
    assert by_id(tgt, 3) == {
        "signalName": "wake",
        "input": "signal input",
        "externalWorkflowExecution": main,
        "externalInitiatedEventId": 20,
    }
    assert by_id(r1, 22) == {"workflowExecution": target, "initiatedEventId": 20}
    assert by_id(tgt, 4) == {"externalWorkflowExecution": main, "externalInitiatedEventId": 25}
    assert by_id(r1, 25) == {
        "workflowId": target_id,
        "decisionTaskCompletedEventId": 24,
        "control": "cancel-control",
    }
    assert by_id(r1, 27) == {"workflowExecution": target, "initiatedEventId": 25}
    assert by_id(tgt, 7) == {"details": "target cancelled", "decisionTaskCompletedEventId": 6}

    # The Lambda function.
    assert by_id(r1, 26) == {
        "id": "f1",
        "name": "double",
        "control": "f1-control",
        "input": "21",
        "startToCloseTimeout": "300",
        "decisionTaskCompletedEventId": 24,
    }
    assert by_id(r1, 29) == {"scheduledEventId": 26}
    assert by_id(r1, 30) == {"scheduledEventId": 26, "startedEventId": 29, "result": "42"}

    # Continue-as-new: the old run names the new, the new names the old.
    continued = by_id(r1, 34)
    assert continued["newExecutionRunId"] == second["runId"]
    assert continued["decisionTaskCompletedEventId"] == 33
    assert continued["input"] == "second"
    assert continued["tagList"] == ["golden"]
    assert continued["taskList"] == {"name": "main"}
    assert by_id(r2, 1)["continuedExecutionRunId"] == main["runId"]
    assert by_id(r2, 1)["taskStartToCloseTimeout"] == "45"
    assert by_id(r2, 5) == {"result": "all done", "decisionTaskCompletedEventId": 4}
    assert by_id(kid, 5) == {
        "reason": "child reason",
        "details": "child details",
        "decisionTaskCompletedEventId": 4,
    }

    statuses = {
        name: swf.describe_workflow_execution(domain=domain, execution=run)["executionInfo"].get(
            "closeStatus"
        )
        for name, run in (("r1", main), ("r2", second), ("child", child), ("target", target))
    }
    assert statuses == {
        "r1": "CONTINUED_AS_NEW",
        "r2": "COMPLETED",
        "child": "FAILED",
        "target": "CANCELED",
    }


def test_the_conformance_check_bites() -> None:
    """The checker itself: an unknown member, a missing required one, a null, a bad enum."""
    good = {
        "eventId": 1,
        "eventTimestamp": _dt.datetime(2024, 1, 1).timestamp(),
        "eventType": "TimerFired",
        "timerFiredEventAttributes": {"timerId": "t", "startedEventId": 5},
    }
    assert event_nonconformities(good) == []
    bad = json.loads(json.dumps(good))
    bad["timerFiredEventAttributes"] = {"timerId": None, "extra": 1}
    problems = event_nonconformities(bad)
    assert any("extra: not a member" in p for p in problems)
    assert any("startedEventId: required" in p for p in problems)
    assert any("timerId: null" in p for p in problems)
    wrong_member = {**good, "eventType": "TimerCanceled"}
    assert event_nonconformities(wrong_member)
    bad_enum = {
        "eventId": 2,
        "eventTimestamp": 1.5,
        "eventType": "WorkflowExecutionTimedOut",
        "workflowExecutionTimedOutEventAttributes": {
            "timeoutType": "SOMETIMES",
            "childPolicy": "TERMINATE",
        },
    }
    assert any("SOMETIMES" in p for p in event_nonconformities(bad_enum))
