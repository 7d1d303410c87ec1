"""The history checker: recorded histories hold every rule, and each kind of break is caught."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from openswf.testing import HistoryError, check_history, history_problems

FIXTURES = sorted((Path(__file__).parents[1] / "sdk" / "fixtures").glob("*.json"))


def events_of(fixture: Path) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = json.loads(fixture.read_text())["history"]
    return events


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda path: path.stem)
def test_every_recorded_history_holds_the_rules(fixture: Path) -> None:
    check_history(events_of(fixture))


def chain() -> list[dict[str, Any]]:
    return copy.deepcopy(events_of(next(f for f in FIXTURES if f.stem == "chain")))


def first(events: list[dict[str, Any]], event_type: str) -> dict[str, Any]:
    return next(e for e in events if e["eventType"] == event_type)


def attrs(event: dict[str, Any]) -> dict[str, Any]:
    kind = event["eventType"]
    found: dict[str, Any] = event[kind[0].lower() + kind[1:] + "EventAttributes"]
    return found


def renumber(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for index, event in enumerate(events):
        event["eventId"] = index + 1
    return events


def test_ids_must_be_consecutive_from_one() -> None:
    events = chain()
    events[3]["eventId"] = 40
    assert any("id 40 where 4 was due" in p for p in history_problems(events))


def test_a_history_begins_with_its_start() -> None:
    events = renumber(chain()[1:])
    assert any("begins with WorkflowExecutionStarted" in p for p in history_problems(events))


def test_a_reference_names_an_earlier_event_of_the_right_type() -> None:
    events = chain()
    started = first(events, "ActivityTaskStarted")
    attrs(started)["scheduledEventId"] = 1  # WorkflowExecutionStarted
    problems = history_problems(events)
    assert any("scheduledEventId=1 names WorkflowExecutionStarted" in p for p in problems)
    attrs(started)["scheduledEventId"] = 10_000
    assert any("names no earlier event" in p for p in history_problems(events))


def test_an_activity_has_one_outcome() -> None:
    events = chain()
    completed = first(events, "ActivityTaskCompleted")
    events.insert(events.index(completed) + 1, copy.deepcopy(completed))
    problems = history_problems(renumber(events))
    assert any("a second activity outcome" in p for p in problems)


def test_one_decision_task_is_started_at_a_time() -> None:
    events = chain()
    started = first(events, "DecisionTaskStarted")
    twin = copy.deepcopy(started)
    events.insert(events.index(started) + 1, twin)
    problems = history_problems(renumber(events))
    assert any("is still started" in p for p in problems)


def test_nothing_follows_the_close_event() -> None:
    events = chain()
    assert events[-1]["eventType"] == "WorkflowExecutionCompleted"
    events.append(copy.deepcopy(events[-2]))
    problems = history_problems(renumber(events))
    assert any("after the close event" in p for p in problems)


def test_timestamps_never_go_back() -> None:
    events = chain()
    events[5]["eventTimestamp"] = events[0]["eventTimestamp"] - 10
    assert any("goes back in time" in p for p in history_problems(events))


def test_attributes_conform_to_the_model() -> None:
    events = chain()
    scheduled = attrs(first(events, "ActivityTaskScheduled"))
    scheduled["surprise"] = 1
    del scheduled["activityId"]
    with pytest.raises(HistoryError) as caught:
        check_history(events)
    problems = caught.value.problems
    assert any("surprise: not a member" in p for p in problems)
    assert any("activityId: required" in p for p in problems)
