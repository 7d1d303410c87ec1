"""Lambda tasks: ScheduleLambdaFunction, the Lambda worker's start and answer, and the
start-to-close timeout (reference §4, §4.2, §5, §6.15; protocol/lambdas.py)."""

from __future__ import annotations

from typing import Any

import pytest

from openswf.engine import commands as c
from openswf.engine.effects import TaskSpec, TimerSpec
from openswf.engine.state import LambdaState
from openswf.engine.transition import StaleTask
from openswf.protocol.faults import UnknownResourceFault
from openswf.protocol.lambdas import LAMBDA_TASK_LIST
from tests.unit.engine.engine_helpers import (
    ROLE,
    SEC,
    Run,
    attrs,
    complete_workflow,
    schedule_lambda,
    start_command,
    timer_keys,
    types_of,
)

TIMER = "lambda:5:START_TO_CLOSE"


def lambda_run(**start: Any) -> Run:
    return Run(start_command(lambda_role=ROLE, **start))


def scheduled_lambda(timeout: str | None = None) -> tuple[Run, int]:
    """A run with one Lambda task scheduled by its first decision (scheduledEventId 5)."""
    run = lambda_run()
    extra = {} if timeout is None else {"startToCloseTimeout": timeout}
    run.decide([schedule_lambda("f1", "fn", **extra)])
    return run, 5


def started_lambda(timeout: str | None = None) -> tuple[Run, int, int]:
    run, scheduled = scheduled_lambda(timeout)
    outcome = run.do(c.StartLambdaTask(scheduled_event_id=scheduled))
    return run, scheduled, outcome.events[0].event_id


def answer(scheduled: int, started: int, outcome: str, **kwargs: str) -> c.Command:
    return c.RespondLambdaTask(
        scheduled_event_id=scheduled, started_event_id=started, outcome=outcome, **kwargs
    )


# --- ScheduleLambdaFunction -----------------------------------------------------------------


def test_schedule_lambda_records_scheduled_with_the_default_timeout() -> None:
    run = lambda_run()
    run.advance(2)

    outcome = run.decide([schedule_lambda("f1", "double", input="21", control="c")])

    assert types_of(outcome) == ["DecisionTaskCompleted", "LambdaFunctionScheduled"]
    assert attrs(outcome, "LambdaFunctionScheduled") == {
        "id": "f1",
        "name": "double",
        "control": "c",
        "input": "21",
        "startToCloseTimeout": "900",
        "decisionTaskCompletedEventId": 4,
    }
    # The task goes to the Lambda workers' reserved list; the control stays in the history.
    assert outcome.effects.new_tasks == [
        TaskSpec(
            kind="lambda",
            task_list=LAMBDA_TASK_LIST,
            priority=0,
            scheduled_event_id=5,
            payload={"id": "f1", "name": "double", "input": "21"},
        )
    ]
    assert TimerSpec(key=TIMER, due_ms=run.now_ms + 900 * SEC) in outcome.effects.timers
    assert run.state.decision is None, "scheduling alone asks the decider nothing"
    assert run.state.lambdas == {
        5: LambdaState(
            scheduled_event_id=5,
            function_id="f1",
            name="double",
            scheduled_ms=run.now_ms,
            start_to_close_timeout="900",
        )
    }


def test_schedule_lambda_with_its_own_timeout_and_no_input() -> None:
    run = lambda_run()

    outcome = run.decide([schedule_lambda("f1", "fn", startToCloseTimeout="30")])

    assert attrs(outcome, "LambdaFunctionScheduled") == {
        "id": "f1",
        "name": "fn",
        "startToCloseTimeout": "30",
        "decisionTaskCompletedEventId": 4,
    }
    assert outcome.effects.new_tasks[0].payload == {"id": "f1", "name": "fn"}
    assert timer_keys(outcome)[TIMER] == run.now_ms + 30 * SEC


