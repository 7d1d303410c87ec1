"""Several `openswf server` processes over one PostgreSQL database act as one service.

Real processes: two servers on a fresh database, boto3 deciders and workers polling both.
A task scheduled through one server reaches a poll held on the other within 50 ms; a server
killed with SIGKILL mid-load, or a PostgreSQL restart mid-load, loses nothing: every
workflow completes exactly once, no task is handed to two pollers, and every timer fires
once. Skipped (loudly) without PostgreSQL, like every PostgreSQL test (tests/databases.py).
"""

from __future__ import annotations

import collections
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, ConnectionClosedError, EndpointConnectionError

from openswf.testing import free_port
from tests import databases
from tests.conftest import check_histories

OPENSWF = Path(sys.executable).parent / "openswf"
HOST = "127.0.0.1"
WF = {"name": "chain", "version": "1"}
ACT = {"name": "step", "version": "1"}
STEPS = 3  # activities per workflow
TIMER_S = "1"  # every workflow also waits on one timer before it completes
# Short timeouts, so that a task claimed by a server that died times out and is dispatched
# again quickly: decision tasks are re-scheduled by SWF itself, activities by the decider.
TASK_TIMEOUT_S = "4"
# A due timer taken by a server that then died fires again after this lease.
CLUSTER_OPTIONS = "timer_lease_s=3&task_lease_s=2&pool_max=8"


# --- the cluster ----------------------------------------------------------------------------


class Server:
    def __init__(self, db_url: str, log: Path) -> None:
        self.port = free_port()
        self.log_path = log
        self._log = log.open("wb")
        env = {k: v for k, v in os.environ.items() if not k.startswith("OPENSWF_")}
        env["PYTHONUNBUFFERED"] = "1"
        self.proc = subprocess.Popen(
            [
                str(OPENSWF),
                "server",
                "--host",
                HOST,
                "--port",
                str(self.port),
                "--db",
                db_url,
                "--poll-timeout",
                "5",
            ],
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )

    @property
    def endpoint(self) -> str:
        return f"http://{HOST}:{self.port}"

    def healthy(self) -> bool:
        if self.proc.poll() is not None:
            raise AssertionError(f"server exited at start-up:\n{self.logs()}")
        try:
            with urllib.request.urlopen(f"{self.endpoint}/healthz", timeout=2) as answer:
                return bool(answer.status == 200)
        except (urllib.error.URLError, OSError):
            return False

    def logs(self) -> str:
        if not self._log.closed:
            self._log.flush()
        return self.log_path.read_text(errors="replace")

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()
        self._log.close()


def wait_for(condition: Callable[[], Any], timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.02)


@pytest.fixture
def cluster_db(tmp_path: Path) -> Iterator[str]:
    if not OPENSWF.exists():
        pytest.skip(f"the openswf command is not installed next to {sys.executable}")
    admin, why_not = databases.admin_url()
    if admin is None:
        pytest.skip(why_not)
    url = databases.create_database(admin)
    try:
        yield f"{url}?{CLUSTER_OPTIONS}"
    finally:
        ensure_postgres_running(admin)
        databases.drop_database(admin, url)


@pytest.fixture
def servers(cluster_db: str, tmp_path: Path) -> Iterator[list[Server]]:
    """Two servers over one database, both answering."""
    started = [Server(cluster_db, tmp_path / f"server-{i}.log") for i in range(2)]
    try:
        for server in started:
            wait_for(server.healthy, 30, f"server on port {server.port}")
        yield started
    finally:
        for server in started:
            server.close()
        for server in started:
            # A database away is answered 503 (clients retry), never as a failure of ours.
            assert "internal failure" not in server.logs(), server.logs()[-5000:]


def client(endpoint: str, read_timeout: float = 20) -> Any:
    return check_histories(
        boto3.client(
            "swf",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id="AKIDTEST",
            aws_secret_access_key="secret",
            config=Config(
                connect_timeout=2,
                read_timeout=read_timeout,
                retries={"total_max_attempts": 1, "mode": "standard"},
            ),
        )
    )


