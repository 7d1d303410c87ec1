"""Code workflows (``openswf.sdk.Workflow``) whose histories are recorded as fixtures.

``record_code_fixtures.py`` runs each on a real server; ``test_code_fixtures.py`` replays the
recordings, and ``test_code_nondeterminism.py`` replays them through changed copies.
"""

from __future__ import annotations

from typing import Any

from openswf.sdk import (
    ActivityFailed,
    ActivityProxy,
    Call,
    CancelRequested,
    Chain,
    ChildWorkflowFailed,
    Group,
    Registry,
    Retry,
    TimerCancelled,
    Workflow,
    activity,
    futures,
    options,
)

DECISIONS = "code-decisions"
ACTIVITIES = "code-activities"
registry = Registry()


def _activity(name: str) -> Any:
    return activity(name=f"code.{name}", version="1", task_list=ACTIVITIES, registry=registry)


@_activity("add")
def add(x: int, y: int = 1) -> int:
    return x + y


@_activity("double")
def double(x: int) -> int:
    return x * 2


@_activity("explode")
def explode(message: str) -> None:
    raise ActivityFailed("exploded", {"message": message})


@_activity("flaky")
def flaky(x: int, context: Any) -> int:
    if context.attempt == 1:
        raise ActivityFailed("flaky", {"attempt": context.attempt})
    return x


@_activity("slow")
def slow(x: int) -> int:
    return x


class Base(Workflow):
    task_list = DECISIONS
    activity_task_list = ACTIVITIES


class Sequence(Base):
    """Three activities, each fed by the one before (procedural)."""

    name = "code.sequence"
    add = ActivityProxy(add)
    double = ActivityProxy(double)

    def run(self, x: int) -> int:
        a = self.add(x).result()
        b = self.double(a).result()
        return int(self.add(b, y=10).result())


class FanOut(Base):
    """A map, a group and a chain side by side (futures)."""

    name = "code.fanout"

    def run(self, n: int) -> dict[str, Any]:
        doubled = self.map(double, range(n))
        group = self.submit(Group(Call(add, 1), Call(add, 2, y=5)))
        chain = self.submit(Chain(Call(add, 1), Call(double), send_result=True))
        return {
            "map": futures.wait(*doubled),
            "group": group.result(),
            "chain": chain.result(),
        }


class Compensate(Base):
    """A failure caught and compensated; a retried activity."""

    name = "code.compensate"

    def run(self, x: int) -> dict[str, Any]:
        try:
            self.submit(explode, "boom").result()
            caught = None
        except ActivityFailed as failure:
            caught = {"reason": failure.reason, "details": failure.details}
            self.submit(add, x, y=-1).result()
        retried = self.submit(options(flaky, retry=Retry.fixed(5, max_attempts=3)), x).result()
        return {"caught": caught, "retried": retried}


class TimerSignal(Base):
    """A timer, a signal raced against a timer, then a signal waited for."""

    name = "code.timer_signal"

    def run(self) -> dict[str, Any]:
        started = self.now().timestamp()
        self.sleep(30)
        go = self.signal_future("go")
        deadline = self.timer(3600)
        winner = futures.first(go, deadline)
        if winner is go:
            deadline.cancel()
        value = go.result()
        try:
            deadline.result()
            fired = True
        except TimerCancelled:
            fired = False
        later = self.wait_signal("go")
        return {
            "go": value,
            "fired": fired,
            "later": later,
            "waited": self.now().timestamp() > started,
        }


class Child(Base):
    name = "code.child"

    def run(self, x: int) -> int:
        if x < 0:
            self.fail("negative", {"x": x})
        return int(self.submit(double, x).result())


class Parent(Base):
    """Two children: one completes, one fails and is caught."""

    name = "code.parent"

    def run(self, x: int) -> dict[str, Any]:
        good = self.child(Child, x)
        bad = self.child(Child, -x)
        try:
            bad.result()
            failure = None
        except ChildWorkflowFailed as error:
            failure = {"reason": error.reason, "details": error.details}
        return {"good": good.result(), "bad": failure}


class Markers(Base):
    """Markers, side effects and a version marker."""

    name = "code.markers"

    def run(self) -> dict[str, Any]:
        self.record_marker("checkpoint", {"step": 1})
        token = self.uuid4()
        roll = self.random()
        new_path = self.patched("use-double")
        value = self.submit(double if new_path else add, 4).result()
        return {"token": token, "roll": roll, "new_path": new_path, "value": value}


class Cancel(Base):
    """An activity and a timer, both cancelled."""

    name = "code.cancel"

    def run(self) -> dict[str, Any]:
        work = self.submit(slow, 1)
        wait = self.timer(600)
        work.cancel()
        wait.cancel()
        outcome = {}
        try:
            outcome["work"] = work.result()
        except Exception as error:  # ActivityCancelled, or the result if it won the race
            outcome["work"] = type(error).__name__
        try:
            wait.result()
        except TimerCancelled:
            outcome["timer"] = "cancelled"
        return outcome


class Again(Base):
    """Continues as new until the counter reaches 2."""

    name = "code.again"

    def run(self, n: int) -> int:
        self.submit(add, n).result()
        if n < 2:
            self.continue_as_new(n + 1)
        return n


class Lambda(Base):
    """A Lambda task, and a signal to another execution."""

    name = "code.lambda"
    lambda_role = "arn:aws:iam::123456789012:role/code-lambda"

    def run(self, x: int) -> dict[str, Any]:
        value = self.lambda_("code-square", x).result()
        try:
            self.signal("nobody-runs-this", "hello", value).result()
            signalled = "delivered"
        except Exception as error:
            signalled = type(error).__name__
        return {"square": value, "signal": signalled}


class Resumable(Base):
    """An activity, a signal, another activity (the decider restart test kills its decider
    while it waits for the signal)."""

    name = "code.resumable"

    def run(self, x: int) -> int:
        a = self.submit(add, x).result()
        more = self.wait_signal("continue")
        return int(self.submit(double, a + more).result())


class Cancellable(Base):
    """Waits for a signal; asked to cancel, it cleans up with an activity, then lets the
    cancellation go through."""

    name = "code.cancellable"

    def run(self) -> Any:
        try:
            return self.wait_signal("never")
        except CancelRequested:
            self.submit(add, 100).result()
            raise


def code_square(x: int) -> int:
    return x * x


LAMBDAS = {"code-square": code_square}

ALL: list[type[Workflow]] = [
    Sequence,
    FanOut,
    Compensate,
    TimerSignal,
    Child,
    Parent,
    Markers,
    Cancel,
    Again,
    Lambda,
    Resumable,
    Cancellable,
]
