"""What only a store shared by several servers does (PostgreSQL): several stores over one
database stand for several ``openswf server`` processes.

One winner among servers for every write of a run, one server firing each due timer, wake-ups
across servers, and recovery from connections that the database dropped (a restart).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import replace

import psycopg
import pytest

from openswf.storage.postgres import migrate
from openswf.storage.postgres.config import parse_url
from openswf.storage.postgres.store import PostgresStore
from openswf.storage.records import ExecutionCommit, StoreUnavailable, VersionConflict
from openswf.storage.urls import UnsupportedDatabase, redact, store_from_url
from tests.contract.test_store_contract import run, start, task


@contextlib.asynccontextmanager
async def stores(url: str, count: int, **options: str) -> AsyncIterator[list[PostgresStore]]:
    query = "&".join(f"{key}={value}" for key, value in options.items())
    opened = []
    try:
        for _ in range(count):
            store = store_from_url(f"{url}?{query}" if query else url)
            assert isinstance(store, PostgresStore)
            await store.open()
            opened.append(store)
        yield opened
    finally:
        for store in opened:
            await store.close()


async def until(condition: object, timeout: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():  # type: ignore[operator]
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.005)


def leases_held(url: str) -> int:
    """Task rows whose lease has not ended, by the database's clock (the one leases use)."""
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute(
            "SELECT count(*) FROM tasks WHERE leased_until_ms >"
            " CAST(extract(epoch FROM statement_timestamp()) * 1000 AS BIGINT)"
        ).fetchone()
    return int(row[0]) if row else 0


async def until_leases_end(url: str, timeout: float = 5.0) -> None:
    await until(lambda: leases_held(url) == 0, timeout)


