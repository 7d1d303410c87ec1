"""The Store contract: every method of ``storage/base.py``, on every backend.

Each test runs once per backend (ids end in [sqlite] and [postgres]) on an empty database.
Behaviour that only a store shared by several servers has (PostgreSQL: timer leases,
cross-server wake-ups, one winner among servers) is in test_shared_store.py.
"""

from __future__ import annotations

import ast
import asyncio
import inspect
from dataclasses import replace
from pathlib import Path

import pytest

from openswf.storage.base import Store
from openswf.storage.postgres.store import PostgresStore
from openswf.storage.records import (
    MESSAGE_PREFIX,
    DuplicateKey,
    DuplicateOpenExecution,
    ExecutionCommit,
    ExecutionQuery,
    ExecutionRow,
    NewTask,
    TypeRecord,
    VersionConflict,
)
from openswf.storage.sqlite.store import SqliteStore

REGION = "us-east-1"


# --- helpers ------------------------------------------------------------------------------


def run(
    run_id: str,
    *,
    domain_id: int = 1,
    workflow_id: str | None = None,
    start_ms: int = 1_000,
    tags: tuple[str, ...] = (),
    type_name: str = "wf",
    type_version: str = "1",
) -> ExecutionRow:
    return ExecutionRow(
        run_id=run_id,
        domain_id=domain_id,
        workflow_id=workflow_id or f"w-{run_id}",
        type_name=type_name,
        type_version=type_version,
        start_ms=start_ms,
        close_ms=None,
        close_status=None,
        cancel_requested=False,
        parent_workflow_id=None,
        parent_run_id=None,
        tags=list(tags),
        version=1,
        state=b"state-1",
    )


def closed(row: ExecutionRow, close_ms: int, status: str = "COMPLETED") -> ExecutionRow:
    return replace(row, close_ms=close_ms, close_status=status, version=row.version + 1)


def task(kind: str, task_list: str, scheduled: int, priority: int = 0) -> NewTask:
    return NewTask(
        kind=kind,
        task_list=task_list,
        priority=priority,
        scheduled_event_id=scheduled,
        payload=b'{"p":1}' if kind == "activity" else None,
    )


async def start(store: Store, row: ExecutionRow, **changes: object) -> ExecutionCommit:
    commit = ExecutionCommit(
        row=row,
        expected_version=0,
        events=[(1, b'{"eventId":1}')],
        **changes,  # type: ignore[arg-type]
    )
    await store.commit(commit)
    return commit


async def domain(store: Store, name: str = "dom", retention: str = "1") -> int:
    record = await store.insert_domain(
        region=REGION,
        name=name,
        description=f"{name} description",
        retention_days=retention,
        created_ms=5,
        tags=[],
    )
    return record.id


def type_record(
    domain_id: int, name: str, version: str = "1", kind: str = "workflow"
) -> TypeRecord:
    return TypeRecord(
        domain_id=domain_id,
        kind=kind,
        name=name,
        version=version,
        status="REGISTERED",
        description=None,
        configuration={"defaultTaskList": {"name": "tl"}, "defaultTaskPriority": "3"},
        created_ms=7,
    )


# --- the contract covers the interface ----------------------------------------------------


def store_methods() -> set[str]:
    return {
        name
        for name, member in vars(Store).items()
        if not name.startswith("_") and callable(member)
    }


def test_every_backend_implements_every_method_of_the_interface() -> None:
    for backend in (SqliteStore, PostgresStore):
        missing = {name for name in store_methods() if not callable(getattr(backend, name, None))}
        assert not missing, f"{backend.__name__} lacks {sorted(missing)}"
        for name in store_methods():
            ours = inspect.signature(getattr(backend, name))
            theirs = inspect.signature(getattr(Store, name))
            assert list(ours.parameters) == list(theirs.parameters), (backend.__name__, name)
    assert SqliteStore.shared is False and PostgresStore.shared is True


