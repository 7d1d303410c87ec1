"""The graph deciders on recorded histories: given the first N events, these decisions.

Fixtures come from ``record_fixtures.py`` (a real server, a manual clock); each step is one
decision task as it was polled. Deciding again from the same events must give the same
decisions, whichever decider instance does it: that is what makes a restarted decider, or
several deciders on one task list, safe.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from openswf.sdk import DaemonDecider, DeciderSpec, DynamicDecider, GraphDecider
from openswf.sdk.deciders.base import Decider
from openswf.sdk.history import DecisionTask

FIXTURES = sorted(Path(__file__).with_name("fixtures").glob("*.json"))


def load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = orjson.loads(path.read_bytes())
    return data


def decider_of(fixture: dict[str, Any]) -> Decider:
    if fixture["decider"] == "dynamic":
        return DynamicDecider()
    if fixture["decider"] == "daemon":
        return DaemonDecider()
    return GraphDecider(DeciderSpec.from_dict(fixture["spec"]))


def task_at(fixture: dict[str, Any], n: int) -> DecisionTask:
    workflow = fixture["workflow"]
    events = fixture["history"][:n]
    return DecisionTask(
        task_token="token",
        workflow_id=workflow["workflowId"],
        run_id=workflow["runId"],
        workflow_type=workflow["workflowType"],
        started_event_id=int(events[-1]["eventId"]),
        previous_started_event_id=0,
        events=events,
    )


def decisions_at(fixture: dict[str, Any], n: int, decider: Decider | None = None) -> Any:
    return (decider or decider_of(fixture)).decide(task_at(fixture, n)).decisions


@pytest.mark.parametrize("path", FIXTURES, ids=[p.stem for p in FIXTURES])
def test_decisions_match_the_recording(path: Path) -> None:
    fixture = load(path)
    for step in fixture["steps"]:
        assert decisions_at(fixture, step["events"]) == step["decisions"], step["events"]


@pytest.mark.parametrize("path", FIXTURES, ids=[p.stem for p in FIXTURES])
def test_one_decider_instance_replays_every_step_the_same(path: Path) -> None:
    """A long-lived decider that saw other tasks decides exactly like a fresh one."""
    fixture = load(path)
    decider = decider_of(fixture)
    for _ in range(2):
        for step in fixture["steps"]:
            assert decisions_at(fixture, step["events"], decider) == step["decisions"]


def fixture_named(name: str) -> dict[str, Any]:
    return load(Path(__file__).with_name("fixtures") / f"{name}.json")


def kinds(decisions: list[dict[str, Any]]) -> list[str]:
    return [d["decisionType"] for d in decisions]


def attrs(decision: dict[str, Any]) -> dict[str, Any]:
    return next(v for k, v in decision.items() if k.endswith("DecisionAttributes"))


def final_decisions(name: str) -> list[dict[str, Any]]:
    fixture = fixture_named(name)
    last: list[dict[str, Any]] = fixture["steps"][-1]["decisions"]
    return last


def test_chain_completes_with_every_result() -> None:
    (close,) = final_decisions("chain")
    assert close["decisionType"] == "CompleteWorkflowExecution"
    assert orjson.loads(attrs(close)["result"]) == {"a": 2, "b": 3, "c": 4}
    fixture = fixture_named("chain")
    second = attrs(fixture["steps"][1]["decisions"][0])
    assert orjson.loads(second["input"])["requires"] == {"a": 2}


def test_failure_carries_the_collected_failures() -> None:
    (fail,) = final_decisions("retry_instant_exhausted")
    assert fail["decisionType"] == "FailWorkflowExecution"
    details = orjson.loads(attrs(fail)["details"])
    assert [f["reason"] for f in details["failures"]["a"]] == ["first", "second"]


def test_retry_waits_on_a_timer_then_reschedules() -> None:
    steps = fixture_named("retry_fixed_delay")["steps"]
    timer = attrs(steps[1]["decisions"][0])
    assert steps[1]["decisions"][0]["decisionType"] == "StartTimer"
    assert timer["startToFireTimeout"] == "5"
    again = attrs(steps[2]["decisions"][0])
    assert again["activityId"] == "a" and orjson.loads(again["input"])["attempt"] == 2


def test_a_reason_outside_the_filter_is_not_retried() -> None:
    assert kinds(final_decisions("retry_reasons_filter")) == ["FailWorkflowExecution"]


def test_timeouts_are_retried_after_a_backoff() -> None:
    steps = fixture_named("timeout_then_retry")["steps"]
    assert kinds(steps[1]["decisions"]) == ["StartTimer"]
    assert kinds(steps[-1]["decisions"]) == ["CompleteWorkflowExecution"]


def test_a_restarted_decider_schedules_what_the_dead_one_did_not() -> None:
    fixture = fixture_named("decider_restart")
    first, retaken = fixture["steps"][0], fixture["steps"][1]
    assert first["decisions"] == retaken["decisions"]
    types = [e["eventType"] for e in fixture["history"]]
    assert types.count("DecisionTaskTimedOut") == 2
    assert types.count("ActivityTaskScheduled") == 2  # nothing scheduled twice


def test_generated_tasks_feed_the_join() -> None:
    steps = fixture_named("generator_fanout")["steps"]
    total = attrs(steps[3]["decisions"][0])
    assert orjson.loads(total["input"])["requires"] == {"square-3": 9, "square-4": 16}


def test_child_result_reaches_the_next_task() -> None:
    steps = fixture_named("child_workflow")["steps"]
    start = steps[1]["decisions"][0]
    assert start["decisionType"] == "StartChildWorkflowExecution"
    child_input = orjson.loads(attrs(start)["input"])
    assert child_input["decider_spec"]["tasks"][0]["id"] == "inner"
    assert child_input["input"] == {"a": "prepared"}
    after = orjson.loads(attrs(steps[2]["decisions"][0])["input"])
    assert after["requires"] == {"kid": {"inner": "inner-done"}}


def test_a_failed_child_is_started_again() -> None:
    steps = fixture_named("child_workflow_failure_retry")["steps"]
    assert kinds(steps[1]["decisions"]) == ["StartChildWorkflowExecution"]


def test_cancel_request_cancels_open_work_then_the_workflow() -> None:
    assert kinds(final_decisions("cancel_requested")) == [
        "RequestCancelActivityTask",
        "CancelTimer",
        "CancelWorkflowExecution",
    ]


def test_daemon_starts_one_child_per_signal_once() -> None:
    fixture = fixture_named("daemon_signals")
    started = final_decisions("daemon_signals")
    assert [attrs(d)["workflowId"] for d in started] == ["daemon-child-1", "daemon-child-2"]
    # With the Initiated events in the history, the same signals start nothing more.
    assert decisions_at(fixture, len(fixture["history"])) == []


def test_repeat_workflow_continues_as_new_with_the_same_input() -> None:
    (close,) = final_decisions("repeat_workflow")
    assert close["decisionType"] == "ContinueAsNewWorkflowExecution"
    assert orjson.loads(attrs(close)["input"]) == {"round": 1}
