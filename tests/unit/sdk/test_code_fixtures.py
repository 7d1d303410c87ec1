"""Code workflows on recorded histories: given the first N events, these decisions.

Fixtures come from ``record_code_fixtures.py`` (a real server, a manual clock). Deciding
again from the same prefix must give the same decisions, by a fresh decider or one that
decided other tasks before, and the whole recorded history must replay without a
nondeterminism error, as ``openswf replay`` checks it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest
from click.testing import CliRunner

from openswf.cli.main import main
from openswf.sdk import LocalExecutor, Workflow, WorkflowDecider
from openswf.sdk.code.decider import replay
from openswf.sdk.converter import loads
from openswf.sdk.history import DecisionTask
from tests.unit.sdk import code_workflows as app

FIXTURE_DIR = Path(__file__).with_name("code_fixtures")
FIXTURES = sorted(FIXTURE_DIR.glob("*.json"))


def load(name: str | Path) -> dict[str, Any]:
    path = name if isinstance(name, Path) else FIXTURE_DIR / f"{name}.json"
    data: dict[str, Any] = orjson.loads(path.read_bytes())
    return data


def workflow_of(fixture: dict[str, Any]) -> type[Workflow]:
    cls: type[Workflow] = getattr(app, fixture["workflow"]["class"])
    return cls


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


def normalized(decisions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Side effects recorded live are new values each time: compare them by name only."""
    out = []
    for item in decisions:
        attrs = item.get("recordMarkerDecisionAttributes", {})
        if attrs.get("markerName") == "openswf.side_effect":
            item = {**item, "recordMarkerDecisionAttributes": {"markerName": attrs["markerName"]}}
        out.append(item)
    return out


def replay_all(fixture: dict[str, Any], cls: type[Workflow] | None = None) -> Any:
    workflow = fixture["workflow"]
    return replay(
        cls or workflow_of(fixture),
        fixture["history"],
        workflow_id=workflow["workflowId"],
        run_id=workflow["runId"],
    )


@pytest.mark.parametrize("path", FIXTURES, ids=[p.stem for p in FIXTURES])
def test_decisions_match_the_recording(path: Path) -> None:
    fixture = load(path)
    assert fixture["steps"], "a fixture records at least one decision task"
    for step in fixture["steps"]:
        decider = WorkflowDecider(app.ALL)
        got = decider.decide(task_at(fixture, step["events"])).decisions
        assert normalized(got) == normalized(step["decisions"]), step["events"]


@pytest.mark.parametrize("path", FIXTURES, ids=[p.stem for p in FIXTURES])
def test_one_decider_instance_replays_every_step_the_same(path: Path) -> None:
    fixture = load(path)
    decider = WorkflowDecider(app.ALL)
    for _ in range(2):
        for step in fixture["steps"]:
            got = decider.decide(task_at(fixture, step["events"])).decisions
            assert normalized(got) == normalized(step["decisions"])


@pytest.mark.parametrize("path", FIXTURES, ids=[p.stem for p in FIXTURES])
def test_the_whole_history_replays(path: Path) -> None:
    fixture = load(path)
    replayed = replay_all(fixture)
    closing = fixture["history"][-1]
    if closing["eventType"] == "WorkflowExecutionCompleted":
        assert replayed.close is not None
        attrs = replayed.close["completeWorkflowExecutionDecisionAttributes"]
        recorded = closing["workflowExecutionCompletedEventAttributes"]
        assert loads(attrs.get("result")) == loads(recorded.get("result"))


# What the local executor gives equals what the server recorded, for the runs that do not
# depend on a race (a cancel) or on randomness (markers).
LOCAL_SAME = {
    "sequence": (app.Sequence, 1),
    "fanout": (app.FanOut, 3),
    "compensate": (app.Compensate, 5),
    "parent": (app.Parent, 4),
    "lambda": (app.Lambda, 7),
}


@pytest.mark.parametrize("name", sorted(LOCAL_SAME))
def test_the_local_executor_gives_the_recorded_result(name: str) -> None:
    cls, value = LOCAL_SAME[name]
    local = LocalExecutor(activities=app.registry, lambdas=app.LAMBDAS).run(cls, value)
    recorded = load(name)["history"][-1]["workflowExecutionCompletedEventAttributes"]
    assert local == loads(recorded["result"])


def test_openswf_replay_checks_a_history_file(tmp_path: Path) -> None:
    fixture = load("sequence")
    history = tmp_path / "history.json"
    history.write_bytes(orjson.dumps({"events": fixture["history"]}))
    runner = CliRunner()
    ok = runner.invoke(main, ["replay", str(history), "tests.unit.sdk.code_workflows:Sequence"])
    assert ok.exit_code == 0, ok.output
    assert "ok (23 events)" in ok.output
    bad = runner.invoke(main, ["replay", str(history), "tests.unit.sdk.code_workflows:FanOut"])
    assert bad.exit_code == 1
    assert "NONDETERMINISTIC" in bad.output
