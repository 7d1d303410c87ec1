#!/usr/bin/env python3
"""Load benchmark: N workflow executions, each a chain of K activities, over plain boto3.

The script drives ANY endpoint that speaks the SWF wire protocol (openswf, moto, real SWF),
so that the same numbers can be compared between peers in the same run (see DESIGN.md,
"Performance principles"). Nothing in here imports openswf.

Shape of the run:

* the main process registers a domain, a workflow type and an activity type (all defaults
  set at registration, so the decisions rely on the server applying them);
* D decider processes and W worker processes, each with its own boto3 client, start polling;
* the main process starts N executions; each decider, on every decision task, reads the whole
  history (paging with nextPageToken) and schedules activity i+1 once activity i completed,
  passing the previous result along; after the K-th it completes the workflow with the last
  result; workers answer ``int(input) + 1``;
* the clock runs from the first StartWorkflowExecution to the moment the last execution is
  closed (the decider's RespondDecisionTaskCompleted carrying CompleteWorkflowExecution
  returned);
* then, outside the timed window, the visibility API must count N COMPLETED executions and
  every execution's last event must be WorkflowExecutionCompleted with result input + K.

Exit code 0 when all N executions completed with the right result, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import queue
import signal
import sys
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from multiprocessing.sharedctypes import SynchronizedArray
from multiprocessing.synchronize import Event as EventType
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

WORKFLOW_TYPE = {"name": "bench-chain", "version": "1"}
ACTIVITY_TYPE = {"name": "bench-increment", "version": "1"}
DECISION_TASK_LIST = "bench-decisions"
ACTIVITY_TASK_LIST = "bench-activities"

# Events after which the chain cannot go on: the decider fails the workflow, which the final
# visibility count then reports as "not completed" instead of the run hanging until timeout.
FAILURE_EVENTS = {
    "ActivityTaskFailed": "activityTaskFailedEventAttributes",
    "ActivityTaskTimedOut": "activityTaskTimedOutEventAttributes",
    "ActivityTaskCanceled": "activityTaskCanceledEventAttributes",
    "ScheduleActivityTaskFailed": "scheduleActivityTaskFailedEventAttributes",
}

# Slots of the shared counter array (one array for all child processes).
C_DECISIONS, C_ACTIVITIES, C_EMPTY_POLLS, C_POLL_ERRORS, C_RESPOND_ERRORS = range(5)
COUNTER_NAMES = ["decision_tasks", "activity_tasks", "empty_polls", "poll_errors", "respond_errors"]


@dataclass(frozen=True)
class ChainConfig:
    """What every child process needs; picklable so it survives the spawn start method."""

    endpoint: str  # one URL, or several separated by commas: child i uses the i-th (cycling)
    domain: str
    activities: int
    empty_poll_sleep: float
    history_page_size: int | None


def endpoints_of(endpoint: str) -> list[str]:
    """``--endpoint`` may name several servers of one service (several openswf processes
    over one database), separated by commas: clients are spread over them."""
    return [url.strip() for url in endpoint.split(",") if url.strip()]


def make_client(endpoint: str) -> Any:
    """One boto3 SWF client, configured for long polls and without hidden retries.

    read_timeout must exceed the server's long-poll timeout (60 s for SWF), or a quiet poll
    would be cut by the client. Retries are off on purpose: a retried poll whose first answer
    was lost would strand a task until its timeout, and a retried respond double-counts; we
    count errors instead and let the loop carry on.
    """
    return boto3.client(
        "swf",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="x",
        aws_secret_access_key="x",
        config=Config(
            read_timeout=70,
            connect_timeout=10,
            retries={"total_max_attempts": 1, "mode": "standard"},
        ),
    )


def bump(counters: SynchronizedArray[int], slot: int) -> None:
    with counters.get_lock():
        counters[slot] += 1


def idle_after_empty_poll(stop: EventType, poll_started: float, pause: float) -> None:
    """Back off after an empty poll, but only if the server did not long-poll.

    A real long poll already waited (up to 60 s), so sleeping would only add latency. Moto
    answers empty polls at once; without a pause D+W processes would hot-spin and steal the
    CPU the server under test needs.
    """
    if time.monotonic() - poll_started < 0.05:
        stop.wait(pause)


# --------------------------------------------------------------------------------------------
# Decider
# --------------------------------------------------------------------------------------------


def poll_decision_task(client: Any, cfg: ChainConfig, identity: str) -> dict[str, Any] | None:
    """Poll once; return the task with its full history, or None for an empty answer.

    An empty answer has no taskToken (moto) or an empty one (SWF after the long poll). Further
    history pages come from PollForDecisionTask again with nextPageToken, as the SWF docs say.
    """
    kwargs: dict[str, Any] = {
        "domain": cfg.domain,
        "taskList": {"name": DECISION_TASK_LIST},
        "identity": identity,
    }
    if cfg.history_page_size:
        kwargs["maximumPageSize"] = cfg.history_page_size
    task: dict[str, Any] = client.poll_for_decision_task(**kwargs)
    if not task.get("taskToken"):
        return None
    events: list[dict[str, Any]] = list(task.get("events", []))
    next_token = task.get("nextPageToken")
    while next_token:
        page = client.poll_for_decision_task(**kwargs, nextPageToken=next_token)
        events.extend(page.get("events", []))
        next_token = page.get("nextPageToken")
    task["events"] = events
    return task


def decide(events: list[dict[str, Any]], activities: int) -> tuple[list[dict[str, Any]], bool]:
    """The chain logic. Returns (decisions, closes_workflow)."""
    workflow_input = "0"
    scheduled = completed = 0
    last_result: str | None = None
    for event in events:
        etype = event["eventType"]
        if etype == "WorkflowExecutionStarted":
            workflow_input = event["workflowExecutionStartedEventAttributes"].get("input", "0")
        elif etype == "ActivityTaskScheduled":
            scheduled += 1
        elif etype == "ActivityTaskCompleted":
            completed += 1
            last_result = event["activityTaskCompletedEventAttributes"].get("result")
        elif etype in FAILURE_EVENTS:
            details = json.dumps(event.get(FAILURE_EVENTS[etype], {}), default=str)[:32000]
            fail = {
                "decisionType": "FailWorkflowExecution",
                "failWorkflowExecutionDecisionAttributes": {
                    "reason": etype,
                    "details": details,
                },
            }
            return [fail], True
    if completed >= activities:
        complete = {
            "decisionType": "CompleteWorkflowExecution",
            "completeWorkflowExecutionDecisionAttributes": {"result": last_result or ""},
        }
        return [complete], True
    if scheduled > completed:
        # An activity is still in flight (e.g. this decision task was caused by a decision
        # task timeout): nothing to do until it completes.
        return [], False
    schedule = {
        "decisionType": "ScheduleActivityTask",
        # Only type, id and input: task list and timeouts come from the type's defaults.
        "scheduleActivityTaskDecisionAttributes": {
            "activityType": ACTIVITY_TYPE,
            "activityId": f"step-{completed + 1}",
            "input": last_result if completed else workflow_input,
        },
    }
    return [schedule], False


def decider_main(
    cfg: ChainConfig,
    index: int,
    stop: EventType,
    messages: mp.Queue[tuple[Any, ...]],
    counters: SynchronizedArray[int],
) -> None:
    # Ctrl-C reaches the whole process group; the parent alone decides when children stop.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    urls = endpoints_of(cfg.endpoint)
    client = make_client(urls[index % len(urls)])
    identity = f"decider-{index}-{os.getpid()}"
    messages.put(("ready", identity))
    while not stop.is_set():
        started = time.monotonic()
        try:
            task = poll_decision_task(client, cfg, identity)
        except Exception as exc:  # noqa: BLE001 - a benchmark counts failures, it does not die
            bump(counters, C_POLL_ERRORS)
            messages.put(("error", identity, f"PollForDecisionTask: {exc!r}"))
            stop.wait(0.2)
            continue
        if task is None:
            bump(counters, C_EMPTY_POLLS)
            idle_after_empty_poll(stop, started, cfg.empty_poll_sleep)
            continue
        decisions, closes = decide(task["events"], cfg.activities)
        try:
            client.respond_decision_task_completed(taskToken=task["taskToken"], decisions=decisions)
        except Exception as exc:  # noqa: BLE001
            bump(counters, C_RESPOND_ERRORS)
            messages.put(("error", identity, f"RespondDecisionTaskCompleted: {exc!r}"))
            continue
        bump(counters, C_DECISIONS)
        if closes:
            # The respond returned, so the execution is closed now: this is the end of its
            # latency and, for the last one, of the timed window.
            workflow_id = task["workflowExecution"]["workflowId"]
            messages.put(("closed", workflow_id, time.monotonic()))


# --------------------------------------------------------------------------------------------
# Worker
# --------------------------------------------------------------------------------------------


def worker_main(
    cfg: ChainConfig,
    index: int,
    stop: EventType,
    messages: mp.Queue[tuple[Any, ...]],
    counters: SynchronizedArray[int],
) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    urls = endpoints_of(cfg.endpoint)
    client = make_client(urls[index % len(urls)])
    identity = f"worker-{index}-{os.getpid()}"
    messages.put(("ready", identity))
    while not stop.is_set():
        started = time.monotonic()
        try:
            task = client.poll_for_activity_task(
                domain=cfg.domain, taskList={"name": ACTIVITY_TASK_LIST}, identity=identity
            )
        except Exception as exc:  # noqa: BLE001
            bump(counters, C_POLL_ERRORS)
            messages.put(("error", identity, f"PollForActivityTask: {exc!r}"))
            stop.wait(0.2)
            continue
        token = task.get("taskToken")
        if not token:
            bump(counters, C_EMPTY_POLLS)
            idle_after_empty_poll(stop, started, cfg.empty_poll_sleep)
            continue
        result = str(int(task.get("input") or "0") + 1)
        try:
            client.respond_activity_task_completed(taskToken=token, result=result)
        except Exception as exc:  # noqa: BLE001
            bump(counters, C_RESPOND_ERRORS)
            messages.put(("error", identity, f"RespondActivityTaskCompleted: {exc!r}"))
            continue
        bump(counters, C_ACTIVITIES)


# --------------------------------------------------------------------------------------------
# Main process
# --------------------------------------------------------------------------------------------


@dataclass
class Result:
    endpoint: str
    domain: str
    workflows: int
    activities: int
    deciders: int
    workers: int
    ok: bool = False
    timed_out: bool = False
    started: int = 0
    closed_seen: int = 0
    wall_s: float | None = None
    workflows_per_s: float | None = None
    activities_per_s: float | None = None
    latency_p50_s: float | None = None
    latency_p99_s: float | None = None
    completed_visible: int | None = None
    count_method: str = ""
    verified: int = 0
    verify_failures: int = 0
    start_errors: int = 0
    counters: dict[str, int] = field(default_factory=dict)
    children_terminated: int = 0
    errors_sample: list[str] = field(default_factory=list)


def log(msg: str) -> None:
    # Progress goes to stderr so that --json leaves exactly one line on stdout.
    print(msg, file=sys.stderr, flush=True)


def ignore_already_exists(call: Callable[..., Any], **kwargs: Any) -> None:
    """Register idempotently, so a --domain reused across runs still works."""
    try:
        call(**kwargs)
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        if code not in ("DomainAlreadyExistsFault", "TypeAlreadyExistsFault"):
            raise


def register(client: Any, domain: str) -> None:
    ignore_already_exists(
        client.register_domain, name=domain, workflowExecutionRetentionPeriodInDays="1"
    )
    ignore_already_exists(
        client.register_workflow_type,
        domain=domain,
        **WORKFLOW_TYPE,
        defaultTaskList={"name": DECISION_TASK_LIST},
        defaultTaskStartToCloseTimeout="300",
        # SWF does not accept NONE for the execution timeout; one hour is plenty.
        defaultExecutionStartToCloseTimeout="3600",
        defaultChildPolicy="TERMINATE",
    )
    ignore_already_exists(
        client.register_activity_type,
        domain=domain,
        **ACTIVITY_TYPE,
        defaultTaskList={"name": ACTIVITY_TASK_LIST},
        defaultTaskStartToCloseTimeout="300",
        defaultTaskHeartbeatTimeout="NONE",
        # No schedule-to-start limit: a slow server under load queues tasks for long; that
        # must show as low throughput, not as timed-out (failed) workflows.
        defaultTaskScheduleToStartTimeout="NONE",
        defaultTaskScheduleToCloseTimeout="NONE",
    )


def count_completed(client: Any, domain: str, oldest: datetime) -> tuple[int, str]:
    """Completed executions of this run, via the visibility API.

    CountClosedWorkflowExecutions with closeStatusFilter is the intended call. Moto does not
    implement it (HTTP 500), and its closeStatusFilter on ListClosedWorkflowExecutions drops
    every other execution (moto 5.x mutates the list it iterates), so the fallback lists all
    closed executions of the run and filters on closeStatus here.
    """
    try:
        answer = client.count_closed_workflow_executions(
            domain=domain,
            startTimeFilter={"oldestDate": oldest},
            closeStatusFilter={"status": "COMPLETED"},
        )
        if answer.get("truncated"):
            log("warning: CountClosedWorkflowExecutions answered truncated=true")
        return int(answer["count"]), "CountClosedWorkflowExecutions"
    except ClientError as exc:
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        code = exc.response.get("Error", {}).get("Code")
        log(
            f"CountClosedWorkflowExecutions failed (HTTP {status}, {code}); "
            "counting with ListClosedWorkflowExecutions"
        )
    total = 0
    kwargs: dict[str, Any] = {
        "domain": domain,
        "startTimeFilter": {"oldestDate": oldest},
        "maximumPageSize": 1000,
    }
    while True:
        page = client.list_closed_workflow_executions(**kwargs)
        total += sum(
            1 for info in page.get("executionInfos", []) if info.get("closeStatus") == "COMPLETED"
        )
        token = page.get("nextPageToken")
        if not token:
            return total, "ListClosedWorkflowExecutions"
        kwargs["nextPageToken"] = token


def check_result(client: Any, domain: str, workflow_id: str, run_id: str, expected: str) -> str:
    """'' if the execution's last event is a completion with the expected result."""
    try:
        answer = client.get_workflow_execution_history(
            domain=domain,
            execution={"workflowId": workflow_id, "runId": run_id},
            reverseOrder=True,
            maximumPageSize=1,
        )
    except ClientError as exc:
        return f"{workflow_id}: {exc}"
    events = answer.get("events", [])
    if not events:
        return f"{workflow_id}: empty history"
    last = events[0]
    if last["eventType"] != "WorkflowExecutionCompleted":
        return f"{workflow_id}: last event {last['eventType']}"
    result = last["workflowExecutionCompletedEventAttributes"].get("result")
    if result != expected:
        return f"{workflow_id}: result {result!r}, expected {expected!r}"
    return ""


