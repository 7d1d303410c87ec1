"""Records the graph decider's JSON fixtures from a real openswf server.

    .venv/bin/python -m tests.unit.sdk.record_fixtures [scenario ...]

Each scenario drives one execution step by step, with a manual clock (timeouts and
timers fire when the script advances time): it polls a decision task, asks the decider,
records (number of events seen, decisions), answers, plays the activity workers' part,
and so on. A fixture holds the final history and the steps; the unit tests check that the
decider, given the first N events, makes the recorded decisions. Re-record after changing
the decider on purpose, and review the diff.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

from openswf.sdk import (
    ActivityTask,
    ChildWorkflow,
    Client,
    DaemonDecider,
    DeciderSpec,
    Decisions,
    DynamicDecider,
    Generator,
    GraphDecider,
    Retry,
    Timeouts,
    Timer,
    WorkflowType,
    dynamic_input,
    ensure_domain,
)
from openswf.sdk.converter import dumps
from openswf.sdk.deciders.base import Decider
from openswf.sdk.graph import DYNAMIC_WORKFLOW_TYPE
from openswf.sdk.history import DecisionTask, get_history, poll_decision_task
from openswf.services.clock import ManualClock
from openswf.services.settings import Settings
from openswf.testing import LocalServer

FIXTURES = Path(__file__).with_name("fixtures")
DOMAIN = "fixtures"
DECISIONS = "decisions"
ACTIVITIES = "activities"
WORKFLOW = WorkflowType("graph", "1", task_list=DECISIONS, task_timeout=30)
ACTIVITY_TYPES = ["a", "b", "c", "split", "square", "total", "slow"]


class Recorder:
    def __init__(self, server: LocalServer, client: Client, name: str) -> None:
        self.server = server
        self.client = client
        self.name = name
        self.steps: list[dict[str, Any]] = []
        self.workflow_id = f"wf-{name}"
        self.run_id = ""
        self.decider: Decider | None = None
        self.spec: DeciderSpec | None = None

    def start(self, spec: DeciderSpec | None, workflow_input: Any, decider: Decider) -> None:
        self.spec, self.decider = spec, decider
        self.run_id = WORKFLOW.start(self.client, DOMAIN, self.workflow_id, workflow_input)

    def poll(self) -> DecisionTask:
        task = poll_decision_task(self.client, DOMAIN, DECISIONS, "recorder")
        assert task is not None, f"{self.name}: no decision task"
        assert task.workflow_id == self.workflow_id, task.workflow_id
        return task

    def decide(self, *, respond: bool = True) -> Decisions:
        task = self.poll()
        assert self.decider is not None
        decisions = self.decider.decide(task)
        self.steps.append({"events": len(task.events), "decisions": decisions.decisions})
        if respond:
            self.client.respond_decision_task_completed(
                taskToken=task.task_token,
                decisions=decisions.decisions,  # type: ignore[arg-type]
                executionContext=decisions.execution_context,
            )
        return decisions

    def activity(
        self, answer: Callable[[dict[str, Any]], tuple[str, Any]], task_list: str = ACTIVITIES
    ) -> dict[str, Any]:
        task = dict(self.client.poll_for_activity_task(domain=DOMAIN, taskList={"name": task_list}))
        assert task.get("taskToken"), f"{self.name}: no activity task"
        kind, value = answer(task)
        token = task["taskToken"]
        if kind == "complete":
            self.client.respond_activity_task_completed(taskToken=token, result=dumps(value))
        elif kind == "fail":
            self.client.respond_activity_task_failed(
                taskToken=token, reason=value, details=dumps({"why": value})
            )
        elif kind == "cancel":
            self.client.respond_activity_task_canceled(taskToken=token)
        return task

    def wait_for(self, event_type: str, count: int = 1) -> None:
        """Wait (real time, with a deadline) until the history holds ``count`` such events,
        so the next decision task sees them all: child events arrive asynchronously."""
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            events = get_history(self.client, DOMAIN, self.workflow_id, self.run_id)
            if sum(e["eventType"] == event_type for e in events) >= count:
                return
            time.sleep(0.02)
        raise AssertionError(f"{self.name}: no {event_type} after 10 s")

    def advance(self, seconds: float) -> None:
        self.server.advance(seconds)

    def save(self) -> None:
        events = get_history(self.client, DOMAIN, self.workflow_id, self.run_id)
        data = {
            "description": " ".join((SCENARIOS[self.name].__doc__ or "").split()),
            "decider": "dynamic"
            if isinstance(self.decider, DynamicDecider)
            else ("daemon" if isinstance(self.decider, DaemonDecider) else "graph"),
            "spec": self.spec.to_dict() if self.spec is not None else None,
            "workflow": {
                "workflowId": self.workflow_id,
                "runId": self.run_id,  # jitter of retry delays is derived from it
                "workflowType": {"name": WORKFLOW.name, "version": WORKFLOW.version},
            },
            "history": events,
            "steps": self.steps,
        }
        path = FIXTURES / f"{self.name}.json"
        path.write_bytes(orjson.dumps(data, option=orjson.OPT_INDENT_2) + b"\n")
        print(f"wrote {path} ({len(events)} events, {len(self.steps)} steps)")


def done(value: Any) -> Callable[[dict[str, Any]], tuple[str, Any]]:
    return lambda task: ("complete", value)


def spec_of(*tasks: Any, **kw: Any) -> DeciderSpec:
    return DeciderSpec(
        domain=DOMAIN,
        task_list=DECISIONS,
        default_activity_task_list=ACTIVITIES,
        tasks=list(tasks),
        **kw,
    )


# --- scenarios ------------------------------------------------------------------------------


def chain(r: Recorder) -> None:
    """A -> b -> c, each sees its requirement's result; completes with all results."""
    a = ActivityTask("a", {"n": 1}, id="a")
    b = ActivityTask("b", id="b", requires=[a])
    c = ActivityTask("c", id="c", requires=[b])
    spec = spec_of(c)
    r.start(spec, {"order": 7}, GraphDecider(spec))
    r.decide()
    r.activity(done(2))
    r.decide()
    r.activity(done(3))
    r.decide()
    r.activity(done(4))
    r.decide()