def terminate_connections(url: str) -> int:
    """What a database restart does to every connection of the database."""
    with psycopg.connect(url, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchall()
    return len(rows)


async def test_servers_starting_together_create_the_schema_once(postgres_url: str) -> None:
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")
    many = [PostgresStore(parse_url(postgres_url)) for _ in range(4)]
    await asyncio.gather(*(store.open() for store in many))
    try:
        assert await many[0].get_or_create_secret("a") == await many[3].get_or_create_secret("b")
    finally:
        await asyncio.gather(*(store.close() for store in many))
    with psycopg.connect(postgres_url) as conn:
        found = conn.execute("SELECT version FROM openswf_schema").fetchall()
    assert found == [(migrate.latest_version(),)]


async def test_one_write_of_a_run_wins_among_servers(postgres_url: str) -> None:
    async with stores(postgres_url, 3) as (a, b, c):
        row = run("r1")
        await start(a, row)
        for version in range(1, 21):
            attempts = [
                store.commit(
                    ExecutionCommit(
                        row=replace(row, version=version + 1, state=f"{name}{version}".encode()),
                        expected_version=version,
                        events=[(version + 1, name.encode())],
                    )
                )
                for name, store in (("a", a), ("b", b), ("c", c))
            ]
            outcomes = await asyncio.gather(*attempts, return_exceptions=True)
            assert sum(1 for o in outcomes if isinstance(o, VersionConflict)) == 2, outcomes
            assert sum(1 for o in outcomes if o == []) == 1, outcomes
        events = await b.read_events("r1", after=0, before=99, limit=99, reverse=False)
        assert [event_id for event_id, _ in events] == list(range(1, 22))
        found = await c.get_execution("r1")
        assert found is not None and found.version == 21


@pytest.mark.parametrize("skip_locked", ["on", "off"])
async def test_each_due_timer_goes_to_one_server(postgres_url: str, skip_locked: str) -> None:
    async with stores(postgres_url, 3, skip_locked=skip_locked, timer_lease_s="60") as many:
        for i in range(40):
            await start(many[0], run(f"r{i}"), timers=[(f"k{j}", 100 + j) for j in range(5)])

        async def claim(store: PostgresStore) -> list[tuple[str, str]]:
            taken = []
            while batch := await store.due_timers(1_000, 7):
                taken += [(timer.run_id, timer.key) for timer in batch]
                assert all(timer.due_ms == 61_000 for timer in batch)  # the lease
            return taken

        claimed = await asyncio.gather(*(claim(store) for store in many))
        every = [key for taken in claimed for key in taken]
        assert len(every) == len(set(every)) == 200
        # Taken rows are hidden until their lease ends: a server that died mid-fire leaves
        # its rows to fire again then.
        assert await many[1].due_timers(60_999, 500) == []
        assert len(await many[2].due_timers(61_000, 500)) == 200


async def test_a_timer_claim_whose_answer_was_lost_leaves_no_row_leased(
    postgres_url: str,
) -> None:
    """The claim committed but its answer never came back (the connection dropped during
    the COMMIT): its rows come due again at once, not when their lease ends."""
    async with stores(postgres_url, 1, timer_lease_s="60") as (store,):
        await start(store, run("r1"), timers=[("a", 100), ("b", 200)])
        write = store.db.write

        async def lost_answer(query: str, params: object, **options: bool) -> list[object]:
            store.db.write = write  # type: ignore[method-assign]
            await write(query, params, **options)  # type: ignore[arg-type]
            raise StoreUnavailable("database connection lost: simulated")

        store.db.write = lost_answer  # type: ignore[method-assign]
        with pytest.raises(StoreUnavailable):
            await store.due_timers(1_000, 10)
        again = await store.due_timers(1_000, 10)
        assert sorted(timer.key for timer in again) == ["a", "b"]


@pytest.mark.parametrize("committed", [True, False])
async def test_a_commit_whose_answer_was_lost_is_known_by_what_it_wrote(
    postgres_url: str, committed: bool
) -> None:
    """The connection died during the COMMIT: the store reads the run back, and answers
    success if the commit is there (a start is not then "already started" on retry, a claim
    is not a task started for nobody), StoreUnavailable if it is not."""
    async with stores(postgres_url, 1) as (store,):
        first = await start(store, run("r1"))
        run_db = store.db.run

        async def lost_answer(work: object, *, idempotent: bool) -> object:
            store.db.run = run_db  # type: ignore[method-assign]
            if committed:
                await run_db(work, idempotent=idempotent)  # type: ignore[arg-type]
            raise StoreUnavailable("database connection lost: simulated")

        store.db.run = lost_answer  # type: ignore[method-assign]
        step = ExecutionCommit(
            row=replace(first.row, version=2, state=b"step"),
            expected_version=1,
            events=[(2, b'{"eventId":2}')],
        )
        if committed:
            assert await store.commit(step) == []
        else:
            with pytest.raises(StoreUnavailable):
                await store.commit(step)
        found = await store.get_execution("r1")
        assert found is not None
        assert found.version == (2 if committed else 1)


async def test_tasks_one_server_announces_wake_the_others(postgres_url: str) -> None:
    async with stores(postgres_url, 2) as (a, b):
        seen_a: list[tuple[int, str, str]] = []
        seen_b: list[tuple[int, str, str]] = []
        a.subscribe(lambda *key: seen_a.append(key))
        b.subscribe(lambda *key: seen_b.append(key))
        assert a._listener is not None and b._listener is not None
        await asyncio.wait_for(a._listener.connected.wait(), 5)
        await asyncio.wait_for(b._listener.connected.wait(), 5)
        await start(a, run("r1", domain_id=7), new_tasks=[task("decision", "d|ok?", 2)])
        a.notify_tasks(7, "decision", "d|ok?")
        # What piles up before the notifier runs goes out once, in one statement.
        a.notify_tasks(7, "activity", "work")
        a.notify_tasks(7, "activity", "work")
        await until(lambda: len(seen_b) >= 2)
        await asyncio.sleep(0.05)
        assert sorted(seen_b) == [(7, "activity", "work"), (7, "decision", "d|ok?")]
        assert seen_a == []  # its own tasks it hands over in memory


async def test_a_released_lease_lets_the_other_servers_take_the_tasks_at_once(
    postgres_url: str,
) -> None:
    async with stores(postgres_url, 2) as (a, b):  # leases of 10 s: never over in this test
        await start(
            a, run("r1"), new_tasks=[task("activity", "work", 5), task("activity", "work", 6)]
        )
        leased = await a.backlog(1, "activity", "work", 10)
        assert len(leased) == 2 and await b.backlog(1, "activity", "work", 10) == []
        await b.release_tasks(leased)  # not b's leases: nothing changes
        assert await b.backlog(1, "activity", "work", 10) == []
        await a.release_tasks(leased[:1])  # a's poll for that one went away
        assert await b.backlog(1, "activity", "work", 10) == leased[:1]
        await a.release_tasks([])


async def test_a_task_read_by_one_server_is_skipped_by_the_others_until_its_lease_ends(
    postgres_url: str,
) -> None:
    async with stores(postgres_url, 2, task_lease_s="0.5") as (a, b):
        await start(
            a,
            run("r1"),
            new_tasks=[task("activity", "work", 5), task("activity", "work", 6, priority=3)],
        )
        await start(a, run("r2"), new_tasks=[task("activity", "work", 5)])
        first = await a.backlog(1, "activity", "work", 2)
        assert [(t.run_id, t.scheduled_event_id) for t in first] == [("r1", 6), ("r1", 5)]
        rest = await b.backlog(1, "activity", "work", 10)
        assert [(t.run_id, t.scheduled_event_id) for t in rest] == [("r2", 5)]
        assert await b.backlog(1, "activity", "work", 10) == rest  # its own, renewed
        assert await a.backlog(1, "activity", "work", 10) == first  # the same for a
        assert await a.count_tasks(1, "activity", "work") == 3  # counts see every task
        await until_leases_end(postgres_url)  # a's lease ends (a died, say): b's to take
        again = await b.backlog(1, "activity", "work", 10)
        assert [(t.run_id, t.scheduled_event_id) for t in again] == [
            ("r1", 6),
            ("r1", 5),
            ("r2", 5),
        ]
        # Reading at the same moment, servers get disjoint shares.
        await until_leases_end(postgres_url)
        shares = await asyncio.gather(
            a.backlog(1, "activity", "work", 2), b.backlog(1, "activity", "work", 2)
        )
        taken = [(t.run_id, t.scheduled_event_id) for share in shares for t in share]
        assert sorted(taken) == [("r1", 5), ("r1", 6), ("r2", 5)]


async def test_a_server_knows_whether_others_share_its_database(postgres_url: str) -> None:
    async with stores(postgres_url, 1) as (a,):
        a.subscribe(lambda *key: None)
        assert a.has_peers()  # unknown at first: the coordinated way
        await until(lambda: not a.has_peers(), 10)
        # Alone, a backlog read leases nothing: a later server can take those tasks at once.
        await start(a, run("r1"), new_tasks=[task("activity", "work", 5)])
        assert len(await a.backlog(1, "activity", "work", 10)) == 1
        async with stores(postgres_url, 1) as (b,):
            b.subscribe(lambda *key: None)
            await until(lambda: a.has_peers() and b.has_peers(), 5)  # b's hello, a's count
            assert len(await b.backlog(1, "activity", "work", 10)) == 1  # now leased to b
            assert await a.backlog(1, "activity", "work", 10) == []
        await until(lambda: not a.has_peers(), 10)  # b is gone


async def test_a_server_alone_reads_back_its_own_rows_and_stops_once_others_come(
    postgres_url: str,
) -> None:
    async with stores(postgres_url, 1) as (a,):
        a.subscribe(lambda *key: None)
        await until(lambda: not a.has_peers(), 10)
        row = run("r1")
        await start(a, row)
        moved = replace(row, version=2, state=b"mine")
        await a.commit(ExecutionCommit(row=moved, expected_version=1, events=[(2, b"e")]))
        with psycopg.connect(postgres_url, autocommit=True) as conn:  # behind its back
            conn.execute("UPDATE executions SET state = 'elsewhere' WHERE run_id = 'r1'")
        assert await a.get_execution("r1", cached=True) == moved  # what it committed, from memory
        found = await a.get_execution("r1")  # unless the caller wants the database's word
        assert found is not None and found.state == b"elsewhere"
        async with stores(postgres_url, 1) as (b,):
            b.subscribe(lambda *key: None)
            await until(a.has_peers, 5)
            found = await a.get_execution("r1", cached=True)  # others write now: the database
            assert found is not None and found.state == b"elsewhere"
            with pytest.raises(VersionConflict):  # a stale row never commits
                await a.commit(
                    ExecutionCommit(row=replace(row, version=2), expected_version=1, events=[])
                )


async def test_notify_off_sends_and_listens_to_nothing(postgres_url: str) -> None:
    async with (
        stores(postgres_url, 1, notify="off") as (quiet,),
        stores(postgres_url, 1) as (loud,),
    ):
        heard: list[tuple[int, str, str]] = []
        loud.subscribe(lambda *key: heard.append(key))
        quiet.subscribe(lambda *key: heard.append(key))
        assert quiet._listener is None and loud._listener is not None
        assert quiet.has_peers()  # nobody can tell: always the coordinated way
        await asyncio.wait_for(loud._listener.connected.wait(), 5)
        await start(quiet, run("r1"), new_tasks=[task("decision", "d", 2)])
        await asyncio.sleep(0.2)
        assert heard == []
        assert await loud.count_tasks(1, "decision", "d") == 1


async def test_a_store_carries_on_after_the_database_dropped_its_connections(
    postgres_url: str,
) -> None:
    async with stores(postgres_url, 2, pool_min="3") as (a, b):
        heard: list[tuple[int, str, str]] = []
        b.subscribe(lambda *key: heard.append(key))
        assert b._listener is not None
        await asyncio.wait_for(b._listener.connected.wait(), 5)
        row = run("r1")
        await start(a, row)
        assert terminate_connections(postgres_url) >= 4
        await asyncio.sleep(0.1)  # the sockets see the server's goodbye
        # Writes and reads go on, on new connections, with no error to the caller: a write
        # that finds its connection closed by the server has sent nothing yet.
        await a.commit(
            ExecutionCommit(row=replace(row, version=2), expected_version=1, events=[(2, b"x")])
        )
        found = await a.get_execution("r1")
        assert found is not None and found.version == 2
        assert await b.count_open_executions(1) == 1
        # The listener reconnects by itself, and wake-ups resume.
        await until(lambda: b._listener is not None and b._listener.connected.is_set(), 10)
        await start(a, run("r2"), new_tasks=[task("decision", "d", 2)])
        a.notify_tasks(1, "decision", "d")
        await until(lambda: heard == [(1, "decision", "d")], 10)


def test_urls_take_openswf_options_and_pass_the_rest_to_libpq() -> None:
    config = parse_url(
        "postgres://me:secret@db.example:6543/swf?pool_max=20&pool_min=1&sslmode=prefer"
        "&statement_timeout_ms=5000&timer_lease_s=12.5&notify=off&skip_locked=false"
        "&prepare_threshold=off&application_name=openswf-a"
    )
    assert config.pool_max == 20 and config.pool_min == 1
    assert config.statement_timeout_ms == 5000 and config.timer_lease_s == 12.5
    assert not config.notify and not config.skip_locked and config.prepare_threshold is None
    assert config.conninfo == (
        "postgresql://me:secret@db.example:6543/swf?sslmode=prefer&application_name=openswf-a"
    )
    defaults = parse_url("postgresql://u@h/d")
    assert (defaults.pool_max, defaults.notify, defaults.skip_locked) == (10, True, True)


@pytest.mark.parametrize(
    "bad",
    [
        "postgresql://u:pw@h/d?pool_max=lots",
        "postgresql://u:pw@h/d?pool_min=5&pool_max=2",
        "postgresql://u:pw@h/d?notify=maybe",
        "postgresql://u:pw@h/d?no_such_option=1",
        "postgresql://u:pw@h/d?timer_lease_s=-1",
    ],
)
def test_bad_urls_are_refused_with_the_password_hidden(bad: str) -> None:
    with pytest.raises(UnsupportedDatabase) as refused:
        store_from_url(bad)
    assert "pw" not in str(refused.value) and "***" in str(refused.value)


def test_redact_hides_only_the_password() -> None:
    assert redact("postgresql://me:secret@h:5/d?x=1") == "postgresql://me:***@h:5/d?x=1"
    assert redact("postgresql://me@h/d") == "postgresql://me@h/d"
    assert redact("sqlite:///tmp/x.db") == "sqlite:///tmp/x.db"
