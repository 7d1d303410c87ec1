#!/usr/bin/env python3
"""Timer lag: how late an openswf server fires timers when thousands are pending.

Starts `openswf server` (or uses --endpoint), registers a domain and a workflow type, starts
E executions and answers each first decision task with T StartTimer decisions, so E x T
timers are pending at once (10,000 by default). Then it waits until every timer has fired and
reads every history. For each timer:

    lag = TimerFired.eventTimestamp - (TimerStarted.eventTimestamp + startToFireTimeout)

both stamped by the server's clock, so client speed does not enter the number. Prints the
count, p50/p90/p99/max lag, how many timers were pending at the peak, and the window of due
times.

Two shapes of load:

* ``--mode spread`` (default): timeouts from --delay to --delay + --spread - 1 seconds,
  assigned round-robin, so the timers fall due over a window of a few seconds;
* ``--mode burst``: every timer has the same timeout (--delay), so they fall due together,
  within the time it took to arm them (the due window is printed).

SWF timeouts are whole seconds, so --delay must exceed the time arming takes, or early
timers fire before the last are armed (the peak pending count shows it). Nothing in here
imports openswf. Exit code 0 when every timer fired, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

# compare.py sits next to this file; its server handling is shared rather than copied.
from compare import make_server

WF = {"name": "timer-lag", "version": "1"}
TASK_LIST = "timer-lag"


def client(endpoint: str) -> Any:
    return boto3.client(
        "swf",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="x",
        aws_secret_access_key="x",
        config=Config(read_timeout=70, retries={"max_attempts": 1}, max_pool_connections=4),
    )


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def timeouts_for(args: argparse.Namespace, execution: int) -> list[int]:
    if args.mode == "burst":
        return [args.delay] * args.timers
    return [args.delay + (execution * args.timers + j) % args.spread for j in range(args.timers)]


def arm(args: argparse.Namespace, endpoint: str, domain: str) -> float:
    """Start every execution and answer its first decision task with its timers; returns the
    seconds arming took."""
    local = threading.local()

    def swf() -> Any:
        if not hasattr(local, "swf"):
            local.swf = client(endpoint)
        return local.swf

    def start(i: int) -> None:
        swf().start_workflow_execution(domain=domain, workflowId=f"wf-{i}", workflowType=WF)

    with ThreadPoolExecutor(args.threads) as pool:
        list(pool.map(start, range(args.executions)))
    log(f"started {args.executions} executions")

    answered = [0]
    lock = threading.Lock()

    def answer(_: int) -> None:
        # Any decision task will do: the timers of execution wf-i depend only on i.
        task = swf().poll_for_decision_task(domain=domain, taskList={"name": TASK_LIST})
        assert task.get("taskToken"), "no decision task"
        i = int(task["workflowExecution"]["workflowId"].split("-")[1])
        decisions = [
            {
                "decisionType": "StartTimer",
                "startTimerDecisionAttributes": {"timerId": f"t{j}", "startToFireTimeout": str(t)},
            }
            for j, t in enumerate(timeouts_for(args, i))
        ]
        swf().respond_decision_task_completed(taskToken=task["taskToken"], decisions=decisions)
        with lock:
            answered[0] += 1

    began = time.monotonic()
    with ThreadPoolExecutor(args.threads) as pool:
        list(pool.map(answer, range(args.executions)))
    took = time.monotonic() - began
    log(f"armed {args.executions * args.timers} timers in {took:.2f} s")
    return took


Timers = tuple[dict[str, tuple[float, int]], dict[str, float]]


def read_timers(swf: Any, domain: str, execution: dict[str, str]) -> Timers:
    """(timerId -> (started at, timeout s), timerId -> fired at) of one execution."""
    started: dict[str, tuple[float, int]] = {}
    fired: dict[str, float] = {}
    pages = swf.get_paginator("get_workflow_execution_history").paginate(
        domain=domain, execution=execution
    )
    for page in pages:
        for event in page["events"]:
            kind = event["eventType"]
            if kind == "TimerStarted":
                attrs = event["timerStartedEventAttributes"]
                started[attrs["timerId"]] = (
                    event["eventTimestamp"].timestamp(),
                    int(attrs["startToFireTimeout"]),
                )
            elif kind == "TimerFired":
                fired[event["timerFiredEventAttributes"]["timerId"]] = event[
                    "eventTimestamp"
                ].timestamp()
    return started, fired


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def peak_pending(intervals: list[tuple[float, float]]) -> int:
    """Most timers armed and not yet fired at one moment."""
    points = [(start, 1) for start, _ in intervals] + [(end, -1) for _, end in intervals]
    points.sort(key=lambda p: (p[0], p[1]))  # a fire before an arm at the same instant
    level = peak = 0
    for _, step in points:
        level += step
        peak = max(peak, level)
    return peak


def run(args: argparse.Namespace, endpoint: str) -> dict[str, Any]:
    swf = client(endpoint)
    domain = args.domain or f"timer-lag-{uuid.uuid4().hex[:8]}"
    swf.register_domain(name=domain, workflowExecutionRetentionPeriodInDays="1")
    swf.register_workflow_type(
        domain=domain,
        name=WF["name"],
        version=WF["version"],
        defaultTaskList={"name": TASK_LIST},
        defaultExecutionStartToCloseTimeout="86400",
        defaultTaskStartToCloseTimeout="3600",
        defaultChildPolicy="TERMINATE",
    )
    armed_s = arm(args, endpoint, domain)
    pages = swf.get_paginator("list_open_workflow_executions").paginate(
        domain=domain, startTimeFilter={"oldestDate": 0}
    )
    executions = [info["execution"] for page in pages for info in page["executionInfos"]]
    assert len(executions) == args.executions, f"{len(executions)} executions open"

    # The last timer was armed at most now, so it is due at most last_due from now. Reading
    # histories costs the server CPU, so nothing is read before then: the reads must not
    # delay the firing they measure.
    last_due = args.delay + (args.spread - 1 if args.mode == "spread" else 0)
    time.sleep(last_due + 0.5)
    deadline = time.monotonic() + args.timeout

    local = threading.local()

    def read(execution: dict[str, str]) -> Timers:
        if not hasattr(local, "swf"):
            local.swf = client(endpoint)
        return read_timers(local.swf, domain, execution)

    total = args.executions * args.timers
    while True:
        with ThreadPoolExecutor(args.threads) as pool:
            results = list(pool.map(read, executions))
        fired_count = sum(len(fired) for _, fired in results)
        if fired_count >= total or time.monotonic() > deadline:
            break
        log(f"{fired_count}/{total} fired; waiting")
        time.sleep(0.5)

    lags: list[float] = []
    intervals: list[tuple[float, float]] = []
    due_times: list[float] = []
    for started, fired in results:
        for timer_id, (at, timeout) in started.items():
            due = at + timeout
            due_times.append(due)
            if timer_id in fired:
                lags.append(fired[timer_id] - due)
                intervals.append((at, fired[timer_id]))
    if args.dump:
        with open(args.dump, "w") as out:
            out.write("due_s,lag_ms\n")
            for started, fired in results:
                for timer_id, (at, timeout) in started.items():
                    if timer_id in fired:
                        lag_ms = (fired[timer_id] - at - timeout) * 1000
                        out.write(f"{at + timeout:.3f},{lag_ms:.1f}\n")
    ms = [lag * 1000 for lag in lags]
    return {
        "mode": args.mode,
        "executions": args.executions,
        "timers_per_execution": args.timers,
        "timers": total,
        "fired": len(lags),
        "armed_s": round(armed_s, 2),
        "peak_pending": peak_pending(intervals),
        "due_window_s": round(max(due_times) - min(due_times), 3) if due_times else 0,
        "lag_ms": {
            "min": round(min(ms), 1),
            "p50": round(statistics.median(ms), 1),
            "p90": round(percentile(ms, 90), 1),
            "p99": round(percentile(ms, 99), 1),
            "max": round(max(ms), 1),
        }
        if ms
        else {},
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--endpoint", help="use a running server instead of starting one")
    parser.add_argument("--mode", choices=["spread", "burst"], default="spread")
    parser.add_argument("--executions", type=int, default=1000)
    parser.add_argument("--timers", type=int, default=10, help="timers per execution")
    parser.add_argument("--delay", type=int, default=20, help="shortest timeout, seconds")
    parser.add_argument("--spread", type=int, default=5, help="spread mode: seconds of due times")
    parser.add_argument("--threads", type=int, default=8, help="client threads")
    parser.add_argument("--timeout", type=float, default=120, help="seconds to wait past due")
    parser.add_argument("--domain")
    parser.add_argument("--dump", help="write due time and lag of every timer to this CSV")
    parser.add_argument("--keep", action="store_true", help="keep the server's database and log")
    parser.add_argument("--json", action="store_true", help="print one JSON line on stdout")
    args = parser.parse_args()

    server = None
    tmp = Path(tempfile.mkdtemp(prefix="timer-lag-"))
    if args.endpoint:
        endpoint = args.endpoint
    else:
        made = make_server("openswf", tmp, poll_timeout=1.0)
        if isinstance(made, str):
            log(made)
            return 1
        server = made
        why = server.start(30)
        if why:
            server.stop()
            log(f"openswf did not start: {why} (log and database kept in {tmp})")
            return 1
        endpoint = server.endpoint
        assert server.proc is not None
        log(f"openswf server pid {server.proc.pid} on {endpoint} (db {tmp}/bench.db)")
    try:
        result = run(args, endpoint)
    finally:
        if server is not None:
            server.stop()
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    if args.json:
        print(json.dumps(result))
    else:
        lag = result["lag_ms"]
        print(
            f"RESULT timer_lag {result['mode']}: {result['fired']}/{result['timers']} fired "
            f"({result['executions']} executions x {result['timers_per_execution']} timers, "
            f"peak {result['peak_pending']} pending, due over {result['due_window_s']} s, "
            f"armed in {result['armed_s']} s); lag ms p50 {lag.get('p50')} "
            f"p90 {lag.get('p90')} p99 {lag.get('p99')} max {lag.get('max')}"
        )
    return 0 if result["fired"] == result["timers"] else 1


if __name__ == "__main__":
    sys.exit(main())