def test_an_open_function_id_is_in_use() -> None:
    run = lambda_run()

    outcome = run.decide([schedule_lambda("f1", "fn"), schedule_lambda("f1", "other")])

    assert types_of(outcome) == [
        "DecisionTaskCompleted",
        "LambdaFunctionScheduled",
        "ScheduleLambdaFunctionFailed",
        "DecisionTaskScheduled",
    ]
    assert attrs(outcome, "ScheduleLambdaFunctionFailed") == {
        "id": "f1",
        "name": "other",
        "cause": "ID_ALREADY_IN_USE",
        "decisionTaskCompletedEventId": 4,
    }
    assert [t.kind for t in outcome.effects.new_tasks] == ["lambda", "decision"]
    assert list(run.state.lambdas) == [5]


def test_an_id_in_use_across_decision_tasks() -> None:
    run, _ = scheduled_lambda()
    run.signal()

    outcome = run.decide([schedule_lambda("f1", "fn")])

    assert attrs(outcome, "ScheduleLambdaFunctionFailed")["cause"] == "ID_ALREADY_IN_USE"


def test_an_id_is_free_again_once_the_function_closed() -> None:
    run, scheduled, started = started_lambda()
    run.do(answer(scheduled, started, "Completed"))

    outcome = run.decide([schedule_lambda("f1", "fn")])

    assert "LambdaFunctionScheduled" in types_of(outcome)


def test_open_lambda_functions_limit() -> None:
    run = Run(start_command(lambda_role=ROLE), limits=c.Limits(max_open_lambdas=1))

    outcome = run.decide([schedule_lambda("f1", "fn"), schedule_lambda("f2", "fn")])

    assert types_of(outcome) == [
        "DecisionTaskCompleted",
        "LambdaFunctionScheduled",
        "ScheduleLambdaFunctionFailed",
        "DecisionTaskScheduled",
    ]
    assert attrs(outcome, "ScheduleLambdaFunctionFailed") == {
        "id": "f2",
        "name": "fn",
        "cause": "OPEN_LAMBDA_FUNCTIONS_LIMIT_EXCEEDED",
        "decisionTaskCompletedEventId": 4,
    }


def test_id_in_use_is_reported_before_the_limit() -> None:
    run = Run(start_command(lambda_role=ROLE), limits=c.Limits(max_open_lambdas=1))

    outcome = run.decide([schedule_lambda("f1", "fn"), schedule_lambda("f1", "fn")])

    assert attrs(outcome, "ScheduleLambdaFunctionFailed")["cause"] == "ID_ALREADY_IN_USE"


def test_without_a_lambda_role_the_function_cannot_start() -> None:
    run = Run()  # no lambdaRole

    outcome = run.decide([schedule_lambda("f1", "fn", input="x")])

    assert types_of(outcome) == [
        "DecisionTaskCompleted",
        "LambdaFunctionScheduled",
        "StartLambdaFunctionFailed",
        "DecisionTaskScheduled",
    ]
    failed = attrs(outcome, "StartLambdaFunctionFailed")
    assert set(failed) == {"scheduledEventId", "cause", "message"}
    assert failed["scheduledEventId"] == 5
    assert failed["cause"] == "ASSUME_ROLE_FAILED"
    assert isinstance(failed["message"], str) and failed["message"]
    assert [t.kind for t in outcome.effects.new_tasks] == ["decision"], "no Lambda task"
    assert not any(k.startswith("lambda:") for k in timer_keys(outcome))
    assert run.state.lambdas == {}


def test_without_a_lambda_role_the_id_stays_free() -> None:
    run = Run()
    run.decide([schedule_lambda("f1", "fn")])

    outcome = run.decide([schedule_lambda("f1", "fn")])

    assert "ScheduleLambdaFunctionFailed" not in types_of(outcome)


# --- the Lambda worker ----------------------------------------------------------------------


