"""Requests pipelined behind a long poll on one connection (server/pipelining.py).

simpleflow's forked pollers share one inherited keep-alive connection, so the server sees
HTTP/1.1 pipelining: a request written behind a waiting long poll must not wait for it. These
tests speak raw HTTP over one socket, on both of uvicorn's HTTP/1.1 protocols, which pins the
uvicorn behaviour the mechanism relies on. The poll hold is 30 s and every read has a deadline
well under it: a request that waited for the poll fails the test instead of passing slowly.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import orjson
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from openswf.server.pipelining import _WholeWrites
from openswf.services.settings import Settings
from openswf.testing import LocalServer
from tests.conftest import make_client
from tests.integration.swf_helpers import WF, decision, poll_decision, start

HOLD_S = 30.0  # the poll hold: a pipelined request that waited for the poll takes this long
DEADLINE_S = 15.0  # generous, and still well under the hold


def request(endpoint: str, operation: str, body: dict[str, Any]) -> bytes:
    """One signed SWF request, as HTTP/1.1 bytes on a keep-alive connection."""
    payload = orjson.dumps(body)
    aws = AWSRequest(
        method="POST",
        url=endpoint + "/",
        data=payload,
        headers={
            "Content-Type": "application/x-amz-json-1.0",
            "X-Amz-Target": f"SimpleWorkflowService.{operation}",
        },
    )
    SigV4Auth(Credentials("AKIDTEST", "secret"), "swf", "us-east-1").add_auth(aws)
    host = endpoint.removeprefix("http://")
    lines = ["POST / HTTP/1.1", f"Host: {host}", f"Content-Length: {len(payload)}"]
    lines += [f"{name}: {value}" for name, value in aws.headers.items() if name != "Host"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + payload


class Connection:
    """One raw socket; responses are read in order, each by its Content-Length."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.settimeout(DEADLINE_S)
        self._buffer = b""

    def send(self, *requests: bytes) -> None:
        self.sock.sendall(b"".join(requests))

    def _fill(self) -> None:
        chunk = self.sock.recv(65536)  # raises TimeoutError past the deadline
        assert chunk, "the server closed the connection"
        self._buffer += chunk

    def response(self) -> tuple[int, dict[str, Any]]:
        while b"\r\n\r\n" not in self._buffer:
            self._fill()
        head, self._buffer = self._buffer.split(b"\r\n\r\n", 1)
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        headers = dict(line.lower().split(": ", 1) for line in header_lines)
        length = int(headers["content-length"])
        while len(self._buffer) < length:
            self._fill()
        body, self._buffer = self._buffer[:length], self._buffer[length:]
        return int(status_line.split()[1]), orjson.loads(body) if body else {}

    def closed_by_server(self) -> bool:
        """The server closed the connection once it answered everything queued on it."""
        assert not self._buffer, "the server answered more than was asked"
        return self.sock.recv(1) == b""

    def close(self) -> None:
        self.sock.close()


@pytest.fixture(params=["httptools", "h11"])
def server(request: pytest.FixtureRequest) -> Iterator[LocalServer]:
    settings = Settings(poll_timeout_s=HOLD_S)
    with LocalServer(settings=settings, http=request.param) as running:
        yield running


def wait_until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.005)


def waiting_polls(server: LocalServer, task_list: str) -> int:
    matching = server.app.service.matching
    assert matching is not None
    return sum(len(q.waiters) for key, q in matching._queues.items() if key[2] == task_list)


def pollers(server: LocalServer) -> int:
    matching = server.app.service.matching
    assert matching is not None
    return sum(q.pollers for q in matching._queues.values())


def setup(server: LocalServer, domain: str) -> Any:
    swf = make_client(server.endpoint)
    swf.register_domain(name=domain, workflowExecutionRetentionPeriodInDays="1")
    swf.register_workflow_type(
        domain=domain,
        **WF,
        defaultTaskList={"name": "decisions"},
        defaultTaskStartToCloseTimeout="60",
        defaultExecutionStartToCloseTimeout="600",
        defaultChildPolicy="TERMINATE",
    )
    return swf


