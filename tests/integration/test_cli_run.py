"""``openswf run``'s defaults: the type's task list, the embedded server unless --endpoint,
one-line errors for a bad endpoint, and progress counts of retries and timers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from openswf.cli.run import run, run_progress
from openswf.sdk import ActivityTask, Timer, activity
from openswf.sdk.deciders.state import BACKOFF_TIMER, COMPLETED, OPEN, GraphState

ORDER = """
from openswf.sdk import ActivityTask, DeciderSpec, WorkflowType, activity

@activity(name="order{n}.total", version="1", task_list="orders-{n}")
def total(context):
    return sum(context.workflow_input)

input = [1, 2, 3]
workflow_type = WorkflowType("order", "1")   # no task list: the spec's is used
spec = DeciderSpec(domain="cli-run-{n}", task_list="orders-{n}-decisions",
                   tasks=[ActivityTask(total, id="total")])
"""


def write_order(tmp_path: Path, n: int) -> Path:
    path = tmp_path / f"order_{n}.py"
    path.write_text(ORDER.replace("{n}", str(n)))
    return path


def test_a_type_without_task_list_uses_the_spec_s_and_the_env_endpoint_is_ignored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Nothing listens there: were it used, the run would fail.
    monkeypatch.setenv("AWS_ENDPOINT_URL_SWF", "http://127.0.0.1:1")
    answer = CliRunner().invoke(run, [str(write_order(tmp_path, 1)), "--no-progress"])
    assert answer.exit_code == 0, answer.output
    assert json.loads(answer.stdout) == {"total": 6}
    assert "embedded openswf on" in answer.stderr


def test_a_bad_endpoint_is_one_line(tmp_path: Path) -> None:
    path = write_order(tmp_path, 2)
    answer = CliRunner().invoke(run, [str(path), "--endpoint", "http://127.0.0.1:1"])
    assert answer.exit_code == 1, (answer.output, answer.exception)
    assert answer.stderr.strip().splitlines() == [
        "Error: cannot use SWF at http://127.0.0.1:1: cannot connect to 127.0.0.1:1: "
        "[Errno 111] Connection refused"
    ]
    answer = CliRunner().invoke(run, [str(write_order(tmp_path, 3)), "--endpoint", "nonsense"])
    assert answer.exit_code == 2 and "Traceback" not in answer.output
    assert "Invalid value for --endpoint: not an http(s) URL" in answer.stderr


@activity(name="progress.work", version="1", task_list="p")
def work(context: object) -> None:
    return None


def test_progress_counts_retried_attempts_and_timers() -> None:
    first = ActivityTask(work, id="first")
    wait = Timer(5, id="wait", requires=[first])
    flaky = ActivityTask(work, {"n": 1}, id="flaky", requires=[first])
    later = ActivityTask(work, {"n": 2}, id="later", requires=[wait, flaky])
    state = GraphState([first, wait, flaky, later])
    state.states["first"].status = COMPLETED
    state.states["wait"].status = OPEN
    flaky_state = state.states["flaky"]
    flaky_state.status = BACKOFF_TIMER
    flaky_state.failures.append({"attempt": 1, "outcome": "failed", "reason": "boom"})
    assert run_progress(state) == {
        "total": 4,
        "done": 1,
        "running": 0,
        "timers": 2,  # the graph's timer and the retry's
        "retried": 1,
        "failed": 0,
        "pending": 1,
    }
    flaky_state.status = OPEN
    assert run_progress(state)["running"] == 1
    assert run_progress(state)["timers"] == 1
