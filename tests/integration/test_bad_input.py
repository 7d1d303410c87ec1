"""Inputs that once answered 500 answer SWF's 400s now, on both backends, over real HTTP;
request bodies are refused by size without being read whole (raw sockets)."""

from __future__ import annotations

import http.client
import json
import socket
import time
from typing import Any

import pytest

from openswf.testing import LocalServer
from tests.conftest import unique

TARGET = "SimpleWorkflowService."
TOO_LARGE = {
    "__type": "com.amazon.coral.validate#ValidationException",
    "message": "Request size exceeds the limit of 1 MB",
}
SOCKET_TIMEOUT_S = 10


def post(server: LocalServer, operation: str, body: bytes | dict[str, Any]) -> tuple[int, Any]:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        headers = {"X-Amz-Target": TARGET + operation, "Content-Type": "application/x-amz-json-1.0"}
        conn.request("POST", "/", body=data, headers=headers)
        response = conn.getresponse()
        payload = response.read()
        return response.status, json.loads(payload) if payload else None
    finally:
        conn.close()


def fault(answer: tuple[int, Any]) -> str:
    status, body = answer
    assert status == 400, answer
    return str(body["__type"]).rpartition("#")[2]


START = {"workflowId": "w", "workflowType": {"name": "wf", "version": "1"}}


def test_a_5000_digit_task_priority_is_a_validation_error(server: LocalServer, domain: str) -> None:
    answer = post(
        server, "StartWorkflowExecution", {**START, "domain": domain, "taskPriority": "9" * 5000}
    )
    assert fault(answer) == "ValidationException"
    assert (
        "Member must be a whole number between -2147483648 and 2147483647" in answer[1]["message"]
    )


@pytest.mark.parametrize("date", [b"1e308", b"18446744073709551615", b"-1e308"])
def test_an_out_of_range_timestamp_does_not_deserialize(
    server: LocalServer, domain: str, date: bytes
) -> None:
    body = b'{"domain": "%s", "startTimeFilter": {"oldestDate": %s}}' % (domain.encode(), date)
    answer = post(server, "ListOpenWorkflowExecutions", body)
    assert fault(answer) == "SerializationException"
    assert "startTimeFilter.oldestDate" in answer[1]["message"]


def test_a_tag_nested_600_deep_is_a_serialization_error(server: LocalServer, domain: str) -> None:
    nested = "[" * 600 + "]" * 600
    for tags in (nested, nested + ',"a","b","c","d","e"'):
        body = json.dumps({**START, "domain": domain})[:-1] + ', "tagList": [' + tags + "]}"
        answer = post(server, "StartWorkflowExecution", body.encode())
        assert fault(answer) == "SerializationException", answer
        assert "tagList.1.member" in answer[1]["message"]


def test_a_nul_in_a_looked_up_name_is_simply_unknown(server: LocalServer, domain: str) -> None:
    assert fault(post(server, "DescribeDomain", {"name": "a\x00b"})) == "UnknownResourceFault"
    execution = {"workflowId": "w\x00", "runId": "r\x00"}
    answer = post(server, "DescribeWorkflowExecution", {"domain": domain, "execution": execution})
    assert fault(answer) == "UnknownResourceFault"
    answer = post(
        server,
        "DescribeWorkflowType",
        {"domain": domain, "workflowType": {"name": "\x00", "version": "1"}},
    )
    assert fault(answer) == "UnknownResourceFault"
    status, body = post(
        server, "CountPendingActivityTasks", {"domain": domain, "taskList": {"name": "t\x00"}}
    )
    assert (status, body) == (200, {"count": 0, "truncated": False})
    query = {"domain": domain, "startTimeFilter": {"oldestDate": 0}}
    for extra in ({"executionFilter": {"workflowId": "\x00"}}, {"typeFilter": {"name": "\x00"}}):
        status, body = post(server, "CountOpenWorkflowExecutions", {**query, **extra})
        assert (status, body) == (200, {"count": 0, "truncated": False})