def parallel_and_join(r: Recorder) -> None:
    """Two roots run at once; the join waits for both."""
    a = ActivityTask("a", 1, id="left")
    b = ActivityTask("b", 2, id="right")
    c = ActivityTask("c", id="join", requires=[a, b])
    spec = spec_of(c)
    r.start(spec, None, GraphDecider(spec))
    r.decide()
    r.activity(done("L"))
    r.decide()  # the right branch is still running: nothing to do
    r.activity(done("R"))
    r.decide()
    r.activity(done("joined"))
    r.decide()


def failure_no_retry(r: Recorder) -> None:
    """A fails, no retry: the workflow fails with the failure."""
    a = ActivityTask("a", id="a")
    b = ActivityTask("b", id="b", requires=[a])
    spec = spec_of(b)
    r.start(spec, None, GraphDecider(spec))
    r.decide()
    r.activity(lambda t: ("fail", "boom"))
    r.decide()


def retry_fixed_delay(r: Recorder) -> None:
    """A fails, fixed 5 s retry: timer, then attempt 2."""
    a = ActivityTask("a", id="a", retry=Retry.fixed(delay=5, max_attempts=3))
    spec = spec_of(a)
    r.start(spec, None, GraphDecider(spec))
    r.decide()
    r.activity(lambda t: ("fail", "flaky"))
    r.decide()  # arms the retry timer
    r.advance(5)
    r.decide()  # the timer fired: attempt 2
    r.activity(done("ok"))
    r.decide()


def retry_instant_exhausted(r: Recorder) -> None:
    """Instant retries run out: the workflow fails."""
    a = ActivityTask("a", id="a", retry=Retry.instant(max_attempts=2))
    spec = spec_of(a)
    r.start(spec, None, GraphDecider(spec))
    r.decide()
    r.activity(lambda t: ("fail", "first"))
    r.decide()
    r.activity(lambda t: ("fail", "second"))
    r.decide()


def retry_reasons_filter(r: Recorder) -> None:
    """Only failures whose reason matches are retried."""
    a = ActivityTask("a", id="a", retry=Retry.instant(max_attempts=5, reasons=("Throttled",)))
    spec = spec_of(a)
    r.start(spec, None, GraphDecider(spec))
    r.decide()
    r.activity(lambda t: ("fail", "Throttled: slow down"))
    r.decide()  # retried: the reason matches
    r.activity(lambda t: ("fail", "ValueError: bad input"))
    r.decide()  # not retried


