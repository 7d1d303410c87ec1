"""An openswf server inside your test process: real HTTP on a free port, a real store.

    with LocalServer() as server:
        swf = boto3.client("swf", endpoint_url=server.endpoint, region_name="us-east-1", ...)

The server runs uvicorn on a background thread with its own event loop. With
``LocalServer(clock=ManualClock())`` time moves only when the test says so:
``server.advance(3600)`` moves the clock an hour and fires every timer and timeout that fell
due (and purges the closed executions whose domain retention ran out), before it returns.

``check_history(events)`` checks a history (the raw JSON events of
GetWorkflowExecutionHistory) against SWF's rules: consecutive ids, references to events of the
right type, one outcome per task, the close event last, attributes valid against botocore's
model. It raises ``HistoryError`` listing every problem.
``LocalServer(access_keys="keys.toml")`` (or a list of ``AccessKey``) requires signed
requests, as ``openswf server --access-keys`` does; ``tls_cert=``/``tls_key=`` serve HTTPS.
For workflows run by real workers (``openswf.sdk``), ``run_until_complete(server, domain,
workflow_id)`` waits for the execution's result and, under a manual clock, skips time: when
every open execution of the domain waits only on timers, it advances the clock to the next
one. ``wait_for_event`` waits for an event in an execution's history.
"""

from __future__ import annotations

import asyncio
import socket
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

import uvicorn

from openswf.protocol.history_check import HistoryError, check_history, history_problems
from openswf.sdk.client import Client
from openswf.sdk.history import attributes, get_history
from openswf.sdk.results import WaitTimeout, wait_for_result
from openswf.server.access import AccessGuard, AccessKey
from openswf.server.app import OpenSwfApp, create_app
from openswf.server.pipelining import http_protocol
from openswf.services.clock import Clock, ManualClock
from openswf.services.settings import Settings

__all__ = [
    "HistoryError",
    "LocalServer",
    "ManualClock",
    "check_history",
    "free_port",
    "history_problems",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LocalServer:
    def __init__(
        self,
        db_url: str | None = None,
        *,
        settings: Settings | None = None,
        clock: Clock | None = None,
        port: int | None = None,
        access_keys: str | Path | list[AccessKey] | None = None,
        tls_cert: str | None = None,
        tls_key: str | None = None,
        http: str = "auto",
    ) -> None:
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        if db_url is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="openswf-")
            db_url = "sqlite:///" + str(Path(self._tmp.name) / "openswf.db")
        self.db_url = db_url
        self.port = port or free_port()
        guard = None
        if isinstance(access_keys, list):
            guard = AccessGuard(access_keys)
        elif access_keys is not None:
            guard = AccessGuard.from_file(access_keys)
        self.guard = guard
        self._scheme = "https" if tls_cert else "http"
        self.app: OpenSwfApp = create_app(db_url, settings or Settings(), clock, guard)
        self._server = uvicorn.Server(
            uvicorn.Config(
                self.app,
                host="127.0.0.1",
                port=self.port,
                http=http_protocol(http),  # "auto" (httptools) or "h11"
                lifespan="on",
                access_log=False,
                log_level="warning",
                timeout_keep_alive=75,
                ssl_certfile=tls_cert,
                ssl_keyfile=tls_key,
            )
        )
        self._thread = threading.Thread(target=self._server.run, name="openswf-server", daemon=True)

    @property
    def endpoint(self) -> str:
        return f"{self._scheme}://127.0.0.1:{self.port}"

    def client(self) -> Client:
        """An ``openswf.sdk.Client`` for this server (close it when done)."""
        return Client(self.endpoint)

    def start(self) -> LocalServer:
        self._thread.start()
        while not self._server.started:
            if not self._thread.is_alive():
                raise RuntimeError("openswf server failed to start")
            self._thread.join(0.01)
        return self

    def stop(self) -> None:
        loop = self._loop()
        if loop is not None:
            loop.call_soon_threadsafe(self.app.service.stop_polls)
        self._server.should_exit = True
        self._thread.join(30)
        if self._tmp is not None:
            self._tmp.cleanup()

    def _loop(self) -> asyncio.AbstractEventLoop | None:
        servers = getattr(self._server, "servers", None)
        if not servers:
            return None
        loop: asyncio.AbstractEventLoop = servers[0].get_loop()
        return loop

    def call(self, fn: Any, *args: Any) -> Any:
        """Run ``fn(*args)`` on the server's event loop and return its result."""
        loop = self._loop()
        assert loop is not None, "server is not running"

        async def run() -> Any:
            result = fn(*args)
            if asyncio.iscoroutine(result):
                result = await result
            return result

        return asyncio.run_coroutine_threadsafe(run(), loop).result(30)

    def advance(self, seconds: float) -> int:
        """Move a manual clock, fire what fell due and purge the closed executions whose
        retention ran out; returns how many timer rows fired."""
        clock = self.app.service.clock
        if not isinstance(clock, ManualClock):
            raise TypeError("advance() needs LocalServer(clock=ManualClock())")
        self.call(clock.advance, seconds)
        fired = int(self.call(self.app.service.fire_due_timers))
        self.call(self.app.service.sweep_retention)
        return fired

    def __enter__(self) -> LocalServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


