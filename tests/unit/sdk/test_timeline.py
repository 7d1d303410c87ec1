"""build_timeline on the recorded histories of tests/unit/sdk/fixtures, and on hand-made ones
for the events no recording holds (Lambda, synchronous decision failures)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest

from openswf.sdk.timeline import KINDS, OPEN_STATUSES, Span, build_timeline

FIXTURES = sorted(Path(__file__).with_name("fixtures").glob("*.json"))
T0 = 1_700_000_000.0


def history(name: str) -> list[dict[str, Any]]:
    data: dict[str, Any] = orjson.loads(
        Path(__file__).with_name("fixtures").joinpath(f"{name}.json").read_bytes()
    )
    events: list[dict[str, Any]] = data["history"]
    return events


def of(spans: list[Span], kind: str) -> list[Span]:
    return [s for s in spans if s.kind == kind]


@pytest.mark.parametrize("path", FIXTURES, ids=[p.stem for p in FIXTURES])
def test_every_fixture_gives_consistent_spans(path: Path) -> None:
    events = orjson.loads(path.read_bytes())["history"]
    spans = build_timeline(events)
    assert spans[0].kind == "workflow"
    seen: set[int] = set()
    for span in spans:
        assert span.kind in KINDS
        assert list(span.event_ids) == sorted(span.event_ids)
        assert not seen & set(span.event_ids), "an event belongs to one span"
        seen |= set(span.event_ids)
        assert (span.closed is None) == (span.status in OPEN_STATUSES), span
        if span.started is not None:
            assert span.started >= span.scheduled
        if span.closed is not None:
            assert span.closed >= span.scheduled
    # Spans come in the order they began.
    firsts = [s.event_ids[0] for s in spans]
    assert firsts == sorted(firsts)
    decisions = [e for e in events if e["eventType"] == "DecisionTaskScheduled"]
    assert [s.key for s in of(spans, "decision")] == [
        f"decision-{n}" for n in range(1, len(decisions) + 1)
    ]


def test_chain_three_activities_in_a_row() -> None:
    spans = build_timeline(history("chain"))
    workflow = spans[0]
    assert (workflow.label, workflow.status, workflow.event_ids) == (
        "graph:1",
        "completed",
        (1, 23),
    )
    activities = of(spans, "activity")
    assert [(s.key, s.label, s.attempt, s.status) for s in activities] == [
        ("a", "a:1", 1, "completed"),
        ("b", "b:1", 1, "completed"),
        ("c", "c:1", 1, "completed"),
    ]
    assert activities[0].event_ids == (5, 6, 7)
    assert all(s.status == "completed" for s in of(spans, "decision"))


def test_retry_after_failure_counts_attempts_and_keeps_the_reason() -> None:
    spans = build_timeline(history("retry_fixed_delay"))
    first, second = of(spans, "activity")
    assert (first.key, first.attempt, first.status, first.detail) == ("a", 1, "failed", "flaky")
    assert first.failed
    assert (second.key, second.attempt, second.status) == ("a", 2, "completed")
    (timer,) = of(spans, "timer")
    assert (timer.key, timer.label, timer.status) == ("retry-2-a", "timer 5s", "fired")
    assert timer.duration() == pytest.approx(5.0)
    assert second.scheduled == pytest.approx(T0 + 5.0)


def test_timeout_then_retry() -> None:
    first, second = of(build_timeline(history("timeout_then_retry")), "activity")
    assert (first.status, first.detail, first.attempt) == ("timed_out", "START_TO_CLOSE", 1)
    assert first.duration() == pytest.approx(11.0)
    assert (second.status, second.attempt) == ("completed", 2)


def test_decision_task_timeouts() -> None:
    decisions = of(build_timeline(history("decider_restart")), "decision")
    assert [(d.status, d.detail) for d in decisions if d.status != "completed"] == [
        ("timed_out", "START_TO_CLOSE"),
        ("timed_out", "START_TO_CLOSE"),
    ]
    assert decisions[0].duration() == pytest.approx(31.0)


def test_cancel_request_cancels_timer_and_workflow() -> None:
    spans = build_timeline(history("cancel_requested"))
    assert (spans[0].status, spans[0].event_ids) == ("canceled", (1, 8, 14))
    (activity,) = of(spans, "activity")
    # The activity never answered the cancel request: the history still has it running.
    assert (activity.status, activity.detail, activity.closed) == (
        "started",
        "cancel requested",
        None,
    )
    assert activity.event_ids == (5, 7, 12)
    (timer,) = of(spans, "timer")
    assert (timer.key, timer.status) == ("wait", "canceled")


def test_children_failure_and_retry() -> None:
    first, second = of(build_timeline(history("child_workflow_failure_retry")), "child")
    assert first.key == second.key == "wf-child_workflow_failure_retry-kid"
    assert (first.attempt, first.status, first.label) == (1, "failed", "openswf.dynamic:1")
    assert first.detail is not None and "child-broke" in first.detail
    assert (second.attempt, second.status) == (2, "completed")
    assert first.started is not None and second.started is not None


def test_open_workflow_and_initiated_children() -> None:
    spans = build_timeline(history("daemon_signals"))
    assert (spans[0].status, spans[0].closed, spans[0].is_open) == ("open", None, True)
    assert spans[0].duration() is None
    assert spans[0].duration(now=spans[0].scheduled + 3) == pytest.approx(3.0)
    children = of(spans, "child")
    assert [(c.key, c.status, c.started) for c in children] == [
        ("daemon-child-1", "scheduled", None),
        ("daemon-child-2", "scheduled", None),
    ]


def test_continue_as_new_names_the_next_run() -> None:
    workflow = build_timeline(history("repeat_workflow"))[0]
    assert workflow.status == "continued_as_new"
    assert workflow.detail and len(workflow.detail) == 32


def event(eid: int, event_type: str, at: float = T0, **attrs: Any) -> dict[str, Any]:
    key = event_type[0].lower() + event_type[1:] + "EventAttributes"
    return {"eventId": eid, "eventTimestamp": at, "eventType": event_type, key: attrs}


def test_lambdas_and_synchronous_failures() -> None:
    events = [
        event(1, "WorkflowExecutionStarted", workflowType={"name": "w", "version": "2"}),
        event(2, "LambdaFunctionScheduled", id="l1", name="resize", decisionTaskCompletedEventId=0),
        event(3, "LambdaFunctionStarted", T0 + 1, scheduledEventId=2),
        event(4, "LambdaFunctionFailed", T0 + 3, scheduledEventId=2, startedEventId=3, reason="x"),
        event(5, "LambdaFunctionScheduled", T0 + 4, id="l1", name="resize"),
        event(6, "LambdaFunctionStarted", T0 + 4, scheduledEventId=5),
        event(
            7, "LambdaFunctionTimedOut", T0 + 9, scheduledEventId=5, timeoutType="START_TO_CLOSE"
        ),
        event(
            8,
            "ScheduleActivityTaskFailed",
            T0 + 9,
            activityId="a",
            activityType={"name": "a", "version": "1"},
            cause="ACTIVITY_TYPE_DOES_NOT_EXIST",
        ),
        event(9, "StartTimerFailed", T0 + 9, timerId="t", cause="TIMER_ID_ALREADY_IN_USE"),
        event(
            10,
            "StartChildWorkflowExecutionFailed",
            T0 + 9,
            workflowId="kid",
            workflowType={"name": "k", "version": "1"},
            initiatedEventId=0,
            cause="WORKFLOW_TYPE_DOES_NOT_EXIST",
        ),
        event(11, "WorkflowExecutionTerminated", T0 + 10, reason="by hand", childPolicy="ABANDON"),
    ]
    spans = build_timeline(events)
    assert [(s.kind, s.key, s.attempt, s.status, s.detail) for s in spans] == [
        ("workflow", "workflow", 1, "terminated", "by hand"),
        ("lambda", "l1", 1, "failed", "x"),
        ("lambda", "l1", 2, "timed_out", "START_TO_CLOSE"),
        ("activity", "a", 1, "failed", "ACTIVITY_TYPE_DOES_NOT_EXIST"),
        ("timer", "t", 1, "failed", "TIMER_ID_ALREADY_IN_USE"),
        ("child", "kid", 1, "failed", "WORKFLOW_TYPE_DOES_NOT_EXIST"),
    ]
    assert spans[1].queued() == pytest.approx(1.0)
    assert spans[1].duration() == pytest.approx(3.0)
    assert spans[3].closed == spans[3].scheduled


def test_datetime_timestamps_as_botocore_gives_them() -> None:
    events = history("chain")
    as_datetimes = [
        {**e, "eventTimestamp": datetime.fromtimestamp(e["eventTimestamp"], UTC)} for e in events
    ]
    assert build_timeline(as_datetimes) == build_timeline(events)


def test_large_history_is_linear() -> None:
    # 10,000 activities: one pass, no quadratic lookups (this would take minutes if it were).
    events: list[dict[str, Any]] = [event(1, "WorkflowExecutionStarted")]
    for n in range(10_000):
        base = 2 + 3 * n
        events.append(
            event(
                base,
                "ActivityTaskScheduled",
                activityId=f"a{n % 7}",
                activityType={"name": "a", "version": "1"},
            )
        )
        events.append(event(base + 1, "ActivityTaskStarted", scheduledEventId=base))
        events.append(event(base + 2, "ActivityTaskCompleted", scheduledEventId=base))
    spans = build_timeline(events)
    assert len(spans) == 10_001
    assert max(s.attempt for s in spans) == 10_000 // 7 + 1