def register(swf: Any, domain: str) -> None:
    swf.register_domain(name=domain, workflowExecutionRetentionPeriodInDays="1")
    swf.register_workflow_type(
        domain=domain,
        **WF,
        defaultTaskList={"name": "decisions"},
        defaultExecutionStartToCloseTimeout="600",
        defaultTaskStartToCloseTimeout=TASK_TIMEOUT_S,
        defaultChildPolicy="TERMINATE",
    )
    swf.register_activity_type(
        domain=domain,
        **ACT,
        defaultTaskList={"name": "activities"},
        defaultTaskStartToCloseTimeout=TASK_TIMEOUT_S,
        defaultTaskHeartbeatTimeout="NONE",
        defaultTaskScheduleToStartTimeout="NONE",
        defaultTaskScheduleToCloseTimeout="NONE",
    )


# --- PostgreSQL itself ------------------------------------------------------------------------


def pg_cluster() -> tuple[str, str] | None:
    """(version, name) of the local PostgreSQL cluster that pg_ctlcluster manages."""
    if shutil.which("pg_ctlcluster") is None or not Path("/etc/postgresql").is_dir():
        return None
    for version in sorted(os.listdir("/etc/postgresql")):
        if Path("/etc/postgresql", version, "main").is_dir():
            return version, "main"
    return None


def pg_ctl(action: str) -> subprocess.CompletedProcess[str]:
    found = pg_cluster()
    assert found is not None
    return subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", *found, action],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def ensure_postgres_running(admin: str) -> None:
    """Whatever a test did, leave PostgreSQL up."""
    if pg_cluster() is None:
        return
    for _ in range(3):
        try:
            databases._connect(admin, timeout=3).close()
            return
        except Exception:
            pg_ctl("start")
            time.sleep(1)


def cluster_admin() -> str:
    admin, _ = databases.admin_url()
    assert admin is not None
    return admin


def postmaster_started(admin: str) -> Any:
    with databases._connect(admin) as conn:
        row = conn.execute("SELECT pg_postmaster_start_time()").fetchone()
    assert row is not None
    return row[0]


# --- the load: chained workflows, deciders and workers on both servers ----------------------


@dataclass
class Load:
    endpoints: list[str]
    domain: str
    stop: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    # Every task handed out, by kind, run and the task it is (a decision task's
    # scheduledEventId; an activity's activityId, new for every attempt): none may come twice.
    handed: collections.Counter[tuple[str, str, int | str]] = field(
        default_factory=collections.Counter
    )
    # Activity tasks workers hold right now, by the server that handed them out.
    holding: collections.Counter[int] = field(default_factory=collections.Counter)
    closed: set[str] = field(default_factory=set)
    errors: list[str] = field(default_factory=list)
    alive: list[bool] = field(default_factory=list)
    timed_out: int = 0  # activity timeouts seen in the histories (tasks lost with a server)
    lost: int = 0  # answers lost with the server that handed out their task

    def __post_init__(self) -> None:
        self.alive = [True] * len(self.endpoints)

    def note(self, kind: str, run_id: str, scheduled: int | str) -> None:
        with self.lock:
            self.handed[(kind, run_id, scheduled)] += 1

    def error(self, text: str) -> None:
        with self.lock:
            if len(self.errors) < 200:
                self.errors.append(text)


class Agent:
    """One poller (decider or worker) that, like a client behind a load balancer, moves to
    another server when its own stops answering."""

    def __init__(self, load: Load, home: int) -> None:
        self.load = load
        self.index = home
        self.clients = [client(endpoint) for endpoint in load.endpoints]

    @property
    def swf(self) -> Any:
        return self.clients[self.index]

    def failed(self, error: Exception) -> None:
        """A transport error or a 5xx: try another server next time, after a short pause."""
        if isinstance(error, (EndpointConnectionError, ConnectionClosedError)):
            self.load.alive[self.index] = False  # that server is gone
        others = [i for i, up in enumerate(self.load.alive) if up] or [0]
        self.index = random.choice(others)
        self.load.error(f"{type(error).__name__}: {error}")
        self.load.stop.wait(0.1)

    def call(self, operation: str, **kwargs: Any) -> Any:
        """A respond to the server that handed out the task, retried while it answers 503;
        an answer already recorded (UnknownResourceFault on a retry) ends it. If that server
        is gone the answer is lost with it, as when a node dies between a task's hand-out and
        its answer: the task must then time out and be dispatched again."""
        swf = self.swf
        for _ in range(100):
            try:
                return getattr(swf, operation)(**kwargs)
            except ClientError as error:
                code = error.response["Error"]["Code"]
                if code == "UnknownResourceFault":
                    return None  # recorded by an earlier try, or timed out meanwhile
                if error.response["ResponseMetadata"]["HTTPStatusCode"] < 500:
                    raise
                self.load.error(f"{operation}: {error}")
                self.load.stop.wait(0.1)
            except (EndpointConnectionError, ConnectionClosedError) as error:
                self.failed(error)
                with self.load.lock:
                    self.load.lost += 1
                return None
        raise AssertionError(f"{operation} kept failing")


