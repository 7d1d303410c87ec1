"""The `openswf server` command as operators run it: real processes, real ports, SQLite files.

Start-up and configuration, refusal of a database it cannot use, a clean stop while a long
poll is held, durability across SIGKILL, and reuse of an existing database on a second start.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import select
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials

from openswf.storage.sqlite import sqlfiles
from openswf.testing import free_port
from tests.conftest import check_histories

OPENSWF = Path(sys.executable).parent / "openswf"
HOST = "127.0.0.1"
START_TIMEOUT_S = 20
STOP_WITHIN_S = 5.0  # a clean stop with a poll in flight must not wait for the poll's hold

WF = {"name": "wf", "version": "1"}
ACT = {"name": "act", "version": "1"}


# --- helpers --------------------------------------------------------------------------------


def wait_for(condition: Callable[[], Any], timeout: float, what: str) -> Any:
    """Re-check ``condition`` until it holds; fail with ``what`` at the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.02)


def healthz(port: int) -> int | None:
    try:
        with urllib.request.urlopen(f"http://{HOST}:{port}/healthz", timeout=2) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return None


def client(endpoint: str, *, read_timeout: float = 70) -> Any:
    return check_histories(
        boto3.client(
            "swf",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id="AKIDTEST",
            aws_secret_access_key="secret",
            config=Config(
                connect_timeout=5,
                read_timeout=read_timeout,
                retries={"total_max_attempts": 1, "mode": "standard"},
            ),
        )
    )


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"  # an absolute path gives the four slashes


class ServerProcess:
    """One `openswf server` process; its stdout and stderr go to a log file."""

    def __init__(
        self, args: list[str], *, env: dict[str, str], cwd: Path, port: int, log: Path
    ) -> None:
        self.port = port
        self.log_path = log
        self._log = log.open("wb")
        self.proc = subprocess.Popen(
            [str(OPENSWF), "server", *args],
            env=env,
            cwd=cwd,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )

    @property
    def endpoint(self) -> str:
        return f"http://{HOST}:{self.port}"

    def logs(self) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")

    def wait_healthy(self) -> None:
        def up() -> bool:
            if self.proc.poll() is not None:
                raise AssertionError(
                    f"openswf exited with {self.proc.returncode} at start-up:\n{self.logs()}"
                )
            return healthz(self.port) == 200

        wait_for(up, START_TIMEOUT_S, f"GET /healthz on port {self.port}")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 15) -> int:
        """Signal the process and wait for it to exit; returns its exit status."""
        self.proc.send_signal(sig)
        return self.proc.wait(timeout=timeout)

    def close(self) -> None:
        try:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait(timeout=10)
        finally:
            self._log.close()


Spawn = Callable[..., ServerProcess]


@pytest.fixture
def spawn(tmp_path: Path) -> Iterator[Spawn]:
    """Start `openswf server` processes; every one still running is killed at the end."""
    if not OPENSWF.exists():
        pytest.skip(f"the openswf command is not installed next to {sys.executable}")
    started: list[ServerProcess] = []

    def start(
        *,
        db: str | None = None,
        poll_timeout: float | None = 1.0,
        port: int | None = None,
        env: dict[str, str] | None = None,
        flags: bool = True,
        wait: bool = True,
    ) -> ServerProcess:
        port = port or free_port()
        args: list[str] = []
        if flags:
            args += ["--host", HOST, "--port", str(port)]
            if db is not None:
                args += ["--db", db]
            if poll_timeout is not None:
                args += ["--poll-timeout", str(poll_timeout)]
        full_env = {k: v for k, v in os.environ.items() if not k.startswith("OPENSWF_")}
        full_env["PYTHONUNBUFFERED"] = "1"
        full_env.update(env or {})
        server = ServerProcess(
            args,
            env=full_env,
            cwd=tmp_path,
            port=port,
            log=tmp_path / f"server-{len(started)}.log",
        )
        started.append(server)
        if wait:
            server.wait_healthy()
        return server

    try:
        yield start
    finally:
        for server in started:
            server.close()