def test_start_records_started_and_takes_the_task() -> None:
    run, scheduled = scheduled_lambda()
    run.advance(1)

    outcome = run.do(c.StartLambdaTask(scheduled_event_id=scheduled))

    assert types_of(outcome) == ["LambdaFunctionStarted"]
    assert attrs(outcome, "LambdaFunctionStarted") == {"scheduledEventId": 5}
    assert outcome.effects.done_tasks == [("lambda", 5)]
    assert outcome.effects.new_tasks == []
    assert run.state.lambdas[5].started_event_id == 6


@pytest.mark.parametrize("scheduled", [5, 99])
def test_a_stale_start_is_skipped(scheduled: int) -> None:
    run, _ = scheduled_lambda()
    if scheduled == 5:
        run.do(c.StartLambdaTask(scheduled_event_id=5))  # taken already

    run.fault(c.StartLambdaTask(scheduled_event_id=scheduled), StaleTask)


@pytest.mark.parametrize(
    ("outcome_kind", "kwargs", "expected"),
    [
        ("Completed", {"result": "42"}, {"result": "42"}),
        ("Completed", {}, {}),
        ("Failed", {"reason": "bad", "details": "trace"}, {"reason": "bad", "details": "trace"}),
        ("Failed", {}, {}),
    ],
)
def test_the_answer_records_the_outcome_and_schedules_a_decision_task(
    outcome_kind: str, kwargs: dict[str, str], expected: dict[str, str]
) -> None:
    run, scheduled, started = started_lambda()
    run.advance(3)

    outcome = run.do(answer(scheduled, started, outcome_kind, **kwargs))

    event_type = "LambdaFunction" + outcome_kind
    assert types_of(outcome) == [event_type, "DecisionTaskScheduled"]
    assert attrs(outcome, event_type) == {
        "scheduledEventId": scheduled,
        "startedEventId": started,
        **expected,
    }
    assert TIMER in outcome.effects.cleared_timers
    assert run.state.lambdas == {}


def test_an_answer_joins_a_scheduled_decision_task() -> None:
    run, scheduled, started = started_lambda()
    run.signal()

    outcome = run.do(answer(scheduled, started, "Completed"))

    assert types_of(outcome) == ["LambdaFunctionCompleted"]


def test_a_second_answer_is_unknown() -> None:
    run, scheduled, started = started_lambda()
    run.do(answer(scheduled, started, "Completed"))

    error = run.fault(answer(scheduled, started, "Failed"), UnknownResourceFault)

    assert "5" in str(error)


@pytest.mark.parametrize(
    ("scheduled", "started"),
    [(5, 0), (5, 7), (99, 6)],
    ids=["never-started", "wrong-start", "unknown-function"],
)
def test_a_stale_token_is_unknown(scheduled: int, started: int) -> None:
    run, _, _ = started_lambda()

    run.fault(answer(scheduled, started, "Completed"), UnknownResourceFault)


def test_an_answer_before_the_start_is_unknown() -> None:
    run, scheduled = scheduled_lambda()

    run.fault(answer(scheduled, 0, "Completed"), UnknownResourceFault)


def test_an_answer_after_the_run_closed_is_unknown() -> None:
    run, scheduled, started = started_lambda()
    run.signal()
    run.decide([complete_workflow()])

    assert run.state.lambdas == {}
    run.fault(answer(scheduled, started, "Completed"), UnknownResourceFault)


# --- start-to-close ------------------------------------------------------------------------


def test_an_unstarted_function_times_out_from_scheduling() -> None:
    run, scheduled = scheduled_lambda("30")
    scheduled_ms = run.now_ms

    outcome = run.fire(TIMER, at_ms=scheduled_ms + 30 * SEC)

    assert types_of(outcome) == ["LambdaFunctionTimedOut", "DecisionTaskScheduled"]
    assert attrs(outcome, "LambdaFunctionTimedOut") == {
        "scheduledEventId": scheduled,
        "startedEventId": 0,
        "timeoutType": "START_TO_CLOSE",
    }
    assert ("lambda", scheduled) in outcome.effects.done_tasks, "never handed out"
    assert TIMER in outcome.effects.cleared_timers
    assert run.state.lambdas == {}
    run.fault(c.StartLambdaTask(scheduled_event_id=scheduled), StaleTask)


