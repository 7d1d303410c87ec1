"""GET /metrics and GET /readyz on a real server: each metric moves when what it counts
happens (on a manual clock, so waits and lags are exact), labels stay bounded, and readiness
follows the store."""

from __future__ import annotations

import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

from openswf.server.metrics import OTHER, BoundedLabel
from openswf.services.clock import ManualClock
from openswf.services.settings import Settings
from openswf.testing import LocalServer
from tests.conftest import make_client
from tests.integration.swf_helpers import ACT, decide, decision, start

SETTINGS = Settings(poll_timeout_s=5.0, metrics_max_task_lists=3, metrics_max_domains=2)


@pytest.fixture
def local(db_url: str) -> Iterator[LocalServer]:
    with LocalServer(db_url, settings=SETTINGS, clock=ManualClock()) as server:
        yield server


@pytest.fixture
def swf(local: LocalServer) -> Any:
    client = make_client(local.endpoint)
    client.register_domain(name="m", workflowExecutionRetentionPeriodInDays="1")
    client.register_workflow_type(
        domain="m",
        name="wf",
        version="1",
        defaultTaskList={"name": "decisions"},
        defaultExecutionStartToCloseTimeout="3600",
        defaultTaskStartToCloseTimeout="600",
        defaultChildPolicy="TERMINATE",
    )
    client.register_activity_type(
        domain="m",
        name="act",
        version="1",
        defaultTaskList={"name": "activities"},
        defaultTaskScheduleToStartTimeout="600",
        defaultTaskScheduleToCloseTimeout="1200",
        defaultTaskStartToCloseTimeout="600",
        defaultTaskHeartbeatTimeout="NONE",
    )
    return client