def register_basics(swf: Any, domain: str) -> None:
    swf.register_domain(name=domain, workflowExecutionRetentionPeriodInDays="1")
    swf.register_workflow_type(
        domain=domain,
        name=WF["name"],
        version=WF["version"],
        defaultTaskList={"name": "decisions"},
        defaultExecutionStartToCloseTimeout="3600",
        defaultTaskStartToCloseTimeout="600",
        defaultChildPolicy="TERMINATE",
    )
    swf.register_activity_type(
        domain=domain,
        name=ACT["name"],
        version=ACT["version"],
        defaultTaskList={"name": "activities"},
        defaultTaskScheduleToStartTimeout="600",
        defaultTaskScheduleToCloseTimeout="1200",
        defaultTaskStartToCloseTimeout="600",
        defaultTaskHeartbeatTimeout="NONE",
    )


def full_history(swf: Any, domain: str, execution: dict[str, str]) -> list[dict[str, Any]]:
    pages = swf.get_paginator("get_workflow_execution_history").paginate(
        domain=domain, execution=execution
    )
    return [event for page in pages for event in page["events"]]


def without_metadata(response: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in response.items() if key != "ResponseMetadata"}


def complete_workflow(result: str) -> list[dict[str, Any]]:
    return [
        {
            "decisionType": "CompleteWorkflowExecution",
            "completeWorkflowExecutionDecisionAttributes": {"result": result},
        }
    ]


# --- start-up and configuration -------------------------------------------------------------


def test_start_up_logs_its_url_and_answers_healthz(spawn: Spawn, tmp_path: Path) -> None:
    db = tmp_path / "data" / "openswf.db"
    server = spawn(db=sqlite_url(db))
    assert f"http://{HOST}:{server.port}" in server.logs()
    with urllib.request.urlopen(f"{server.endpoint}/healthz", timeout=5) as response:
        assert response.status == 200
        assert json.loads(response.read()) == {"status": "ok"}
    swf = client(server.endpoint)
    swf.register_domain(name="started", workflowExecutionRetentionPeriodInDays="1")
    assert [
        d["name"] for d in swf.list_domains(registrationStatus="REGISTERED")["domainInfos"]
    ] == ["started"]
    assert db.exists()
    server.stop()
    assert "Traceback" not in server.logs()


def test_environment_variables_configure_the_server(spawn: Spawn, tmp_path: Path) -> None:
    db = tmp_path / "from-env.db"
    port = free_port()
    server = spawn(
        flags=False,
        port=port,
        env={
            "OPENSWF_HOST": HOST,
            "OPENSWF_PORT": str(port),
            "OPENSWF_DB": sqlite_url(db),
            "OPENSWF_POLL_TIMEOUT": "0.5",
        },
    )
    assert f"http://{HOST}:{port}" in server.logs()
    swf = client(server.endpoint)
    register_basics(swf, "env")
    began = time.monotonic()
    empty = swf.poll_for_decision_task(domain="env", taskList={"name": "nobody"})
    held = time.monotonic() - began
    assert "taskToken" not in empty
    assert 0.4 <= held < 5, f"an empty poll was held {held:.2f} s, OPENSWF_POLL_TIMEOUT is 0.5"
    server.stop()
    # The data went to OPENSWF_DB, not to the default ./openswf.db.
    assert db.exists()
    assert not (tmp_path / "openswf.db").exists()
    again = spawn(db=sqlite_url(db))
    assert client(again.endpoint).describe_domain(name="env")["domainInfo"]["name"] == "env"