def test_a_nul_in_a_created_name_is_refused_by_validation(server: LocalServer) -> None:
    body = {"name": "a\x00b", "workflowExecutionRetentionPeriodInDays": "1"}
    answer = post(server, "RegisterDomain", body)
    assert fault(answer) == "ValidationException"
    assert "control characters" in answer[1]["message"]


def test_a_nul_in_a_description_is_kept_or_refused_never_a_500(server: LocalServer) -> None:
    # SQLite keeps it; PostgreSQL text cannot hold NUL, so that backend refuses it with a 400.
    name = unique("nul")
    body = {"name": name, "workflowExecutionRetentionPeriodInDays": "1", "description": "a\x00b"}
    status, answer = post(server, "RegisterDomain", body)
    if server.db_url.startswith("sqlite"):
        assert status == 200, answer
        status, answer = post(server, "DescribeDomain", {"name": name})
        assert answer["domainInfo"]["description"] == "a\x00b"
    else:
        assert status == 400, answer
        assert answer["__type"] == "com.amazon.coral.validate#ValidationException"
        assert "NUL" in answer["message"]


# --- bodies: refused by size, never read whole ---------------------------------------------


def _read_response(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    """One HTTP/1.1 response read from a raw socket (it has a Content-Length)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise AssertionError(f"connection closed before a response: {data!r}")
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    length = int(headers["content-length"])
    while len(rest) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        rest += chunk
    return int(lines[0].split()[1]), headers, rest[:length]


def _request_head(server: LocalServer, framing: str) -> bytes:
    return (
        f"POST / HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
        f"X-Amz-Target: {TARGET}ListDomains\r\nContent-Type: application/x-amz-json-1.0\r\n"
        f"{framing}\r\n\r\n"
    ).encode()


def test_a_50_mb_content_length_is_refused_at_once_without_the_body(server: LocalServer) -> None:
    with socket.create_connection(("127.0.0.1", server.port), timeout=SOCKET_TIMEOUT_S) as sock:
        sock.sendall(_request_head(server, f"Content-Length: {50 * 1024 * 1024}") + b'{"regis')
        status, headers, body = _read_response(sock)  # answered though the body never comes
    assert status == 400
    assert json.loads(body) == TOO_LARGE
    assert headers.get("connection") == "close"


def test_a_chunked_body_is_refused_once_it_passes_1_mb(server: LocalServer) -> None:
    chunk = b"x" * 65536
    sent = 0
    refused_at: int | None = None
    with socket.create_connection(("127.0.0.1", server.port), timeout=SOCKET_TIMEOUT_S) as sock:
        sock.sendall(_request_head(server, "Transfer-Encoding: chunked"))
        deadline = time.monotonic() + 30
        # Stream up to 50 MB; the server must answer and close long before.
        while sent < 50 * 1024 * 1024 and time.monotonic() < deadline:
            try:
                sock.sendall(b"%x\r\n" % len(chunk) + chunk + b"\r\n")
            except (BrokenPipeError, ConnectionResetError):
                refused_at = sent
                break
            sent += len(chunk)
            sock.settimeout(0)
            try:
                peeked = sock.recv(1, socket.MSG_PEEK)
            except BlockingIOError:
                peeked = b""
            finally:
                sock.settimeout(SOCKET_TIMEOUT_S)
            if peeked:
                refused_at = sent
                break
        assert refused_at is not None, f"no answer after {sent} bytes"
        try:
            status, _headers, body = _read_response(sock)
        except ConnectionResetError:
            pytest.fail("the server reset the connection instead of answering")
    assert status == 400
    assert json.loads(body) == TOO_LARGE
    # Refused soon after the limit: past it, only what the kernel's socket buffers took in.
    assert 1024 * 1024 <= refused_at <= 20 * 1024 * 1024, refused_at


def test_a_body_of_exactly_1_mb_is_read_and_answered(server: LocalServer) -> None:
    body = b'{"registrationStatus": "REGISTERED"}'
    body += b" " * (1024 * 1024 - len(body))
    status, answer = post(server, "ListDomains", body)
    assert status == 200, answer
    status, answer = post(server, "ListDomains", body + b" ")
    assert (status, answer) == (400, TOO_LARGE)