def test_a_respond_pipelined_behind_a_waiting_poll_is_answered_at_once(
    server: LocalServer,
) -> None:
    swf = setup(server, "pipelined")
    run = start(swf, "pipelined", "wf-1")
    token = poll_decision(swf, "pipelined")["taskToken"]
    conn = Connection(server.port)
    try:
        poll = {"domain": "pipelined", "taskList": {"name": "idle"}}
        conn.send(request(server.endpoint, "PollForDecisionTask", poll))
        wait_until(lambda: waiting_polls(server, "idle") == 1, "the poll never waited")
        complete = decision("CompleteWorkflowExecution", result="done")
        conn.send(
            request(
                server.endpoint,
                "RespondDecisionTaskCompleted",
                {"taskToken": token, "decisions": [complete]},
            ),
            request(server.endpoint, "DescribeDomain", {"name": "pipelined"}),
        )
        status, answer = conn.response()  # the poll, ended empty by the requests behind it
        assert status == 200 and not answer.get("taskToken")
        assert conn.response() == (200, {})
        status, described = conn.response()
        assert status == 200 and described["domainInfo"]["name"] == "pipelined"
        assert conn.closed_by_server()  # each process that shared it goes on over its own
    finally:
        conn.close()
    described = swf.describe_workflow_execution(domain="pipelined", execution=run)
    assert described["executionInfo"]["closeStatus"] == "COMPLETED"


def test_a_request_written_with_the_poll_ends_it_before_it_waits(server: LocalServer) -> None:
    """The poll and the request behind it in one write: the mark is there before the poll's
    handler runs."""
    setup(server, "together")
    conn = Connection(server.port)
    try:
        poll = {"domain": "together", "taskList": {"name": "idle"}}
        describe = request(server.endpoint, "DescribeDomain", {"name": "together"})
        conn.send(request(server.endpoint, "PollForActivityTask", poll), describe, describe)
        status, answer = conn.response()
        assert status == 200 and not answer.get("taskToken")
        for _ in range(2):
            status, described = conn.response()
            assert status == 200 and described["domainInfo"]["name"] == "together"
        assert conn.closed_by_server()
    finally:
        conn.close()


def test_pipelined_polls_each_end_empty_and_lose_no_task(server: LocalServer) -> None:
    """Two polls queued behind a poll, a task ready for them: whatever the interleaving, the
    task is handed out once, to a poll or (if each ended first) to the next poll."""
    swf = setup(server, "tasks")
    start(swf, "tasks", "wf-2")
    poll = request(
        server.endpoint,
        "PollForDecisionTask",
        {"domain": "tasks", "taskList": {"name": "decisions"}},
    )
    describe = request(server.endpoint, "DescribeDomain", {"name": "tasks"})
    conn = Connection(server.port)
    try:
        conn.send(poll, poll, poll, describe)  # each poll has a request behind it
        answers = [conn.response() for _ in range(3)]
        assert conn.response()[0] == 200
        assert conn.closed_by_server()
    finally:
        conn.close()
    assert all(status == 200 for status, _ in answers)
    tokens = [answer["taskToken"] for _, answer in answers if answer.get("taskToken")]
    assert len(tokens) <= 1
    if not tokens:  # every poll ended before it claimed: the task is still there
        tokens = [poll_decision(swf, "tasks")["taskToken"]]
    swf.respond_decision_task_completed(
        taskToken=tokens[0], decisions=[decision("CompleteWorkflowExecution")]
    )


