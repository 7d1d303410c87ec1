"""A small shop of workflow executions for the dashboard's tests and screenshots.

Driven with boto3 the way a decider and workers would (poll, respond), so every history is
real. ``advance(seconds)`` moves time between steps: a manual clock's (screenshots get
realistic durations) or nothing (a real server: the steps take what they take).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

DECISIONS = "orders"
ACTIVITIES = "shop-work"
SHIPPING = "shipping"
SHIPPING_WORK = "shipping-work"
ORDER = {"name": "order", "version": "2"}
SHIP = {"name": "ship", "version": "1"}
REPORT = {"name": "nightly-report", "version": "1"}


@dataclass
class Demo:
    domain: str
    completed: dict[str, str] = field(default_factory=dict)  # the rich run: workflowId, runId
    running: dict[str, str] = field(default_factory=dict)  # open, with pending activities
    child: dict[str, str] = field(default_factory=dict)  # ship-1001, the completed child
    open_runs: list[dict[str, str]] = field(default_factory=list)  # every open run
    closed_runs: list[dict[str, str]] = field(default_factory=list)


def register(swf: Any, domain: str) -> None:
    swf.register_domain(
        name=domain, workflowExecutionRetentionPeriodInDays="7", description="an online shop"
    )
    for wtype in (ORDER, SHIP, REPORT):
        swf.register_workflow_type(
            domain=domain,
            **wtype,
            defaultTaskList={"name": DECISIONS},
            defaultExecutionStartToCloseTimeout="86400",
            defaultTaskStartToCloseTimeout="60",
            defaultChildPolicy="TERMINATE",
        )
    for name in ("reserve-stock", "charge-card", "send-email", "pack-parcel", "aggregate"):
        swf.register_activity_type(
            domain=domain,
            name=name,
            version="1",
            defaultTaskList={"name": ACTIVITIES},
            defaultTaskScheduleToStartTimeout="3600",
            defaultTaskScheduleToCloseTimeout="7200",
            defaultTaskStartToCloseTimeout="3600",
            defaultTaskHeartbeatTimeout="120",
        )


def _schedule(activity_id: str, name: str, payload: Any) -> dict[str, Any]:
    return {
        "decisionType": "ScheduleActivityTask",
        "scheduleActivityTaskDecisionAttributes": {
            "activityType": {"name": name, "version": "1"},
            "activityId": activity_id,
            "input": json.dumps(payload),
        },
    }


def _poll(call: Callable[[], Any]) -> Any:
    # On a real clock a task may still be on its way (a timer about to fire): poll again.
    for _ in range(30):
        task = call()
        if task.get("taskToken"):
            return task
    raise AssertionError("a task was expected")


def _decide(
    swf: Any, domain: str, decisions: list[dict[str, Any]], task_list: str = DECISIONS
) -> Any:
    task = _poll(
        lambda: swf.poll_for_decision_task(
            domain=domain, taskList={"name": task_list}, identity="decider-1"
        )
    )
    swf.respond_decision_task_completed(taskToken=task["taskToken"], decisions=decisions)
    return task


def _pack() -> dict[str, Any]:
    decision = _schedule("pack", "pack-parcel", {"order": 1001})
    decision["scheduleActivityTaskDecisionAttributes"]["taskList"] = {"name": SHIPPING_WORK}
    return decision


def _work(swf: Any, domain: str, identity: str = "worker-1", task_list: str = ACTIVITIES) -> Any:
    return _poll(
        lambda: swf.poll_for_activity_task(
            domain=domain, taskList={"name": task_list}, identity=identity
        )
    )


def start(
    swf: Any, domain: str, workflow_id: str, wtype: dict[str, str], payload: Any, tags: list[str]
) -> dict[str, str]:
    run = swf.start_workflow_execution(
        domain=domain,
        workflowId=workflow_id,
        workflowType=wtype,
        input=json.dumps(payload),
        tagList=tags,
    )
    return {"workflowId": workflow_id, "runId": run["runId"]}


def seed(
    swf: Any,
    domain: str,
    advance: Callable[[float], None] = lambda s: None,
    *,
    fillers: int = 24,
    timer_s: int = 1,
) -> Demo:
    """The rich completed order, a running one, and ``fillers`` runs of every status.

    With a manual clock, ``advance`` must also fire what fell due (``LocalServer.advance``)
    and ``timer_s`` be under 40; on a real clock the timer's decision task is waited for."""
    register(swf, domain)
    demo = Demo(domain=domain)
    tags = ["env:prod", "customer:acme"]

    # 1. order-1001: parallel activities, a failed charge retried, a timer, a child, a signal.
    order = {
        "order": 1001,
        "customer": "acme",
        "items": [{"sku": "A-17", "qty": 2}, {"sku": "B-3", "qty": 1}],
        "total": 129.5,
    }
    demo.completed = start(swf, domain, "order-1001", ORDER, order, tags)
    advance(0.3)
    _decide(
        swf,
        domain,
        [
            _schedule("reserve", "reserve-stock", order["items"]),
            _schedule("charge", "charge-card", {"amount": 129.5}),
            {
                "decisionType": "StartTimer",
                "startTimerDecisionAttributes": {
                    "timerId": "fraud-check",
                    "startToFireTimeout": str(timer_s),
                },
            },
        ],
    )
    advance(1.2)
    reserve = _work(swf, domain, "worker-1")
    charge = _work(swf, domain, "worker-2")
    advance(2.5)
    swf.respond_activity_task_failed(
        taskToken=charge["taskToken"], reason="card declined", details="issuer timeout, retry"
    )
    advance(0.4)
    _decide(swf, domain, [_schedule("charge", "charge-card", {"amount": 129.5, "attempt": 2})])
    advance(2.0)
    swf.respond_activity_task_completed(
        taskToken=reserve["taskToken"], result=json.dumps({"reserved": True})
    )
    advance(0.3)
    _decide(swf, domain, [])
    advance(3.0)
    charge = _work(swf, domain, "worker-2")
    advance(4.0)
    swf.respond_activity_task_completed(
        taskToken=charge["taskToken"], result=json.dumps({"charge_id": "ch_81723"})
    )
    advance(0.2)
    _decide(swf, domain, [])
    swf.signal_workflow_execution(
        domain=domain,
        workflowId="order-1001",
        signalName="gift-wrap",
        input=json.dumps({"note": "Happy birthday!"}),
    )
    advance(0.3)
    _decide(swf, domain, [])
    advance(28.0)  # the fraud-check timer fires (a real clock: the poll below waits for it)
    _decide(
        swf,
        domain,
        [
            {
                "decisionType": "StartChildWorkflowExecution",
                "startChildWorkflowExecutionDecisionAttributes": {
                    "workflowType": SHIP,
                    "workflowId": "ship-1001",
                    "input": json.dumps({"order": 1001}),
                    "taskList": {"name": SHIPPING},
                },
            },
            _schedule("email", "send-email", {"to": "acme@example.com", "template": "paid"}),
        ],
    )
    advance(0.5)
    _decide(swf, domain, [_pack()], SHIPPING)  # the child's first decision
    email = _work(swf, domain, "worker-1")
    advance(1.5)
    swf.respond_activity_task_completed(
        taskToken=email["taskToken"], result=json.dumps({"sent": True})
    )
    pack = _work(swf, domain, "worker-3", SHIPPING_WORK)
    advance(0.2)
    _decide(swf, domain, [])  # the email's completion (the child's start was recorded too)
    advance(9.0)
    swf.respond_activity_task_completed(
        taskToken=pack["taskToken"], result=json.dumps({"parcel": "PX-5521"})
    )
    advance(0.3)
    _decide(
        swf,
        domain,
        [
            {
                "decisionType": "CompleteWorkflowExecution",
                "completeWorkflowExecutionDecisionAttributes": {
                    "result": json.dumps({"parcel": "PX-5521", "carrier": "DHL"})
                },
            }
        ],
        SHIPPING,
    )
    advance(0.4)
    _decide(
        swf,
        domain,
        [
            {
                "decisionType": "CompleteWorkflowExecution",
                "completeWorkflowExecutionDecisionAttributes": {
                    "result": json.dumps(
                        {"status": "shipped", "charge_id": "ch_81723", "parcel": "PX-5521"}
                    )
                },
            }
        ],
    )
    demo.closed_runs.append(demo.completed)
    demo.child = swf.list_closed_workflow_executions(
        domain=domain,
        startTimeFilter={"oldestDate": 0},
        executionFilter={"workflowId": "ship-1001"},
    )["executionInfos"][0]["execution"]
    demo.closed_runs.append(demo.child)

    # 2. Fillers: closed runs of every status, and open ones, over a few types and tags.
    for i in range(fillers):
        advance(7.0)
        kind = i % 6
        wid = f"order-{1100 + i}" if kind < 4 else f"report-{i}"
        wtype = ORDER if kind < 4 else REPORT
        run = start(
            swf,
            domain,
            wid,
            wtype,
            {"order": 1100 + i},
            ["env:prod" if i % 3 else "env:staging", f"customer:c{i % 5}"],
        )
        advance(0.2)
        if kind == 0:
            _decide(
                swf,
                domain,
                [
                    {
                        "decisionType": "CompleteWorkflowExecution",
                        "completeWorkflowExecutionDecisionAttributes": {
                            "result": json.dumps({"status": "shipped"})
                        },
                    }
                ],
            )
        elif kind == 1:
            _decide(
                swf,
                domain,
                [
                    {
                        "decisionType": "FailWorkflowExecution",
                        "failWorkflowExecutionDecisionAttributes": {
                            "reason": "out of stock",
                            "details": "sku B-3",
                        },
                    }
                ],
            )
        elif kind == 2:
            swf.terminate_workflow_execution(
                domain=domain, workflowId=wid, runId=run["runId"], reason="duplicate order"
            )
        elif kind == 3:
            _decide(
                swf,
                domain,
                [
                    {
                        "decisionType": "CancelWorkflowExecution",
                        "cancelWorkflowExecutionDecisionAttributes": {},
                    }
                ],
            )
        else:
            _decide(swf, domain, [_schedule(f"aggregate-{i}", "aggregate", {"day": i})])
            demo.open_runs.append(run)
            continue
        demo.closed_runs.append(run)

    # 3. order-2001: running, one activity at work, one waiting for a worker.
    advance(3.0)
    demo.running = start(
        swf,
        domain,
        "order-2001",
        ORDER,
        {"order": 2001, "items": [{"sku": "C-9", "qty": 1}]},
        ["env:prod", "customer:globex"],
    )
    advance(0.2)
    notify = _schedule("notify", "send-email", {"to": "globex@example.com"})
    notify["scheduleActivityTaskDecisionAttributes"]["taskList"] = {"name": "notifications"}
    sla = {
        "decisionType": "StartTimer",
        "startTimerDecisionAttributes": {"timerId": "sla", "startToFireTimeout": "86400"},
    }
    _decide(swf, domain, [_schedule("reserve", "reserve-stock", [{"sku": "C-9"}]), notify, sla])
    advance(0.8)
    # The fillers' aggregate tasks wait in the same list: take this run's reserve task.
    for _ in range(fillers + 1):
        task = _work(swf, domain, "worker-7")
        if task["workflowExecution"]["workflowId"] == "order-2001":
            break
    advance(1.0)
    swf.record_activity_task_heartbeat(taskToken=task["taskToken"], details="42%")
    demo.open_runs.append(demo.running)
    return demo