def test_a_port_in_use_is_refused_with_a_message(spawn: Spawn, tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind((HOST, 0))
        taken.listen()
        port = taken.getsockname()[1]
        server = spawn(db=sqlite_url(tmp_path / "x.db"), port=port, wait=False)
        code = server.proc.wait(timeout=START_TIMEOUT_S)
    assert code != 0
    output = server.logs()
    assert str(port) in output
    assert "Traceback" not in output


def _refused(server: ServerProcess) -> tuple[int, str]:
    try:
        code = server.proc.wait(timeout=START_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        pytest.fail(f"openswf kept running with a database it cannot use:\n{server.logs()}")
    return code, server.logs()


@pytest.mark.parametrize(
    "url",
    [
        "mysql://x",
        "sqlite:///",
        "sqlite:///{tmp}/x.db?synchronous=sometimes",
    ],
    ids=["mysql", "sqlite-without-file", "sqlite-bad-option"],
)
def test_a_bad_db_url_exits_with_a_clear_message(spawn: Spawn, tmp_path: Path, url: str) -> None:
    url = url.format(tmp=tmp_path)
    code, output = _refused(spawn(db=url, wait=False))
    assert code != 0
    assert "Traceback" not in output, output
    assert "--db" in output, output
    assert "sqlite:///" in output, "the message should say what a good URL looks like"


def test_an_unreachable_database_exits_with_a_clear_message(spawn: Spawn) -> None:
    # A role that does not exist: refused by whatever PostgreSQL answers, or unreachable.
    url = "postgresql://no_such_role_openswf@127.0.0.1:5432/openswf"
    code, output = _refused(spawn(db=url, wait=False))
    assert code != 0
    assert "cannot open database" in output, output
    assert "Traceback" not in output, output


@pytest.mark.parametrize("kind", ["directory", "not-a-database"])
def test_an_unusable_database_file_exits_with_a_clear_message(
    spawn: Spawn, tmp_path: Path, kind: str
) -> None:
    path = tmp_path / "bad.db"
    if kind == "directory":
        path.mkdir()
    else:
        path.write_bytes(b"this is not an SQLite database, just some text\n" * 200)
    code, output = _refused(spawn(db=sqlite_url(path), wait=False))
    assert code != 0
    assert str(path) in output, output
    assert "Traceback" not in output, output


# --- clean stop -----------------------------------------------------------------------------


def _server_has_read(server_port: int, client_port: int) -> bool:
    """True once the server side of the connection has no unread bytes (Linux /proc)."""
    wanted_local, wanted_remote = f"{server_port:04X}", f"{client_port:04X}"
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, remote, queues = fields[1], fields[2], fields[4]
        if local.endswith(":" + wanted_local) and remote.endswith(":" + wanted_remote):
            return int(queues.split(":")[1], 16) == 0
    return False


def _send_poll(port: int, domain: str) -> http.client.HTTPConnection:
    """Send a signed PollForDecisionTask and return the connection, without reading."""
    body = json.dumps(
        {"domain": domain, "taskList": {"name": "idle"}, "identity": "stopping"}
    ).encode()
    request = AWSRequest(
        method="POST",
        url=f"http://{HOST}:{port}/",
        data=body,
        headers={
            "X-Amz-Target": "SimpleWorkflowService.PollForDecisionTask",
            "Content-Type": "application/x-amz-json-1.0",
        },
    )
    SigV4Auth(Credentials("AKIDTEST", "secret"), "swf", "us-east-1").add_auth(request)
    conn = http.client.HTTPConnection(HOST, port, timeout=STOP_WITHIN_S + 5)
    conn.request("POST", "/", body=body, headers=dict(request.headers.items()))
    return conn


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_signal_stops_the_server_promptly_with_a_poll_in_flight(
    spawn: Spawn, tmp_path: Path, sig: int
) -> None:
    server = spawn(db=sqlite_url(tmp_path / "stop.db"), poll_timeout=30)
    client(server.endpoint).register_domain(name="stop", workflowExecutionRetentionPeriodInDays="1")
    conn = _send_poll(server.port, "stop")
    try:
        assert conn.sock is not None
        client_port = conn.sock.getsockname()[1]
        if Path("/proc/net/tcp").exists():
            wait_for(
                lambda: _server_has_read(server.port, client_port),
                10,
                "the server to read the poll request",
            )
        readable, _, _ = select.select([conn.sock], [], [], 0)
        assert not readable, "the poll answered before the stop: it was not held"

        began = time.monotonic()
        server.proc.send_signal(sig)
        try:
            response = conn.getresponse()
            status, payload = response.status, response.read()
        except (http.client.RemoteDisconnected, ConnectionError):
            status, payload = None, b""  # a closed connection is an acceptable answer too
        except TimeoutError:
            pytest.fail(f"the held poll got no answer {STOP_WITHIN_S + 5} s after the signal")
        answered = time.monotonic() - began
        code = server.proc.wait(timeout=STOP_WITHIN_S + 10)
        stopped = time.monotonic() - began
    finally:
        conn.close()

    if status is not None:
        assert status == 200, payload
        answer = json.loads(payload)
        assert "taskToken" not in answer or answer["taskToken"] == ""
        assert answer.get("startedEventId") == 0
    assert answered < STOP_WITHIN_S, f"the poll was answered {answered:.1f} s after the signal"
    assert stopped < STOP_WITHIN_S, f"the server took {stopped:.1f} s to exit"
    assert code == 0, server.logs()
    assert "Traceback" not in server.logs()


# --- durability -----------------------------------------------------------------------------


class Signaller(threading.Thread):
    """Signals one execution as fast as it can, noting each signal the server acknowledged,
    until a request fails (the server was killed)."""

    def __init__(self, endpoint: str, domain: str, execution: dict[str, str]) -> None:
        super().__init__(daemon=True)
        self.swf = client(endpoint, read_timeout=10)
        self.domain = domain
        self.execution = execution
        self.acknowledged: list[str] = []
        self.error: BaseException | None = None

    def run(self) -> None:
        n = 0
        try:
            while True:
                self.swf.signal_workflow_execution(
                    domain=self.domain,
                    workflowId=self.execution["workflowId"],
                    runId=self.execution["runId"],
                    signalName="tick",
                    input=str(n),
                )
                self.acknowledged.append(str(n))
                n += 1
        except BaseException as error:  # the kill ends it
            self.error = error


def test_acknowledged_work_survives_sigkill_and_runs_continue(spawn: Spawn, tmp_path: Path) -> None:
    db = sqlite_url(tmp_path / "durable.db")
    first = spawn(db=db)
    swf = client(first.endpoint)
    domain = "durable"
    register_basics(swf, domain)

    runs: list[dict[str, str]] = []
    for i in range(20):
        run_id = swf.start_workflow_execution(
            domain=domain,
            workflowId=f"run-{i}",
            workflowType=WF,
            taskList={"name": f"d-{i}"},  # one list per run, so each poll picks its run
            input=str(i),
        )["runId"]
        runs.append({"workflowId": f"run-{i}", "runId": run_id})

    def poll_decision(i: int) -> dict[str, Any]:
        task = swf.poll_for_decision_task(domain=domain, taskList={"name": f"d-{i}"})
        assert task.get("taskToken") and task["workflowExecution"] == runs[i]
        return task

    def poll_activity(i: int) -> dict[str, Any]:
        task = swf.poll_for_activity_task(domain=domain, taskList={"name": f"a-{i}"})
        assert task.get("taskToken") and task["workflowExecution"] == runs[i]
        return task

    # Runs 0-7 schedule an activity; 0-3 complete it, 4 holds it started; 5-7 stay scheduled.
    for i in range(8):
        swf.respond_decision_task_completed(
            taskToken=poll_decision(i)["taskToken"],
            decisions=[
                {
                    "decisionType": "ScheduleActivityTask",
                    "scheduleActivityTaskDecisionAttributes": {
                        "activityType": ACT,
                        "activityId": f"act-{i}",
                        "taskList": {"name": f"a-{i}"},
                        "input": str(i),
                    },
                }
            ],
            executionContext=f"ctx-{i}",
        )
    for i in range(4):
        swf.respond_activity_task_completed(
            taskToken=poll_activity(i)["taskToken"], result=str(i * 10)
        )
    held_activity = poll_activity(4)["taskToken"]
    # Run 0 completes; run 1 holds its second decision task started.
    swf.respond_decision_task_completed(
        taskToken=poll_decision(0)["taskToken"], decisions=complete_workflow("done-0")
    )
    held_decision = poll_decision(1)["taskToken"]
    swf.signal_workflow_execution(
        domain=domain, workflowId="run-10", signalName="hello", input="world"
    )
    swf.terminate_workflow_execution(domain=domain, workflowId="run-11", reason="enough")

    before = {r["workflowId"]: full_history(swf, domain, r) for r in runs}
    described = {
        r["workflowId"]: without_metadata(
            swf.describe_workflow_execution(domain=domain, execution=r)
        )
        for r in runs
    }

    # Kill -9 while run-12 is being signalled: what was acknowledged must be there after.
    signaller = Signaller(first.endpoint, domain, runs[12])
    signaller.start()
    try:
        wait_for(lambda: len(signaller.acknowledged) >= 20, 20, "20 acknowledged signals")
    finally:
        first.proc.send_signal(signal.SIGKILL)
        assert first.proc.wait(timeout=10) == -signal.SIGKILL
        signaller.join(timeout=30)
    assert not signaller.is_alive()
    assert signaller.error is not None, "the signaller should have been cut off by the kill"
    acknowledged = list(signaller.acknowledged)

    second = spawn(db=db)
    swf = client(second.endpoint)
    for r in runs:
        after = full_history(swf, domain, r)
        if r["workflowId"] != "run-12":
            assert after == before[r["workflowId"]], f"history of {r['workflowId']} changed"
            assert (
                without_metadata(swf.describe_workflow_execution(domain=domain, execution=r))
                == described[r["workflowId"]]
            )
            continue
        prior = before["run-12"]
        assert after[: len(prior)] == prior
        extra = after[len(prior) :]
        assert {e["eventType"] for e in extra} == {"WorkflowExecutionSignaled"}
        inputs = [e["workflowExecutionSignaledEventAttributes"]["input"] for e in extra]
        # Every acknowledged signal, in order; at most one more whose answer the kill lost.
        assert inputs[: len(acknowledged)] == acknowledged
        assert len(inputs) - len(acknowledged) in (0, 1)

    open_count = swf.count_open_workflow_executions(
        domain=domain, startTimeFilter={"oldestDate": 0}
    )["count"]
    closed = swf.list_closed_workflow_executions(domain=domain, startTimeFilter={"oldestDate": 0})
    assert open_count == 18
    assert {(i["execution"]["workflowId"], i["closeStatus"]) for i in closed["executionInfos"]} == {
        ("run-0", "COMPLETED"),
        ("run-11", "TERMINATED"),
    }

    # The runs keep working on the restarted server, with tokens handed out before the kill.
    swf.respond_activity_task_completed(taskToken=held_activity, result="40")
    task = poll_decision(4)
    assert [e["eventType"] for e in task["events"]][-3:] == [
        "ActivityTaskCompleted",
        "DecisionTaskScheduled",
        "DecisionTaskStarted",
    ]
    swf.respond_decision_task_completed(
        taskToken=task["taskToken"], decisions=complete_workflow("done-4")
    )
    swf.respond_decision_task_completed(
        taskToken=held_decision, decisions=complete_workflow("done-1")
    )
    assert poll_activity(5)["input"] == "5"  # scheduled before the kill, handed out after
    first_task = poll_decision(15)  # never polled before the kill
    assert first_task["previousStartedEventId"] == 0
    swf.respond_decision_task_completed(
        taskToken=first_task["taskToken"], decisions=complete_workflow("done-15")
    )
    task = poll_decision(12)
    signalled = [e for e in task["events"] if e["eventType"] == "WorkflowExecutionSignaled"]
    assert len(signalled) >= len(acknowledged)
    for i, result in [(1, "done-1"), (4, "done-4"), (15, "done-15")]:
        last = full_history(swf, domain, runs[i])[-1]
        assert last["eventType"] == "WorkflowExecutionCompleted"
        assert last["workflowExecutionCompletedEventAttributes"]["result"] == result
    # An open workflowId is still taken; a new one starts.
    with pytest.raises(swf.exceptions.WorkflowExecutionAlreadyStartedFault):
        swf.start_workflow_execution(domain=domain, workflowId="run-19", workflowType=WF)
    assert swf.start_workflow_execution(domain=domain, workflowId="run-20", workflowType=WF)[
        "runId"
    ] not in {r["runId"] for r in runs}
    second.stop()


# --- an existing database -------------------------------------------------------------------


def test_a_second_start_keeps_domains_and_types(spawn: Spawn, tmp_path: Path) -> None:
    db = sqlite_url(tmp_path / "registry.db")
    first = spawn(db=db)
    swf = client(first.endpoint)
    register_basics(swf, "kept")
    swf.register_domain(
        name="described",
        description="with a description",
        workflowExecutionRetentionPeriodInDays="7",
        tags=[{"key": "team", "value": "core"}],
    )
    swf.register_domain(name="old", workflowExecutionRetentionPeriodInDays="0")
    swf.deprecate_domain(name="old")
    swf.register_workflow_type(domain="kept", name="retired", version="1")
    swf.deprecate_workflow_type(domain="kept", workflowType={"name": "retired", "version": "1"})

    def snapshot(swf: Any) -> dict[str, Any]:
        arn = swf.describe_domain(name="described")["domainInfo"]["arn"]
        return {
            "domains": {
                status: without_metadata(swf.list_domains(registrationStatus=status))
                for status in ("REGISTERED", "DEPRECATED")
            },
            "described": without_metadata(swf.describe_domain(name="described")),
            "tags": without_metadata(swf.list_tags_for_resource(resourceArn=arn)),
            "wf": without_metadata(swf.describe_workflow_type(domain="kept", workflowType=WF)),
            "retired": without_metadata(
                swf.describe_workflow_type(
                    domain="kept", workflowType={"name": "retired", "version": "1"}
                )
            ),
            "act": without_metadata(swf.describe_activity_type(domain="kept", activityType=ACT)),
        }

    kept = snapshot(swf)
    first.stop()
    version = sqlite3.connect(tmp_path / "registry.db").execute("PRAGMA user_version").fetchone()

    second = spawn(db=db)
    swf = client(second.endpoint)
    assert snapshot(swf) == kept
    with pytest.raises(swf.exceptions.DomainAlreadyExistsFault):
        swf.register_domain(name="kept", workflowExecutionRetentionPeriodInDays="1")
    with pytest.raises(swf.exceptions.TypeAlreadyExistsFault):
        swf.register_activity_type(domain="kept", name="act", version="1")
    # The registered types are usable at once: a run of the kept type starts and is handed out.
    swf.start_workflow_execution(domain="kept", workflowId="after-restart", workflowType=WF)
    task = swf.poll_for_decision_task(domain="kept", taskList={"name": "decisions"})
    assert task["workflowExecution"]["workflowId"] == "after-restart"
    second.stop()
    again = sqlite3.connect(tmp_path / "registry.db").execute("PRAGMA user_version").fetchone()
    assert again == version  # the schema was reused, not rebuilt


def _schema(path: Path) -> tuple[list[tuple[str, str, str]], int]:
    with contextlib.closing(sqlite3.connect(path)) as conn:
        objects = conn.execute(
            "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' "
            "ORDER BY type, name"
        ).fetchall()
        version = conn.execute("PRAGMA user_version").fetchone()[0]
    normalized = [(kind, name, " ".join((sql or "").split())) for kind, name, sql in objects]
    return normalized, version


def test_a_database_at_the_oldest_schema_is_migrated_on_start(spawn: Spawn, tmp_path: Path) -> None:
    steps = sqlfiles.migrations()
    oldest_version, oldest_sql = steps[0]
    old = tmp_path / "old.db"
    with contextlib.closing(sqlite3.connect(old, isolation_level=None)) as conn:
        conn.executescript(f"BEGIN;{oldest_sql};PRAGMA user_version = {oldest_version};COMMIT;")
    migrated = spawn(db=sqlite_url(old))
    register_basics(client(migrated.endpoint), "on-old")
    migrated.stop()

    fresh = spawn(db=sqlite_url(tmp_path / "fresh.db"))
    fresh.stop()

    old_schema, old_version = _schema(old)
    fresh_schema, fresh_version = _schema(tmp_path / "fresh.db")
    assert old_version == fresh_version == steps[-1][0]
    assert old_schema == fresh_schema

    again = spawn(db=sqlite_url(old))
    swf = client(again.endpoint)
    assert swf.describe_domain(name="on-old")["domainInfo"]["status"] == "REGISTERED"
    assert swf.describe_activity_type(domain="on-old", activityType=ACT)["typeInfo"]["status"] == (
        "REGISTERED"
    )
