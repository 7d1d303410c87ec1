"""Chaos harness: faults injected under a mixed load, then every execution audited.

    .venv/bin/python benchmarks/chaos.py                       # every scenario, small
    .venv/bin/python benchmarks/chaos.py --size large          # 10x the load
    .venv/bin/python benchmarks/chaos.py --scenario kill-restart --backend postgres

Each scenario starts real processes: openswf servers (``openswf server``, or
benchmarks/chaos_server.py where a fault must be aimed from inside) and worker processes
(benchmarks/chaos_app.py: activity workers and deciders of the framework). The harness starts
workflows and signals them, retrying as clients do; a chain, a fan-out, a timer, a child
workflow and a heartbeating activity run in each, and messenger workflows send signals and
cancel requests between executions. It injects the scenario's fault, waits for every
execution to close, and audits them all:

- every acknowledged start is one run of its workflowId, closed as expected (COMPLETED,
  or CANCELED for the runs a messenger asked to cancel) with the expected result;
- every history (children too) passes openswf.testing.check_history: ids, references, one
  outcome per task, the close event last, attributes valid against botocore's model;
- no activity has two completions, no child workflowId two runs;
- every acknowledged signal is in its run's history: once, or once more for each try whose
  answer was lost (a signal is not idempotent, in SWF either).

A scenario also counts the faults that hit work in flight (runs open when the fault struck,
tasks that timed out because of it, crashes between the relay's two writes), and fails if
that count is 0: a fault that hit nothing proves nothing. One JSON line per scenario; the
exit status is 1 if any scenario saw an anomaly.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import chaos_app as app  # noqa: E402
from chaos_proxy import Proxy  # noqa: E402

from openswf.sdk import Client  # noqa: E402
from openswf.sdk.converter import loads  # noqa: E402
from openswf.sdk.errors import SwfError, TransportError, UnknownResourceFault  # noqa: E402
from openswf.sdk.history import attributes  # noqa: E402
from openswf.testing import free_port, history_problems  # noqa: E402

PG_ADMIN = os.environ.get("OPENSWF_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
OPENSWF = str(Path(sys.executable).parent / "openswf")
DEADLINE_S = 240.0  # for the load to finish after its fault
CRASH_EXIT = 86  # chaos_server.py's exit between the relay's two writes


# --- processes ------------------------------------------------------------------------------


@dataclass
class Server:
    port: int
    db: str
    log: Path
    hooks: list[str] = field(default_factory=list)  # chaos_server.py options, if any
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        if self.hooks:
            command = [sys.executable, str(HERE / "chaos_server.py"), "--port", str(self.port)]
            command += ["--db", self.db, *self.hooks]
        else:
            command = [OPENSWF, "server", "--port", str(self.port), "--db", self.db]
            command += ["--poll-timeout", "20", "--log-level", "warning"]
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while not healthy(self.url):
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited {self.proc.returncode}: see {self.log}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"server not healthy after 60 s: see {self.log}")
            time.sleep(0.05)

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.kill()
        self.proc.wait()

    def terminate(self) -> None:
        assert self.proc is not None
        self.proc.terminate()
        self.proc.wait(60)


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/healthz", timeout=1) as answer:
            return bool(answer.status == 200)
    except OSError:
        return False


class Workers:
    """Worker processes (activity workers and deciders) of benchmarks/chaos_app.py."""

    def __init__(self, endpoint: str, log: Path) -> None:
        self.endpoint, self.log = endpoint, log
        self.procs: list[subprocess.Popen[bytes]] = []

    def start(self, count: int = 1) -> None:
        for _ in range(count):
            identity = f"worker-{uuid.uuid4().hex[:6]}"
            command = [sys.executable, str(HERE / "chaos_app.py"), self.endpoint]
            with self.log.open("ab") as out:
                self.procs.append(
                    subprocess.Popen(
                        [*command, "--identity", identity], stdout=out, stderr=subprocess.STDOUT
                    )
                )

    def kill_all(self) -> None:
        for proc in self.procs:
            proc.kill()
            proc.wait()
        self.procs = []

    def stop(self) -> None:
        for proc in self.procs:
            proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
        self.procs = []


# --- the load -------------------------------------------------------------------------------


def retried(call: Callable[[], Any], deadline: float) -> Any:
    """Call until an answer that is not the server's or the network's trouble, as clients
    do (5xx and lost connections are retried; a 4xx is the answer)."""
    while True:
        try:
            return call()
        except TransportError:
            pass
        except SwfError as error:
            if error.status < 500:
                raise
        if time.monotonic() > deadline:
            raise TimeoutError("the server did not come back")
        time.sleep(0.1)


@dataclass
class Load:
    client: Client
    runs: dict[str, str] = field(default_factory=dict)  # acknowledged starts: wid -> runId
    ambiguous_starts: list[str] = field(default_factory=list)  # taken, answer lost
    signals: list[str] = field(default_factory=list)  # acknowledged signals, by wid
    unsure_signals: dict[str, int] = field(default_factory=dict)  # tries whose answer was lost
    cancel_targets: set[str] = field(default_factory=set)
    messengers: set[str] = field(default_factory=set)

    def start(self, workflow_id: str, workflow_type: Any, input: Any = None) -> None:
        params: dict[str, Any] = {
            "domain": app.DOMAIN,
            "workflowId": workflow_id,
            "workflowType": {"name": workflow_type.name, "version": workflow_type.version},
        }
        if input is not None:
            params["input"] = json.dumps(input)
        deadline = time.monotonic() + 60
        first = True
        while True:
            try:
                self.runs[workflow_id] = self.client.start_workflow_execution(**params)["runId"]
                return
            except (TransportError, SwfError) as error:
                status = getattr(error, "status", 503)
                if isinstance(error, SwfError) and status < 500:
                    if error.type_name == "WorkflowExecutionAlreadyStartedFault" and not first:
                        self.ambiguous_starts.append(workflow_id)
                        return
                    raise
            first = False
            if time.monotonic() > deadline:
                raise TimeoutError("the server did not come back")
            time.sleep(0.1)

    def signal(self, workflow_id: str) -> None:
        def call() -> None:
            self.client.signal_workflow_execution(
                domain=app.DOMAIN,
                workflowId=workflow_id,
                runId=self.runs[workflow_id],
                signalName="poke",
                input=workflow_id,
            )

        # A try whose answer was lost (the connection dropped, a 5xx) may have been recorded:
        # SignalWorkflowExecution is not idempotent, in SWF either. Each such try allows one
        # more copy of the signal in the history.
        deadline = time.monotonic() + 60
        while True:
            try:
                call()
                break
            except UnknownResourceFault:
                return  # closed already: not acknowledged, nothing to find
            except TransportError:
                pass
            except SwfError as error:
                if error.status < 500:
                    raise
            self.unsure_signals[workflow_id] = self.unsure_signals.get(workflow_id, 0) + 1
            if time.monotonic() > deadline:
                raise TimeoutError("the server did not come back")
            time.sleep(0.1)
        self.signals.append(workflow_id)

    def begin(self, size: int) -> None:
        """``size`` chaos runs, every one signalled, and a messenger per four of them that
        signals one run and asks another to cancel."""
        tag = uuid.uuid4().hex[:6]
        ids = [f"chaos-{tag}-{i}" for i in range(size)]
        for workflow_id in ids:
            self.start(workflow_id, app.workflow_type)
        for number in range(size // 4):
            target, victim = ids[4 * number], ids[4 * number + 1]
            messenger = f"messenger-{tag}-{number}"
            self.start(messenger, app.messenger_type, {"signal": target, "cancel": victim})
            self.messengers.add(messenger)
            self.cancel_targets.add(victim)
        for workflow_id in ids:
            self.signal(workflow_id)

    def open_count(self) -> int:
        answer = retried(
            lambda: self.client.count_open_workflow_executions(
                domain=app.DOMAIN, startTimeFilter={"oldestDate": 0}
            ),
            time.monotonic() + 60,
        )
        return int(answer["count"])

    def wait_closed(self, timeout: float = DEADLINE_S) -> list[str]:
        """Wait until every acknowledged run has closed; returns those that did not."""
        deadline = time.monotonic() + timeout
        pending = set(self.runs)
        while pending and time.monotonic() < deadline:
            for workflow_id in sorted(pending):
                info = retried(
                    lambda wid=workflow_id: self.client.describe_workflow_execution(
                        domain=app.DOMAIN,
                        execution={"workflowId": wid, "runId": self.runs[wid]},
                    ),
                    deadline,
                )
                if info["executionInfo"]["executionStatus"] == "CLOSED":
                    pending.discard(workflow_id)
            if pending:
                time.sleep(0.25)
        return sorted(pending)


# --- the audit ------------------------------------------------------------------------------


def history(client: Client, workflow_id: str, run_id: str) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    request: dict[str, Any] = {
        "domain": app.DOMAIN,
        "execution": {"workflowId": workflow_id, "runId": run_id},
    }
    while True:
        page = retried(
            lambda: client.get_workflow_execution_history(**request), time.monotonic() + 60
        )
        events += page["events"]
        if not page.get("nextPageToken"):
            return events
        request["nextPageToken"] = page["nextPageToken"]


def runs_of(client: Client, workflow_id: str) -> list[str]:
    found = []
    for listing in (client.list_open_workflow_executions, client.list_closed_workflow_executions):
        answer = listing(
            domain=app.DOMAIN,
            startTimeFilter={"oldestDate": 0},
            executionFilter={"workflowId": workflow_id},
        )
        found += [info["execution"]["runId"] for info in answer["executionInfos"]]
    return found


@dataclass
class Audit:
    executions: int = 0
    timeouts: int = 0  # activity and decision tasks that timed out (work a fault interrupted)
    anomalies: list[str] = field(default_factory=list)

    def check_run(self, client: Client, workflow_id: str, run_id: str) -> list[dict[str, Any]]:
        events = history(client, workflow_id, run_id)
        self.executions += 1
        where = f"{workflow_id}/{run_id[:8]}"
        self.anomalies += [f"{where}: {problem}" for problem in history_problems(events)]
        completions = Counter(
            attributes(events[attributes(e)["scheduledEventId"] - 1])["activityId"]
            for e in events
            if e["eventType"] == "ActivityTaskCompleted"
        )
        self.anomalies += [
            f"{where}: activity {activity_id} completed {count} times"
            for activity_id, count in completions.items()
            if count > 1
        ]
        self.timeouts += sum(
            1 for e in events if e["eventType"] in ("ActivityTaskTimedOut", "DecisionTaskTimedOut")
        )
        runs = runs_of(client, workflow_id)
        if runs != [run_id]:
            self.anomalies.append(f"{workflow_id}: runs {runs}, expected only {run_id}")
        return events

    def check_load(self, client: Client, load: Load) -> None:
        for workflow_id, run_id in sorted(load.runs.items()):
            events = self.check_run(client, workflow_id, run_id)
            close = events[-1]
            expected = "WorkflowExecutionCompleted"
            if workflow_id in load.cancel_targets:
                expected = "WorkflowExecutionCanceled"
            if close["eventType"] != expected:
                self.anomalies.append(f"{workflow_id}: closed by {close['eventType']}")
                continue
            if workflow_id in load.messengers:
                result = loads(attributes(close).get("result"))
                if result != {"failed": []}:
                    self.anomalies.append(f"{workflow_id}: deliveries failed: {result}")
            elif expected == "WorkflowExecutionCompleted":
                self._check_result(workflow_id, loads(attributes(close).get("result")))
            if workflow_id in load.signals:
                inputs = [
                    attributes(e).get("input")
                    for e in events
                    if e["eventType"] == "WorkflowExecutionSignaled"
                    and attributes(e)["signalName"] == "poke"
                ]
                copies = 1 + load.unsure_signals.get(workflow_id, 0)
                if set(inputs) != {workflow_id} or len(inputs) > copies:
                    self.anomalies.append(f"{workflow_id}: acknowledged signal seen {inputs}")
            for event in events:
                if event["eventType"] == "ChildWorkflowExecutionStarted":
                    child = attributes(event)["workflowExecution"]
                    self.check_run(client, child["workflowId"], child["runId"])

    def _check_result(self, workflow_id: str, result: Any) -> None:
        wanted = {"a": 1, "f0": 1, "f1": 2, "f2": 3, "beat": "beat"}
        if not isinstance(result, dict) or any(result.get(k) != v for k, v in wanted.items()):
            self.anomalies.append(f"{workflow_id}: result {result!r}")


# --- scenarios ------------------------------------------------------------------------------


@dataclass
class Context:
    backend: str
    size: int
    folder: Path
    servers: list[Server] = field(default_factory=list)
    workers: Workers | None = None
    proxy: Proxy | None = None
    load: Load | None = None
    db: str = ""

    @property
    def endpoint(self) -> str:
        return self.proxy.url if self.proxy is not None else self.servers[0].url


def new_database(backend: str, folder: Path) -> str:
    if backend == "sqlite":
        return f"sqlite:///{folder / 'chaos.db'}"
    name = f"openswf_chaos_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN.rsplit("/", 1)[0]
    # Short leases: work a killed server held is taken over in seconds, not the default 30.
    return f"{base}/{name}?timer_lease_s=3&task_lease_s=2"


def drop_database(url: str) -> None:
    if not url.startswith("postgresql:"):
        return
    name = url.rsplit("/", 1)[1].split("?", 1)[0]
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def running(
    backend: str, size: int, *, servers: int = 1, hooks: list[str] | None = None, db: str = ""
) -> Iterator[Context]:
    folder = Path(tempfile.mkdtemp(prefix="openswf-chaos-"))
    ctx = Context(backend=backend, size=size, folder=folder)
    ctx.db = db or new_database(backend, folder)
    try:
        for number in range(servers):
            server = Server(free_port(), ctx.db, folder / f"server-{number}.log", hooks or [])
            server.start()
            ctx.servers.append(server)
        if servers > 1:
            ctx.proxy = Proxy([server.port for server in ctx.servers])
            ctx.proxy.start()
        ctx.workers = Workers(ctx.endpoint, folder / "workers.log")
        ctx.workers.start(2)
        ctx.load = Load(Client(ctx.endpoint))
        retried(lambda: app.register(ctx.load.client), time.monotonic() + 30)  # type: ignore[union-attr]
        yield ctx
    finally:
        if ctx.workers is not None:
            ctx.workers.stop()
        for server in ctx.servers:
            if server.proc is not None and server.proc.poll() is None:
                server.terminate()
        if ctx.proxy is not None:
            ctx.proxy.stop()
        if not db:
            drop_database(ctx.db)
        shutil.rmtree(folder, ignore_errors=True)


def mid_load(ctx: Context) -> int:
    """Let the load get going, and say how many runs are open: work the fault will hit."""
    assert ctx.load is not None
    time.sleep(1.0)
    return ctx.load.open_count()


def finish(ctx: Context, scenario: str, faults: int, hits: int) -> dict[str, Any]:
    assert ctx.load is not None
    unclosed = ctx.load.wait_closed()
    audit = Audit()
    audit.anomalies += [f"{wid}: still open after {DEADLINE_S:.0f} s" for wid in unclosed]
    audit.check_load(ctx.load.client, ctx.load)
    if hits == 0:
        audit.anomalies.append("the fault hit no work in flight: it proves nothing")
    return {
        "scenario": scenario,
        "backend": ctx.backend,
        "workflows": len(ctx.load.runs),
        "faults_injected": faults,
        "in_flight_hits": hits,
        "timeouts_recovered": audit.timeouts,
        "executions_audited": audit.executions,
        "ambiguous_starts": len(ctx.load.ambiguous_starts),
        "signal_tries_unanswered": sum(ctx.load.unsure_signals.values()),
        "anomalies": audit.anomalies,
    }


def kill_restart(backend: str, size: int) -> dict[str, Any]:
    """kill -9 of the server mid-load, then a restart on the same database."""
    with running(backend, size) as ctx:
        assert ctx.load is not None
        ctx.load.begin(size)
        hits = mid_load(ctx)
        ctx.servers[0].kill()
        ctx.servers[0].start()
        return finish(ctx, "kill-restart", 1, hits)


def kill_one_of_two(backend: str, size: int) -> dict[str, Any]:
    """kill -9 of one of two servers over one PostgreSQL; the other carries on alone."""
    with running(backend, size, servers=2) as ctx:
        assert ctx.load is not None and ctx.proxy is not None
        ctx.load.begin(size)
        hits = mid_load(ctx)
        victim = ctx.servers[0]
        victim.kill()
        ctx.proxy.remove(victim.port)
        return finish(ctx, "kill-one-of-two", 1, hits)


def rolling_restart(backend: str, size: int) -> dict[str, Any]:
    """SIGTERM each of two servers in turn under load, waiting for it to come back."""
    with running(backend, size, servers=2) as ctx:
        assert ctx.load is not None
        ctx.load.begin(size)
        hits = 0
        for server in ctx.servers:
            hits += mid_load(ctx)
            server.terminate()
            server.start()
        return finish(ctx, "rolling-restart", 2, hits)


def postgres_faults(backend: str, size: int) -> dict[str, Any]:
    """The database restarts under load, then every connection of openswf's is terminated
    from the database's side."""
    with running(backend, size) as ctx:
        assert ctx.load is not None
        ctx.load.begin(size)
        hits = mid_load(ctx)
        version = sorted(os.listdir("/etc/postgresql"))[-1]
        subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"],
            check=True,
            capture_output=True,
        )
        hits += mid_load(ctx)
        name = ctx.db.rsplit("/", 1)[1].split("?", 1)[0]
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            killed = conn.execute(
                "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity"
                " WHERE datname = %s AND pid <> pg_backend_pid()",
                (name,),
            ).fetchone()
        terminated = int(killed[0]) if killed else 0
        return finish(ctx, "postgres-restart-and-terminate", 1 + terminated, hits)