def test_every_method_of_the_interface_is_exercised_by_the_contract_suite() -> None:
    """A method added to storage/base.py must get contract tests here (or in
    test_shared_store.py) before it ships on any backend."""
    called: set[str] = set()
    for path in Path(__file__).parent.glob("test_*store*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute):
                called.add(node.attr)
    assert store_methods() - {"open", "close"} <= called, sorted(store_methods() - called)


# --- server metadata ----------------------------------------------------------------------


async def test_the_first_secret_stays(store: Store) -> None:
    assert await store.get_or_create_secret("first") == "first"
    assert await store.get_or_create_secret("second") == "first"


# --- domains ------------------------------------------------------------------------------


async def test_domains_are_unique_per_region_and_read_back(store: Store) -> None:
    record = await store.insert_domain(
        region=REGION,
        name="orders",
        description=None,
        retention_days="NONE",
        created_ms=42,
        tags=[("team", "a"), ("env", "prod")],
    )
    assert await store.get_domain(REGION, "orders") == record
    assert record.status == "REGISTERED" and record.retention_days == "NONE"
    assert await store.get_domain("eu-west-1", "orders") is None
    with pytest.raises(DuplicateKey):
        await store.insert_domain(
            region=REGION, name="orders", description="x", retention_days="1", created_ms=1, tags=[]
        )
    other = await store.insert_domain(
        region="eu-west-1",
        name="orders",
        description=None,
        retention_days="1",
        created_ms=1,
        tags=[],
    )
    assert other.id != record.id
    assert await store.list_domain_tags(record.id) == [("env", "prod"), ("team", "a")]
    assert await store.count_domains(REGION) == 1


async def test_domains_list_in_name_order_a_page_at_a_time(store: Store) -> None:
    for name in ["delta", "alpha", "charlie", "bravo", "echo"]:
        await domain(store, name)
    deprecated = await store.get_domain(REGION, "charlie")
    assert deprecated is not None
    await store.set_domain_status(deprecated.id, "DEPRECATED", 9)

    async def names(
        after: str | None, limit: int, reverse: bool, status: str = "REGISTERED"
    ) -> list[str]:
        rows = await store.list_domains(REGION, status, after=after, limit=limit, reverse=reverse)
        return [row.name for row in rows]

    assert await names(None, 10, False) == ["alpha", "bravo", "delta", "echo"]
    assert await names(None, 2, False) == ["alpha", "bravo"]
    assert await names("bravo", 2, False) == ["delta", "echo"]
    assert await names(None, 3, True) == ["echo", "delta", "bravo"]
    assert await names("bravo", 3, True) == ["alpha"]
    assert await names(None, 10, False, "DEPRECATED") == ["charlie"]
    assert await store.count_domains(REGION) == 5


async def test_deprecating_a_domain_deprecates_its_registered_types(store: Store) -> None:
    domain_id = await domain(store)
    await store.insert_type(type_record(domain_id, "a"))
    await store.insert_type(type_record(domain_id, "b", kind="activity"))
    await store.set_domain_status(domain_id, "DEPRECATED", 99)
    found = await store.get_domain(REGION, "dom")
    assert found is not None and found.status == "DEPRECATED"
    for kind, name in (("workflow", "a"), ("activity", "b")):
        record = await store.get_type(domain_id, kind, name, "1")
        assert record is not None
        assert (record.status, record.deprecated_ms) == ("DEPRECATED", 99)
    await store.set_domain_status(domain_id, "REGISTERED", 100)
    found = await store.get_domain(REGION, "dom")
    assert found is not None and found.status == "REGISTERED"


async def test_domain_tags_are_added_replaced_limited_and_removed(store: Store) -> None:
    domain_id = await domain(store)
    assert await store.list_domain_tags(domain_id) == []
    assert await store.tag_domain(domain_id, [("a", "1"), ("b", "2")], 3)
    assert await store.tag_domain(domain_id, [("a", "one")], 3)  # replaces: still 2 keys
    assert not await store.tag_domain(domain_id, [("c", "3"), ("d", "4")], 3)  # 4 > 3
    assert await store.list_domain_tags(domain_id) == [("a", "one"), ("b", "2")]
    assert await store.tag_domain(domain_id, [("c", "3")], 3)
    await store.untag_domain(domain_id, ["a", "c", "missing"])
    assert await store.list_domain_tags(domain_id) == [("b", "2")]


# --- types --------------------------------------------------------------------------------


async def test_types_are_unique_and_read_back_one_or_many(store: Store) -> None:
    domain_id = await domain(store)
    record = type_record(domain_id, "wf")
    await store.insert_type(record)
    await store.insert_type(type_record(domain_id, "wf", "2"))
    await store.insert_type(type_record(domain_id, "wf", kind="activity"))
    assert await store.get_type(domain_id, "workflow", "wf", "1") == record
    assert await store.get_type(domain_id, "workflow", "wf", "3") is None
    with pytest.raises(DuplicateKey):
        await store.insert_type(record)
    many = await store.get_types(domain_id, "workflow", [("wf", "2"), ("nope", "1"), ("wf", "1")])
    assert sorted((r.name, r.version) for r in many) == [("wf", "1"), ("wf", "2")]
    assert await store.get_types(domain_id, "workflow", []) == []
    assert await store.count_types(domain_id, "workflow") == 2
    assert await store.count_types(domain_id, "activity") == 1


async def test_types_list_by_name_and_version_a_page_at_a_time(store: Store) -> None:
    domain_id = await domain(store)
    for name, version in [("b", "1"), ("a", "2"), ("a", "1"), ("c", "1"), ("b", "2")]:
        await store.insert_type(type_record(domain_id, name, version))
    await store.set_type_status(domain_id, "workflow", "c", "1", "DEPRECATED", 50)

    async def keys(
        *,
        name: str | None = None,
        after: tuple[str, str] | None = None,
        limit: int = 10,
        reverse: bool = False,
        status: str = "REGISTERED",
    ) -> list[tuple[str, str]]:
        rows = await store.list_types(
            domain_id, "workflow", status, name=name, after=after, limit=limit, reverse=reverse
        )
        return [(row.name, row.version) for row in rows]

    assert await keys() == [("a", "1"), ("a", "2"), ("b", "1"), ("b", "2")]
    assert await keys(limit=3, after=("a", "2")) == [("b", "1"), ("b", "2")]
    assert await keys(reverse=True, limit=3) == [("b", "2"), ("b", "1"), ("a", "2")]
    assert await keys(reverse=True, after=("a", "2")) == [("a", "1")]
    assert await keys(name="b") == [("b", "1"), ("b", "2")]
    assert await keys(name="b", after=("b", "1")) == [("b", "2")]
    assert await keys(status="DEPRECATED") == [("c", "1")]


async def test_type_status_changes_and_deletion(store: Store) -> None:
    domain_id = await domain(store)
    await store.insert_type(type_record(domain_id, "wf"))
    await store.set_type_status(domain_id, "workflow", "wf", "1", "DEPRECATED", 77)
    record = await store.get_type(domain_id, "workflow", "wf", "1")
    assert record is not None and (record.status, record.deprecated_ms) == ("DEPRECATED", 77)
    await store.set_type_status(domain_id, "workflow", "wf", "1", "REGISTERED", None)
    record = await store.get_type(domain_id, "workflow", "wf", "1")
    assert record is not None and (record.status, record.deprecated_ms) == ("REGISTERED", None)
    await store.delete_type(domain_id, "workflow", "wf", "1")
    assert await store.get_type(domain_id, "workflow", "wf", "1") is None
    assert await store.count_types(domain_id, "workflow") == 0


# --- executions ---------------------------------------------------------------------------


async def test_a_commit_writes_the_row_events_tasks_and_timers_together(store: Store) -> None:
    row = run("r1", tags=("t1",))
    created = await store.commit(
        ExecutionCommit(
            row=row,
            expected_version=0,
            events=[(1, b'{"eventId":1}'), (2, b'{"eventId":2}')],
            new_tasks=[task("decision", "decisions", 2)],
            timers=[("workflow", 9_000)],
        )
    )
    assert await store.get_execution("r1") == row
    assert [(t.kind, t.task_list, t.run_id, t.scheduled_event_id) for t in created] == [
        ("decision", "decisions", "r1", 2)
    ]
    assert await store.backlog(1, "decision", "decisions", 10) == created
    assert await store.next_timer_due() == 9_000
    assert await store.read_events("r1", after=0, before=100, limit=10, reverse=False) == [
        (1, b'{"eventId":1}'),
        (2, b'{"eventId":2}'),
    ]
    # The claim: the task row goes, the next events and a timer come, the version moves.
    claimed = replace(row, version=2, state=b"state-2", cancel_requested=True)
    assert (
        await store.commit(
            ExecutionCommit(
                row=claimed,
                expected_version=1,
                events=[(3, b'{"eventId":3}')],
                done_tasks=[("decision", 2)],
                timers=[("decision:2:START_TO_CLOSE", 5_000)],
            )
        )
        == []
    )
    assert await store.get_execution("r1") == claimed
    assert await store.backlog(1, "decision", "decisions", 10) == []
    assert await store.count_tasks(1, "decision", "decisions") == 0
    assert await store.next_timer_due() == 5_000


async def test_only_one_open_run_per_workflow_id(store: Store) -> None:
    first = run("r1", workflow_id="same")
    await start(store, first)
    with pytest.raises(DuplicateOpenExecution):
        await start(store, run("r2", workflow_id="same"))
    assert await store.get_execution("r2") is None
    await store.commit(ExecutionCommit(row=closed(first, 2_000), expected_version=1, events=[]))
    await start(store, run("r3", workflow_id="same"))  # free again once the first closed
    await start(store, run("r4", workflow_id="same", domain_id=2))  # another domain
    found = await store.find_execution(1, "same", None)
    assert found is not None and found.run_id == "r3"


async def test_a_stale_version_writes_nothing(store: Store) -> None:
    row = run("r1")
    await start(store, row, new_tasks=[task("decision", "d", 2)], timers=[("workflow", 10)])
    moved = replace(row, version=2, state=b"state-2")
    await store.commit(ExecutionCommit(row=moved, expected_version=1, events=[(2, b"e2")]))
    stale = ExecutionCommit(
        row=replace(row, version=2, state=b"lost"),
        expected_version=1,
        events=[(3, b"lost")],
        new_tasks=[task("activity", "a", 3)],
        done_tasks=[("decision", 2)],
        timers=[("lost", 1)],
        cleared_timers=["workflow"],
    )
    with pytest.raises(VersionConflict):
        await store.commit(stale)
    closing = replace(stale, row=closed(row, 5), closed=True)
    with pytest.raises(VersionConflict):
        await store.commit(closing)
    assert await store.get_execution("r1") == moved
    assert [
        e for e, _ in await store.read_events("r1", after=0, before=99, limit=9, reverse=False)
    ] == [1, 2]
    assert await store.count_tasks(1, "decision", "d") == 1
    assert await store.count_tasks(1, "activity", "a") == 0
    assert await store.next_timer_due() == 10


async def test_a_missing_run_is_a_version_conflict(store: Store) -> None:
    with pytest.raises(VersionConflict):
        await store.commit(
            ExecutionCommit(row=replace(run("ghost"), version=2), expected_version=1, events=[])
        )


async def test_tasks_come_by_priority_then_in_order(store: Store) -> None:
    await start(
        store,
        run("r1"),
        new_tasks=[task("activity", "work", 5, 0), task("activity", "work", 6, 7)],
    )
    await start(
        store,
        run("r2"),
        new_tasks=[
            task("activity", "work", 5, 0),
            task("activity", "work", 6, 7),
            task("activity", "other", 7, 0),
            task("decision", "work", 2, 0),
        ],
    )
    backlog = await store.backlog(1, "activity", "work", 10)
    assert [(t.run_id, t.scheduled_event_id, t.priority) for t in backlog] == [
        ("r1", 6, 7),
        ("r2", 6, 7),
        ("r1", 5, 0),
        ("r2", 5, 0),
    ]
    assert all(t.payload == b'{"p":1}' and t.domain_id == 1 for t in backlog)
    assert [t.seq for t in await store.backlog(1, "activity", "work", 2)] == [
        t.seq for t in backlog[:2]
    ]
    assert await store.count_tasks(1, "activity", "work") == 4
    await store.delete_task("r1", "activity", 6)
    await store.delete_task("r1", "activity", 6)  # twice is harmless
    assert await store.count_tasks(1, "activity", "work") == 3
    assert await store.count_tasks(1, "decision", "work") == 1
    assert await store.count_tasks(2, "activity", "work") == 0


async def test_closing_a_run_clears_its_tasks_and_timers_but_keeps_its_messages(
    store: Store,
) -> None:
    row = run("r1")
    await start(
        store,
        row,
        new_tasks=[task("activity", "a", 5), task("decision", "d", 6)],
        timers=[("activity:5:SCHEDULE_TO_START", 50), ("workflow", 60)],
    )
    created = await store.commit(
        ExecutionCommit(
            row=closed(row, 2_000),
            expected_version=1,
            events=[(2, b"closed")],
            new_tasks=[task("activity", "a", 9)],
            timers=[("workflow", 70), (f"{MESSAGE_PREFIX}notify-parent", 2_000)],
            closed=True,
        )
    )
    assert created == []
    assert await store.count_tasks(1, "activity", "a") == 0
    assert await store.count_tasks(1, "decision", "d") == 0
    assert await store.next_timer_due() == 2_000  # only the message is left
    found = await store.get_execution("r1")
    assert found is not None and (found.close_ms, found.close_status) == (2_000, "COMPLETED")


async def test_continue_as_new_closes_one_run_and_starts_the_next_in_one_commit(
    store: Store,
) -> None:
    old = run("r1", workflow_id="wid", tags=("keep",))
    await start(store, old, timers=[("workflow", 50)])
    successor = ExecutionCommit(
        row=run("r2", workflow_id="wid", start_ms=2_000, tags=("keep",)),
        expected_version=0,
        events=[(1, b"started")],
        new_tasks=[task("decision", "d", 2)],
        timers=[("workflow", 80)],
    )
    created = await store.commit(
        ExecutionCommit(
            row=closed(old, 2_000, "CONTINUED_AS_NEW"),
            expected_version=1,
            events=[(2, b"continued")],
            closed=True,
            successor=successor,
        )
    )
    assert [(t.run_id, t.kind, t.scheduled_event_id) for t in created] == [("r2", "decision", 2)]
    assert created == await store.backlog(1, "decision", "d", 10)
    found = await store.find_execution(1, "wid", None)
    assert found is not None and found.run_id == "r2"
    assert await store.next_timer_due() == 80
    tagged = await store.list_executions(
        ExecutionQuery(domain_id=1, open=True, oldest_ms=0, tag="keep"),
        after=None,
        limit=5,
        reverse=False,
    )
    assert [r.run_id for r in tagged] == ["r2"]


async def test_a_successor_that_finds_its_workflow_id_taken_writes_nothing(store: Store) -> None:
    old = run("r1", workflow_id="wid")
    await start(store, old)
    await start(store, run("other", workflow_id="taken"))
    with pytest.raises(DuplicateOpenExecution):
        await store.commit(
            ExecutionCommit(
                row=closed(old, 2_000, "CONTINUED_AS_NEW"),
                expected_version=1,
                events=[(2, b"continued")],
                closed=True,
                successor=ExecutionCommit(
                    row=run("r2", workflow_id="taken"), expected_version=0, events=[(1, b"s")]
                ),
            )
        )
    found = await store.get_execution("r1")
    assert found is not None and found.is_open and found.version == 1


async def test_runs_are_found_by_workflow_id_and_run_id(store: Store) -> None:
    first = run("r1", workflow_id="wid")
    await start(store, first)
    await store.commit(ExecutionCommit(row=closed(first, 3), expected_version=1, events=[]))
    await start(store, run("r2", workflow_id="wid"))
    await start(store, run("r3", workflow_id="other"))
    by_run = await store.find_execution(1, "wid", "r1")
    assert by_run is not None and by_run.run_id == "r1" and not by_run.is_open
    open_one = await store.find_execution(1, "wid", None)
    assert open_one is not None and open_one.run_id == "r2"
    assert await store.find_execution(1, "wid", "r3") is None  # another workflow's run
    assert await store.find_execution(2, "wid", None) is None
    assert await store.find_execution(1, "nobody", None) is None
    assert await store.count_open_executions(1) == 2
    assert await store.count_open_executions(2) == 0


async def test_history_reads_by_range_both_ways(store: Store) -> None:
    row = run("r1")
    events = [(i, f'{{"eventId":{i}}}'.encode()) for i in range(1, 8)]
    await store.commit(ExecutionCommit(row=row, expected_version=0, events=events))

    async def ids(after: int, before: int, limit: int, reverse: bool) -> list[int]:
        rows = await store.read_events(
            "r1", after=after, before=before, limit=limit, reverse=reverse
        )
        return [event_id for event_id, _ in rows]

    assert await ids(0, 100, 100, False) == [1, 2, 3, 4, 5, 6, 7]
    assert await ids(2, 6, 100, False) == [3, 4, 5]
    assert await ids(0, 100, 3, False) == [1, 2, 3]
    assert await ids(0, 100, 3, True) == [7, 6, 5]
    assert await ids(0, 5, 10, True) == [4, 3, 2, 1]
    assert (await store.read_events("r1", after=3, before=5, limit=1, reverse=False)) == [events[3]]
    assert await store.read_events("nobody", after=0, before=9, limit=9, reverse=False) == []


# --- timers -------------------------------------------------------------------------------


async def test_due_timers_fire_and_a_fired_row_is_deleted_only_as_it_was(store: Store) -> None:
    await start(store, run("r1"), timers=[("a", 100), ("b", 200), ("c", 300)])
    await start(store, run("r2"), timers=[("a", 150)])
    assert await store.next_timer_due() == 100
    due = await store.due_timers(200, 10)
    # Oldest first: the timer service fires one run's rows in this order.
    assert [(t.run_id, t.key) for t in due] == [("r1", "a"), ("r2", "a"), ("r1", "b")]
    limited = [t for t in due if (t.run_id, t.key) == ("r1", "a")][0]
    # A row re-armed after it was read is not deleted by the stale delete.
    await store.commit(
        ExecutionCommit(
            row=replace(run("r1"), version=2), expected_version=1, events=[], timers=[("b", 900)]
        )
    )
    for timer in due:
        await store.delete_timer(timer.run_id, timer.key, timer.due_ms)
    assert await store.next_timer_due() == 300
    await store.delete_timer(limited.run_id, limited.key, limited.due_ms)  # gone: harmless
    due = await store.due_timers(1_000, 10)
    assert sorted((t.run_id, t.key) for t in due) == [("r1", "b"), ("r1", "c")]
    # Rows a server took but never deleted (it died mid-fire) come due again in the end.
    assert len(await store.due_timers(10**12, 1)) == 1


async def test_a_released_timer_is_due_again_by_its_retry_time(store: Store) -> None:
    # A row whose handling failed: a store that leased it moves it to the retry time, one
    # that did not lease it leaves it due; either way it fires again by then.
    await start(store, run("r1"), timers=[("a", 100)])
    (claimed,) = await store.due_timers(200, 10)
    await store.release_timer(claimed, 1_200)
    assert [(t.run_id, t.key) for t in await store.due_timers(1_200, 10)] == [("r1", "a")]


async def test_no_timers_means_nothing_is_due(store: Store) -> None:
    assert await store.next_timer_due() is None
    assert await store.due_timers(10**15, 10) == []


# --- visibility ---------------------------------------------------------------------------


async def _visibility_runs(store: Store) -> None:
    await start(store, run("o1", start_ms=1_000, tags=("red",), type_name="alpha"))
    await start(store, run("o2", start_ms=2_000, tags=("red", "blue"), type_name="beta"))
    await start(store, run("o3", start_ms=3_000, type_name="alpha", type_version="2"))
    for run_id, start_ms, close_ms, status in [
        ("c1", 500, 4_000, "COMPLETED"),
        ("c2", 1_500, 5_000, "FAILED"),
        ("c3", 2_500, 6_000, "COMPLETED"),
    ]:
        row = run(run_id, start_ms=start_ms, tags=("red",), type_name="alpha")
        await start(store, row)
        await store.commit(
            ExecutionCommit(
                row=closed(row, close_ms, status), expected_version=1, events=[], closed=True
            )
        )
    await start(store, run("elsewhere", domain_id=2, start_ms=1_000))


async def test_visibility_lists_and_counts_every_filter(store: Store) -> None:
    await _visibility_runs(store)

    async def listed(**members: object) -> list[str]:
        query = ExecutionQuery(domain_id=1, **members)  # type: ignore[arg-type]
        rows = await store.list_executions(query, after=None, limit=100, reverse=False)
        count = await store.count_executions(query)
        assert count == len(rows), members
        return [row.run_id for row in rows]

    assert await listed(open=True, oldest_ms=0) == ["o3", "o2", "o1"]
    assert await listed(open=True, oldest_ms=1_500, latest_ms=2_500) == ["o2"]
    assert await listed(open=True, oldest_ms=0, tag="red") == ["o2", "o1"]
    assert await listed(open=True, oldest_ms=0, tag="blue") == ["o2"]
    assert await listed(open=True, oldest_ms=0, type_name="alpha") == ["o3", "o1"]
    assert await listed(open=True, oldest_ms=0, type_name="alpha", type_version="2") == ["o3"]
    assert await listed(open=True, oldest_ms=0, workflow_id="w-o2") == ["o2"]
    assert await listed(open=False, oldest_ms=0) == ["c3", "c2", "c1"]
    assert await listed(open=False, oldest_ms=0, by_close_time=True) == ["c3", "c2", "c1"]
    assert await listed(open=False, oldest_ms=4_500, by_close_time=True) == ["c3", "c2"]
    assert await listed(open=False, oldest_ms=1_000) == ["c3", "c2"]
    assert await listed(open=False, oldest_ms=0, close_status="COMPLETED") == ["c3", "c1"]
    assert await listed(open=False, oldest_ms=0, by_close_time=True, tag="red") == [
        "c3",
        "c2",
        "c1",
    ]
    assert await listed(open=False, oldest_ms=0, type_name="beta") == []
    closed_row = (
        await store.list_executions(
            ExecutionQuery(domain_id=1, open=False, oldest_ms=0, workflow_id="w-c2"),
            after=None,
            limit=1,
            reverse=False,
        )
    )[0]
    assert (closed_row.close_ms, closed_row.close_status, closed_row.is_open) == (
        5_000,
        "FAILED",
        False,
    )


async def test_visibility_pages_and_limited_counts(store: Store) -> None:
    await _visibility_runs(store)
    query = ExecutionQuery(domain_id=1, open=True, oldest_ms=0)
    first = await store.list_executions(query, after=None, limit=2, reverse=False)
    assert [r.run_id for r in first] == ["o3", "o2"]
    last = first[-1]
    second = await store.list_executions(
        query, after=(last.start_ms, last.run_id), limit=2, reverse=False
    )
    assert [r.run_id for r in second] == ["o1"]
    oldest_first = await store.list_executions(query, after=None, limit=2, reverse=True)
    assert [r.run_id for r in oldest_first] == ["o1", "o2"]
    after = (oldest_first[-1].start_ms, oldest_first[-1].run_id)
    rest = await store.list_executions(query, after=after, limit=5, reverse=True)
    assert [r.run_id for r in rest] == ["o3"]
    tagged = ExecutionQuery(domain_id=1, open=False, oldest_ms=0, by_close_time=True, tag="red")
    page = await store.list_executions(tagged, after=(5_000, "c2"), limit=5, reverse=False)
    assert [r.run_id for r in page] == ["c1"]
    assert await store.count_executions(replace(query, count_limit=2)) == 2
    assert await store.count_executions(replace(query, count_limit=10)) == 3
    assert await store.count_executions(replace(tagged, count_limit=1)) == 1


# --- retention ----------------------------------------------------------------------------


async def test_retention_finds_and_purges_expired_closed_runs(store: Store) -> None:
    keep_id = await domain(store, "keep", "30")
    await domain(store, "drop", "NONE")
    assert sorted(await store.domain_retentions()) == [(keep_id, "30"), (keep_id + 1, "NONE")]
    old = [run(f"old{i}", domain_id=keep_id, tags=("t",)) for i in range(3)]
    for i, row in enumerate(old):
        await start(store, row, new_tasks=[task("activity", "a", 5)], timers=[("workflow", 10)])
        await store.commit(
            ExecutionCommit(
                row=closed(row, 1_000 + i), expected_version=1, events=[(2, b"x")], closed=True
            )
        )
    owing = run("owing", domain_id=keep_id)
    await start(store, owing)
    await store.commit(
        ExecutionCommit(
            row=closed(owing, 500),
            expected_version=1,
            events=[],
            closed=True,
            timers=[(f"{MESSAGE_PREFIX}notify-parent", 500)],
        )
    )
    await start(store, run("open", domain_id=keep_id))
    assert await store.expired_runs(keep_id, 1_001, 10) == ["old0", "old1"]
    assert await store.expired_runs(keep_id, 5_000, 1) == ["old0"]
    assert await store.purge_runs(["old0", "old1", "open", "owing", "ghost"]) == 2
    assert await store.get_execution("old0") is None
    assert await store.read_events("old0", after=0, before=9, limit=9, reverse=False) == []
    assert await store.get_execution("open") is not None
    assert await store.get_execution("owing") is not None  # its message is not delivered yet
    tagged = ExecutionQuery(domain_id=keep_id, open=False, oldest_ms=0, tag="t")
    assert [
        r.run_id for r in await store.list_executions(tagged, after=None, limit=9, reverse=False)
    ] == ["old2"]
    assert await store.count_executions(tagged) == 1
    assert await store.purge_runs([]) == 0


# --- the store's wake-up hook ---------------------------------------------------------------


async def test_a_store_never_calls_its_hook_for_its_own_tasks(store: Store) -> None:
    calls: list[tuple[int, str, str]] = []
    store.subscribe(lambda *key: calls.append(key))
    await start(store, run("r1"), new_tasks=[task("decision", "d", 2)])
    store.notify_tasks(1, "decision", "d")
    await asyncio.sleep(0.1)
    assert await store.count_tasks(1, "decision", "d") == 1
    assert calls == []


async def test_task_counts_group_the_backlog_by_list(store: Store) -> None:
    first, second = await domain(store, "one"), await domain(store, "two")
    await start(
        store,
        run("r1", domain_id=first),
        new_tasks=[task("decision", "d", 2), task("activity", "a", 3), task("activity", "a", 4)],
    )
    await start(store, run("r2", domain_id=second), new_tasks=[task("activity", "a", 2)])
    assert sorted(await store.task_counts()) == [
        ("one", "activity", "a", 2),
        ("one", "decision", "d", 1),
        ("two", "activity", "a", 1),
    ]
    await store.delete_task("r2", "activity", 2)
    assert ("two", "activity", "a", 1) not in await store.task_counts()
