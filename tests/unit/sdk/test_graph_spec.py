"""Task graphs as data: ids, validation, the JSON form, retry strategies, activities."""

from __future__ import annotations

import pytest

from openswf.sdk import (
    ActivityTask,
    ChildWorkflow,
    DeciderSpec,
    Generator,
    Registry,
    Retry,
    Timeouts,
    Timer,
    activity,
)
from openswf.sdk.activities import ENVELOPE_KEY, ActivityContext, TaskInput
from openswf.sdk.converter import truncate
from openswf.sdk.worker import failure_of

reg = Registry()


@activity(name="t.double", version="2", task_list="tl", registry=reg)
def double(x: int) -> int:
    return 2 * x


def test_default_ids_are_deterministic_and_depend_on_what_the_task_is() -> None:
    a1, a2 = ActivityTask(double, 1), ActivityTask(double, 1)
    assert a1.id == a2.id and a1.id.startswith("t.double-2-")
    assert ActivityTask(double, 2).id != a1.id
    assert ActivityTask(double, 1, requires=[a1]).id != a1.id
    assert ActivityTask(double, 1, id="mine").id == "mine"
    assert all(ch not in a1.id for ch in ":/|")


def test_bad_ids_and_graphs_are_refused() -> None:
    with pytest.raises(ValueError):
        ActivityTask(double, id="a:b")
    with pytest.raises(ValueError):
        ActivityTask(double, id="x" * 257)
    with pytest.raises(ValueError, match="unknown task"):
        DeciderSpec(domain="d", task_list="l", tasks=[ActivityTask(double, requires=["nope"])])
    a = ActivityTask(double, 1, id="a", requires=["b"])
    b = ActivityTask(double, 2, id="b", requires=["a"])
    with pytest.raises(ValueError, match="cycle"):
        DeciderSpec(domain="d", task_list="l", tasks=[a, b])


def test_spec_json_round_trips_every_task_kind() -> None:
    a = ActivityTask(
        double,
        3,
        retry=Retry.exponential(initial=2, max_attempts=4, on=("failed",), reasons=("E",)),
        timeouts=Timeouts(start_to_close=5, heartbeat=2),
        priority=3,
        context=False,
    )
    gen = Generator("t.split", [1, 2], requires=[a])
    wait = Timer(10, requires=[gen])
    child_spec = DeciderSpec(domain="d", task_list="child", tasks=[ActivityTask(double, 9)])
    child = ChildWorkflow(spec=child_spec, requires=[wait], retry=Retry.instant(2), tags=["t"])
    named = ChildWorkflow(
        "other", {"k": 1}, version="3", workflow_id="fixed", child_policy="ABANDON"
    )
    spec = DeciderSpec(
        domain="d",
        task_list="decisions",
        default_activity_task_list="acts",
        tasks=[child, named],
        repeat_workflow=True,
        terminate_after_completion=True,
    )
    again = DeciderSpec.from_json(spec.to_json())
    assert again == spec
    assert [t.id for t in again.tasks] == [t.id for t in spec.tasks]
    assert {t.kind for t in again.tasks} == {"activity", "generator", "timer", "child_workflow"}
    assert again.to_json() == spec.to_json()


def test_required_task_objects_are_collected_into_the_spec() -> None:
    a = ActivityTask(double, 1)
    b = ActivityTask(double, 2, requires=[a])
    assert [t.id for t in DeciderSpec(domain="d", task_list="l", tasks=[b]).tasks] == [a.id, b.id]


def test_retry_strategies() -> None:
    instant = Retry.instant(max_attempts=2)
    assert instant.should_retry(1, "failed") and not instant.should_retry(2, "failed")
    assert not instant.should_retry(1, "canceled")
    fixed = Retry.fixed(delay=10, max_attempts=5)
    assert [fixed.delay_before(n) for n in (2, 3, 4)] == [10, 10, 10]
    exp = Retry.exponential(initial=1, factor=2, max_delay=5, jitter=0)
    assert [exp.delay_before(n) for n in (2, 3, 4, 5, 6)] == [1, 2, 4, 5, 5]
    jittered = Retry.exponential(initial=100, factor=1, jitter=0.2)
    delays = {jittered.delay_before(2, key=str(k)) for k in range(50)}
    assert all(80 <= d <= 120 for d in delays) and len(delays) > 5
    assert jittered.delay_before(2, "k") == jittered.delay_before(2, "k")
    only = Retry.instant(5, reasons=("Throttl",))
    assert only.should_retry(1, "failed", "ThrottlingException: x")
    assert not only.should_retry(1, "failed", "ValueError")
    assert only.should_retry(1, "timed_out", "START_TO_CLOSE")


def test_activity_registration_and_invocation() -> None:
    params = double.registration("dom")
    assert params["defaultTaskList"] == {"name": "tl"}
    assert params["defaultTaskStartToCloseTimeout"] == "300"
    assert params["defaultTaskHeartbeatTimeout"] == "NONE"
    assert double(4) == 8  # still a plain function
    assert reg.get("t.double", "2") is double

    @activity(name="t.kw", registry=reg)
    def kw(a: int, b: int, ctx: ActivityContext) -> int:
        return a * 10 + b + len(ctx.requires)

    def ctx_for(value: object) -> ActivityContext:
        return ActivityContext(
            task={"taskToken": "t"},
            task_input=TaskInput.decode(value),
            heartbeat=lambda d: False,
            aheartbeat=lambda d: None,  # type: ignore[arg-type,return-value]
        )

    envelope = {ENVELOPE_KEY: 1, "input": {"a": 1, "b": 2}, "requires": {"x": 1}}
    assert kw.invoke(ctx_for(envelope)) == 13
    assert double.invoke(ctx_for(21)) == 42  # a plain (non-envelope) input


def test_failures_are_trimmed_to_swf_limits() -> None:
    try:
        raise ValueError("x" * 1000)
    except ValueError as error:
        reason, details = failure_of(error)
    assert len(reason) <= 256 and reason.startswith("ValueError: xxx")
    assert details is not None and "Traceback" in details
    long = truncate("a" * 40_000 + "THE END", 32_768)
    assert long is not None and len(long) == 32_768 and long.endswith("THE END")
