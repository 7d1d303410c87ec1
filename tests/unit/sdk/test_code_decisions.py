"""What code workflows decide on their first decision task: ids, per-call options, inputs."""

from __future__ import annotations

from typing import Any

from openswf.sdk import Retry, Timeouts, Workflow, WorkflowDecider, options
from openswf.sdk.converter import dumps, loads
from openswf.sdk.history import DecisionTask
from tests.unit.sdk import code_workflows as app


def first_decisions(cls: type[Workflow], workflow_input: Any = None) -> list[dict[str, Any]]:
    events = [
        {
            "eventId": 1,
            "eventTimestamp": 1.7e9,
            "eventType": "WorkflowExecutionStarted",
            "workflowExecutionStartedEventAttributes": {"input": dumps(workflow_input)},
        },
        {"eventId": 2, "eventTimestamp": 1.7e9, "eventType": "DecisionTaskScheduled"},
        {"eventId": 3, "eventTimestamp": 1.7e9, "eventType": "DecisionTaskStarted"},
    ]
    task = DecisionTask(
        task_token="t",
        workflow_id="wf",
        run_id="run",
        workflow_type={"name": cls.name, "version": cls.version},
        started_event_id=3,
        previous_started_event_id=0,
        events=events,
    )
    return WorkflowDecider(cls).decide(task).decisions


def attrs(decision: dict[str, Any]) -> dict[str, Any]:
    kind = decision["decisionType"]
    value: dict[str, Any] = decision[kind[0].lower() + kind[1:] + "DecisionAttributes"]
    return value


class Options(app.Base):
    name = "decisions.options"

    def run(self) -> None:
        tuned = options(
            app.add,
            task_list="fast",
            timeouts=Timeouts(start_to_close=5, schedule_to_start=60, heartbeat=None),
            priority=7,
            retry=Retry.instant(2),
        )
        self.submit(tuned, 1, y=2)
        self.submit(app.double, 21)
        self.child(app.Child, 3, workflow_id="kid", task_list="kids", tags=["a"], priority=2)
        self.timer(90)
        self.lambda_("code-square", 4, timeout=30)
        self.signal("other", "ping", {"n": 1}, run_id="r1")
        self.record_marker("here", {"ok": True})
        self.wait_signal("never")


def test_every_call_becomes_its_decision_with_its_options() -> None:
    decisions = first_decisions(Options)
    assert [d["decisionType"] for d in decisions] == [
        "ScheduleActivityTask",
        "ScheduleActivityTask",
        "StartChildWorkflowExecution",
        "StartTimer",
        "ScheduleLambdaFunction",
        "SignalExternalWorkflowExecution",
        "RecordMarker",
    ]
    tuned, plain, child, timer, function, signal, marker = (attrs(d) for d in decisions)
    assert tuned["activityId"] == "1"
    assert tuned["taskList"] == {"name": "fast"}
    assert tuned["taskPriority"] == "7"
    assert (tuned["startToCloseTimeout"], tuned["scheduleToStartTimeout"]) == ("5", "60")
    assert tuned["heartbeatTimeout"] == "NONE"
    assert loads(tuned["input"]) == {"__openswf__": 1, "args": [1], "kwargs": {"y": 2}}
    # One argument to a one-parameter activity travels as itself; the task list is the
    # activity's own.
    assert (plain["activityId"], loads(plain["input"])) == ("2", 21)
    assert plain["taskList"] == {"name": app.ACTIVITIES}
    assert "startToCloseTimeout" not in plain  # the type's registered defaults apply
    assert child["workflowId"] == "kid"
    assert child["workflowType"] == {"name": "code.child", "version": "1"}
    assert (child["taskList"], child["tagList"], child["taskPriority"]) == (
        {"name": "kids"},
        ["a"],
        "2",
    )
    assert loads(child["control"]) == {"call": 3}
    assert loads(child["input"]) == 3
    assert (timer["timerId"], timer["startToFireTimeout"]) == ("4", "90")
    assert function == {
        "id": "5",
        "name": "code-square",
        "input": "4",
        "startToCloseTimeout": "30",
    }
    assert (signal["workflowId"], signal["runId"], signal["signalName"]) == ("other", "r1", "ping")
    assert loads(signal["input"]) == {"n": 1}
    assert marker == {"markerName": "here", "details": dumps({"ok": True})}


def test_a_child_id_defaults_to_the_parent_id_and_call_number() -> None:
    decisions = first_decisions(app.Parent, app.Parent.input_of(4))
    ids = [attrs(d)["workflowId"] for d in decisions]
    assert ids == ["wf-1", "wf-2"]


def test_run_returns_at_once_completes() -> None:
    class Immediate(app.Base):
        name = "decisions.immediate"

        def run(self, a: int, b: int) -> int:
            return a + b

    decisions = first_decisions(Immediate, Immediate.input_of(2, b=3))
    assert decisions == [
        {
            "decisionType": "CompleteWorkflowExecution",
            "completeWorkflowExecutionDecisionAttributes": {"result": "5"},
        }
    ]


def test_an_exception_fails_the_workflow_with_its_traceback() -> None:
    class Broken(app.Base):
        name = "decisions.broken"

        def run(self) -> None:
            raise ValueError("no such order")

    (decision,) = first_decisions(Broken)
    assert decision["decisionType"] == "FailWorkflowExecution"
    assert attrs(decision)["reason"] == "ValueError: no such order"
    assert "Traceback" in attrs(decision)["details"]
