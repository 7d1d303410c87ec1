"""Child workflows in the engine: StartChildWorkflowExecution, the child's start and close as
the relay delivers them, the parent link of a child run, and child policies (reference §4,
§4.1, §4.2, §5, §6.9)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from openswf.engine import commands as c
from openswf.engine.effects import TimerSpec
from openswf.engine.state import ChildState
from tests.unit.engine.engine_helpers import (
    ROLE,
    SEC,
    T0,
    WF_TYPE,
    Run,
    attrs,
    cancel_workflow,
    complete_workflow,
    continue_as_new,
    fail_workflow,
    start_child,
    start_command,
    timer_keys,
    types_of,
    workflow_type_info,
    workflow_types,
)

CHILD_TYPE = {"name": "child", "version": "7"}
CHILD_TYPES = workflow_types((CHILD_TYPE, workflow_type_info(defaultLambdaRole=ROLE)))
CHILD = {"workflowId": "kid", "runId": "child-run"}
PARENT = {"workflowId": "wf-1", "runId": "run-1"}


def child_decision(**attributes: Any) -> dict[str, Any]:
    attributes.setdefault("workflowType", dict(CHILD_TYPE))
    return start_child("kid", **attributes)


def with_initiated_child(run: Run | None = None, **attributes: Any) -> tuple[Run, int]:
    """A parent whose first decision started child ``kid``; returns it and the Initiated id."""
    run = run or Run()
    outcome = run.decide([child_decision(**attributes)], workflow_types=CHILD_TYPES)
    return run, only_id(outcome.events, "StartChildWorkflowExecutionInitiated")


def with_started_child(run: Run | None = None, **attributes: Any) -> tuple[Run, int, int]:
    """... and the child started, and the decider saw it: (run, initiated id, started id)."""
    run, initiated = with_initiated_child(run, **attributes)
    outcome = run.do(c.ChildStarted(initiated_event_id=initiated, run_id=CHILD["runId"]))
    started = only_id(outcome.events, "ChildWorkflowExecutionStarted")
    run.decide([])
    return run, initiated, started


def only_id(events: Any, event_type: str) -> int:
    found = [e.event_id for e in events if e.event_type == event_type]
    assert len(found) == 1, f"expected one {event_type}"
    return found[0]


# --- StartChildWorkflowExecution: success -------------------------------------------------


def test_start_child_records_initiated_with_the_type_defaults_resolved() -> None:
    run = Run()
    run.advance(3)

    outcome = run.decide([child_decision()], workflow_types=CHILD_TYPES)

    assert types_of(outcome) == ["DecisionTaskCompleted", "StartChildWorkflowExecutionInitiated"]
    assert attrs(outcome, "StartChildWorkflowExecutionInitiated") == {
        "workflowId": "kid",
        "workflowType": CHILD_TYPE,
        "executionStartToCloseTimeout": "7200",
        "taskList": {"name": "type-decisions"},
        "taskPriority": "2",
        "decisionTaskCompletedEventId": 4,
        "childPolicy": "REQUEST_CANCEL",
        "taskStartToCloseTimeout": "30",
        "lambdaRole": ROLE,
    }
    # The child is started by the relay once this commits: a message row due now.
    assert TimerSpec(key="msg:start-child:5", due_ms=run.now_ms) in outcome.effects.timers
    assert outcome.effects.new_tasks == []
    assert run.state.decision is None, "an Initiated event alone schedules no decision task"
    assert run.state.children == {
        5: ChildState(
            initiated_event_id=5,
            workflow_id="kid",
            workflow_type=CHILD_TYPE,
            child_policy="REQUEST_CANCEL",
            decision_task_completed_event_id=4,
        )
    }


def test_start_child_echoes_every_attribute_the_decision_gives() -> None:
    run = Run()
    other_role = "arn:aws:iam::123456789012:role/other"

    outcome = run.decide(
        [
            child_decision(
                control="ctl",
                input="in",
                executionStartToCloseTimeout="100",
                taskList={"name": "kids"},
                taskPriority="-4",
                taskStartToCloseTimeout="10",
                childPolicy="ABANDON",
                tagList=["a", "b"],
                lambdaRole=other_role,
            )
        ],
        workflow_types=CHILD_TYPES,
    )

    assert attrs(outcome, "StartChildWorkflowExecutionInitiated") == {
        "workflowId": "kid",
        "workflowType": CHILD_TYPE,
        "control": "ctl",
        "input": "in",
        "executionStartToCloseTimeout": "100",
        "taskList": {"name": "kids"},
        "taskPriority": "-4",
        "decisionTaskCompletedEventId": 4,
        "childPolicy": "ABANDON",
        "taskStartToCloseTimeout": "10",
        "tagList": ["a", "b"],
        "lambdaRole": other_role,
    }
    assert run.state.children[5].control == "ctl"


def test_start_child_without_priority_or_role_anywhere() -> None:
    types = workflow_types(
        (CHILD_TYPE, workflow_type_info(defaultTaskPriority=None, defaultLambdaRole=None))
    )
    run = Run()

    outcome = run.decide([child_decision()], workflow_types=types)

    initiated = attrs(outcome, "StartChildWorkflowExecutionInitiated")
    assert initiated["taskPriority"] == "0"
    assert "lambdaRole" not in initiated
    assert "tagList" not in initiated


def test_several_children_in_one_batch_each_get_their_message() -> None:
    run = Run()

    outcome = run.decide(
        [start_child("k1", workflowType=CHILD_TYPE), start_child("k2", workflowType=CHILD_TYPE)],
        workflow_types=CHILD_TYPES,
    )

    assert types_of(outcome) == [
        "DecisionTaskCompleted",
        "StartChildWorkflowExecutionInitiated",
        "StartChildWorkflowExecutionInitiated",
    ]
    assert {"msg:start-child:5", "msg:start-child:6"} <= set(timer_keys(outcome))
    assert sorted(run.state.children) == [5, 6]


# --- StartChildWorkflowExecution: synchronous failures ------------------------------------


def _type(**configuration: Any) -> dict[tuple[str, str], c.WorkflowTypeInfo]:
    return workflow_types((CHILD_TYPE, workflow_type_info(**configuration)))


SYNC_FAILURES: list[tuple[str, dict[tuple[str, str], c.WorkflowTypeInfo], dict[str, Any]]] = [
    ("WORKFLOW_TYPE_DOES_NOT_EXIST", {}, {}),
    ("WORKFLOW_TYPE_DOES_NOT_EXIST", _type(), {"workflowType": {"name": "child", "version": "8"}}),
    (
        "WORKFLOW_TYPE_DEPRECATED",
        workflow_types((CHILD_TYPE, workflow_type_info(status="DEPRECATED"))),
        {},
    ),
    (
        "DEFAULT_EXECUTION_START_TO_CLOSE_TIMEOUT_UNDEFINED",
        _type(defaultExecutionStartToCloseTimeout=None),
        {},
    ),
    ("DEFAULT_TASK_LIST_UNDEFINED", _type(defaultTaskList=None), {}),
    (
        "DEFAULT_TASK_START_TO_CLOSE_TIMEOUT_UNDEFINED",
        _type(defaultTaskStartToCloseTimeout=None),
        {},
    ),
    ("DEFAULT_CHILD_POLICY_UNDEFINED", _type(defaultChildPolicy=None), {}),
]


@pytest.mark.parametrize(
    ("cause", "types", "extra"), SYNC_FAILURES, ids=[f[0] for f in SYNC_FAILURES]
)
def test_synchronous_child_failures_have_no_initiated_event(
    cause: str, types: dict[tuple[str, str], c.WorkflowTypeInfo], extra: dict[str, Any]
) -> None:
    run = Run()

    outcome = run.decide([child_decision(control="ctl", **extra)], workflow_types=types)

    assert types_of(outcome) == [
        "DecisionTaskCompleted",
        "StartChildWorkflowExecutionFailed",
        "DecisionTaskScheduled",
    ]
    assert attrs(outcome, "StartChildWorkflowExecutionFailed") == {
        "workflowType": extra.get("workflowType", CHILD_TYPE),
        "cause": cause,
        "workflowId": "kid",
        "initiatedEventId": 0,
        "control": "ctl",
        "decisionTaskCompletedEventId": 4,
    }
    assert not any(k.startswith("msg:") for k in timer_keys(outcome))
    assert run.state.children == {}


def test_a_synchronous_failure_without_control_omits_it() -> None:
    run = Run()

    outcome = run.decide([child_decision()], workflow_types={})

    assert "control" not in attrs(outcome, "StartChildWorkflowExecutionFailed")


def test_the_decision_can_supply_what_the_type_leaves_undefined() -> None:
    bare = workflow_types((CHILD_TYPE, c.WorkflowTypeInfo(status="REGISTERED", configuration={})))
    run = Run()

    outcome = run.decide(
        [
            child_decision(
                executionStartToCloseTimeout="100",
                taskList={"name": "kids"},
                taskStartToCloseTimeout="10",
                childPolicy="TERMINATE",
            )
        ],
        workflow_types=bare,
    )

    assert types_of(outcome) == ["DecisionTaskCompleted", "StartChildWorkflowExecutionInitiated"]


@pytest.mark.parametrize(
    ("given", "cause"),
    [
        ({}, "DEFAULT_EXECUTION_START_TO_CLOSE_TIMEOUT_UNDEFINED"),
        ({"executionStartToCloseTimeout": "100"}, "DEFAULT_TASK_LIST_UNDEFINED"),
        (
            {"executionStartToCloseTimeout": "100", "taskList": {"name": "kids"}},
            "DEFAULT_TASK_START_TO_CLOSE_TIMEOUT_UNDEFINED",
        ),
        (
            {
                "executionStartToCloseTimeout": "100",
                "taskList": {"name": "kids"},
                "taskStartToCloseTimeout": "10",
            },
            "DEFAULT_CHILD_POLICY_UNDEFINED",
        ),
    ],
)
def test_undefined_defaults_are_reported_in_enum_order(given: dict[str, Any], cause: str) -> None:
    bare = workflow_types((CHILD_TYPE, c.WorkflowTypeInfo(status="REGISTERED", configuration={})))
    run = Run()

    outcome = run.decide([child_decision(**given)], workflow_types=bare)

    assert attrs(outcome, "StartChildWorkflowExecutionFailed")["cause"] == cause


def test_open_children_limit() -> None:
    run = Run(limits=c.Limits(max_open_children=1))

    outcome = run.decide(
        [start_child("k1", workflowType=CHILD_TYPE), start_child("k2", workflowType=CHILD_TYPE)],
        workflow_types=CHILD_TYPES,
    )

    assert types_of(outcome) == [
        "DecisionTaskCompleted",
        "StartChildWorkflowExecutionInitiated",
        "StartChildWorkflowExecutionFailed",
        "DecisionTaskScheduled",
    ]
    failed = attrs(outcome, "StartChildWorkflowExecutionFailed")
    assert (failed["workflowId"], failed["cause"], failed["initiatedEventId"]) == (
        "k2",
        "OPEN_CHILDREN_LIMIT_EXCEEDED",
        0,
    )
    assert list(run.state.children) == [5]


def test_a_closed_child_frees_its_slot() -> None:
    run, initiated, _ = with_started_child(Run(limits=c.Limits(max_open_children=1)))
    run.do(
        c.ChildClosed(
            initiated_event_id=initiated,
            run_id=CHILD["runId"],
            close_event="WorkflowExecutionCompleted",
            attributes={},
        )
    )

    outcome = run.decide([start_child("k2", workflowType=CHILD_TYPE)], workflow_types=CHILD_TYPES)

    assert "StartChildWorkflowExecutionInitiated" in types_of(outcome)


# --- the child's start, as the relay delivers it -----------------------------------------


def test_child_started_records_the_event_and_schedules_a_decision_task() -> None:
    run, initiated = with_initiated_child()
    run.advance(1)

    outcome = run.do(c.ChildStarted(initiated_event_id=initiated, run_id="child-run"))

    assert types_of(outcome) == ["ChildWorkflowExecutionStarted", "DecisionTaskScheduled"]
    assert attrs(outcome, "ChildWorkflowExecutionStarted") == {
        "workflowExecution": CHILD,
        "workflowType": CHILD_TYPE,
        "initiatedEventId": initiated,
    }
    assert run.state.children[initiated].run_id == "child-run"
    assert run.state.children[initiated].started_event_id == 6


def test_child_started_joins_a_scheduled_decision_task() -> None:
    run, initiated = with_initiated_child()
    run.signal()

    outcome = run.do(c.ChildStarted(initiated_event_id=initiated, run_id="child-run"))

    assert types_of(outcome) == ["ChildWorkflowExecutionStarted"]


def test_child_started_during_a_started_decision_task_makes_a_close_unhandled() -> None:
    run, initiated = with_initiated_child()
    run.signal()
    run.start_decision()
    run.do(c.ChildStarted(initiated_event_id=initiated, run_id="child-run"))

    outcome = run.complete_decision([complete_workflow()])

    assert types_of(outcome) == [
        "DecisionTaskCompleted",
        "CompleteWorkflowExecutionFailed",
        "DecisionTaskScheduled",
    ]
    assert attrs(outcome, "CompleteWorkflowExecutionFailed")["cause"] == "UNHANDLED_DECISION"


def test_child_started_twice_records_once() -> None:
    run, initiated = with_initiated_child()
    run.do(c.ChildStarted(initiated_event_id=initiated, run_id="child-run"))

    again = run.do(c.ChildStarted(initiated_event_id=initiated, run_id="child-run"))

    assert again.events == []
    assert again.effects.new_tasks == [] and again.effects.timers == []


def test_child_started_for_an_unknown_initiated_event_records_nothing() -> None:
    run, _ = with_initiated_child()

    assert run.do(c.ChildStarted(initiated_event_id=99, run_id="x")).events == []


def test_child_start_failed_already_running_points_at_the_initiated_event() -> None:
    run, initiated = with_initiated_child(control="ctl")

    outcome = run.do(
        c.ChildStartFailed(initiated_event_id=initiated, cause="WORKFLOW_ALREADY_RUNNING")
    )

    assert types_of(outcome) == ["StartChildWorkflowExecutionFailed", "DecisionTaskScheduled"]
    assert attrs(outcome, "StartChildWorkflowExecutionFailed") == {
        "workflowType": CHILD_TYPE,
        "cause": "WORKFLOW_ALREADY_RUNNING",
        "workflowId": "kid",
        "initiatedEventId": initiated,
        "decisionTaskCompletedEventId": 4,
        "control": "ctl",
    }
    assert run.state.children == {}


def test_child_start_failed_without_control_omits_it() -> None:
    run, initiated = with_initiated_child()

    outcome = run.do(
        c.ChildStartFailed(initiated_event_id=initiated, cause="WORKFLOW_ALREADY_RUNNING")
    )

    assert "control" not in attrs(outcome, "StartChildWorkflowExecutionFailed")


def test_child_start_failed_is_recorded_once_and_wins_over_a_late_start() -> None:
    run, initiated = with_initiated_child()
    failed = c.ChildStartFailed(initiated_event_id=initiated, cause="WORKFLOW_ALREADY_RUNNING")
    run.do(failed)

    assert run.do(failed).events == []
    assert run.do(c.ChildStarted(initiated_event_id=initiated, run_id="late")).events == []


def test_child_start_failed_after_the_child_started_records_nothing() -> None:
    run, initiated, _ = with_started_child()

    outcome = run.do(
        c.ChildStartFailed(initiated_event_id=initiated, cause="WORKFLOW_ALREADY_RUNNING")
    )

    assert outcome.events == []
    assert run.state.children[initiated].run_id == "child-run"


# --- the child's close, as the relay delivers it ------------------------------------------

CLOSES: list[tuple[str, dict[str, Any], str, dict[str, Any]]] = [
    (
        "WorkflowExecutionCompleted",
        {"result": "42", "decisionTaskCompletedEventId": 9},
        "ChildWorkflowExecutionCompleted",
        {"result": "42"},
    ),
    (
        "WorkflowExecutionCompleted",
        {"decisionTaskCompletedEventId": 9},
        "ChildWorkflowExecutionCompleted",
        {},
    ),
    (
        "WorkflowExecutionFailed",
        {"reason": "r", "details": "d", "decisionTaskCompletedEventId": 9},
        "ChildWorkflowExecutionFailed",
        {"reason": "r", "details": "d"},
    ),
    (
        "WorkflowExecutionCanceled",
        {"details": "bye", "decisionTaskCompletedEventId": 9},
        "ChildWorkflowExecutionCanceled",
        {"details": "bye"},
    ),
    (
        "WorkflowExecutionTimedOut",
        {"timeoutType": "START_TO_CLOSE", "childPolicy": "TERMINATE"},
        "ChildWorkflowExecutionTimedOut",
        {"timeoutType": "START_TO_CLOSE"},
    ),
    (
        "WorkflowExecutionTerminated",
        {"childPolicy": "TERMINATE", "reason": "r", "details": "d", "cause": "OPERATOR_INITIATED"},
        "ChildWorkflowExecutionTerminated",
        {},
    ),
]


@pytest.mark.parametrize(
    ("close_event", "close_attrs", "event_type", "expected"),
    CLOSES,
    ids=[f"{c[0]}-{len(c[3])}" for c in CLOSES],
)
def test_child_close_records_the_matching_event(
    close_event: str, close_attrs: dict[str, Any], event_type: str, expected: dict[str, Any]
) -> None:
    run, initiated, started = with_started_child()
    run.advance(9)

    outcome = run.do(
        c.ChildClosed(
            initiated_event_id=initiated,
            run_id="child-run",
            close_event=close_event,
            attributes=close_attrs,
        )
    )

    assert types_of(outcome) == [event_type, "DecisionTaskScheduled"]
    assert attrs(outcome, event_type) == {
        "workflowExecution": CHILD,
        "workflowType": CHILD_TYPE,
        **expected,
        "initiatedEventId": initiated,
        "startedEventId": started,
    }
    assert (initiated, started) == (5, 6), "the Initiated and the Started event differ"
    assert run.state.children == {}


def test_a_close_that_arrives_before_the_start_records_the_start_first() -> None:
    run, initiated = with_initiated_child()

    outcome = run.do(
        c.ChildClosed(
            initiated_event_id=initiated,
            run_id="child-run",
            close_event="WorkflowExecutionCompleted",
            attributes={"result": "fast"},
        )
    )

    # As if the start had been delivered on its own: it schedules the decision task, which
    # the close then joins.
    assert types_of(outcome) == [
        "ChildWorkflowExecutionStarted",
        "DecisionTaskScheduled",
        "ChildWorkflowExecutionCompleted",
    ]
    started, completed = outcome.events[0], outcome.events[2]
    assert started.attributes == {
        "workflowExecution": CHILD,
        "workflowType": CHILD_TYPE,
        "initiatedEventId": initiated,
    }
    assert completed.attributes == {
        "workflowExecution": CHILD,
        "workflowType": CHILD_TYPE,
        "result": "fast",
        "initiatedEventId": initiated,
        "startedEventId": started.event_id,
    }
    assert run.state.children == {}


def test_a_child_that_continued_as_new_closes_under_its_last_run() -> None:
    run, initiated, started = with_started_child()

    outcome = run.do(
        c.ChildClosed(
            initiated_event_id=initiated,
            run_id="child-run-2",
            close_event="WorkflowExecutionCompleted",
            attributes={},
        )
    )

    completed = attrs(outcome, "ChildWorkflowExecutionCompleted")
    assert completed["workflowExecution"] == {"workflowId": "kid", "runId": "child-run-2"}
    assert completed["startedEventId"] == started


def test_a_child_continuing_as_new_is_not_a_close() -> None:
    run, initiated, _ = with_started_child()

    outcome = run.do(
        c.ChildClosed(
            initiated_event_id=initiated,
            run_id="child-run",
            close_event="WorkflowExecutionContinuedAsNew",
            attributes={"newExecutionRunId": "child-run-2"},
        )
    )

    assert outcome.events == []
    assert initiated in run.state.children


def test_a_child_close_delivered_twice_records_once() -> None:
    run, initiated, _ = with_started_child()
    closed = c.ChildClosed(
        initiated_event_id=initiated,
        run_id="child-run",
        close_event="WorkflowExecutionFailed",
        attributes={"reason": "r"},
    )
    run.do(closed)

    again = run.do(closed)

    assert again.events == []
    assert again.effects.new_tasks == [] and again.effects.timers == []


def test_a_start_delivered_after_the_close_records_nothing() -> None:
    run, initiated = with_initiated_child()
    run.do(
        c.ChildClosed(
            initiated_event_id=initiated,
            run_id="child-run",
            close_event="WorkflowExecutionCompleted",
            attributes={},
        )
    )

    assert run.do(c.ChildStarted(initiated_event_id=initiated, run_id="child-run")).events == []


# --- a closed parent ignores its children -------------------------------------------------


def _terminate_abandoning(run: Run) -> None:
    run.do(c.TerminateExecution(child_policy="ABANDON"))


def _complete(run: Run) -> None:
    run.decide([complete_workflow()])


@pytest.mark.parametrize("close", [_terminate_abandoning, _complete], ids=["terminated", "done"])
@pytest.mark.parametrize(
    "message",
    [
        lambda i: c.ChildStarted(initiated_event_id=i, run_id="child-run"),
        lambda i: c.ChildStartFailed(initiated_event_id=i, cause="WORKFLOW_ALREADY_RUNNING"),
        lambda i: c.ChildClosed(
            initiated_event_id=i,
            run_id="child-run",
            close_event="WorkflowExecutionCompleted",
            attributes={"result": "late"},
        ),
    ],
    ids=["started", "start-failed", "closed"],
)
def test_a_closed_parent_ignores_messages_about_its_children(
    close: Callable[[Run], None], message: Callable[[int], c.Command]
) -> None:
    run, initiated = with_initiated_child()
    run.signal()  # so the parent has a decision task to close with
    close(run)
    history = list(run.history)

    outcome = run.do(message(initiated))

    assert outcome.events == []
    assert not outcome.effects.closed and outcome.effects.timers == []
    assert run.history == history
    assert initiated in run.state.children, "the closed run keeps its children"


# --- a child run tells its parent when it closes -----------------------------------------


def child_run(**overrides: Any) -> Run:
    return Run(start_command(parent=dict(PARENT), parent_initiated_event_id=5, **overrides))


def test_a_child_run_starts_linked_to_its_parent() -> None:
    run = child_run()

    started = attrs(run.start_outcome, "WorkflowExecutionStarted")
    assert started["parentWorkflowExecution"] == PARENT
    assert started["parentInitiatedEventId"] == 5
    assert run.state.parent == PARENT
    assert run.state.parent_initiated_event_id == 5
    assert not any(k.startswith("msg:") for k in timer_keys(run.start_outcome))


def _by_completing(run: Run) -> Any:
    return run.decide([complete_workflow(result="r")])


def _by_failing(run: Run) -> Any:
    return run.decide([fail_workflow(reason="r")])


def _by_cancelling(run: Run) -> Any:
    return run.decide([cancel_workflow()])


def _by_terminating(run: Run) -> Any:
    return run.do(c.TerminateExecution(reason="stop"))


def _by_timing_out(run: Run) -> Any:
    return run.fire("workflow:START_TO_CLOSE", at_ms=T0 + 3600 * SEC)


CHILD_CLOSES = [_by_completing, _by_failing, _by_cancelling, _by_terminating, _by_timing_out]


@pytest.mark.parametrize("close", CHILD_CLOSES, ids=lambda f: f.__name__)
def test_a_closing_child_run_notifies_its_parent(close: Callable[[Run], Any]) -> None:
    run = child_run()
    run.advance(5)

    outcome = close(run)

    assert outcome.effects.closed
    assert timer_keys(outcome).get("msg:notify-parent") == run.now_ms
    assert not run.state.is_open


@pytest.mark.parametrize("close", CHILD_CLOSES, ids=lambda f: f.__name__)
def test_a_closing_root_run_notifies_nobody(close: Callable[[Run], Any]) -> None:
    run = Run()

    outcome = close(run)

    assert "msg:notify-parent" not in timer_keys(outcome)


def test_a_child_run_that_continues_as_new_does_not_notify_its_parent() -> None:
    run = child_run()

    outcome = run.decide([continue_as_new()], workflow_types=workflow_types(), new_run_id="run-2")

    assert outcome.effects.closed
    assert run.state.close_status == "CONTINUED_AS_NEW"
    assert "msg:notify-parent" not in timer_keys(outcome)
    assert outcome.continued_as_new is not None
    assert "msg:notify-parent" not in timer_keys(outcome.continued_as_new)


def test_a_child_run_closing_with_its_history_full_notifies_its_parent() -> None:
    run = Run(
        start_command(parent=dict(PARENT), parent_initiated_event_id=5),
        limits=c.Limits(max_history_events=4),
    )

    outcome = run.signal()

    assert types_of(outcome)[-1] == "WorkflowExecutionTerminated"
    assert "msg:notify-parent" in timer_keys(outcome)


# --- child policies -----------------------------------------------------------------------


def _policy_messages(outcome: Any) -> list[str]:
    return [k for k in timer_keys(outcome) if k.startswith("msg:child-policy:")]


@pytest.mark.parametrize("policy", ["TERMINATE", "REQUEST_CANCEL"])
def test_terminating_a_parent_with_open_children_applies_its_child_policy(policy: str) -> None:
    run, initiated, _ = with_started_child(Run(start_command(child_policy=policy)))
    children = dict(run.state.children)

    outcome = run.do(c.TerminateExecution())

    assert attrs(outcome, "WorkflowExecutionTerminated")["childPolicy"] == policy
    assert _policy_messages(outcome) == [f"msg:child-policy:{policy}"]
    assert timer_keys(outcome)[f"msg:child-policy:{policy}"] == run.now_ms
    assert run.state.children == children, "the policy is applied to them after the close"
    assert initiated in run.state.children


def test_the_terminate_request_policy_overrides_the_runs() -> None:
    run, _, _ = with_started_child(Run(start_command(child_policy="ABANDON")))

    outcome = run.do(c.TerminateExecution(child_policy="REQUEST_CANCEL"))

    assert _policy_messages(outcome) == ["msg:child-policy:REQUEST_CANCEL"]


def test_abandon_sends_nothing() -> None:
    run, _, _ = with_started_child(Run(start_command(child_policy="TERMINATE")))

    outcome = run.do(c.TerminateExecution(child_policy="ABANDON"))

    assert outcome.effects.closed
    assert _policy_messages(outcome) == []
    assert run.state.children, "abandoned children are still the run's children"


def test_a_timed_out_parent_applies_its_child_policy() -> None:
    run, _, _ = with_started_child(Run(start_command(child_policy="REQUEST_CANCEL")))

    outcome = run.fire("workflow:START_TO_CLOSE", at_ms=T0 + 3600 * SEC)

    assert types_of(outcome) == ["WorkflowExecutionTimedOut"]
    assert _policy_messages(outcome) == ["msg:child-policy:REQUEST_CANCEL"]
    assert run.state.children


def test_a_parent_terminated_for_its_history_length_applies_its_child_policy() -> None:
    run, _, _ = with_started_child(Run(limits=c.Limits(max_history_events=12)))

    while run.state.is_open:
        outcome = run.signal()

    assert attrs(outcome, "WorkflowExecutionTerminated")["cause"] == "EVENT_LIMIT_EXCEEDED"
    assert _policy_messages(outcome) == ["msg:child-policy:TERMINATE"]


def test_a_parent_whose_child_was_only_initiated_still_sends_its_policy() -> None:
    # The relay skips children that never started; the start message then finds the parent
    # closed and starts nothing.
    run, _ = with_initiated_child()

    outcome = run.do(c.TerminateExecution())

    assert _policy_messages(outcome) == ["msg:child-policy:TERMINATE"]


def test_no_children_no_policy_message() -> None:
    run = Run(start_command(child_policy="TERMINATE"))

    outcome = run.do(c.TerminateExecution())

    assert _policy_messages(outcome) == []


def test_children_that_closed_get_no_policy() -> None:
    run, initiated, _ = with_started_child()
    run.do(
        c.ChildClosed(
            initiated_event_id=initiated,
            run_id="child-run",
            close_event="WorkflowExecutionCompleted",
            attributes={},
        )
    )

    outcome = run.do(c.TerminateExecution())

    assert _policy_messages(outcome) == []


@pytest.mark.parametrize(
    "close",
    [_by_completing, _by_failing, _by_cancelling],
    ids=lambda f: f.__name__,
)
def test_closing_by_decision_applies_no_child_policy(close: Callable[[Run], Any]) -> None:
    # Reference §6.9: the policy applies on termination and timeout only.
    run, _, _ = with_started_child()
    run.signal()

    outcome = close(run)

    assert outcome.effects.closed
    assert _policy_messages(outcome) == []
    assert run.state.children


def test_a_child_terminated_by_its_parents_policy_passes_its_own_policy_on() -> None:
    # A child with children of its own: TERMINATE applies recursively (reference §6.9).
    run, _, _ = with_started_child(
        Run(
            start_command(
                parent=dict(PARENT), parent_initiated_event_id=5, child_policy="REQUEST_CANCEL"
            )
        )
    )

    outcome = run.do(c.TerminateExecution(cause="CHILD_POLICY_APPLIED"))

    assert attrs(outcome, "WorkflowExecutionTerminated") == {
        "childPolicy": "REQUEST_CANCEL",
        "cause": "CHILD_POLICY_APPLIED",
    }
    assert set(timer_keys(outcome)) >= {"msg:notify-parent", "msg:child-policy:REQUEST_CANCEL"}


def test_the_whole_child_story_in_the_parent_history() -> None:
    run = Run(start_command(child_policy="TERMINATE"))
    run.decide([child_decision(control="c")], workflow_types=CHILD_TYPES)
    run.do(c.ChildStarted(initiated_event_id=5, run_id="child-run"))
    run.decide([])
    run.do(
        c.ChildClosed(
            initiated_event_id=5,
            run_id="child-run",
            close_event="WorkflowExecutionCompleted",
            attributes={"result": "ok"},
        )
    )
    run.decide([complete_workflow(result="done")])

    assert types_of(run.history) == [
        "WorkflowExecutionStarted",  # 1
        "DecisionTaskScheduled",  # 2
        "DecisionTaskStarted",  # 3
        "DecisionTaskCompleted",  # 4
        "StartChildWorkflowExecutionInitiated",  # 5
        "ChildWorkflowExecutionStarted",  # 6
        "DecisionTaskScheduled",  # 7
        "DecisionTaskStarted",  # 8
        "DecisionTaskCompleted",  # 9
        "ChildWorkflowExecutionCompleted",  # 10
        "DecisionTaskScheduled",  # 11
        "DecisionTaskStarted",  # 12
        "DecisionTaskCompleted",  # 13
        "WorkflowExecutionCompleted",  # 14
    ]
    assert run.history[9].attributes["initiatedEventId"] == 5
    assert run.history[9].attributes["startedEventId"] == 6
    assert WF_TYPE == run.state.workflow_type


def test_a_child_policy_cancel_delivered_twice_is_recorded_once() -> None:
    # The relay may deliver the parent's REQUEST_CANCEL policy again after a crash between
    # the delivery and the removal of its outbox row: the child hears of it once.
    run = Run(start_command(parent=dict(PARENT), parent_initiated_event_id=5))

    first = run.do(c.RequestCancelExecution(cause="CHILD_POLICY_APPLIED"))
    again = run.do(c.RequestCancelExecution(cause="CHILD_POLICY_APPLIED"))

    assert attrs(first, "WorkflowExecutionCancelRequested") == {
        "cause": "CHILD_POLICY_APPLIED",
        "externalInitiatedEventId": 0,
    }
    assert types_of(again) == []
    assert types_of(run.history).count("WorkflowExecutionCancelRequested") == 1