Event = Mapping[str, Any]


def wait_for_event(
    client: Client,
    domain: str,
    workflow_id: str,
    run_id: str,
    match: str | Callable[[Event], bool],
    *,
    timeout: float = 30.0,
) -> Event:
    """The first event of the execution's history of type ``match`` (or for which
    ``match(event)`` is true), once it is there; ``WaitTimeout`` after ``timeout`` seconds."""
    test = match if callable(match) else (lambda event: event["eventType"] == match)
    deadline = time.monotonic() + timeout
    while True:
        for event in get_history(client, domain, workflow_id, run_id):
            if test(event):
                return event
        if time.monotonic() > deadline:
            raise WaitTimeout(f"no {match!r} event in {workflow_id} after {timeout} s")
        time.sleep(0.01)


def run_until_complete(
    server: LocalServer,
    domain: str,
    workflow_id: str,
    run_id: str | None = None,
    *,
    client: Client | None = None,
    timeout: float = 60.0,
) -> Any:
    """Wait for the execution's result (``wait_for_result``: a failure raises
    ``ExecutionFailed``), the workers doing the work. Under a ``ManualClock``, whenever every
    open execution of the domain has nothing to do but wait for a timer, advance the clock
    to the earliest such timer, so a workflow that sleeps for days completes at once.
    ``WaitTimeout`` if it is still open after ``timeout`` seconds of real time."""
    own = client is None
    swf = client or server.client()
    try:
        deadline = time.monotonic() + timeout
        if run_id is None:
            run_id = _open_run(swf, domain, workflow_id)
        manual = isinstance(server.app.service.clock, ManualClock)
        while True:
            info = swf.describe_workflow_execution(
                domain=domain, execution={"workflowId": workflow_id, "runId": run_id}
            )
            if info["executionInfo"]["executionStatus"] == "CLOSED":
                return wait_for_result(swf, domain, workflow_id, run_id, timeout=0)
            if time.monotonic() > deadline:
                raise WaitTimeout(f"{workflow_id} ({run_id}) still open after {timeout} s")
            due = _next_timer_if_idle(swf, domain) if manual else None
            if due is not None:
                now_s = server.app.service.clock.now_ms() / 1000
                server.advance(max(0.0, due - now_s))
            else:
                time.sleep(0.01)
    finally:
        if own:
            swf.close()


def _open_run(client: Client, domain: str, workflow_id: str) -> str:
    infos = client.list_open_workflow_executions(
        domain=domain,
        startTimeFilter={"oldestDate": 0},
        executionFilter={"workflowId": workflow_id},
    ).get("executionInfos", [])
    if not infos:
        raise LookupError(f"no open execution of {workflow_id!r} in {domain}")
    return str(infos[0]["execution"]["runId"])


def _next_timer_if_idle(client: Client, domain: str) -> float | None:
    """When the earliest pending timer of the domain's open executions is due (epoch
    seconds), if none of them has a decision, activity or Lambda task open, or a child
    on its way; else None (the workers have something to do: time must not jump)."""
    infos = client.list_open_workflow_executions(
        domain=domain, startTimeFilter={"oldestDate": 0}
    ).get("executionInfos", [])
    busy = ("openDecisionTasks", "openActivityTasks", "openLambdaFunctions")
    earliest: float | None = None
    for info in infos:
        execution = info["execution"]
        counts = client.describe_workflow_execution(domain=domain, execution=execution)[
            "openCounts"
        ]
        if any(counts.get(key, 0) for key in busy):
            return None
        events = get_history(client, domain, execution["workflowId"], execution["runId"])
        timers, starting = _pending(events)
        if starting:
            return None
        for due in timers:
            earliest = due if earliest is None else min(earliest, due)
    return earliest


def _pending(events: list[Event]) -> tuple[list[float], int]:
    """Due times of the timers still armed, and how many children are still starting."""
    timers: dict[int, float] = {}
    children: set[int] = set()
    for event in events:
        kind = event["eventType"]
        attrs = attributes(event)
        if kind == "TimerStarted":
            fire = float(event["eventTimestamp"]) + int(attrs["startToFireTimeout"])
            timers[int(event["eventId"])] = fire
        elif kind in ("TimerFired", "TimerCanceled"):
            timers.pop(int(attrs["startedEventId"]), None)
        elif kind == "StartChildWorkflowExecutionInitiated":
            children.add(int(event["eventId"]))
        elif kind in ("ChildWorkflowExecutionStarted", "StartChildWorkflowExecutionFailed"):
            children.discard(int(attrs["initiatedEventId"]))
    return list(timers.values()), len(children)