def test_a_poll_that_is_claiming_when_a_request_queues_behind_it_returns_its_task(
    server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The request behind arrives while the poll claims its task (the Started event is being
    written): the claim is not undone, and the poll answers with the task."""
    swf = setup(server, "claiming")
    run = start(swf, "claiming", "wf-3")
    matching = server.app.service.matching
    assert matching is not None
    claim, poll = matching._claim, matching.poll
    ends: list[asyncio.Event] = []
    claiming = threading.Event()

    async def watched_poll(*args: Any, **kwargs: Any) -> Any:
        ends.append(kwargs["gone"])
        return await poll(*args, **kwargs)

    async def slow_claim(*args: Any) -> Any:
        claiming.set()
        deadline = time.monotonic() + DEADLINE_S
        while not ends[0].is_set():  # the request behind has been seen: claim only now
            assert time.monotonic() < deadline, "the poll never heard of the request behind"
            await asyncio.sleep(0.005)
        return await claim(*args)

    monkeypatch.setattr(matching, "poll", watched_poll)
    monkeypatch.setattr(matching, "_claim", slow_claim)
    conn = Connection(server.port)
    try:
        conn.send(
            request(
                server.endpoint,
                "PollForDecisionTask",
                {"domain": "claiming", "taskList": {"name": "decisions"}},
            )
        )
        assert claiming.wait(DEADLINE_S), "the poll never claimed"
        conn.send(request(server.endpoint, "DescribeDomain", {"name": "claiming"}))
        status, answer = conn.response()
        assert status == 200 and answer["workflowExecution"] == run
        assert conn.response()[0] == 200
        assert conn.closed_by_server()
    finally:
        conn.close()


def test_a_poll_whose_client_left_stops_waiting(server: LocalServer) -> None:
    setup(server, "leaving")
    conn = Connection(server.port)
    poll = {"domain": "leaving", "taskList": {"name": "idle"}}
    conn.send(request(server.endpoint, "PollForActivityTask", poll))
    wait_until(lambda: waiting_polls(server, "idle") == 1, "the poll never waited")
    conn.close()
    wait_until(lambda: pollers(server) == 0, "the poll outlived its connection")


def test_a_connection_that_never_pipelined_stays_open(server: LocalServer) -> None:
    setup(server, "sequential")
    conn = Connection(server.port)
    try:
        for _ in range(3):
            conn.send(request(server.endpoint, "DescribeDomain", {"name": "sequential"}))
            assert conn.response()[0] == 200
        conn.send(
            request(
                server.endpoint,
                "PollForActivityTask",
                {"domain": "sequential", "taskList": {"name": "idle"}},
            )
        )
        wait_until(lambda: waiting_polls(server, "idle") == 1, "the poll never waited")
    finally:
        conn.close()


def test_an_answer_goes_out_in_one_write() -> None:
    """What a response writes (status line, headers, body) reaches the socket as one write,
    so no process reading a shared socket gets half an answer; "100 Continue" is not held."""

    class Transport:
        def __init__(self) -> None:
            self.writes: list[bytes] = []
            self.closed = False

        def write(self, data: bytes) -> None:
            self.writes.append(data)

        def is_closing(self) -> bool:
            return self.closed

        def close(self) -> None:
            self.closed = True

    raw = Transport()
    whole = _WholeWrites(raw)
    whole.write(b"HTTP/1.1 100 Continue\r\n\r\n")
    whole.write(b"HTTP/1.1 200 OK\r\n\r\n")
    whole.write(b"{}")
    assert raw.writes == [b"HTTP/1.1 100 Continue\r\n\r\n"]
    whole.flush()  # the protocol's on_response_complete
    whole.write(b"HTTP/1.1 200 OK\r\nconnection: close\r\n\r\n")
    whole.write(b"[]")
    whole.close()  # the last answer is written before the connection closes
    assert raw.writes[1:] == [
        b"HTTP/1.1 200 OK\r\n\r\n{}",
        b"HTTP/1.1 200 OK\r\nconnection: close\r\n\r\n[]",
    ]
    assert raw.closed
