"""The helper's own checks bite: a state that drifts from its history fails every test."""

from __future__ import annotations

from typing import Any

import pytest

from openswf.engine import commands as c
from openswf.engine.state import ExecutionState
from openswf.engine.transition import Outcome
from openswf.protocol.faults import UnknownResourceFault
from tests.unit.engine import engine_helpers
from tests.unit.engine.engine_helpers import Run


def test_a_state_change_outside_the_history_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    real = engine_helpers.handle

    def drifting(state: ExecutionState, command: Any, now_ms: int, limits: Any) -> Outcome:
        outcome = real(state, command, now_ms, limits)
        outcome.state.cancel_requested = True  # not folded from any event
        return outcome

    run = Run()
    monkeypatch.setattr(engine_helpers, "handle", drifting)

    with pytest.raises(AssertionError, match="rebuild"):
        run.signal()


def test_heartbeats_are_not_part_of_the_rebuild_check() -> None:
    run = Run()
    scheduled, _ = run.running_activity("a1")

    run.heartbeat("a1", details="x")  # would fail the check if heartbeats were compared

    assert run.state.heartbeats[scheduled].details == "x"


def test_a_command_that_raises_after_changing_the_state_is_caught(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def half_done(state: ExecutionState, command: Any, now_ms: int, limits: Any) -> Outcome:
        state.latest_execution_context = "half-written"
        raise UnknownResourceFault("late")

    run = Run()
    monkeypatch.setattr(engine_helpers, "handle", half_done)

    with pytest.raises(AssertionError, match="untouched"):
        run.do(c.SignalExecution(signal_name="s"))


def test_the_engine_is_given_a_copy_of_the_state() -> None:
    run = Run()
    before = run.state

    run.signal()

    assert run.state is not before
    assert before.next_event_id == 3  # the previous snapshot was not evolved in place
