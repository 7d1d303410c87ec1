#!/usr/bin/env python3
"""The chain benchmark written with the framework: N workflows x K activities, on SQLite.

Same shape as ``swf_chain.py`` (which uses plain boto3): D decider processes and W worker
processes, each its own SDK client; the main process starts N executions and waits until
every one is closed. Here the workflow is a task graph (``a1 -> a2 -> ... -> aK``) decided
by ``GraphDecider``, the activities are ``@activity`` functions run by ``ActivityWorker``,
and every request goes through ``openswf.sdk.Client``. ``--style code`` runs the same chain
written as code (a ``Workflow`` whose ``run`` calls the activity K times in a row, decided
by ``WorkflowDecider``), to compare the two styles' CPU per workflow.

    .venv/bin/python benchmarks/sdk_chain.py                    # starts its own server
    .venv/bin/python benchmarks/sdk_chain.py --endpoint URL     # any SWF endpoint
    .venv/bin/python benchmarks/sdk_chain.py --profile DIR      # cProfile every process
    .venv/bin/python benchmarks/sdk_chain.py --style code       # the chain as a Workflow

Prints workflows/s, latency, and the CPU seconds spent by the server and by the clients
(deciders + workers + starter), which is where the time goes on a 2-core machine.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import multiprocessing as mp
import os
import signal
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sdk_server import OpenSwfServer, process_cpu_seconds  # noqa: E402

from openswf.sdk import (  # noqa: E402
    ActivityTask,
    ActivityWorker,
    Client,
    DeciderSpec,
    DecisionWorker,
    GraphDecider,
    Registry,
    Timeouts,
    Workflow,
    WorkflowDecider,
    WorkflowType,
    activity,
    ensure_domain,
)
from openswf.sdk.converter import loads  # noqa: E402
from openswf.sdk.deciders.base import Decisions  # noqa: E402
from openswf.sdk.history import DecisionTask  # noqa: E402

DECISIONS = "sdk-bench-decisions"
ACTIVITIES = "sdk-bench-activities"
WORKFLOW = WorkflowType(
    "sdk-bench-chain", "1", task_list=DECISIONS, task_timeout=300, execution_timeout=3600
)
registry = Registry()


@activity(
    name="sdk-bench-increment",
    version="1",
    task_list=ACTIVITIES,
    timeouts=Timeouts(start_to_close=300),
    registry=registry,
)
def increment(context: Any) -> int:
    previous = list(context.requires.values())
    return int(previous[0] if previous else context.workflow_input) + 1


@activity(
    name="sdk-bench-increment-code",
    version="1",
    task_list=ACTIVITIES,
    timeouts=Timeouts(start_to_close=300),
    registry=registry,
)
def increment_code(x: int) -> int:
    return x + 1


CODE_WORKFLOW = WorkflowType(
    "sdk-bench-chain-code", "1", task_list=DECISIONS, task_timeout=300, execution_timeout=3600
)


class CodeChain(Workflow):
    """The chain as code: K activities in a row, each fed the previous result."""

    name = CODE_WORKFLOW.name
    task_list = DECISIONS
    task_timeout = 300
    k = 3

    def run(self, x: int) -> dict[str, int]:
        for _ in range(self.k):
            x = self.submit(increment_code, x).result()
        return {f"a{self.k}": x}


def chain_spec(domain: str, k: int) -> DeciderSpec:
    task: ActivityTask | None = None
    for i in range(1, k + 1):
        task = ActivityTask(increment, id=f"a{i}", requires=[task] if task else [])
    assert task is not None
    return DeciderSpec(domain=domain, task_list=DECISIONS, tasks=[task])


class TimedDecisionWorker(DecisionWorker):
    """Reports each close (after its respond returned) to the main process."""

    def __init__(self, *args: Any, messages: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.messages = messages
        self._local = threading.local()

    def _record(self, decisions: Decisions) -> None:
        super()._record(decisions)
        self._local.closed = decisions.closes

    def handle(self, task: DecisionTask) -> None:
        self._local.closed = False
        super().handle(task)
        if self._local.closed:
            self.messages.put(("closed", task.workflow_id, time.monotonic()))


def child_main(
    kind: str, endpoint: str, domain: str, k: int, threads: int, messages: Any, stop: Any,
    profile_dir: str | None, style: str = "graph",
) -> None:  # fmt: skip
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    profiler = cProfile.Profile() if profile_dir else None
    if profiler:
        profiler.enable()
    client = Client(endpoint)
    worker: ActivityWorker | DecisionWorker
    if kind == "decider":
        CodeChain.k = k
        decider: Any = (
            WorkflowDecider(CodeChain) if style == "code" else GraphDecider(chain_spec(domain, k))
        )
        worker = TimedDecisionWorker(
            client, domain, DECISIONS, decider, concurrency=threads, messages=messages,
        )  # fmt: skip
    else:
        worker = ActivityWorker(
            client, domain, ACTIVITIES, registry, concurrency=threads, heartbeat_interval=0,
            register=False,
        )  # fmt: skip
    worker.start()
    messages.put(("ready", kind, os.getpid()))
    stop.wait()
    worker.stop(timeout=10)
    if profiler:
        profiler.disable()
        profiler.dump_stats(f"{profile_dir}/{kind}-{os.getpid()}.prof")
    messages.put(("cpu", kind, process_cpu_seconds(os.getpid())))


def run(args: argparse.Namespace, endpoint: str, server_pid: int | None) -> dict[str, Any]:
    client = Client(endpoint)
    domain = args.domain or f"sdk-bench-{uuid.uuid4().hex[:8]}"
    ensure_domain(client, domain)
    workflow = CODE_WORKFLOW if args.style == "code" else WORKFLOW
    workflow.register(client, domain)
    for item in registry:
        try:
            client.register_activity_type(**item.registration(domain))
        except Exception:  # noqa: BLE001 - already registered in a reused domain
            pass
    ctx = mp.get_context("spawn")
    messages = ctx.Queue()
    stop = ctx.Event()
    kinds = ["decider"] * args.deciders + ["worker"] * args.workers
    children = [
        ctx.Process(
            target=child_main,
            args=(
                kind,
                endpoint,
                domain,
                args.activities,
                args.threads,
                messages,
                stop,
                args.profile,
                args.style,
            ),
        )  # fmt: skip
        for kind in kinds
    ]
    for child in children:
        child.start()
    ready = 0
    while ready < len(children):
        if messages.get(timeout=60)[0] == "ready":
            ready += 1
    server_cpu0 = process_cpu_seconds(server_pid) if server_pid else None
    main_cpu0 = time.process_time()
    started_at: dict[str, float] = {}
    run_tag = uuid.uuid4().hex[:8]

    def start_one(i: int) -> None:
        workflow_id = f"chain-{run_tag}-{i}"
        started_at[workflow_id] = time.monotonic()
        workflow.start(client, domain, workflow_id, i)

    first = time.monotonic()
    starter = threading.Thread(
        target=lambda: list(ThreadPoolExecutor(args.starters).map(start_one, range(args.workflows)))
    )
    starter.start()
    closed: dict[str, float] = {}
    deadline = first + args.timeout
    while len(closed) < args.workflows and time.monotonic() < deadline:
        try:
            msg = messages.get(timeout=1)
        except Exception:  # noqa: BLE001 - queue.Empty
            continue
        if msg[0] == "closed":
            closed.setdefault(msg[1], msg[2])
    wall = max(closed.values(), default=time.monotonic()) - first
    starter.join()
    server_cpu = process_cpu_seconds(server_pid) - server_cpu0 if server_pid else None
    main_cpu = time.process_time() - main_cpu0
    stop.set()
    client_cpu = main_cpu
    cpu_by_kind: dict[str, float] = {"decider": 0.0, "worker": 0.0}
    got = 0
    while got < len(children):
        msg = messages.get(timeout=30)
        if msg[0] == "cpu":
            cpu_by_kind[msg[1]] += msg[2]
            got += 1
    for child in children:
        child.join(15)
    client_cpu += sum(cpu_by_kind.values())  # includes start-up; see the note in the output
    # Verify, outside the timed window: every execution's result is its input + K.
    wrong = 0
    for workflow_id in list(started_at)[: args.verify_sample]:
        i = int(workflow_id.rsplit("-", 1)[1])
        info = client.list_closed_workflow_executions(
            domain=domain,
            startTimeFilter={"oldestDate": 0},
            executionFilter={"workflowId": workflow_id},
        )["executionInfos"]
        run_id = info[0]["execution"]["runId"] if info else ""
        last = client.get_workflow_execution_history(
            domain=domain,
            execution={"workflowId": workflow_id, "runId": run_id},
            reverseOrder=True,
            maximumPageSize=1,
        )["events"][0]
        result = loads(last.get("workflowExecutionCompletedEventAttributes", {}).get("result"))
        if not isinstance(result, dict) or result.get(f"a{args.activities}") != i + args.activities:
            wrong += 1
    latencies = sorted(closed[w] - started_at[w] for w in closed if w in started_at)
    return {
        "style": args.style,
        "endpoint": endpoint,
        "workflows": args.workflows,
        "activities": args.activities,
        "deciders": args.deciders,
        "workers": args.workers,
        "threads": args.threads,
        "closed": len(closed),
        "wall_s": round(wall, 3),
        "workflows_per_s": round(len(closed) / wall, 1) if wall > 0 else None,
        "latency_p50_s": round(latencies[len(latencies) // 2], 3) if latencies else None,
        "latency_p99_s": round(latencies[int(len(latencies) * 0.99) - 1], 3) if latencies else None,
        "server_cpu_s": round(server_cpu, 2) if server_cpu is not None else None,
        "client_cpu_s": round(client_cpu, 2),
        "client_cpu_by_kind_s": {k: round(v, 2) for k, v in cpu_by_kind.items()},
        "verified": min(args.verify_sample, len(started_at)) - wrong,
        "wrong": wrong,
        "ok": len(closed) == args.workflows and wrong == 0,
    }


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    p.add_argument("--endpoint", default=None, help="SWF endpoint (default: start openswf)")
    p.add_argument("--workflows", type=int, default=200)
    p.add_argument("--activities", type=int, default=3)
    p.add_argument("--deciders", type=int, default=2, help="decider processes")
    p.add_argument("--workers", type=int, default=2, help="worker processes")
    p.add_argument("--threads", type=int, default=4, help="pollers per process")
    p.add_argument("--starters", type=int, default=4)
    p.add_argument("--domain", default=None)
    p.add_argument("--timeout", type=float, default=600)
    p.add_argument("--verify-sample", type=int, default=1000)
    p.add_argument("--profile", default=None, help="directory for cProfile stats")
    p.add_argument(
        "--style",
        choices=("graph", "code"),
        default="graph",
        help="the chain as a task graph (GraphDecider) or as code (WorkflowDecider)",
    )
    p.add_argument(
        "--synchronous-normal",
        action="store_true",
        help="start the server's SQLite with synchronous=normal (no fsync per commit)",
    )
    p.add_argument("--json", action="store_true")
    args = p.parse_args()
    if args.profile:
        Path(args.profile).mkdir(parents=True, exist_ok=True)
    if args.endpoint:
        result = run(args, args.endpoint, None)
    else:
        profile = f"{args.profile}/server.prof" if args.profile else None
        query = "?synchronous=normal" if args.synchronous_normal else ""
        with OpenSwfServer(profile_to=profile, db_query=query) as server:
            result = run(args, server.endpoint, server.pid)
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key:22} {value}")
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
