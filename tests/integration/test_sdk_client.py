"""The SDK's client against a real openswf server: sync and async, faults, paging."""

from __future__ import annotations

import asyncio
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest

from openswf.sdk import AsyncClient, Client, WorkflowType, ensure_domain
from openswf.sdk.errors import ConnectionAborted, UnknownResourceFault, ValidationException
from openswf.sdk.history import get_history
from openswf.services.settings import Settings
from openswf.testing import LocalServer
from tests.conftest import unique


@pytest.fixture(scope="module")
def client(server: LocalServer) -> Client:
    return Client(server.endpoint)


def test_every_operation_is_a_method(client: Client) -> None:
    from openswf.protocol.model import OPERATIONS
    from openswf.sdk._codegen import snake

    for operation in OPERATIONS:
        assert callable(getattr(client, snake(operation)))


def test_register_describe_and_faults(client: Client) -> None:
    name = unique("sdk")
    ensure_domain(client, name)
    ensure_domain(client, name)  # idempotent
    assert client.describe_domain(name=name)["domainInfo"]["name"] == name
    with pytest.raises(UnknownResourceFault):
        client.describe_domain(name=unique("missing"))
    with pytest.raises(ValidationException):
        client.list_domains(registrationStatus="BOGUS")  # type: ignore[arg-type]


def test_start_visibility_with_datetimes_and_paged_history(client: Client) -> None:
    domain = unique("sdk")
    ensure_domain(client, domain)
    wf = WorkflowType("w", task_list="nobody")
    wf.register(client, domain)
    for n in range(3):
        run_id = wf.start(client, domain, f"wf-{n}", {"n": n})
    since = datetime.now(UTC) - timedelta(minutes=5)
    listed = client.list_open_workflow_executions(
        domain=domain, startTimeFilter={"oldestDate": since}
    )
    assert len(listed["executionInfos"]) == 3
    assert isinstance(listed["executionInfos"][0]["startTimestamp"], float)
    for n in range(4):
        client.signal_workflow_execution(domain=domain, workflowId="wf-2", signalName=f"s{n}")
    events = get_history(client, domain, "wf-2", run_id, page_size=2)
    assert [e["eventId"] for e in events] == list(range(1, len(events) + 1))
    assert sum(e["eventType"] == "WorkflowExecutionSignaled" for e in events) == 4


def test_async_client(server: LocalServer) -> None:
    async def main() -> list[str]:
        async with AsyncClient(server.endpoint) as aclient:
            domain = unique("sdk-async")
            await aclient.register_domain(name=domain, workflowExecutionRetentionPeriodInDays="1")
            answers = await asyncio.gather(
                *(aclient.describe_domain(name=domain) for _ in range(8))
            )
            with pytest.raises(UnknownResourceFault):
                await aclient.describe_domain(name=unique("missing"))
            return [a["domainInfo"]["name"] for a in answers]

    names = asyncio.run(main())
    assert len(set(names)) == 1 and len(names) == 8


def test_abort_requests_ends_a_waiting_poll_at_once() -> None:
    with LocalServer(settings=Settings(poll_timeout_s=60)) as server:
        client = Client(server.endpoint)
        domain = unique("sdk-abort")
        ensure_domain(client, domain)
        outcome: list[BaseException] = []

        def poll() -> None:
            try:
                client.poll_for_activity_task(domain=domain, taskList={"name": "empty"})
            except BaseException as error:  # noqa: BLE001 - recorded for the assertion
                outcome.append(error)

        thread = threading.Thread(target=poll)
        thread.start()
        deadline = time.monotonic() + 10
        while not client._transport._busy and time.monotonic() < deadline:
            thread.join(0.01)
        started = time.monotonic()
        client.abort_requests()
        thread.join(10)
        assert time.monotonic() - started < 5
        assert outcome and isinstance(outcome[0], ConnectionAborted)
        # The client stays usable.
        assert client.describe_domain(name=domain)["domainInfo"]["name"] == domain
