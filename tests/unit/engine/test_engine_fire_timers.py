"""``FireTimers``: several rows of one run that fell due together, fired in one transition.

The timer service uses it so that a burst of timers on one run costs one commit, not one per
row. Each key must be handled exactly as ``FireTimer`` would, in order.
"""

from __future__ import annotations

import copy

from openswf.engine import commands as c
from openswf.engine.effects import TimerSpec
from openswf.engine.machine import handle
from tests.unit.engine.engine_helpers import (
    SEC,
    T0,
    Run,
    attrs,
    start_command,
    start_timer,
    types_of,
)


def test_timers_due_together_fire_in_one_transition() -> None:
    run = Run()
    run.start_decision()
    run.complete_decision([start_timer(f"t{i}", "30") for i in range(3)])
    run.at(T0 + 30 * SEC)

    outcome = run.do(c.FireTimers(keys=("timer:t0", "timer:t1", "timer:t2")))

    # The first fire schedules the decision task; the others join it (reference §6.4).
    assert types_of(outcome) == [
        "TimerFired",
        "DecisionTaskScheduled",
        "TimerFired",
        "TimerFired",
    ]
    fired = [e.attributes["timerId"] for e in outcome.events if e.event_type == "TimerFired"]
    assert fired == ["t0", "t1", "t2"]
    assert sorted(outcome.effects.cleared_timers) == ["timer:t0", "timer:t1", "timer:t2"]
    assert run.state.timers == {}


def test_each_key_is_handled_as_fire_timer_would() -> None:
    """Due, early (re-armed), stale and unknown keys in one batch: the same events, rows
    and state as firing them one by one."""
    run = Run(start_command(execution_start_to_close_timeout="3600"))
    run.start_decision()
    run.complete_decision([start_timer("soon", "10"), start_timer("later", "100")])
    run.at(T0 + 10 * SEC)
    keys = ("timer:soon", "timer:later", "timer:gone", "activity:99:HEARTBEAT")

    one_by_one = copy.deepcopy(run.state)
    events, cleared, armed = [], [], []
    for key in keys:
        single = handle(one_by_one, c.FireTimer(key=key), run.now_ms)
        events += [(e.event_type, e.attributes) for e in single.events]
        cleared += single.effects.cleared_timers
        armed += single.effects.timers
        one_by_one = single.state

    together = run.do(c.FireTimers(keys=keys))

    assert [(e.event_type, e.attributes) for e in together.events] == events
    assert together.effects.cleared_timers == cleared
    assert together.effects.timers == armed == [TimerSpec(key="timer:later", due_ms=T0 + 100 * SEC)]
    assert run.state == one_by_one


def test_a_timeout_that_closes_the_run_ends_the_batch() -> None:
    run = Run(start_command(execution_start_to_close_timeout="60"))
    run.start_decision()
    run.complete_decision([start_timer("t1", "60")])
    run.at(T0 + 60 * SEC)

    outcome = run.do(c.FireTimers(keys=("workflow:START_TO_CLOSE", "timer:t1")))

    assert types_of(outcome) == ["WorkflowExecutionTimedOut"]
    assert attrs(outcome, "WorkflowExecutionTimedOut")["timeoutType"] == "START_TO_CLOSE"
    assert outcome.effects.closed
