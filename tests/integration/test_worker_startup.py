"""Workers survive start-up order and server restarts, and say what they do at INFO: one
line while they wait for a server or a domain (not one per poller), one when it answers."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from openswf.sdk import (
    ActivityTask,
    ActivityWorker,
    Client,
    DeciderSpec,
    DecisionWorker,
    GraphDecider,
    Registry,
    WorkflowType,
    activity,
    ensure_domain,
    wait_for_result,
)
from openswf.sdk.history import DecisionTask
from openswf.services.settings import Settings
from openswf.testing import LocalServer, free_port
from tests.conftest import unique


@activity(name="startup.echo", version="1", task_list="startup")
def echo(context: Any) -> Any:
    return context.workflow_input


def wait_until(condition: Callable[[], bool], deadline_s: float = 30.0) -> None:
    deadline = time.monotonic() + deadline_s
    while not condition():
        assert time.monotonic() < deadline, "condition not met before the deadline"
        time.sleep(0.02)


def messages(caplog: pytest.LogCaptureFixture, needle: str) -> list[str]:
    return [r.getMessage() for r in caplog.records if needle in r.getMessage()]


class CountingDecider(DecisionWorker):
    """Counts failed polls, so the test knows several backoff steps went by."""

    failures = 0

    def poll(self, client: Client) -> DecisionTask | None:
        try:
            return super().poll(client)
        except Exception:
            self.failures += 1
            raise


def test_workers_started_before_the_domain_wait_for_it(
    server: LocalServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="openswf.sdk")
    client = Client(server.endpoint)
    domain = unique("early")
    spec = DeciderSpec(domain=domain, task_list="startup-decisions", tasks=[ActivityTask(echo)])
    worker = ActivityWorker(client, domain, "startup", Registry([echo])).start()
    decider = CountingDecider(client, domain, spec.task_list, GraphDecider(spec), concurrency=4)
    decider.start()
    try:
        wait_until(lambda: decider.failures >= 8)  # four pollers, at least two backoff steps
        assert len(messages(caplog, "waiting to start")) == 1  # the worker's registration
        assert len(messages(caplog, "poll failed")) == 1  # four pollers, one line
        kind = WorkflowType("early", "1", task_list=spec.task_list)
        ensure_domain(client, domain)
        kind.register(client, domain)
        run_id = kind.start(client, domain, "early-1", {"hello": "there"})
        result = wait_for_result(client, domain, "early-1", run_id, timeout=30)
        assert list(result.values()) == [{"hello": "there"}]
    finally:
        worker.stop()
        decider.stop()
        client.close()
    assert len(messages(caplog, "started after waiting")) == 1
    assert len(messages(caplog, "polls answer again")) == 1
    assert messages(caplog, "started startup.echo/1")
    assert messages(caplog, "completed startup.echo")
    assert messages(caplog, "decided early-1")


def test_workers_reconnect_after_a_server_restart(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="openswf.sdk")
    db_url = f"sqlite:///{tmp_path / 'restart.db'}"
    port = free_port()
    settings = Settings(poll_timeout_s=1.0)
    domain = unique("restart")
    spec = DeciderSpec(domain=domain, task_list="restart-decisions", tasks=[ActivityTask(echo)])
    kind = WorkflowType("restart", "1", task_list=spec.task_list)
    first = LocalServer(db_url, settings=settings, port=port).start()
    client = Client(first.endpoint)
    ensure_domain(client, domain)
    kind.register(client, domain)
    worker = ActivityWorker(client, domain, "startup", Registry([echo]), concurrency=2).start()
    decider = CountingDecider(client, domain, spec.task_list, GraphDecider(spec)).start()
    try:
        first.stop()
        wait_until(lambda: decider.failures >= 4)
        assert len(messages(caplog, "poll failed")) == 2  # one for the worker, one the decider
        with LocalServer(db_url, settings=settings, port=port):
            run_id = kind.start(client, domain, "after-restart", 7)
            result = wait_for_result(client, domain, "after-restart", run_id, timeout=30)
            assert list(result.values()) == [7]
            worker.stop()
            decider.stop()
    finally:
        worker.stop()
        decider.stop()
        client.close()
    assert len(messages(caplog, "polls answer again")) == 2


def test_a_workflow_type_s_default_lambda_role_is_registered(server: LocalServer) -> None:
    client = Client(server.endpoint)
    domain = unique("role")
    ensure_domain(client, domain)
    role = "arn:aws:iam::123456789012:role/openswf-lambda"
    WorkflowType("with-role", "1", task_list="x", lambda_role=role).register(client, domain)
    described = client.describe_workflow_type(
        domain=domain, workflowType={"name": "with-role", "version": "1"}
    )
    assert described["configuration"]["defaultLambdaRole"] == role
    client.close()
