"""Several servers over one PostgreSQL: polls whose client has gone, wake-ups during a backlog
read, and a peer that the row cache cannot see (issue 16, bugs 2 to 4).

The polls here are held 60 s and re-check the store every 60 s, and a test waits 30 s for an
answer: a live poll that gets its task got it because a wake-up reached it, never from its
own re-check or the last look at the end of its hold.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from openswf.services.settings import Settings
from openswf.storage.postgres.store import PostgresStore
from openswf.testing import LocalServer
from tests import databases
from tests.conftest import make_client
from tests.integration.poll_helpers import RawPoll, matching, polls, register, wait_until, waiting
from tests.integration.swf_helpers import WF, decision

SETTINGS = Settings(poll_timeout_s=60, poll_recheck_s=60)


@pytest.fixture
def pg_url() -> Iterator[str]:
    admin, why_not = databases.admin_url()
    if admin is None:
        pytest.skip(why_not)
    url = databases.create_database(admin)
    yield url
    databases.drop_database(admin, url)


def store_of(server: LocalServer) -> PostgresStore:
    store = server.app.service.store
    assert isinstance(store, PostgresStore)
    return store


def has_peers(server: LocalServer) -> bool:
    return bool(server.call(store_of(server).has_peers))


def peer_counts(server: LocalServer) -> int:
    listener = store_of(server)._listener
    assert listener is not None
    return int(listener.counts) if listener.connected.is_set() else -1


def cluster(url: str, count: int) -> list[LocalServer]:
    """Servers that all know of each other: each has counted its peers after the last one
    connected (a count that began before could still say "alone", so two more counts)."""
    servers = [LocalServer(url, settings=SETTINGS).start() for _ in range(count)]
    wait_until(lambda: all(peer_counts(s) >= 0 for s in servers), "every listener connected")
    before = [peer_counts(s) for s in servers]
    wait_until(
        lambda: all(peer_counts(s) >= n + 2 for s, n in zip(servers, before, strict=True)),
        "every server counted its peers",
    )
    assert all(has_peers(s) for s in servers)
    return servers


@pytest.mark.parametrize("commit_via", ["same server", "third server"])
def test_a_dead_poll_captures_no_task(pg_url: str, commit_via: str) -> None:
    servers = cluster(pg_url, 3 if commit_via == "third server" else 2)
    a, b = servers[0], servers[1]
    try:
        domain = register(make_client(a.endpoint), "dead")
        dead = RawPoll(a, domain, "decisions", "Decision")
        wait_until(lambda: waiting(a) == 1, "the poll on A waits")
        dead.hang_up()
        wait_until(lambda: (waiting(a), polls(a)) == (0, 0), "A noticed the hang-up")
        swf_b = make_client(b.endpoint)
        with ThreadPoolExecutor(1) as pool:
            live = pool.submit(
                swf_b.poll_for_decision_task, domain=domain, taskList={"name": "decisions"}
            )
            wait_until(lambda: waiting(b) == 1, "the live poll on B waits")
            via = a if commit_via == "same server" else servers[2]
            make_client(via.endpoint).start_workflow_execution(
                domain=domain, workflowId="w", workflowType=WF
            )
            task = live.result(timeout=30)
        assert task.get("taskToken"), "the live poll on B answered empty: a dead poll took it"
        assert server_leases(a) == 0  # and A leased nothing for its gone poll
    finally:
        for server in servers:
            server.stop()


def server_leases(server: LocalServer) -> int:
    store = store_of(server)

    async def count() -> int:
        rows = await store.db.fetch(
            "SELECT count(*) FROM tasks WHERE leased_by = %s", (store.node,)
        )
        return int(rows[0][0])

    return int(server.call(count))


@pytest.mark.parametrize("commit_via", ["A", "B"])
def test_a_task_committed_during_a_polls_backlog_read_wakes_it(
    pg_url: str, commit_via: str
) -> None:
    a, b = cluster(pg_url, 2)
    try:
        swf_a = make_client(a.endpoint)
        domain = register(swf_a, "window")
        store = store_of(a)
        entered = threading.Event()
        release = asyncio.Event()
        original = store.backlog

        async def slow_first_read(*args: Any) -> Any:
            rows = await original(*args)  # read before the commit: it finds nothing
            if not entered.is_set():
                entered.set()
                await release.wait()
            return rows

        store.backlog = slow_first_read  # type: ignore[method-assign]
        service = matching(a)

        def heard() -> bool:  # A knows tasks may have come that its read did not see
            return any(queue.changes for queue in service._queues.values())

        with ThreadPoolExecutor(1) as pool:
            poll = pool.submit(
                swf_a.poll_for_decision_task, domain=domain, taskList={"name": "decisions"}
            )
            assert entered.wait(15), "the poll never read the backlog"
            make_client((a if commit_via == "A" else b).endpoint).start_workflow_execution(
                domain=domain, workflowId="w", workflowType=WF
            )
            if commit_via == "B":  # (a commit through A tells A before it answers)
                wait_until(lambda: bool(a.call(heard)), "B's NOTIFY reached A")
            a.call(release.set)
            task = poll.result(timeout=30)
        assert task.get("taskToken"), "the poll missed the task committed during its read"
    finally:
        a.stop()
        b.stop()


def test_a_peer_the_row_cache_cannot_see_costs_no_wrong_answer(pg_url: str) -> None:
    """B runs with notify=off: no listener, so A counts no peer and serves its own runs from
    its row cache while B writes them too. A must still judge every command right."""
    a = LocalServer(pg_url, settings=SETTINGS).start()
    b = LocalServer(f"{pg_url}?notify=off", settings=SETTINGS).start()
    try:
        wait_until(lambda: peer_counts(a) >= 1, "A counted its peers")
        assert not has_peers(a)  # B has no listener: A believes it is alone
        swf_a, swf_b = make_client(a.endpoint), make_client(b.endpoint)
        domain = register(swf_a, "unseen")
        run = swf_a.start_workflow_execution(domain=domain, workflowId="w", workflowType=WF)
        execution = {"workflowId": "w", "runId": run["runId"]}
        # B decides: it schedules an activity that A's cached row knows nothing of.
        first = swf_b.poll_for_decision_task(domain=domain, taskList={"name": "decisions"})
        swf_b.respond_decision_task_completed(
            taskToken=first["taskToken"],
            decisions=[
                decision(
                    "ScheduleActivityTask",
                    activityId="a1",
                    activityType={"name": "act", "version": "1"},
                )
            ],
        )
        assert cached_version(a, run["runId"]) == 1  # stale: the database is at version 3
        # A claims that activity: judged on its stale row, the claim found "no such task"
        # and deleted the live task row.
        activity = swf_a.poll_for_activity_task(domain=domain, taskList={"name": "activities"})
        assert activity.get("activityId") == "a1"
        swf_b.respond_activity_task_completed(taskToken=activity["taskToken"], result="r")
        second = swf_b.poll_for_decision_task(domain=domain, taskList={"name": "decisions"})
        assert second.get("taskToken")
        # A answers B's decision task: judged on its stale row, a valid answer was refused
        # with UnknownResourceFault.
        swf_a.respond_decision_task_completed(
            taskToken=second["taskToken"],
            decisions=[decision("CompleteWorkflowExecution", result="done")],
        )
        info = swf_b.describe_workflow_execution(domain=domain, execution=execution)
        assert info["executionInfo"]["executionStatus"] == "CLOSED"
        assert info["executionInfo"]["closeStatus"] == "COMPLETED"
    finally:
        a.stop()
        b.stop()


def cached_version(server: LocalServer, run_id: str) -> int | None:
    row = server.call(lambda: store_of(server)._rows.get(run_id))
    return None if row is None else int(row.version)
