"""The framework's LambdaWorker runs ScheduleLambdaFunction decisions' functions."""

from __future__ import annotations

import time
from typing import Any

from openswf.sdk import Client, LambdaWorker
from openswf.testing import LocalServer
from tests.conftest import make_client, unique
from tests.integration.swf_helpers import decide, decision, start, wait_for_event

ROLE = "arn:aws:iam::123456789012:role/swf-lambda"


def double(value: int) -> int:
    return value * 2


def explode(value: Any) -> None:
    raise ValueError(f"cannot take {value!r}")


def test_functions_run_by_name_and_failures_are_recorded(server: LocalServer, domain: str) -> None:
    swf = make_client(server.endpoint)
    run = start(swf, domain, unique("lambdas"), lambdaRole=ROLE)
    decide(
        swf,
        domain,
        [
            decision("ScheduleLambdaFunction", id="ok", name="double", input="21"),
            decision("ScheduleLambdaFunction", id="bad", name="explode", input='"x"'),
            decision("ScheduleLambdaFunction", id="who", name="missing"),
        ],
    )
    worker = LambdaWorker(
        Client(server.endpoint, region="us-east-1"),
        domain,
        [double, explode],
        concurrency=2,
    ).start()
    try:
        deadline = time.monotonic() + 10
        while worker.completed + worker.failed < 3:
            assert time.monotonic() < deadline, "the worker did not run every function"
            time.sleep(0.01)
    finally:
        worker.stop()
    events = wait_for_event(swf, domain, run, "LambdaFunctionCompleted")
    by_type = {e["eventType"]: e for e in events}
    assert (
        by_type["LambdaFunctionCompleted"]["lambdaFunctionCompletedEventAttributes"]["result"]
        == "42"
    )
    failures = [
        e["lambdaFunctionFailedEventAttributes"]
        for e in events
        if e["eventType"] == "LambdaFunctionFailed"
    ]
    reasons = sorted(f["reason"] for f in failures)
    assert reasons[0].startswith("ValueError: cannot take 'x'")
    assert "unknown activity type missing" in reasons[1]
    assert (worker.completed, worker.failed) == (1, 2)
