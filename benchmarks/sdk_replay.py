#!/usr/bin/env python3
"""Decision cost of replaying long histories: code workflows vs task graphs.

For a chain of N activities (N = 100 ... 1,000 by default), builds the history a server
records once N activities have completed, as SWF writes it (six events per step: the
decision task scheduled, started, completed, then the activity scheduled, started,
completed), and times one decision task on it: the whole history replayed by
``WorkflowDecider`` (the chain as a ``Workflow``) and by ``GraphDecider`` (the chain as a
graph). Each decider must answer with the complete decision, which is checked. Prints ms
per decision task, and per 1,000 events, to show whether the cost grows linearly.

    .venv/bin/python benchmarks/sdk_replay.py [--sizes 100,250,500,1000] [--repeat 20]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from typing import Any

from openswf.sdk import (
    ActivityTask,
    DeciderSpec,
    GraphDecider,
    Workflow,
    WorkflowDecider,
    activity,
)
from openswf.sdk.converter import dumps
from openswf.sdk.history import DecisionTask


@activity(name="replay-bench-increment", version="1", task_list="bench")
def increment(x: int) -> int:
    return x + 1


class Chain(Workflow):
    name = "replay-bench-chain"
    task_list = "bench-decisions"
    n = 1000

    def run(self, x: int) -> int:
        for _ in range(self.n):
            x = self.submit(increment, x).result()
        return x


def history(n: int, activity_id: Any) -> list[dict[str, Any]]:
    """Events of a chain whose N activities all completed, up to the decision task that
    must now close the workflow (activity i gets ``activity_id(i)``, input and result i)."""
    events: list[dict[str, Any]] = []

    def add(kind: str, **attrs: Any) -> int:
        event_id = len(events) + 1
        key = kind[0].lower() + kind[1:] + "EventAttributes"
        events.append(
            {"eventId": event_id, "eventTimestamp": 1.7e9 + event_id, "eventType": kind, key: attrs}
        )
        return event_id

    add("WorkflowExecutionStarted", input=dumps(0), taskList={"name": "bench-decisions"},
        workflowType={"name": Chain.name, "version": "1"})  # fmt: skip
    for i in range(1, n + 2):
        scheduled = add("DecisionTaskScheduled", taskList={"name": "bench-decisions"})
        started = add("DecisionTaskStarted", scheduledEventId=scheduled)
        if i == n + 1:
            break
        completed = add("DecisionTaskCompleted", scheduledEventId=scheduled, startedEventId=started)
        sched = add(
            "ActivityTaskScheduled",
            activityType={"name": increment.name, "version": "1"},
            activityId=activity_id(i),
            input=dumps(i - 1),
            taskList={"name": "bench"},
            decisionTaskCompletedEventId=completed,
        )
        act_started = add("ActivityTaskStarted", scheduledEventId=sched)
        add("ActivityTaskCompleted", scheduledEventId=sched, startedEventId=act_started,
            result=dumps(i))  # fmt: skip
    return events


def task_of(events: list[dict[str, Any]]) -> DecisionTask:
    return DecisionTask(
        task_token="t",
        workflow_id="bench",
        run_id="run",
        workflow_type={"name": Chain.name, "version": "1"},
        started_event_id=int(events[-1]["eventId"]),
        previous_started_event_id=0,
        events=events,
    )


def graph_spec(n: int) -> DeciderSpec:
    tasks = [
        ActivityTask(increment, id=f"a{i}", requires=[f"a{i - 1}"] if i > 1 else [])
        for i in range(1, n + 1)
    ]
    # The graph's checks walk the requirements recursively: a 1,000-deep chain needs room.
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 4 * n + 100))
    return DeciderSpec(domain="bench", task_list="bench-decisions", tasks=tasks)


def timed(decide: Any, task: DecisionTask, repeat: int) -> tuple[float, Any]:
    times = []
    answer = None
    for _ in range(repeat):
        started = time.process_time()
        answer = decide(task)
        times.append(time.process_time() - started)
    return statistics.median(times) * 1000, answer


def whole_workflow(decide: Any, last: DecisionTask, repeat: int) -> float:
    """ms of CPU for every decision task of the run, each on the history it saw."""
    cuts = [i + 1 for i, e in enumerate(last.events) if e["eventType"] == "DecisionTaskStarted"]
    tasks = [task_of(last.events[:cut]) for cut in cuts]
    totals = []
    for _ in range(max(1, repeat // 4)):
        started = time.process_time()
        for task in tasks:
            decide(task)
        totals.append(time.process_time() - started)
    return statistics.median(totals) * 1000


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    p.add_argument("--sizes", default="3,10,100,250,500,1000")
    p.add_argument("--repeat", type=int, default=20)
    p.add_argument("--json", action="store_true")
    args = p.parse_args()
    rows = []
    for n in (int(s) for s in args.sizes.split(",")):
        Chain.n = n
        code_task = task_of(history(n, str))
        graph_task = task_of(history(n, lambda i: f"a{i}"))
        code_ms, code_answer = timed(WorkflowDecider(Chain).decide, code_task, args.repeat)
        graph = GraphDecider(graph_spec(n))
        graph_ms, graph_answer = timed(graph.decide, graph_task, args.repeat)
        assert code_answer.decisions[0]["decisionType"] == "CompleteWorkflowExecution"
        assert code_answer.decisions[0]["completeWorkflowExecutionDecisionAttributes"][
            "result"
        ] == str(n)
        assert graph_answer.decisions[-1]["decisionType"] == "CompleteWorkflowExecution"
        events = len(code_task.events)
        code_wf = graph_wf = None
        if n <= 100:
            code_wf = whole_workflow(WorkflowDecider(Chain).decide, code_task, args.repeat)
            graph_wf = whole_workflow(graph.decide, graph_task, args.repeat)
        rows.append({
            "activities": n,
            "events": events,
            "code_ms": round(code_ms, 2),
            "graph_ms": round(graph_ms, 2),
            "code_ms_per_1000_events": round(code_ms / events * 1000, 2),
            "graph_ms_per_1000_events": round(graph_ms / events * 1000, 2),
            "code_vs_graph": round(code_ms / graph_ms, 2),
            "code_workflow_ms": round(code_wf, 2) if code_wf else None,
            "graph_workflow_ms": round(graph_wf, 2) if graph_wf else None,
            "workflow_code_vs_graph": (
                round(code_wf / graph_wf, 2) if code_wf and graph_wf else None
            ),
        })  # fmt: skip
    if args.json:
        print(json.dumps(rows))
    else:
        print(f"{'activities':>10} {'events':>7} {'code ms':>8} {'graph ms':>9} "
              f"{'code/1k ev':>10} {'graph/1k ev':>11} {'code/graph':>10} "
              f"{'code wf ms':>10} {'graph wf ms':>11} {'wf c/g':>6}")  # fmt: skip
        for r in rows:
            print(f"{r['activities']:>10} {r['events']:>7} {r['code_ms']:>8} {r['graph_ms']:>9} "
                  f"{r['code_ms_per_1000_events']:>10} {r['graph_ms_per_1000_events']:>11} "
                  f"{r['code_vs_graph']:>10} {str(r['code_workflow_ms'] or '-'):>10} "
                  f"{str(r['graph_workflow_ms'] or '-'):>11} "
                  f"{str(r['workflow_code_vs_graph'] or '-'):>6}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