def decider(load: Load, home: int) -> None:
    agent = Agent(load, home)
    while not load.stop.is_set():
        try:
            task = agent.swf.poll_for_decision_task(
                domain=load.domain, taskList={"name": "decisions"}, identity=f"decider-{home}"
            )
        except Exception as error:  # noqa: BLE001
            agent.failed(error)
            continue
        if not task.get("taskToken"):
            continue
        events = list(task["events"])
        token = task.get("nextPageToken")
        while token:
            page = agent.call(
                "poll_for_decision_task",
                domain=load.domain,
                taskList={"name": "decisions"},
                nextPageToken=token,
            )
            if page is None:
                break  # the server that handed the task out is gone: so is the task
            events += page["events"]
            token = page.get("nextPageToken")
        if token:
            continue
        started = next(e for e in events if e["eventId"] == task["startedEventId"])
        scheduled = started["decisionTaskStartedEventAttributes"]["scheduledEventId"]
        load.note("decision", task["workflowExecution"]["runId"], scheduled)
        decisions = decide(events)
        agent.call(
            "respond_decision_task_completed", taskToken=task["taskToken"], decisions=decisions
        )
        if decisions and decisions[0]["decisionType"] == "CompleteWorkflowExecution":
            with load.lock:
                load.closed.add(task["workflowExecution"]["workflowId"])


