"""Visibility in the SQLite store: every query is served by an index in its sort order (no
table scan, no sort), and the tag table follows the runs it mirrors."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import re
import sqlite3
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from openswf.services.executions import execution_info
from openswf.storage.records import ExecutionCommit, ExecutionQuery, ExecutionRow
from openswf.storage.sqlite import sqlfiles
from openswf.storage.sqlite.store import SqliteStore
from openswf.storage.sqlite.visibility import count_sql, list_sql

# The filters of §6.12, and the index each one must use by start time and by close time
# (migrations/0002_visibility.sql).
FILTERS: dict[str, tuple[dict[str, Any], str, str]] = {
    "none": ({}, "executions_by_start", "executions_by_close"),
    "executionFilter": (
        {"workflow_id": "w"},
        "executions_by_workflow_start",
        "executions_by_workflow_close",
    ),
    "typeFilter name": (
        {"type_name": "t"},
        "executions_by_type_start",
        "executions_by_type_close",
    ),
    "typeFilter name+version": (
        {"type_name": "t", "type_version": "1"},
        "executions_by_version_start",
        "executions_by_version_close",
    ),
    "tagFilter": ({"tag": "x"}, "execution_tags_by_start", "execution_tags_by_close"),
    "closeStatusFilter": (
        {"close_status": "FAILED"},
        "executions_by_status_start",
        "executions_by_status_close",
    ),
}
# (open, by close time): open runs by start time; closed runs by start or close time.
LISTINGS = [(True, False), (False, False), (False, True)]


def queries() -> list[tuple[str, ExecutionQuery]]:
    found = []
    for (is_open, by_close), (name, (members, _, _)) in itertools.product(
        LISTINGS, FILTERS.items()
    ):
        if is_open and name == "closeStatusFilter":
            continue  # not in the model of the open operations
        for latest in (None, 2_000):
            label = f"{'open' if is_open else 'closed'}-by-{'close' if by_close else 'start'}"
            found.append(
                (
                    f"{label} {name} latest={latest}",
                    ExecutionQuery(
                        domain_id=1,
                        open=is_open,
                        oldest_ms=1_000,
                        latest_ms=latest,
                        by_close_time=by_close,
                        **members,
                    ),
                )
            )
    return found


def expected_index(query: ExecutionQuery) -> str:
    if query.tag is not None:
        members = "tagFilter"
    elif query.workflow_id is not None:
        members = "executionFilter"
    elif query.type_version is not None:
        members = "typeFilter name+version"
    elif query.type_name is not None:
        members = "typeFilter name"
    elif query.close_status is not None:
        members = "closeStatusFilter"
    else:
        members = "none"
    _, by_start, by_close = FILTERS[members]
    return by_close if query.by_close_time else by_start


@pytest.fixture(scope="module")
def conn() -> Any:
    with contextlib.closing(sqlite3.connect(":memory:")) as connection:
        connection.executescript(sqlfiles.read("schema.sql"))
        yield connection


def plan_of(conn: sqlite3.Connection, sql: str, params: list[Any]) -> list[str]:
    return [row[-1] for row in conn.execute("EXPLAIN QUERY PLAN " + sql, params)]


def assert_served_by(plan: list[str], index: str, *, covering: bool) -> None:
    text = " | ".join(plan)
    assert "TEMP B-TREE" not in text, text  # no sort: the index gives the order
    for step in plan:
        # The only scan allowed is the outer loop over a count's LIMITed subquery.
        assert not step.startswith("SCAN") or re.match(r"SCAN \(?subquery", step, re.I), text
    kind = "COVERING INDEX" if covering else "INDEX"
    assert f"USING {kind} {index} " in text, text


@pytest.mark.parametrize(("label", "query"), queries(), ids=[label for label, _ in queries()])
@pytest.mark.parametrize("reverse", [False, True], ids=["newest-first", "reverse"])
@pytest.mark.parametrize("after", [None, (1_500, "run")], ids=["first-page", "next-page"])
def test_every_listing_reads_one_index_in_order(
    conn: sqlite3.Connection,
    label: str,
    query: ExecutionQuery,
    reverse: bool,
    after: tuple[int, str] | None,
) -> None:
    sql, params = list_sql(query, after=after, limit=100, reverse=reverse)
    # A tag listing reads the tag index in order (covering), then each run by its key.
    plan = plan_of(conn, sql, params)
    assert_served_by(plan, expected_index(query), covering=query.tag is not None)
    if query.tag is not None:
        assert any("sqlite_autoindex_executions_1 (run_id=?)" in step for step in plan), plan


@pytest.mark.parametrize(("label", "query"), queries(), ids=[label for label, _ in queries()])
@pytest.mark.parametrize("limit", [None, 100_001], ids=["exact", "limited"])
def test_every_count_reads_one_covering_index(
    conn: sqlite3.Connection, label: str, query: ExecutionQuery, limit: int | None
) -> None:
    sql, params = count_sql(replace(query, count_limit=limit))
    assert_served_by(plan_of(conn, sql, params), expected_index(query), covering=True)


# --- the store ----------------------------------------------------------------------------


def row(run_id: str, **changes: Any) -> ExecutionRow:
    base = ExecutionRow(
        run_id=run_id,
        domain_id=1,
        workflow_id="w-" + run_id,
        type_name="wf",
        type_version="1",
        start_ms=1_000,
        close_ms=None,
        close_status=None,
        cancel_requested=False,
        parent_workflow_id=None,
        parent_run_id=None,
        tags=[],
        version=1,
        state=b"{}",
    )
    return replace(base, **changes)


def run_store(path: Path, scenario: Any) -> Any:
    async def main() -> Any:
        store = SqliteStore(str(path))
        await store.open()
        try:
            return await scenario(store)
        finally:
            await store.close()

    return asyncio.run(main())


def tag_rows(path: Path) -> list[tuple[Any, ...]]:
    with contextlib.closing(sqlite3.connect(path)) as conn:
        return conn.execute(
            "SELECT run_id, tag, is_open, start_ms, close_ms FROM execution_tags "
            "ORDER BY run_id, tag"
        ).fetchall()


def test_tag_rows_are_written_at_start_and_closed_with_the_run(tmp_path: Path) -> None:
    path = tmp_path / "tags.db"

    async def scenario(store: SqliteStore) -> None:
        started = row("r1", tags=["red", "blue", "red"])
        await store.commit(ExecutionCommit(row=started, expected_version=0, events=[]))
        await store.commit(ExecutionCommit(row=row("r2"), expected_version=0, events=[]))
        # A transition that leaves the run open moves nothing.
        progressed = replace(started, cancel_requested=True, version=2)
        await store.commit(ExecutionCommit(row=progressed, expected_version=1, events=[]))

    run_store(path, scenario)
    assert tag_rows(path) == [("r1", "blue", 1, 1_000, None), ("r1", "red", 1, 1_000, None)]

    async def close(store: SqliteStore) -> None:
        current = await store.get_execution("r1")
        assert current is not None and current.cancel_requested
        closed = replace(current, close_ms=5_000, close_status="CANCELED", version=3)
        await store.commit(ExecutionCommit(row=closed, expected_version=2, events=[], closed=True))

    run_store(path, close)
    assert tag_rows(path) == [("r1", "blue", 0, 1_000, 5_000), ("r1", "red", 0, 1_000, 5_000)]


def test_listings_by_tag_count_limits_and_parents_through_the_store(tmp_path: Path) -> None:
    async def scenario(store: SqliteStore) -> dict[str, Any]:
        for i in range(5):
            child = row(
                f"r{i}",
                start_ms=1_000 + i,
                tags=["t"] if i % 2 == 0 else ["u"],
                parent_workflow_id="parent" if i == 4 else None,
                parent_run_id="parent-run" if i == 4 else None,
            )
            await store.commit(ExecutionCommit(row=child, expected_version=0, events=[]))
        tagged = ExecutionQuery(domain_id=1, open=True, oldest_ms=0, tag="t")
        everything = ExecutionQuery(domain_id=1, open=True, oldest_ms=0)
        first = await store.list_executions(tagged, after=None, limit=2, reverse=False)
        last = first[-1]
        second = await store.list_executions(
            tagged, after=(last.start_ms, last.run_id), limit=2, reverse=False
        )
        return {
            "pages": [[r.run_id for r in first], [r.run_id for r in second]],
            "count": await store.count_executions(tagged),
            "limited": await store.count_executions(replace(everything, count_limit=3)),
            "exact": await store.count_executions(everything),
            "parent": execution_info(first[0]).get("parent"),
        }

    found = run_store(tmp_path / "store.db", scenario)
    assert found["pages"] == [["r4", "r2"], ["r0"]]
    assert found["count"] == 3
    assert (found["limited"], found["exact"]) == (3, 5)
    assert found["parent"] == {"workflowId": "parent", "runId": "parent-run"}