def percentile(sorted_values: list[float], pct: float) -> float:
    """Nearest-rank percentile; fine for a benchmark summary."""
    rank = max(0, min(len(sorted_values) - 1, round(pct / 100 * len(sorted_values)) - 1))
    return sorted_values[rank]


def drain(messages: mp.Queue[tuple[Any, ...]], timeout: float) -> Iterator[tuple[Any, ...]]:
    try:
        yield messages.get(timeout=timeout)
    except queue.Empty:
        return
    while True:
        try:
            yield messages.get_nowait()
        except queue.Empty:
            return


def run(args: argparse.Namespace) -> Result:
    run_tag = uuid.uuid4().hex[:10]
    domain = args.domain or f"bench-{run_tag}"
    result = Result(
        endpoint=args.endpoint,
        domain=domain,
        workflows=args.workflows,
        activities=args.activities,
        deciders=args.deciders,
        workers=args.workers,
    )
    deadline = time.monotonic() + args.timeout
    starters = [make_client(url) for url in endpoints_of(args.endpoint)]
    client = starters[0]
    register(client, domain)
    # Visibility filter for this run; a minute of slack covers client/server clock skew.
    oldest = datetime.now(UTC) - timedelta(seconds=60)

    cfg = ChainConfig(
        endpoint=args.endpoint,
        domain=domain,
        activities=args.activities,
        empty_poll_sleep=args.empty_poll_sleep,
        history_page_size=args.history_page_size,
    )
    # spawn, not fork: each child is a clean interpreter with its own client and sockets, as a
    # real decider or worker fleet would be.
    ctx = mp.get_context("spawn")
    stop = ctx.Event()
    messages: mp.Queue[tuple[Any, ...]] = ctx.Queue()
    counters = ctx.Array("q", len(COUNTER_NAMES))
    children = [
        ctx.Process(
            target=decider_main,
            args=(cfg, i, stop, messages, counters),
            name=f"decider-{i}",
            daemon=True,
        )
        for i in range(args.deciders)
    ] + [
        ctx.Process(
            target=worker_main,
            args=(cfg, i, stop, messages, counters),
            name=f"worker-{i}",
            daemon=True,
        )
        for i in range(args.workers)
    ]
    errors: list[str] = []
    try:
        for child in children:
            child.start()
        # Wait until every child has imported boto3 and built its client, so that start-up
        # cost is not in the timed window.
        ready = 0
        while ready < len(children):
            if time.monotonic() > deadline:
                raise TimeoutError("children did not become ready")
            for msg in drain(messages, 1.0):
                if msg[0] == "ready":
                    ready += 1
                elif msg[0] == "error":
                    errors.append(f"{msg[1]}: {msg[2]}")
            dead = [c.name for c in children if not c.is_alive()]
            if dead:
                raise RuntimeError(f"children died during start-up: {dead}")
        log(f"{len(children)} children ready; starting {args.workflows} workflows")

        started_at: dict[str, float] = {}
        run_ids: dict[str, str] = {}
        start_errors: list[str] = []
        starts_done = threading.Event()

        def start_one(i: int) -> None:
            workflow_id = f"chain-{run_tag}-{i}"
            t0 = time.monotonic()
            try:
                answer = starters[i % len(starters)].start_workflow_execution(
                    domain=domain,
                    workflowId=workflow_id,
                    workflowType=WORKFLOW_TYPE,
                    input=str(i),
                )
            except Exception as exc:  # noqa: BLE001
                start_errors.append(f"{workflow_id}: {exc!r}")
                return
            started_at[workflow_id] = t0
            run_ids[workflow_id] = answer["runId"]

        def start_all() -> None:
            # A few threads share one client (botocore clients are thread-safe), so that the
            # start rate does not cap the throughput of a fast server.
            with ThreadPoolExecutor(max_workers=args.starters) as pool:
                list(pool.map(start_one, range(args.workflows)))
            starts_done.set()

        first_start = time.monotonic()
        threading.Thread(target=start_all, name="starter", daemon=True).start()

        closed_at: dict[str, float] = {}
        while True:
            if starts_done.is_set() and len(closed_at) >= len(started_at):
                break
            if time.monotonic() > deadline:
                result.timed_out = True
                log(f"timeout: {len(closed_at)}/{len(started_at)} closed after {args.timeout}s")
                break
            for msg in drain(messages, 0.5):
                if msg[0] == "closed":
                    closed_at.setdefault(msg[1], msg[2])
                elif msg[0] == "error" and len(errors) < 1000:
                    errors.append(f"{msg[1]}: {msg[2]}")
        last_close = max(closed_at.values(), default=time.monotonic())
    finally:
        # Stop the children: they see the event after their current poll returns. A long
        # poll on an idle server only returns after its timeout (60 s), so after a short grace
        # period terminate the stragglers; they hold no work, every execution is closed.
        stop.set()
        grace_end = time.monotonic() + args.stop_grace
        for child in children:
            if child.pid is not None:
                child.join(max(0.0, grace_end - time.monotonic()))
        for child in children:
            if child.is_alive():
                child.terminate()
                result.children_terminated += 1
        for child in children:
            if child.pid is not None:
                child.join(5)

    result.started = len(started_at)
    result.start_errors = len(start_errors)
    result.closed_seen = len(closed_at)
    wall = last_close - first_start
    result.wall_s = round(wall, 4)
    if wall > 0 and closed_at:
        result.workflows_per_s = round(len(closed_at) / wall, 3)
        result.activities_per_s = round(len(closed_at) * args.activities / wall, 3)
    latencies = sorted(closed_at[w] - started_at[w] for w in closed_at if w in started_at)
    if latencies:
        result.latency_p50_s = round(percentile(latencies, 50), 4)
        result.latency_p99_s = round(percentile(latencies, 99), 4)
    result.counters = dict(zip(COUNTER_NAMES, counters[:], strict=True))

    # Verification, outside the timed window.
    result.completed_visible, result.count_method = count_completed(client, domain, oldest)
    to_check = sorted(run_ids)
    if args.verify_sample is not None:
        to_check = to_check[: args.verify_sample]
    with ThreadPoolExecutor(max_workers=8) as pool:
        problems = [
            p
            for p in pool.map(
                lambda w: check_result(
                    client,
                    domain,
                    w,
                    run_ids[w],
                    str(int(w.rsplit("-", 1)[1]) + args.activities),
                ),
                to_check,
            )
            if p
        ]
    result.verified = len(to_check) - len(problems)
    result.verify_failures = len(problems)
    result.errors_sample = (start_errors + problems + errors)[:10]
    result.ok = (
        not result.timed_out
        and result.start_errors == 0
        and result.closed_seen == args.workflows
        and result.completed_visible == args.workflows
        and result.verify_failures == 0
    )
    return result


