"""Retention (reference §6.13): closed executions past their domain's retention period are
purged, with their history, from describe, history and the closed visibility calls. Driven
through boto3 on a manual clock: no test sleeps. Each test runs on every storage backend; the
database is also read directly, to check that nothing of a purged run is left behind."""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest

from openswf.services.clock import ManualClock
from openswf.services.settings import Settings
from openswf.storage.sqlite import sqlfiles
from openswf.storage.sqlite.store import Q
from openswf.testing import LocalServer
from tests.conftest import Databases, make_client, unique

WF = {"name": "wf", "version": "1"}
DAY = 86_400
EVERYTHING = {"oldestDate": 0}
TABLES = ("executions", "events", "tasks", "timers", "execution_tags")
GONE = dict.fromkeys(TABLES, 0)


@pytest.fixture(scope="module")
def timed(backend: str, session_databases: Databases) -> Iterator[LocalServer]:
    # A sweep interval far longer than any test: only advance() and explicit sweeps purge.
    settings = Settings(poll_timeout_s=0.2, retention_sweep_s=10 * 365 * DAY, retention_batch=2)
    url = session_databases.new(backend)
    with LocalServer(url, settings=settings, clock=ManualClock()) as server:
        yield server
    session_databases.drop(url)


def sql(server: LocalServer, statement: str, *params: Any) -> list[tuple[Any, ...]]:
    """Run one statement straight on the server's database (``?`` placeholders)."""
    if server.db_url.startswith("sqlite:"):
        path = server.db_url.removeprefix("sqlite:///")
        with contextlib.closing(sqlite3.connect(path, timeout=10)) as conn:
            rows = conn.execute(statement, params).fetchall()
            conn.commit()
            return rows
    with psycopg.connect(server.db_url, autocommit=True) as pg:
        cursor = pg.execute(statement.replace("?", "%s"), params)
        return cursor.fetchall() if cursor.description else []


@pytest.fixture
def client(timed: LocalServer) -> Any:
    return make_client(timed.endpoint)


def domain_with(client: Any, retention: str) -> str:
    name = unique("keep")
    client.register_domain(name=name, workflowExecutionRetentionPeriodInDays=retention)
    client.register_workflow_type(
        domain=name,
        name="wf",
        version="1",
        defaultTaskList={"name": "decisions"},
        defaultExecutionStartToCloseTimeout="31536000",
        defaultTaskStartToCloseTimeout="30",
        defaultChildPolicy="TERMINATE",
    )
    return name


def start(client: Any, dom: str) -> dict[str, str]:
    workflow_id = unique("wf")
    run_id = client.start_workflow_execution(
        domain=dom, workflowId=workflow_id, workflowType=WF, tagList=["purge-me"]
    )["runId"]
    return {"workflowId": workflow_id, "runId": run_id}


def closed_run(client: Any, dom: str) -> dict[str, str]:
    run = start(client, dom)
    client.terminate_workflow_execution(domain=dom, workflowId=run["workflowId"], reason="done")
    return run


def completed_run(client: Any, dom: str) -> dict[str, str]:
    run = start(client, dom)
    task = client.poll_for_decision_task(domain=dom, taskList={"name": "decisions"})
    assert task["workflowExecution"] == run
    client.respond_decision_task_completed(
        taskToken=task["taskToken"],
        decisions=[
            {
                "decisionType": "CompleteWorkflowExecution",
                "completeWorkflowExecutionDecisionAttributes": {"result": "ok"},
            }
        ],
    )
    return run


def exists(client: Any, dom: str, run: dict[str, str]) -> bool:
    """Describe and history agree: both answer, or both say UnknownResourceFault."""
    try:
        client.describe_workflow_execution(domain=dom, execution=run)
    except client.exceptions.UnknownResourceFault:
        with pytest.raises(client.exceptions.UnknownResourceFault):
            client.get_workflow_execution_history(domain=dom, execution=run)
        return False
    assert client.get_workflow_execution_history(domain=dom, execution=run)["events"]
    return True


def closed_ids(client: Any, dom: str) -> set[str]:
    infos = client.list_closed_workflow_executions(domain=dom, startTimeFilter=EVERYTHING)[
        "executionInfos"
    ]
    by_close = client.list_closed_workflow_executions(domain=dom, closeTimeFilter=EVERYTHING)[
        "executionInfos"
    ]
    ids = {info["execution"]["runId"] for info in infos}
    assert ids == {info["execution"]["runId"] for info in by_close}
    count = client.count_closed_workflow_executions(domain=dom, startTimeFilter=EVERYTHING)
    assert count["count"] == len(ids)
    return ids


def sweep(server: LocalServer) -> int:
    return int(server.call(server.app.service.sweep_retention))


def rows_of(server: LocalServer, run_id: str) -> dict[str, int]:
    """What the database still holds for a run, table by table."""
    return {
        table: sql(server, f"SELECT count(*) FROM {table} WHERE run_id = ?", run_id)[0][0]
        for table in TABLES
    }


