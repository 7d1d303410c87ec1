"""Shared fixtures: a real openswf server on a free port, and boto3 clients for it."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import boto3
import orjson
import pytest
from botocore.config import Config

from openswf.sdk import AsyncClient, Client
from openswf.services.settings import Settings
from openswf.testing import LocalServer, check_history
from tests import databases

# Short holds keep empty polls quick in tests; tests of the hold itself set their own.
TEST_POLL_TIMEOUT_S = 1.0
# The session server outlives hundreds of tests that each register a domain: SWF's quota of
# 100 domains per region would run out (its own test uses a server of its own).
TEST_SETTINGS = Settings(poll_timeout_s=TEST_POLL_TIMEOUT_S, max_domains=100_000)

_names = itertools.count()


def make_client(endpoint: str, region: str = "us-east-1") -> Any:
    """A boto3 client for the server under test. Every whole history it reads is checked
    against SWF's rules (openswf.testing.check_history), so every test that reads histories
    also proves them well-formed."""
    client = boto3.client(
        "swf",
        endpoint_url=endpoint,
        region_name=region,
        aws_access_key_id="AKIDTEST",
        aws_secret_access_key="secret",
        config=Config(read_timeout=70, retries={"max_attempts": 1}),
    )
    return check_histories(client)


def check_histories(client: Any) -> Any:
    """Have ``client`` (boto3) check every whole history it reads against SWF's rules: from
    GetWorkflowExecutionHistory, and in the decision tasks it polls."""
    events = client.meta.events
    for operation in ("GetWorkflowExecutionHistory", "PollForDecisionTask"):
        events.register(f"before-parameter-build.swf.{operation}", _note_whole)
        events.register(f"after-call.swf.{operation}", _check_history)
    return client


def _note_whole(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
    # Only a read from event 1, oldest first, can be checked as a history.
    context["whole_history"] = _whole(params)


def _whole(params: Mapping[str, Any]) -> bool:
    return not (
        params.get("reverseOrder")
        or params.get("nextPageToken")
        or params.get("startAtPreviousStartedEvent")  # a decision task's tail only
    )


def _check_history(http_response: Any, context: dict[str, Any], **_: Any) -> None:
    if http_response.status_code != 200 or not context.get("whole_history"):
        return
    _check_answer(orjson.loads(http_response.content))


def _check_answer(answer: Mapping[str, Any]) -> None:
    if answer.get("events") and not answer.get("nextPageToken"):
        check_history(answer["events"])


@pytest.fixture(autouse=True, scope="session")
def _sdk_clients_check_histories() -> Iterator[None]:
    """openswf.sdk's clients check every whole history they read too (as boto3's above): the
    framework's tests prove the histories their workflows made well-formed."""
    originals = {
        (cls, name): getattr(cls, name)
        for cls in (Client, AsyncClient)
        for name in ("get_workflow_execution_history", "poll_for_decision_task")
    }

    def checked(read: Any) -> Any:
        def call(self: Any, **params: Any) -> Any:
            answer = read(self, **params)
            if _whole(params):
                _check_answer(answer)
            return answer

        return call

    def achecked(read: Any) -> Any:
        async def call(self: Any, **params: Any) -> Any:
            answer = await read(self, **params)
            if _whole(params):
                _check_answer(answer)
            return answer

        return call

    for (cls, name), read in originals.items():
        setattr(cls, name, achecked(read) if cls is AsyncClient else checked(read))
    yield
    for (cls, name), read in originals.items():
        setattr(cls, name, read)


# --- the storage backends under test ---------------------------------------------------
# Tests that use ``server`` (and so ``swf`` and ``domain``) or ``db_url`` run once per
# backend: test ids end in [sqlite] or [postgres]. PostgreSQL is used when OPENSWF_TEST_POSTGRES
# names it or when it answers at the default URL (tests/databases.py); otherwise its tests are
# skipped, and the session ends with a banner saying so.
BACKENDS = ["sqlite", "postgres"]


class Databases:
    """Fresh databases for one test session; each is dropped when its user is done."""

    def __init__(self, folder: Path) -> None:
        self._folder = folder
        self._count = itertools.count()

    def new(self, backend: str) -> str:
        if backend == "sqlite":
            return f"sqlite:///{self._folder / f'openswf-{next(self._count)}.db'}"
        admin, _ = databases.admin_url()
        assert admin is not None
        return databases.create_database(admin)

    def drop(self, url: str) -> None:
        admin, _ = databases.admin_url()
        if url.startswith("postgresql:") and admin is not None:
            databases.drop_database(admin, url)


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    if name == "postgres":
        admin, why_not = databases.admin_url()
        if admin is None:
            pytest.skip(why_not)
    return name


@pytest.fixture(scope="session")
def session_databases(tmp_path_factory: pytest.TempPathFactory) -> Databases:
    return Databases(tmp_path_factory.mktemp("databases"))


@pytest.fixture
def db_url(backend: str, session_databases: Databases) -> Iterator[str]:
    """A new, empty database of the backend under test, for a test's own ``LocalServer``."""
    url = session_databases.new(backend)
    yield url
    session_databases.drop(url)


@pytest.fixture(scope="session")
def server(backend: str, session_databases: Databases) -> Iterator[LocalServer]:
    url = session_databases.new(backend)
    with LocalServer(url, settings=TEST_SETTINGS) as running:
        yield running
    session_databases.drop(url)


@pytest.hookimpl(wrapper=True, tryfirst=True)  # after the short summary, just above the counts
def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> Iterator[None]:
    yield
    if databases.admin_url.cache_info().currsize == 0:
        return  # no test asked for PostgreSQL
    admin, why_not = databases.admin_url()
    if admin is None:
        terminalreporter.write_sep("!", why_not, red=True, bold=True)
        terminalreporter.write_line(
            f"Set {databases.ENV}=postgresql://USER@HOST:PORT/DB to run them.", red=True
        )


@pytest.fixture(scope="session")
def swf(server: LocalServer) -> Any:
    return make_client(server.endpoint)


def unique(prefix: str) -> str:
    return f"{prefix}-{os.getpid()}-{next(_names)}"


@pytest.fixture
def domain(swf: Any) -> str:
    """A fresh domain with a workflow type ``wf``/``1`` and an activity type ``act``/``1``,
    both with every default set, so tests start executions and schedule activities plainly."""
    name = unique("dom")
    swf.register_domain(name=name, workflowExecutionRetentionPeriodInDays="1")
    swf.register_workflow_type(
        domain=name,
        name="wf",
        version="1",
        defaultTaskList={"name": "decisions"},
        defaultExecutionStartToCloseTimeout="3600",
        defaultTaskStartToCloseTimeout="60",
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
