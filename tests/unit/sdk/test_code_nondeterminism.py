"""Changed code replayed against recorded histories: every kind of mismatch is caught.

Each variant keeps its workflow's type and changes ``run`` the way a careless deploy
would. Replaying must stop with a ``NondeterminismError`` that names the history event and
the call, and a decider must answer nothing at all (never a different task).
"""

from __future__ import annotations

from typing import Any

import pytest

from openswf.sdk import NondeterminismError, Workflow, WorkflowDecider, futures
from openswf.sdk.code.errors import TimerCancelled
from tests.unit.sdk import code_workflows as app
from tests.unit.sdk.test_code_fixtures import load, replay_all, task_at


class OtherActivityType(app.Sequence):
    def run(self, x: int) -> int:
        a = self.add(x).result()
        b = self.add(a).result()  # was double
        return int(self.add(b, y=10).result())


class OtherTimer(app.TimerSignal):
    def run(self) -> Any:
        self.sleep(31)  # was 30
        return None


class TimerInsteadOfActivity(app.Sequence):
    def run(self, x: int) -> int:
        self.sleep(5)  # the history's call #1 is an activity
        return x


class ExtraCall(app.Sequence):
    def run(self, x: int) -> int:
        result = super().run(x)
        self.submit(app.double, 0)  # not in the recorded run
        return result


class MissingCall(app.Sequence):
    def run(self, x: int) -> int:
        a = self.add(x).result()
        self.double(a).result()
        return int(self.wait_signal("never"))  # the third activity is never asked for


class OtherChild(app.Parent):
    def run(self, x: int) -> Any:
        good = self.child(app.Child, x)
        bad = self.child(app.Sequence, -x)  # was app.Child
        return [good.result(), bad.result()]


class OtherLambda(app.Lambda):
    def run(self, x: int) -> Any:
        return self.lambda_("code-cube", x).result()


class OtherSignal(app.Lambda):
    def run(self, x: int) -> Any:
        value = self.lambda_("code-square", x).result()
        return self.signal("nobody-runs-this", "goodbye", value).result()


class OtherMarker(app.Markers):
    def run(self) -> Any:
        self.record_marker("other-checkpoint", {"step": 1})
        return None


class MovedCall(app.FanOut):
    def run(self, n: int) -> Any:
        doubled = futures.wait(*self.map(app.double, range(n)))  # waits before the group
        group = self.submit(app.Group(app.Call(app.add, 1), app.Call(app.add, 2, y=5)))
        return [doubled, group.result()]


class NoTimerCancel(app.Cancel):
    def run(self) -> Any:
        work = self.submit(app.slow, 1)
        wait = self.timer(600)
        work.cancel()  # the timer is no longer cancelled
        try:
            wait.result()
        except TimerCancelled:
            pass
        return None


class SwallowsTheError(app.Sequence):
    def run(self, x: int) -> int:
        try:
            self.add(x + 1, y=3).result()  # other input is fine; other type is not:
            self.sleep(1)
        except Exception:  # noqa: BLE001 - even caught, the mismatch stands
            pass
        return 0


CASES: dict[str, tuple[str, type[Workflow], str]] = {
    "different activity type": ("sequence", OtherActivityType, "activity code.add/1"),
    "different timer": ("timer_signal", OtherTimer, "timer of 31 s"),
    "different kind of call": ("sequence", TimerInsteadOfActivity, "timer of 5 s"),
    "extra call": ("sequence", ExtraCall, "has no such event"),
    "missing call": ("sequence", MissingCall, "no longer asks for it"),
    "different child": ("parent", OtherChild, "child workflow code.sequence/1"),
    "different Lambda function": ("lambda", OtherLambda, "Lambda function code-cube"),
    "different signal": ("lambda", OtherSignal, "signal 'goodbye'"),
    "different marker": ("markers", OtherMarker, "marker 'other-checkpoint'"),
    "call moved to another decision": ("fanout", MovedCall, "was decided by the decision"),
    "missing cancellation": ("cancel", NoTimerCancel, "TimerCanceled"),
    "mismatch caught by the code": ("sequence", SwallowsTheError, "timer of 1 s"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_replay_of_the_whole_history_stops(case: str) -> None:
    name, variant, wanted = CASES[case]
    with pytest.raises(NondeterminismError) as caught:
        replay_all(load(name), variant)
    message = str(caught.value)
    assert wanted in message
    if "no longer asks" not in message:  # a call of the code is at fault: it is named
        assert caught.value.call is not None
        assert "test_code_nondeterminism.py" in caught.value.call


# The extra call comes after the last recorded call: at a live decision task that is new
# code going further, which is allowed; only replaying the closed history shows it.
@pytest.mark.parametrize("case", sorted(set(CASES) - {"extra call"}))
def test_the_decider_answers_nothing(case: str) -> None:
    """At the last recorded decision task, a decider running the variant raises rather than
    decide: the task times out and waits for fixed code."""
    name, variant, _ = CASES[case]
    fixture = load(name)
    decider = WorkflowDecider(variant)
    with pytest.raises(NondeterminismError):
        decider.decide(task_at(fixture, fixture["steps"][-1]["events"]))


def test_the_error_names_the_event() -> None:
    with pytest.raises(NondeterminismError) as caught:
        replay_all(load("sequence"), OtherActivityType)
    assert caught.value.event["eventType"] == "ActivityTaskScheduled"
    assert "event 11 ActivityTaskScheduled" in str(caught.value)
    assert "code.double/1" in str(caught.value)


class Patched(app.Sequence):
    """A change shipped with ``patched``: old runs keep the old path, new runs the new."""

    def run(self, x: int) -> int:
        a = self.add(x).result()
        if self.patched("triple"):
            b = self.add(a, y=2 * a).result()
        else:
            b = self.double(a).result()
        return int(self.add(b, y=10).result())


def test_patched_keeps_old_runs_on_the_old_path() -> None:
    replayed = replay_all(load("sequence"), Patched)
    assert replayed.close is not None  # the recorded run replays to its end


def test_patched_takes_the_new_path_on_new_runs() -> None:
    fixture = load("sequence")
    decider = WorkflowDecider(Patched)
    # The decision task right after the first activity completed: live, the code meets the
    # patch for the first time, records the marker and takes the new path.
    second = fixture["steps"][1]["events"]
    decisions = decider.decide(task_at(fixture, second)).decisions
    kinds = [d["decisionType"] for d in decisions]
    assert kinds == ["RecordMarker", "ScheduleActivityTask"]
    scheduled = decisions[1]["scheduleActivityTaskDecisionAttributes"]
    assert scheduled["activityType"]["name"] == "code.add"
