"""Telling a long poll that a request is queued behind it on its connection.

HTTP/1.1 answers pipelined requests in order, so uvicorn starts a request that arrived on a
connection only once the request before it has been answered. Clients that share one
keep-alive connection between processes (simpleflow forks its pollers after a first call, and
the children inherit urllib3's pooled socket) pipeline, say, a RespondDecisionTaskCompleted
behind a PollForDecisionTask: the respond would wait for the poll's whole minute. An empty poll
answer is always legal in SWF, so a poll with a request queued behind it ends empty at once
(docs/architecture.md, "Pipelined requests").

uvicorn has no hook for this, so these subclasses of its two HTTP/1.1 protocols mark the scope
of a request that another request is queued behind (``scope[PIPELINED] = True``), then set the
request's message event: its ``receive()`` returns, and the app's watcher
(server/app.py) reads the mark. The work is done only when a request is queued behind another;
an ordinary request pays one attribute read. tests/integration/test_pipelining.py pins the
uvicorn behaviour this relies on, for both protocols.
"""

from __future__ import annotations

import asyncio
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

PIPELINED = "openswf.pipelined"


def _mark(cycle: Any) -> None:
    """``cycle`` is a uvicorn RequestResponseCycle: the scope it hands the app, and the event
    its ``receive()`` waits on, are shared with that app."""
    if not cycle.response_complete and not cycle.scope.get(PIPELINED):
        cycle.scope[PIPELINED] = True
        cycle.message_event.set()


class _WholeWrites:
    """A transport that holds what a response writes (status line, headers, body) and sends
    it in one write when the response is complete. Of several processes reading one
    connection, one then reads a whole answer, and none reads half of one and waits for the
    rest that another process took; it also saves a send per response."""

    HOLD_BYTES = 256 * 1024  # past this, a response goes out as it comes

    def __init__(self, transport: Any) -> None:
        self.raw = transport
        self._held: list[bytes] = []
        self._size = 0

    def write(self, data: bytes) -> None:
        if data.startswith(b"HTTP/1.1 100 "):  # "100 Continue" must not wait for the answer
            self.flush()
            self.raw.write(data)
            return
        self._held.append(data)
        self._size += len(data)
        if self._size > self.HOLD_BYTES:
            self.flush()

    def flush(self) -> None:
        if self._held:
            data = b"".join(self._held)
            self._held.clear()
            self._size = 0
            if not self.raw.is_closing():
                self.raw.write(data)

    def close(self) -> None:
        self.flush()
        self.raw.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.raw, name)


class _Connection:
    """What both protocols add: whole writes on every connection and, once a connection has
    pipelined (it is then most likely written by several processes, any of which may read
    any answer), a close after the last request queued on it is answered, so that each
    process goes on over a connection of its own. The last request known closes the
    connection; when another arrives behind it, that one closes it instead."""

    transport: Any
    _closer: Any = None  # the cycle whose answer closes the connection

    def connection_made(self, transport: Any) -> None:
        super().connection_made(_WholeWrites(transport))  # type: ignore[misc]

    def on_response_complete(self) -> None:
        self.transport.flush()
        super().on_response_complete()  # type: ignore[misc]

    def handle_websocket_upgrade(self, *args: Any) -> None:
        self.transport.flush()  # a WebSocket protocol writes as it goes
        self.transport = self.transport.raw
        super().handle_websocket_upgrade(*args)  # type: ignore[misc]

    def _close_after(self, cycle: Any) -> None:
        previous = self._closer
        if previous is not None and previous is not cycle and not previous.response_started:
            previous.keep_alive = True
        cycle.keep_alive = False
        self._closer = cycle


class PipelineAwareH11(_Connection, H11Protocol):
    """h11 keeps a pipelined request in its receive buffer and answers PAUSED until the
    current response is complete: a request has one behind it when h11 holds data while the
    current request is fully read."""

    _pipelined = False

    def handle_events(self) -> None:
        super().handle_events()
        cycle = self.cycle
        if (
            cycle is not None
            and self.conn.their_state is h11.DONE
            and self.conn.our_state is not h11.DONE
        ):
            if self.conn.trailing_data[0]:
                _mark(cycle)
                if cycle is self._closer and not cycle.response_started:
                    cycle.keep_alive = True
                    self._closer = None
                self._pipelined = True
            elif self._pipelined and self._closer is None:
                self._close_after(cycle)


class PipelineAwareHttpTools(_Connection, HttpToolsProtocol):
    """httptools parses a pipelined request at once, makes it the protocol's current cycle
    and queues it until the one before it is answered: the one before it is then the
    previous current cycle, still unanswered."""

    def on_headers_complete(self) -> None:
        previous = self.cycle
        super().on_headers_complete()
        cycle = self.cycle
        if previous is not None and cycle is not previous and not previous.response_complete:
            _mark(previous)
            self._close_after(cycle)


def http_protocol(name: str = "auto") -> type[asyncio.Protocol]:
    """The protocol class for ``uvicorn.Config(http=...)``; "auto" is httptools, as for
    uvicorn (httptools comes with uvicorn[standard])."""
    if name in ("auto", "httptools"):
        return PipelineAwareHttpTools
    if name == "h11":
        return PipelineAwareH11
    raise ValueError(f"unknown HTTP protocol {name!r} (auto, httptools, h11)")