def scrape(server: LocalServer) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    with urllib.request.urlopen(server.endpoint + "/metrics") as answer:
        assert answer.headers["Content-Type"].startswith("text/plain")
        text = answer.read().decode()
    samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples: dict[Any, float], name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def wait_for(condition: Callable[[], Any], what: str, timeout: float = 10.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        found = condition()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def test_requests_by_operation_and_fault(local: LocalServer, swf: Any) -> None:
    swf.describe_domain(name="m")
    with pytest.raises(swf.exceptions.UnknownResourceFault):
        swf.describe_domain(name="absent")
    samples = scrape(local)
    ok = ("openswf_requests_total", "DescribeDomain", "none")
    assert value(samples, ok[0], operation=ok[1], fault=ok[2]) == 1
    assert (
        value(
            samples,
            "openswf_requests_total",
            operation="DescribeDomain",
            fault="UnknownResourceFault",
        )
        == 1
    )
    assert value(samples, "openswf_requests_total", operation="RegisterDomain", fault="none") == 1
    count = value(samples, "openswf_request_duration_seconds_count", operation="DescribeDomain")
    assert count == 2
    # A target no operation has is one "unknown" series, whatever it says.
    for target in ("SimpleWorkflowService.Nope1", "SimpleWorkflowService.Nope2"):
        request = urllib.request.Request(
            local.endpoint, data=b"{}", headers={"X-Amz-Target": target}, method="POST"
        )
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(request)
    samples = scrape(local)
    assert (
        value(
            samples,
            "openswf_requests_total",
            operation="unknown",
            fault="UnknownOperationException",
        )
        == 2
    )


def test_backlog_waiting_polls_and_schedule_to_start(local: LocalServer, swf: Any) -> None:
    runs = [start(swf, "m", f"w{n}") for n in range(3)]
    samples = scrape(local)
    backlog = (
        "openswf_task_backlog",
        {"kind": "decision", "domain": "m", "task_list": "decisions"},
    )
    assert value(samples, backlog[0], **backlog[1]) == 3
    # Decision tasks wait 7 s on the manual clock before the first is taken.
    local.advance(7)
    decide(swf, "m", [decision("ScheduleActivityTask", activityType=ACT, activityId="a")])
    samples = scrape(local)
    assert value(samples, backlog[0], **backlog[1]) == 2
    activity = {"kind": "activity", "domain": "m", "task_list": "activities"}
    assert value(samples, backlog[0], **activity) == 1
    started = {"kind": "decision", "domain": "m", "task_list": "decisions"}
    assert value(samples, "openswf_task_schedule_to_start_seconds_count", **started) == 1
    assert value(samples, "openswf_task_schedule_to_start_seconds_sum", **started) == 7.0
    # A poll waiting on an empty list shows as a waiting poll while it waits.
    poller = threading.Thread(
        target=lambda: make_client(local.endpoint).poll_for_activity_task(
            domain="m", taskList={"name": "idle"}
        )
    )
    poller.start()
    idle = {"kind": "activity", "domain": "m", "task_list": "idle"}
    wait_for(lambda: value(scrape(local), "openswf_polls_waiting", **idle) == 1, "a waiting poll")
    poller.join()
    assert value(scrape(local), "openswf_polls_waiting", **idle) == 0
    for run in runs:
        swf.terminate_workflow_execution(domain="m", **run)
    assert value(scrape(local), backlog[0], **backlog[1]) == 0


def test_timer_lag_and_executions_by_close_status(local: LocalServer, swf: Any) -> None:
    start(swf, "m", "timed")
    decide(swf, "m", [decision("StartTimer", timerId="t", startToFireTimeout="10")])
    local.advance(30)  # the timer was due 20 s before the clock got there

    # The server's own timer loop may be the one that fires it, a moment after advance().
    def fired() -> Any:
        found = scrape(local)
        return found if value(found, "openswf_timer_lag_seconds_count") >= 1 else None

    samples = wait_for(fired, "the timer to fire")
    assert value(samples, "openswf_timer_lag_seconds_sum") == pytest.approx(
        20.0 * value(samples, "openswf_timer_lag_seconds_count")
    )
    decide(swf, "m", [decision("CompleteWorkflowExecution")])
    start(swf, "m", "failing")
    decide(swf, "m", [decision("FailWorkflowExecution", reason="no")])
    start(swf, "m", "again")
    decide(swf, "m", [decision("ContinueAsNewWorkflowExecution")])
    samples = scrape(local)
    assert value(samples, "openswf_executions_started_total") == 4  # 3 starts, 1 continued
    for status in ("COMPLETED", "FAILED", "CONTINUED_AS_NEW"):
        assert value(samples, "openswf_executions_closed_total", status=status) == 1
    assert value(samples, "openswf_commit_duration_seconds_count") > 0


def test_commit_batches_are_observed_on_sqlite(local: LocalServer, swf: Any) -> None:
    if not local.db_url.startswith("sqlite"):
        pytest.skip("group commit batches are SQLite's")
    start(swf, "m", "one")
    samples = scrape(local)
    assert value(samples, "openswf_commit_batch_size_count") >= 1
    assert value(samples, "openswf_commit_batch_size_sum") >= value(
        samples, "openswf_commit_batch_size_count"
    )


def test_task_lists_past_the_bound_count_as_other(local: LocalServer, swf: Any) -> None:
    # SETTINGS allow 3 task lists: the 4th and 5th are aggregated under "other".
    for n in range(5):
        start(swf, "m", f"list{n}", taskList={"name": f"tl{n}"})
    samples = scrape(local)
    lists = {
        dict(labels)["task_list"]: v
        for (name, labels), v in samples.items()
        if name == "openswf_task_backlog"
    }
    assert lists == {"tl0": 1, "tl1": 1, "tl2": 1, OTHER: 2}


def test_readyz_follows_the_store(local: LocalServer, swf: Any, monkeypatch: Any) -> None:
    with urllib.request.urlopen(local.endpoint + "/readyz") as answer:
        assert answer.status == 200
    with urllib.request.urlopen(local.endpoint + "/healthz") as answer:
        assert answer.status == 200

    async def unavailable(region: str) -> int:
        raise ConnectionError("database is away")

    monkeypatch.setattr(local.app.service.store, "count_domains", unavailable)
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(local.endpoint + "/readyz")
    assert refused.value.code == 503
    assert b"database is away" in refused.value.read()
    assert value(scrape(local), "openswf_ready") == 0
    # Liveness does not depend on the store.
    with urllib.request.urlopen(local.endpoint + "/healthz") as answer:
        assert answer.status == 200


def test_bounded_label() -> None:
    label = BoundedLabel(2)
    assert [label(v) for v in ("a", "b", "c", "a", "d", "b")] == ["a", "b", OTHER, "a", OTHER, "b"]
