"""Helpers for the tests of long polls: a poll on a raw socket (so a test decides when its
client goes away), condition waits on the server's own counts, and a domain with types."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import orjson

from openswf.services.matching import MatchingService
from openswf.testing import LocalServer


def wait_until(condition: Callable[[], bool], what: str, deadline_s: float = 15.0) -> None:
    tick = threading.Event()
    deadline = time.monotonic() + deadline_s
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting until {what}"
        tick.wait(0.01)


def matching(server: LocalServer) -> MatchingService:
    found = server.app.service.matching
    assert found is not None, "server is not started"
    return found


def waiting(server: LocalServer) -> int:
    """Polls waiting for a task on the server, as the server counts them."""
    return int(server.call(lambda: matching(server).waiting()))


def polls(server: LocalServer) -> int:
    """Polls in progress on the server (waiting, reading or claiming)."""
    return int(server.call(lambda: matching(server).polls()))


class RawPoll:
    """A long poll sent on a socket of its own; ``hang_up`` is its client going away."""

    def __init__(self, server: LocalServer, domain: str, task_list: str, kind: str) -> None:
        parts = urlsplit(server.endpoint)
        body = orjson.dumps({"domain": domain, "taskList": {"name": task_list}})
        head = (
            "POST / HTTP/1.1\r\n"
            f"Host: {parts.netloc}\r\n"
            "Content-Type: application/x-amz-json-1.0\r\n"
            f"X-Amz-Target: SimpleWorkflowService.PollFor{kind}Task\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        )
        self._sock = socket.create_connection((parts.hostname, parts.port), timeout=30)
        self._sock.sendall(head.encode() + body)

    def hang_up(self) -> None:
        self._sock.shutdown(socket.SHUT_RDWR)
        self._sock.close()


def register(swf: Any, name: str) -> str:
    """A domain with a workflow type ``wf``/``1`` (decisions) and an activity ``act``/``1``."""
    swf.register_domain(name=name, workflowExecutionRetentionPeriodInDays="1")
    swf.register_workflow_type(
        domain=name,
        name="wf",
        version="1",
        defaultTaskList={"name": "decisions"},
        defaultExecutionStartToCloseTimeout="3600",
        defaultTaskStartToCloseTimeout="600",
        defaultChildPolicy="TERMINATE",
    )
    swf.register_activity_type(
        domain=name,
        name="act",
        version="1",
        defaultTaskList={"name": "activities"},
        defaultTaskScheduleToStartTimeout="600",
        defaultTaskScheduleToCloseTimeout="1200",
        defaultTaskStartToCloseTimeout="600",
        defaultTaskHeartbeatTimeout="NONE",
    )
    return name