def timeout_then_retry(r: Recorder) -> None:
    """START_TO_CLOSE timeout, exponential backoff, retry."""
    a = ActivityTask(
        "slow",
        id="slow",
        timeouts=Timeouts(start_to_close=10, schedule_to_start=None),
        retry=Retry.exponential(initial=2, factor=2, jitter=0.5, max_attempts=3),
    )
    spec = spec_of(a)
    r.start(spec, None, GraphDecider(spec))
    r.decide()
    r.activity(lambda t: ("none", None))  # a worker takes it and never answers
    r.advance(11)  # START_TO_CLOSE
    r.decide()  # arms the backoff timer
    r.advance(60)
    r.decide()
    r.activity(done("finally"))
    r.decide()


def timer_between(r: Recorder) -> None:
    """A -> timer 30 s -> b."""
    a = ActivityTask("a", id="a")
    wait = Timer(30, id="wait", requires=[a])
    b = ActivityTask("b", id="b", requires=[wait])
    spec = spec_of(b)
    r.start(spec, None, GraphDecider(spec))
    r.decide()
    r.activity(done(1))
    r.decide()
    r.advance(30)
    r.decide()
    r.activity(done(2))
    r.decide()


def decider_restart(r: Recorder) -> None:
    """Decision tasks time out (decider crashed); a fresh decider carries on.

    The first decider dies holding its task: the task times out and another decides."""
    a = ActivityTask("a", id="a")
    b = ActivityTask("b", id="b", requires=[a])
    spec = spec_of(b)
    r.start(spec, None, GraphDecider(spec))
    r.decide(respond=False)  # crashed before answering
    r.advance(31)  # decision task START_TO_CLOSE
    r.decider = GraphDecider(DeciderSpec.from_dict(spec.to_dict()))  # a fresh process
    r.decide()
    r.activity(done(1))
    r.decide(respond=False)  # crashed again, after the activity
    r.advance(31)
    r.decide()
    r.activity(done(2))
    r.decide()


def generator_fanout(r: Recorder) -> None:
    """A generator adds two tasks; total waits for them."""
    split = Generator("split", id="split")
    total = ActivityTask("total", id="total", requires=[split])
    spec = spec_of(total)
    r.start(spec, [3, 4], GraphDecider(spec))
    r.decide()
    r.activity(done([ActivityTask("square", x, id=f"square-{x}").to_dict() for x in (3, 4)]))
    r.decide()
    r.activity(lambda t: ("complete", 9 if "3" in t["activityId"] else 16))
    r.decide()
    r.activity(lambda t: ("complete", 9 if "3" in t["activityId"] else 16))
    r.decide()
    r.activity(done(25))
    r.decide()


def child_workflow(r: Recorder) -> None:
    """A -> child workflow (dynamic spec) -> c."""
    child = spec_of(ActivityTask("b", id="inner"))
    a = ActivityTask("a", id="a")
    kid = ChildWorkflow(spec=child, id="kid", requires=[a], task_list="child-decisions")
    c = ActivityTask("c", id="c", requires=[kid])
    spec = spec_of(c)
    r.start(spec, None, GraphDecider(spec))
    r.decide()
    r.activity(done("prepared"))
    r.decide()  # starts the child
    child_decider = DynamicDecider()
    _decide_other(r, "child-decisions", child_decider)  # child: schedule inner
    r.activity(done("inner-done"))
    _decide_other(r, "child-decisions", child_decider)  # child: complete
    r.wait_for("ChildWorkflowExecutionCompleted")
    r.decide()  # the parent sees the child's result
    r.activity(done("finished"))
    r.decide()


def child_workflow_failure_retry(r: Recorder) -> None:
    """The child fails once and is retried."""
    child = spec_of(ActivityTask("b", id="inner"))
    kid = ChildWorkflow(
        spec=child, id="kid", task_list="child-decisions", retry=Retry.instant(max_attempts=2)
    )
    spec = spec_of(kid)
    r.start(spec, None, GraphDecider(spec))
    r.decide()
    child_decider = DynamicDecider()
    _decide_other(r, "child-decisions", child_decider)
    r.activity(lambda t: ("fail", "child-broke"))
    _decide_other(r, "child-decisions", child_decider)  # the child fails
    r.wait_for("ChildWorkflowExecutionFailed")
    r.decide()  # the parent retries the child
    _decide_other(r, "child-decisions", child_decider)
    r.activity(done("second time lucky"))
    _decide_other(r, "child-decisions", child_decider)
    r.wait_for("ChildWorkflowExecutionCompleted")
    r.decide()


