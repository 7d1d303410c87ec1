"""The local executor: code workflows in-process, no server; activities called directly,
timers skipped, children run in place."""

from __future__ import annotations

import time
from typing import Any

import pytest

from openswf.sdk import (
    LocalDeadlock,
    LocalExecutor,
    TimerCancelled,
    Workflow,
    WorkflowFailed,
)
from tests.unit.sdk import code_workflows as app


def executor(**kw: Any) -> LocalExecutor:
    return LocalExecutor(activities=app.registry, lambdas=app.LAMBDAS, **kw)


def test_sequence_and_fan_out() -> None:
    assert executor().run(app.Sequence, 1) == 14
    assert executor().run(app.FanOut, 3) == {"map": [0, 2, 4], "group": [2, 7], "chain": [2, 4]}


def test_a_caught_failure_and_a_retry() -> None:
    assert executor().run(app.Compensate, 5) == {
        "caught": {"reason": "exploded", "details": {"message": "boom"}},
        "retried": 5,
    }


def test_children_and_their_failures() -> None:
    assert executor().run(app.Parent, 4) == {
        "good": 8,
        "bad": {"reason": "negative", "details": {"x": -4}},
    }


def test_fail_and_uncaught_failures_fail_the_workflow() -> None:
    with pytest.raises(WorkflowFailed) as failed:
        executor().run(app.Child, -2)
    assert (failed.value.reason, failed.value.details) == ("negative", {"x": -2})

    class Uncaught(app.Base):
        name = "local.uncaught"

        def run(self) -> None:
            self.submit(app.explode, "bang").result()

    outcome = executor().execute(Uncaught)
    assert (outcome.status, outcome.reason) == ("failed", "exploded")
    assert outcome.details == {"message": "bang"}


def test_timers_are_skipped_but_the_clock_moves() -> None:
    class Sleeper(app.Base):
        name = "local.sleeper"

        def run(self) -> float:
            before = self.now().timestamp()
            self.sleep(86_400)
            return self.now().timestamp() - before

    started = time.monotonic()
    assert executor().run(Sleeper) == 86_400
    assert time.monotonic() - started < 5


def test_signals_given_up_front_and_a_cancelled_deadline() -> None:
    outcome = executor(signals={"go": ["first", "second"]}).run(app.TimerSignal)
    assert outcome == {"go": "first", "fired": False, "later": "second", "waited": True}


def test_waiting_for_a_signal_nobody_sends_is_a_deadlock() -> None:
    with pytest.raises(LocalDeadlock, match="signal 'go'"):
        executor().run(app.TimerSignal)


def test_a_timer_cancelled_before_it_fires() -> None:
    class Cancels(app.Base):
        name = "local.cancels"

        def run(self) -> str:
            timer = self.timer(60)
            timer.cancel()
            try:
                timer.result()
            except TimerCancelled:
                return "cancelled"
            return "fired"

    assert executor().run(Cancels) == "cancelled"


def test_continue_as_new_runs_again() -> None:
    assert executor().run(app.Again, 0) == 2


def test_markers_and_side_effects_are_kept() -> None:
    outcome = executor().execute(app.Markers)
    assert outcome.status == "completed"
    names = [name for name, _ in outcome.markers]
    assert names == ["checkpoint", "openswf.side_effect", "openswf.side_effect"]
    assert outcome.result["new_path"] is True


def test_values_that_cannot_cross_the_wire_fail_here_too() -> None:
    class Unencodable(Workflow):
        name = "local.unencodable"

        def run(self) -> Any:
            return self.submit(app.double, object()).result()

    outcome = executor().execute(Unencodable)
    assert outcome.status == "failed"
    assert "TypeError" in (outcome.reason or "")


def test_lambda_tasks_call_the_functions() -> None:
    assert executor().run(app.Lambda, 3) == {"square": 9, "signal": "SignalFailed"}


def test_an_async_run_is_refused_with_a_pointer() -> None:
    with pytest.raises(TypeError, match="write a plain def run"):

        class Async(Workflow):
            async def run(self) -> None:  # pragma: no cover - never runs
                pass