def worker_kill(backend: str, size: int) -> dict[str, Any]:
    """Every worker process killed while activities run: heartbeat and start-to-close
    timeouts fire, and new workers redo the work."""
    with running(backend, size) as ctx:
        assert ctx.load is not None and ctx.workers is not None
        ctx.load.begin(size)
        wait_for_beats(ctx)
        ctx.workers.kill_all()
        ctx.workers.start(2)
        result = finish(ctx, "worker-kill", 1, 0)
        # The hits are the tasks the kill left to time out.
        result["in_flight_hits"] = result["timeouts_recovered"]
        if result["in_flight_hits"]:
            result["anomalies"] = [a for a in result["anomalies"] if "proves nothing" not in a]
        return result


def wait_for_beats(ctx: Context) -> None:
    """Until some heartbeating activity is running (started, not closed)."""
    assert ctx.load is not None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        for workflow_id, run_id in ctx.load.runs.items():
            events = history(ctx.load.client, workflow_id, run_id)
            beats = {
                e["eventId"]
                for e in events
                if e["eventType"] == "ActivityTaskScheduled"
                and attributes(e)["activityType"]["name"] == "chaos.beat"
            }
            started = {
                attributes(e)["scheduledEventId"]
                for e in events
                if e["eventType"] == "ActivityTaskStarted"
            }
            closed = {
                attributes(e).get("scheduledEventId")
                for e in events
                if e["eventType"].startswith("ActivityTask")
                and e["eventType"] not in ("ActivityTaskScheduled", "ActivityTaskStarted")
            }
            if beats & started - closed:
                return
        time.sleep(0.05)
    raise TimeoutError("no heartbeating activity ever ran")