def _decide_other(r: Recorder, task_list: str, decider: Decider) -> None:
    task = poll_decision_task(r.client, DOMAIN, task_list, "recorder")
    assert task is not None, f"{r.name}: no decision task on {task_list}"
    decisions = decider.decide(task)
    r.client.respond_decision_task_completed(
        taskToken=task.task_token,
        decisions=decisions.decisions,  # type: ignore[arg-type]
    )


def cancel_requested(r: Recorder) -> None:
    """Cancel request: cancel the activity and timer, then the workflow."""
    a = ActivityTask("a", id="a")
    wait = Timer(600, id="wait")
    spec = spec_of(a, wait)
    r.start(spec, None, GraphDecider(spec))
    r.decide()
    r.activity(lambda t: ("none", None))  # started, still running
    r.client.request_cancel_workflow_execution(domain=DOMAIN, workflowId=r.workflow_id)
    r.decide()


def dynamic_spec(r: Recorder) -> None:
    """DynamicDecider reads the graph from the input."""
    a = ActivityTask("a", "from-spec", id="a")
    spec = spec_of(a)
    r.start(None, dynamic_input(spec, {"user": "ada"}), DynamicDecider())
    r.decide()
    r.activity(done("dynamic-ok"))
    r.decide()


def repeat_workflow(r: Recorder) -> None:
    """Repeat_workflow: continue as new when done."""
    spec = spec_of(ActivityTask("a", id="a"), repeat_workflow=True)
    r.start(spec, {"round": 1}, GraphDecider(spec))
    r.decide()
    r.activity(done(1))
    r.decide()
    # The new run starts with the same input; end it so it does not reach other scenarios.
    r.client.terminate_workflow_execution(domain=DOMAIN, workflowId=r.workflow_id)


def daemon_signals(r: Recorder) -> None:
    """The daemon starts one child per signal."""
    r.start(None, None, DaemonDecider())
    r.decide()  # nothing to do yet
    child = spec_of(ActivityTask("a", id="inner"))
    for n in (1, 2):
        r.client.signal_workflow_execution(
            domain=DOMAIN,
            workflowId=r.workflow_id,
            signalName="startChildWorkflowExecution",
            input=dumps({**dynamic_input(child, n), "workflow_id": f"daemon-child-{n}"}),
        )
    r.decide()


SCENARIOS: dict[str, Callable[[Recorder], None]] = {
    "chain": chain,
    "parallel_and_join": parallel_and_join,
    "failure_no_retry": failure_no_retry,
    "retry_fixed_delay": retry_fixed_delay,
    "retry_instant_exhausted": retry_instant_exhausted,
    "retry_reasons_filter": retry_reasons_filter,
    "timeout_then_retry": timeout_then_retry,
    "timer_between": timer_between,
    "decider_restart": decider_restart,
    "generator_fanout": generator_fanout,
    "child_workflow": child_workflow,
    "child_workflow_failure_retry": child_workflow_failure_retry,
    "cancel_requested": cancel_requested,
    "dynamic_spec": dynamic_spec,
    "repeat_workflow": repeat_workflow,
    "daemon_signals": daemon_signals,
}


def main(names: list[str]) -> int:
    FIXTURES.mkdir(exist_ok=True)
    clock = ManualClock()
    with LocalServer(clock=clock, settings=Settings(poll_timeout_s=1.0)) as server:
        client = Client(server.endpoint)
        ensure_domain(client, DOMAIN)
        WORKFLOW.register(client, DOMAIN)
        WorkflowType(*DYNAMIC_WORKFLOW_TYPE, task_timeout=30).register(client, DOMAIN)
        for name in ACTIVITY_TYPES:
            client.register_activity_type(
                domain=DOMAIN,
                name=name,
                version="1",
                defaultTaskList={"name": ACTIVITIES},
                **Timeouts(start_to_close=300).registration(),
            )
        for name in names or list(SCENARIOS):
            recorder = Recorder(server, client, name)
            SCENARIOS[name](recorder)
            recorder.save()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
