"""The chaos harness's workflow, and its worker process (benchmarks/chaos.py starts them).

One workflow holds a little of everything a real load has: a chain, a fan-out, a durable
timer, a child workflow and a heartbeating activity, each retried on failures and timeouts,
as real deciders do; a second one sends a signal and a cancel request to other executions.
Timeouts are short, so work that a fault interrupts is noticed and redone in seconds.

    python benchmarks/chaos_app.py ENDPOINT [--identity NAME]   # workers until SIGTERM
"""

from __future__ import annotations

import argparse
import signal
import threading
import time
from typing import Any

from openswf.sdk import (
    ActivityTask,
    ActivityWorker,
    ChildWorkflow,
    Client,
    DeciderSpec,
    Decisions,
    DecisionTask,
    DecisionWorker,
    DynamicDecider,
    GraphDecider,
    Registry,
    Retry,
    Timeouts,
    Timer,
    WorkflowType,
    activity,
    ensure_domain,
)
from openswf.sdk.converter import dumps, loads
from openswf.sdk.graph import DYNAMIC_WORKFLOW_TYPE
from openswf.sdk.history import attributes

DOMAIN = "chaos"
ACTIVITIES = "chaos-activities"
DECISIONS = "chaos-decisions"
CHILD_DECISIONS = "chaos-child-decisions"
# Decision tasks whose answer a fault lost time out after this, and are handed out again.
DECISION_TIMEOUT_S = 5
RETRY = Retry.instant(max_attempts=30)

registry = Registry()


@activity(
    name="chaos.step",
    version="1",
    task_list=ACTIVITIES,
    timeouts=Timeouts(start_to_close=5),
    registry=registry,
)
def step(context: Any) -> int:
    return int(context.input or 0) + 1


@activity(
    name="chaos.beat",
    version="1",
    task_list=ACTIVITIES,
    timeouts=Timeouts(start_to_close=20, heartbeat=2),
    registry=registry,
)
def beat(context: Any) -> str:
    """A longer activity that heartbeats: a worker killed in it is found by its heartbeat."""
    for i in range(4):
        time.sleep(0.2)
        context.heartbeat(str(i))
    return "beat"


child_spec = DeciderSpec(
    domain=DOMAIN,
    task_list=CHILD_DECISIONS,
    tasks=[ActivityTask(step, 10, id="c1", retry=RETRY)],
)

first = ActivityTask(step, 0, id="a", retry=RETRY)
fan_out = [ActivityTask(step, i, id=f"f{i}", requires=[first], retry=RETRY) for i in range(3)]
pause = Timer(1, id="pause", requires=fan_out)
child = ChildWorkflow(
    spec=child_spec, id="child", requires=[pause], retry=RETRY, task_timeout=DECISION_TIMEOUT_S
)
spec = DeciderSpec(
    domain=DOMAIN,
    task_list=DECISIONS,
    tasks=[ActivityTask(beat, id="beat", requires=[child], retry=RETRY)],
)
workflow_type = WorkflowType(
    "chaos", "1", task_list=DECISIONS, execution_timeout=600, task_timeout=DECISION_TIMEOUT_S
)

# A messenger signals one chaos run and asks another to cancel, through the relay (the
# deliveries between executions that a crash can interrupt), then completes once both were
# delivered. Its input: {"signal": workflowId, "cancel": workflowId}.
messenger_type = WorkflowType(
    "chaos-messenger",
    "1",
    task_list=DECISIONS,
    execution_timeout=600,
    task_timeout=DECISION_TIMEOUT_S,
)


class Messenger:
    def decide(self, task: DecisionTask) -> Decisions:
        seen = {event["eventType"] for event in task.events}
        if "SignalExternalWorkflowExecutionInitiated" not in seen:
            targets = loads(attributes(task.events[0]).get("input"))
            return Decisions(
                decisions=[
                    {
                        "decisionType": "SignalExternalWorkflowExecution",
                        "signalExternalWorkflowExecutionDecisionAttributes": {
                            "workflowId": targets["signal"],
                            "signalName": "from-messenger",
                            "input": task.workflow_id,
                        },
                    },
                    {
                        "decisionType": "RequestCancelExternalWorkflowExecution",
                        "requestCancelExternalWorkflowExecutionDecisionAttributes": {
                            "workflowId": targets["cancel"],
                        },
                    },
                ]
            )
        outcomes = (
            {
                "ExternalWorkflowExecutionSignaled",
                "SignalExternalWorkflowExecutionFailed",
            },
            {
                "ExternalWorkflowExecutionCancelRequested",
                "RequestCancelExternalWorkflowExecutionFailed",
            },
        )
        if all(seen & outcome for outcome in outcomes):
            failed = sorted(
                seen & {kind for kinds in outcomes for kind in kinds if "Failed" in kind}
            )
            return Decisions(
                decisions=[
                    {
                        "decisionType": "CompleteWorkflowExecution",
                        "completeWorkflowExecutionDecisionAttributes": {
                            "result": dumps({"failed": failed})
                        },
                    }
                ]
            )
        return Decisions()


def register(client: Client) -> None:
    ensure_domain(client, DOMAIN)
    workflow_type.register(client, DOMAIN)
    messenger_type.register(client, DOMAIN)
    dynamic = WorkflowType(
        *DYNAMIC_WORKFLOW_TYPE, execution_timeout=600, task_timeout=DECISION_TIMEOUT_S
    )
    dynamic.register(client, DOMAIN)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("endpoint")
    parser.add_argument("--identity", default="chaos-worker")
    args = parser.parse_args()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    client = Client(args.endpoint)
    while True:  # the server may not be up yet, or may be down for the fault
        try:
            register(client)
            break
        except Exception:
            if stop.wait(0.2):
                return
    deciders: dict[tuple[str, str], Any] = {
        workflow_type.key: GraphDecider(spec),
        messenger_type.key: Messenger(),
        DYNAMIC_WORKFLOW_TYPE: DynamicDecider(),
    }
    workers: list[Any] = [
        ActivityWorker(client, DOMAIN, ACTIVITIES, registry, concurrency=8, identity=args.identity),
        DecisionWorker(client, DOMAIN, DECISIONS, deciders, identity=args.identity),
        DecisionWorker(client, DOMAIN, CHILD_DECISIONS, deciders, identity=args.identity),
    ]
    for worker in workers:
        worker.start()
    print("ready", flush=True)
    stop.wait()
    for worker in workers:
        worker.stop()


if __name__ == "__main__":
    main()