def print_human(r: Result) -> None:
    def fmt(value: float | None, unit: str = "") -> str:
        return "n/a" if value is None else f"{value:.3f}{unit}"

    print(f"endpoint     {r.endpoint}  (domain {r.domain})")
    print(
        f"shape        {r.workflows} workflows x {r.activities} activities, "
        f"{r.deciders} deciders, {r.workers} workers"
    )
    print(f"wall time    {fmt(r.wall_s, ' s')}  (first start -> last close)")
    print(
        f"throughput   {fmt(r.workflows_per_s)} workflows/s   "
        f"{fmt(r.activities_per_s)} activities/s"
    )
    print(f"latency      p50 {fmt(r.latency_p50_s, ' s')}   p99 {fmt(r.latency_p99_s, ' s')}")
    print(
        f"visibility   {r.completed_visible}/{r.workflows} COMPLETED ({r.count_method}); "
        f"results verified {r.verified}, wrong {r.verify_failures}"
    )
    print(f"counters     {r.counters}; children terminated at stop: {r.children_terminated}")
    for line in r.errors_sample:
        print(f"  error: {line}")
    print("RESULT " + ("OK" if r.ok else "FAILED" + (" (timed out)" if r.timed_out else "")))


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    p.add_argument(
        "--endpoint",
        default="http://127.0.0.1:5000",
        help="SWF endpoint URL; several, comma-separated, spread the clients over them "
        "(servers of one service, e.g. openswf processes over one PostgreSQL)",
    )
    p.add_argument("--workflows", type=int, default=200, help="executions to run (N)")
    p.add_argument("--activities", type=int, default=3, help="activities per chain (K)")
    p.add_argument("--deciders", type=int, default=2, help="decider processes (D)")
    p.add_argument("--workers", type=int, default=2, help="activity worker processes (W)")
    p.add_argument("--domain", default=None, help="domain (default: a fresh one per run)")
    p.add_argument("--timeout", type=float, default=600.0, help="seconds for the whole run")
    p.add_argument("--json", action="store_true", help="print one JSON line of results")
    p.add_argument("--starters", type=int, default=4, help="threads issuing StartWorkflowExecution")
    p.add_argument(
        "--history-page-size",
        type=int,
        default=None,
        help="maximumPageSize for decision polls (small values force paging)",
    )
    p.add_argument(
        "--empty-poll-sleep",
        type=float,
        default=0.02,
        help="pause after an empty poll that returned in under 50 ms",
    )
    p.add_argument(
        "--verify-sample",
        type=int,
        default=None,
        help="check the result of only this many executions (default: all)",
    )
    p.add_argument(
        "--stop-grace",
        type=float,
        default=3.0,
        help="seconds children get to stop before being terminated",
    )
    args = p.parse_args(argv)
    if args.workflows < 1 or args.activities < 1 or args.deciders < 1 or args.workers < 1:
        p.error("--workflows, --activities, --deciders and --workers must be >= 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        result = run(args)
    except KeyboardInterrupt:
        log("interrupted")
        return 130
    except Exception as exc:  # noqa: BLE001 - report, in the requested format, and fail
        traceback.print_exc()
        if args.json:
            print(json.dumps({"endpoint": args.endpoint, "ok": False, "error": repr(exc)}))
        else:
            print(f"RESULT FAILED: {exc!r}")
        return 2
    if args.json:
        print(json.dumps(asdict(result)), flush=True)
    else:
        print_human(result)
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