def relay_crash(backend: str, size: int) -> dict[str, Any]:
    """The server dies between the relay's two writes (child starts, signals and cancels
    between executions), again and again; each time it is restarted."""
    folder = Path(tempfile.mkdtemp(prefix="openswf-chaos-crashes-"))
    counter = folder / "crashes"
    crashes = max(3, size // 4)
    counter.write_text(str(crashes))
    with running(backend, size, hooks=["--relay-crashes", str(counter)]) as ctx:
        assert ctx.load is not None
        server = ctx.servers[0]
        restarts = 0
        stop = threading.Event()

        def restart_on_crash() -> None:
            nonlocal restarts
            while not stop.is_set():
                assert server.proc is not None
                if server.proc.poll() == CRASH_EXIT:
                    restarts += 1
                    with contextlib.suppress(RuntimeError):  # it may crash as it starts
                        server.start()
                time.sleep(0.02)

        watcher = threading.Thread(target=restart_on_crash, daemon=True)
        watcher.start()
        ctx.load.begin(size)
        result = finish(ctx, "relay-crash", crashes, 0)
        stop.set()
        watcher.join()
        result["faults_injected"] = crashes - int(counter.read_text() or 0)
        result["in_flight_hits"] = restarts
        if restarts:
            result["anomalies"] = [a for a in result["anomalies"] if "proves nothing" not in a]
    shutil.rmtree(folder, ignore_errors=True)
    return result


def disk_full(backend: str, size: int) -> dict[str, Any]:
    """SQLite on a small tmpfs filled up mid-load: writes fail with 503 and leave nothing
    half-written; once space is freed, writes go on."""
    mount = Path(tempfile.mkdtemp(prefix="openswf-chaos-disk-"))
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", str(mount)], check=True)
    try:
        with running(backend, size, db=f"sqlite:///{mount / 'chaos.db'}") as ctx:
            assert ctx.load is not None
            ctx.load.begin(size)
            hits = mid_load(ctx)
            filler = mount / "filler"
            # Every byte left, until the disk says no more (unbuffered: the refusal comes
            # from a write, never from the close).
            with contextlib.suppress(OSError), filler.open("wb", buffering=0) as out:
                while True:
                    out.write(b"\0" * 65536)
            refusals = probe_refusals(ctx)
            filler.unlink()
            result = finish(ctx, "disk-full", 1, hits)
            result["write_refusals"] = refusals
            if not refusals or set(refusals) != {"ServiceUnavailable"}:
                result["anomalies"].append(f"writes on a full disk answered {refusals}")
            return result
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def probe_refusals(ctx: Context) -> list[str]:
    """While the disk is full: what a write (a signal) is answered, for a few seconds."""
    assert ctx.load is not None
    seen = []
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:
        workflow_id = next(iter(ctx.load.runs))
        try:
            ctx.load.client.signal_workflow_execution(
                domain=app.DOMAIN, workflowId=workflow_id, signalName="probe"
            )
        except SwfError as error:
            if error.status >= 500:
                seen.append(error.type_name)
        time.sleep(0.2)
    return seen


def clock_jump(backend: str, size: int) -> dict[str, Any]:
    """The server's clock jumps 10 s forward mid-load, then 10 s back: timers neither fire
    twice nor get lost, and timeouts that fall due on the jump are recovered."""
    with running(backend, size, hooks=["--clock-jump", "10"]) as ctx:
        assert ctx.load is not None
        ctx.load.begin(size)
        server = ctx.servers[0]
        assert server.proc is not None
        hits = mid_load(ctx)
        server.proc.send_signal(signal.SIGUSR1)
        hits += mid_load(ctx)
        server.proc.send_signal(signal.SIGUSR2)
        return finish(ctx, "clock-jump", 2, hits)


SCENARIOS: dict[str, tuple[Callable[[str, int], dict[str, Any]], tuple[str, ...]]] = {
    "kill-restart": (kill_restart, ("sqlite", "postgres")),
    "kill-one-of-two": (kill_one_of_two, ("postgres",)),
    "rolling-restart": (rolling_restart, ("postgres",)),
    "postgres-faults": (postgres_faults, ("postgres",)),
    "worker-kill": (worker_kill, ("sqlite",)),
    "relay-crash": (relay_crash, ("sqlite", "postgres")),
    "disk-full": (disk_full, ("sqlite",)),
    "clock-jump": (clock_jump, ("sqlite",)),
}
SIZES = {"small": 8, "large": 80}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenario", action="append", choices=sorted(SCENARIOS))
    parser.add_argument("--backend", choices=("sqlite", "postgres"))
    parser.add_argument("--size", choices=sorted(SIZES), default="small")
    args = parser.parse_args()
    passed = failed = 0
    for name in args.scenario or list(SCENARIOS):
        scenario, backends = SCENARIOS[name]
        for backend in backends:
            if args.backend and backend != args.backend:
                continue
            began = time.monotonic()
            result = scenario(backend, SIZES[args.size])
            result["seconds"] = round(time.monotonic() - began, 1)
            if result["anomalies"]:
                failed += 1
            else:
                passed += 1
            print(json.dumps(result), flush=True)
    print(f"chaos: {passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