def test_a_started_function_has_its_whole_timeout_from_its_start() -> None:
    run, scheduled = scheduled_lambda("30")
    scheduled_ms = run.now_ms
    run.advance(10)
    claim = run.do(c.StartLambdaTask(scheduled_event_id=scheduled))
    started = claim.events[0].event_id
    assert TimerSpec(key=TIMER, due_ms=run.now_ms + 30 * SEC) in claim.effects.timers

    early = run.fire(TIMER, at_ms=scheduled_ms + 30 * SEC)  # the armed-at-scheduling row
    assert early.events == []
    outcome = run.fire(TIMER, at_ms=scheduled_ms + 40 * SEC)

    assert types_of(outcome) == ["LambdaFunctionTimedOut", "DecisionTaskScheduled"]
    assert attrs(outcome, "LambdaFunctionTimedOut") == {
        "scheduledEventId": scheduled,
        "startedEventId": started,
        "timeoutType": "START_TO_CLOSE",
    }
    assert ("lambda", scheduled) not in outcome.effects.done_tasks
    run.fault(answer(scheduled, started, "Completed"), UnknownResourceFault)


@pytest.mark.parametrize("started", [False, True])
def test_an_early_fire_re_arms_for_the_deadline(started: bool) -> None:
    run, scheduled = scheduled_lambda("30")
    deadline = run.now_ms + 30 * SEC
    if started:
        run.advance(5)
        run.do(c.StartLambdaTask(scheduled_event_id=scheduled))
        deadline += 5 * SEC  # counted from the start once started

    outcome = run.fire(TIMER, at_ms=deadline - 1)

    assert outcome.events == []
    assert TimerSpec(key=TIMER, due_ms=deadline) in outcome.effects.timers
    assert scheduled in run.state.lambdas
    late = run.fire(TIMER, at_ms=deadline)
    assert types_of(late)[0] == "LambdaFunctionTimedOut"


def test_the_timer_of_an_answered_function_does_nothing() -> None:
    run, scheduled, started = started_lambda("30")
    run.do(answer(scheduled, started, "Completed"))

    outcome = run.fire(TIMER, at_ms=run.now_ms + 30 * SEC)

    assert outcome.events == []
    assert not any(t.key == TIMER for t in outcome.effects.timers)


def test_a_timed_out_function_joins_a_scheduled_decision_task() -> None:
    run, _ = scheduled_lambda("30")
    run.signal()

    outcome = run.fire(TIMER, at_ms=run.now_ms + 30 * SEC)

    assert types_of(outcome) == ["LambdaFunctionTimedOut"]


def test_the_whole_lambda_story() -> None:
    run = lambda_run()
    run.decide([schedule_lambda("f1", "fn", input="in")])
    run.do(c.StartLambdaTask(scheduled_event_id=5))
    run.do(answer(5, 6, "Completed", result="out"))
    run.decide([complete_workflow(result="out")])

    assert types_of(run.history) == [
        "WorkflowExecutionStarted",  # 1
        "DecisionTaskScheduled",  # 2
        "DecisionTaskStarted",  # 3
        "DecisionTaskCompleted",  # 4
        "LambdaFunctionScheduled",  # 5
        "LambdaFunctionStarted",  # 6
        "LambdaFunctionCompleted",  # 7
        "DecisionTaskScheduled",  # 8
        "DecisionTaskStarted",  # 9
        "DecisionTaskCompleted",  # 10
        "WorkflowExecutionCompleted",  # 11
    ]