def decide(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Run STEPS activities one after the other (again after a timeout), then the timer,
    then complete with the last result."""
    value = "0"
    done = attempts = 0
    in_flight = timer_started = timer_fired = False
    for event in events:
        kind = event["eventType"]
        if kind == "WorkflowExecutionStarted":
            value = event["workflowExecutionStartedEventAttributes"]["input"]
        elif kind == "ActivityTaskScheduled":
            in_flight, attempts = True, attempts + 1
        elif kind == "ActivityTaskCompleted":
            in_flight, done = False, done + 1
            value = event["activityTaskCompletedEventAttributes"]["result"]
        elif kind in ("ActivityTaskTimedOut", "ActivityTaskFailed"):
            in_flight = False
        elif kind == "TimerStarted":
            timer_started = True
        elif kind == "TimerFired":
            timer_fired = True
    if in_flight or (timer_started and not timer_fired):
        return []
    if done < STEPS:
        return [
            {
                "decisionType": "ScheduleActivityTask",
                "scheduleActivityTaskDecisionAttributes": {
                    "activityType": ACT,
                    "activityId": f"step-{done + 1}-try-{attempts + 1}",
                    "input": value,
                },
            }
        ]
    if not timer_started:
        return [
            {
                "decisionType": "StartTimer",
                "startTimerDecisionAttributes": {
                    "timerId": "pause",
                    "startToFireTimeout": TIMER_S,
                },
            }
        ]
    return [
        {
            "decisionType": "CompleteWorkflowExecution",
            "completeWorkflowExecutionDecisionAttributes": {"result": value},
        }
    ]


def worker(load: Load, home: int) -> None:
    agent = Agent(load, home)
    while not load.stop.is_set():
        try:
            task = agent.swf.poll_for_activity_task(
                domain=load.domain, taskList={"name": "activities"}, identity=f"worker-{home}"
            )
        except Exception as error:  # noqa: BLE001
            agent.failed(error)
            continue
        if not task.get("taskToken"):
            continue
        load.note("activity", task["workflowExecution"]["runId"], task["activityId"])
        result = str(int(task["input"]) + 1)
        server = agent.index
        with load.lock:
            load.holding[server] += 1
        load.stop.wait(0.1)  # the work: a killed server leaves some tasks in workers' hands
        with load.lock:
            load.holding[server] -= 1
        agent.call("respond_activity_task_completed", taskToken=task["taskToken"], result=result)


def start_all(load: Load, count: int) -> dict[str, int]:
    """Start ``count`` workflows, alternating servers; returns workflowId -> input."""
    agent = Agent(load, 0)
    started = {}
    for i in range(count):
        workflow_id = f"wf-{i}"
        agent.index = (
            i % len(load.endpoints) if load.alive[i % len(load.endpoints)] else agent.index
        )
        for _ in range(100):
            try:
                agent.swf.start_workflow_execution(
                    domain=load.domain, workflowId=workflow_id, workflowType=WF, input=str(i * 10)
                )
                break
            except ClientError as error:
                if error.response["Error"]["Code"] == "WorkflowExecutionAlreadyStartedFault":
                    break  # an earlier try went through
                if error.response["ResponseMetadata"]["HTTPStatusCode"] < 500:
                    raise
                agent.failed(error)
            except Exception as error:  # noqa: BLE001
                agent.failed(error)
        started[workflow_id] = i * 10
    return started


@dataclass
class Running:
    load: Load
    threads: list[threading.Thread]

    def finish(self, expected: int, timeout: float) -> None:
        try:
            wait_for(lambda: len(self.load.closed) >= expected, timeout, f"{expected} closed")
        finally:
            self.load.stop.set()
            for thread in self.threads:
                thread.join(30)


def run_load(endpoints: list[str], domain: str, pollers: int = 3) -> Running:
    load = Load(endpoints=endpoints, domain=domain)
    threads = []
    for i in range(pollers * len(endpoints)):
        home = i % len(endpoints)
        threads.append(threading.Thread(target=decider, args=(load, home), daemon=True))
        threads.append(threading.Thread(target=worker, args=(load, home), daemon=True))
    for thread in threads:
        thread.start()
    return Running(load, threads)


def verify(load: Load, started: dict[str, int], endpoints: list[str]) -> None:
    """Every workflow completed once with the right result; no task went to two pollers;
    every timer fired once; visibility answers the same on every server."""
    print(
        f"{len(started)} workflows, {sum(load.handed.values())} tasks handed out, "
        f"{len(load.errors)} client errors retried, first: {load.errors[:3]}"
    )
    twice = [key for key, count in load.handed.items() if count > 1]
    assert not twice, f"tasks handed out twice: {twice[:5]}"
    swf = client(endpoints[0])
    for workflow_id, start_input in started.items():
        runs = swf.list_closed_workflow_executions(
            domain=load.domain,
            startTimeFilter={"oldestDate": 0},
            executionFilter={"workflowId": workflow_id},
        )["executionInfos"]
        assert len(runs) == 1, (workflow_id, runs)
        assert runs[0]["closeStatus"] == "COMPLETED", (workflow_id, runs)
        pages = swf.get_paginator("get_workflow_execution_history").paginate(
            domain=load.domain, execution=runs[0]["execution"]
        )
        events = [event for page in pages for event in page["events"]]
        kinds = collections.Counter(event["eventType"] for event in events)
        assert kinds["WorkflowExecutionCompleted"] == 1
        assert kinds["TimerFired"] == 1 and kinds["TimerStarted"] == 1
        assert kinds["ActivityTaskCompleted"] == STEPS
        timed_out = [
            e["activityTaskTimedOutEventAttributes"]["scheduledEventId"]
            for e in events
            if e["eventType"] == "ActivityTaskTimedOut"
        ]
        assert len(timed_out) == len(set(timed_out)), "a timeout fired twice"
        load.timed_out += len(timed_out)
        result = events[-1]["workflowExecutionCompletedEventAttributes"]["result"]
        assert result == str(start_input + STEPS)
    print(
        f"answers lost with a killed server: {load.lost}; activity timeouts in the "
        f"histories (tasks dispatched again): {load.timed_out}"
    )
    for endpoint in endpoints:
        counted = client(endpoint).count_closed_workflow_executions(
            domain=load.domain,
            startTimeFilter={"oldestDate": 0},
            closeStatusFilter={"status": "COMPLETED"},
        )
        assert counted["count"] == len(started), endpoint
        assert (
            client(endpoint).count_open_workflow_executions(
                domain=load.domain, startTimeFilter={"oldestDate": 0}
            )["count"]
            == 0
        )


# --- the tests ------------------------------------------------------------------------------


def test_a_task_started_on_one_server_reaches_a_poll_held_on_the_other_within_50ms(
    servers: list[Server],
) -> None:
    a, b = (client(server.endpoint, read_timeout=30) for server in servers)
    register(a, "wake")
    latencies = []
    for i in range(7):
        answer: dict[str, Any] = {}

        def poll(answer: dict[str, Any] = answer) -> None:
            answer["task"] = b.poll_for_decision_task(domain="wake", taskList={"name": "decisions"})
            answer["at"] = time.monotonic()

        poller = threading.Thread(target=poll)
        poller.start()
        # The poll must be held on B before the start: give its request time to arrive and
        # park (it is answered only by a task or its 5 s hold).
        time.sleep(0.3)
        a.start_workflow_execution(domain="wake", workflowId=f"w{i}", workflowType=WF, input="0")
        started_at = time.monotonic()
        poller.join(10)
        assert answer["task"].get("taskToken"), "the poll held on B got nothing"
        assert answer["task"]["workflowExecution"]["workflowId"] == f"w{i}"
        latencies.append(answer["at"] - started_at)
    print(f"cross-server wake-up latencies (ms): {[round(x * 1000, 1) for x in latencies]}")
    assert statistics.median(latencies) < 0.050, latencies
    assert min(latencies) < 0.050, latencies


def test_a_server_killed_mid_load_loses_nothing(servers: list[Server]) -> None:
    endpoints = [server.endpoint for server in servers]
    register(client(endpoints[0]), "killed")
    running = run_load(endpoints, "killed")
    started = start_all(running.load, 40)
    # Kill one server while work is in flight on both: a worker holds a task it handed out.
    wait_for(lambda: len(running.load.closed) >= 8, 60, "the first workflows to close")
    wait_for(lambda: running.load.holding[0] > 0, 60, "a task of server 0 in a worker's hands")
    servers[0].kill()
    running.load.alive[0] = False
    running.finish(len(started), 120)
    verify(running.load, started, endpoints[1:])
    # The kill hit work in flight, and the failover path ran: answers went down with the
    # server, and their tasks timed out and were dispatched again.
    assert running.load.lost >= 1
    assert running.load.timed_out >= 1


def test_a_postgresql_restart_mid_load_loses_nothing(servers: list[Server]) -> None:
    if pg_cluster() is None:
        pytest.skip("no local PostgreSQL cluster to restart (pg_ctlcluster)")
    if not os.environ.get(databases.ENV):
        # A restart cuts every session of the server, other people's included: only with a
        # PostgreSQL named for the tests (as .ci/run does) is it ours to restart.
        pytest.skip(f"restarts PostgreSQL only when {databases.ENV} names it for the tests")
    endpoints = [server.endpoint for server in servers]
    register(client(endpoints[0]), "restart")
    running = run_load(endpoints, "restart")
    started = start_all(running.load, 30)
    wait_for(lambda: len(running.load.closed) >= 6, 60, "the first workflows to close")
    before = postmaster_started(cluster_admin())
    restarted = pg_ctl("restart")
    assert restarted.returncode == 0, restarted.stderr
    assert postmaster_started(cluster_admin()) > before
    running.finish(len(started), 150)
    verify(running.load, started, endpoints)
    for server in servers:
        assert server.proc.poll() is None, "a server died with the database restart"
    # Both met the restart (lost connections) and carried on by themselves.
    assert all("lost" in server.logs() for server in servers), [s.logs() for s in servers]