def test_a_closed_run_is_kept_for_the_retention_period_then_purged(
    timed: LocalServer, client: Any
) -> None:
    dom = domain_with(client, "1")
    closed = completed_run(client, dom)
    running = start(client, dom)
    assert rows_of(timed, closed["runId"])["events"] > 0
    assert rows_of(timed, closed["runId"])["execution_tags"] == 1

    timed.advance(DAY - 1)
    assert exists(client, dom, closed)
    assert closed_ids(client, dom) == {closed["runId"]}

    timed.advance(1)
    assert not exists(client, dom, closed)
    assert closed_ids(client, dom) == set()
    assert (
        client.count_closed_workflow_executions(
            domain=dom, closeTimeFilter=EVERYTHING, closeStatusFilter={"status": "COMPLETED"}
        )["count"]
        == 0
    )
    assert rows_of(timed, closed["runId"]) == GONE
    # The open run is untouched, whatever its age.
    assert exists(client, dom, running)
    assert (
        client.count_open_workflow_executions(domain=dom, startTimeFilter=EVERYTHING)["count"] == 1
    )


@pytest.mark.parametrize("retention", ["0", "NONE"])
def test_retention_zero_or_none_purges_right_after_close(
    timed: LocalServer, client: Any, retention: str
) -> None:
    dom = domain_with(client, retention)
    run = closed_run(client, dom)
    running = start(client, dom)
    assert closed_ids(client, dom) == {run["runId"]}
    # The next sweep purges it, without the clock moving at all.
    assert sweep(timed) >= 1
    assert not exists(client, dom, run)
    assert closed_ids(client, dom) == set()
    assert rows_of(timed, run["runId"]) == GONE
    assert exists(client, dom, running)


def test_each_domain_keeps_runs_for_its_own_period(timed: LocalServer, client: Any) -> None:
    one_day, three_days = domain_with(client, "1"), domain_with(client, "3")
    short = closed_run(client, one_day)
    long = closed_run(client, three_days)
    timed.advance(2 * DAY)
    assert not exists(client, one_day, short)
    assert exists(client, three_days, long)
    timed.advance(DAY)
    assert not exists(client, three_days, long)


def test_runs_are_purged_in_batches_until_none_is_left(timed: LocalServer, client: Any) -> None:
    dom = domain_with(client, "0")
    runs = [closed_run(client, dom) for _ in range(5)]  # the batch size is 2
    purged = sweep(timed)
    assert purged >= 5
    assert closed_ids(client, dom) == set()
    assert not any(exists(client, dom, run) for run in runs)
    assert sweep(timed) == 0


def test_the_longest_retention_keeps_runs_for_ninety_days(timed: LocalServer, client: Any) -> None:
    dom = domain_with(client, "90")
    run = closed_run(client, dom)
    timed.advance(90 * DAY - 1)
    assert exists(client, dom, run)
    timed.advance(1)
    assert not exists(client, dom, run)


def test_a_purged_workflow_id_can_be_started_again(timed: LocalServer, client: Any) -> None:
    dom = domain_with(client, "0")
    run = closed_run(client, dom)
    sweep(timed)
    again = client.start_workflow_execution(
        domain=dom, workflowId=run["workflowId"], workflowType=WF
    )["runId"]
    assert again != run["runId"]
    assert exists(client, dom, {"workflowId": run["workflowId"], "runId": again})


def test_a_run_with_undelivered_messages_is_kept_until_they_are_delivered(
    timed: LocalServer, client: Any
) -> None:
    """A closed run's outbox rows (a parent to notify, children to terminate) are read by the
    relay: the run stays until they are gone."""
    dom = domain_with(client, "0")
    run = closed_run(client, dom)
    # Due never, so the relay leaves it where it is.
    message = (run["runId"], "msg:notify-parent", 2**62)
    sql(timed, "INSERT INTO timers (run_id, key, due_ms) VALUES (?, ?, ?)", *message)
    sweep(timed)
    assert exists(client, dom, run)
    assert closed_ids(client, dom) == {run["runId"]}
    sql(timed, "DELETE FROM timers WHERE run_id = ?", run["runId"])
    assert sweep(timed) >= 1
    assert not exists(client, dom, run)


def test_the_background_sweep_runs_on_the_service_clock(db_url: str) -> None:
    """No explicit sweep: the loop itself purges once the manual clock passes its interval."""
    clock = ManualClock()
    settings = Settings(poll_timeout_s=0.2, retention_sweep_s=60)
    with LocalServer(db_url, settings=settings, clock=clock) as server:
        client = make_client(server.endpoint)
        dom = domain_with(client, "1")
        run = closed_run(client, dom)
        server.call(clock.advance, DAY)  # the clock only: neither fires nor sweeps itself
        deadline = time.monotonic() + 10
        while True:
            try:
                client.describe_workflow_execution(domain=dom, execution=run)
            except client.exceptions.UnknownResourceFault:
                break
            assert time.monotonic() < deadline, "the background sweep did not purge the run"
        assert not exists(client, dom, run)
        assert closed_ids(client, dom) == set()


def test_an_index_serves_the_sweep_query() -> None:
    with contextlib.closing(sqlite3.connect(":memory:")) as conn:
        conn.executescript(sqlfiles.read("schema.sql"))
        plan = conn.execute("EXPLAIN QUERY PLAN " + Q["expired_runs"], (1, 0, 10)).fetchall()
    details = " ".join(row[-1] for row in plan)
    assert "INDEX executions_by_close" in details, details
    assert "TEMP B-TREE" not in details, details  # the index gives the order too
