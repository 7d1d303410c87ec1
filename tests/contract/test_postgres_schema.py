"""The PostgreSQL schema: a new database is created from schema.sql, an existing one is
migrated step by step; both must end with the same schema, a migration must carry the data
over, and every visibility query must read its index in order (no sort)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import orjson
import psycopg
import pytest

from openswf.storage.postgres import migrate
from openswf.storage.postgres.visibility import count_sql, list_sql
from openswf.storage.records import ExecutionQuery

Conn = psycopg.Connection[Any]


@pytest.fixture
def conn(postgres_url: str) -> Iterator[Conn]:
    with psycopg.connect(postgres_url, autocommit=True) as connection:
        for schema in ("migrated", "fresh", "public"):
            connection.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        connection.execute("CREATE SCHEMA public")
        yield connection


def in_schema(conn: Conn, schema: str) -> None:
    conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
    conn.execute(f"CREATE SCHEMA {schema}")
    conn.execute(f"SET search_path = {schema}")


def schema_of(conn: Conn) -> dict[str, Any]:
    """Tables, columns, indexes, constraints and storage options of the current schema."""

    def rows(sql: str) -> list[tuple[Any, ...]]:
        return sorted(conn.execute(sql).fetchall(), key=repr)

    return {
        "columns": rows(
            "SELECT table_name, column_name, ordinal_position, data_type, is_nullable, "
            "replace(column_default, current_schema() || '.', '') "
            "FROM information_schema.columns WHERE table_schema = current_schema()"
        ),
        "indexes": rows(
            "SELECT tablename, indexname, replace(indexdef, current_schema() || '.', '') "
            "FROM pg_indexes WHERE schemaname = current_schema()"
        ),
        "constraints": rows(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
            "FROM pg_constraint WHERE connamespace = current_schema()::regnamespace"
        ),
        "tables": rows(
            "SELECT relname, relkind, reloptions FROM pg_class "
            "WHERE relnamespace = current_schema()::regnamespace"
        ),
    }


def test_the_migrations_in_order_build_exactly_schema_sql(conn: Conn) -> None:
    steps = migrate.FILES.migrations()
    assert [version for version, _ in steps] == list(range(1, len(steps) + 1)), (
        "migrations are numbered 1, 2, 3, ... with no gap or repeat"
    )
    in_schema(conn, "migrated")
    for _, sql in steps:
        with conn.transaction():
            conn.execute(sql.encode())
    migrated = schema_of(conn)
    in_schema(conn, "fresh")
    conn.execute(migrate.FILES.read("schema.sql").encode())
    assert schema_of(conn) == migrated
    assert len(migrated["indexes"]) > 20


async def test_migrate_creates_a_new_database_at_the_latest_version(postgres_url: str) -> None:
    with psycopg.connect(postgres_url, autocommit=True) as sync:
        sync.execute("DROP SCHEMA public CASCADE")
        sync.execute("CREATE SCHEMA public")
    async with await psycopg.AsyncConnection.connect(postgres_url, autocommit=True) as conn:
        assert await migrate.migrate(conn) == 0
        assert await migrate.migrate(conn) == migrate.latest_version()  # a second start
    with psycopg.connect(postgres_url, autocommit=True) as sync:
        version = sync.execute("SELECT version FROM openswf_schema").fetchone()
        assert version == (migrate.latest_version(),)
        created = schema_of(sync)
        in_schema(sync, "fresh")
        sync.execute(migrate.FILES.read("schema.sql").encode())
        fresh = schema_of(sync)
    # The same, but for the version table, which lives outside schema.sql.
    created = {
        key: [row for row in value if "openswf_schema" not in repr(row)]
        for key, value in created.items()
    }
    assert created == fresh


async def test_a_database_newer_than_this_openswf_is_refused(postgres_url: str) -> None:
    async with await psycopg.AsyncConnection.connect(postgres_url, autocommit=True) as conn:
        await migrate.migrate(conn)
        await conn.execute("UPDATE openswf_schema SET version = version + 1")
        with pytest.raises(migrate.SchemaTooNew):
            await migrate.migrate(conn)
        await conn.execute("UPDATE openswf_schema SET version = version - 1")


def _insert_v1_execution(conn: Conn, run_id: str, tags: list[str], close_ms: int | None) -> None:
    conn.execute(
        "INSERT INTO executions (run_id, domain_id, workflow_id, type_name, type_version, "
        "start_ms, close_ms, close_status, is_open, cancel_requested, parent_workflow_id, "
        "parent_run_id, tags, version, state) "
        "VALUES (%s, 1, %s, 'wf', '1', 1000, %s, %s, %s, FALSE, NULL, NULL, %s, 1, '')",
        (
            run_id,
            "w-" + run_id,
            close_ms,
            None if close_ms is None else "COMPLETED",
            close_ms is None,
            orjson.dumps(tags).decode(),
        ),
    )


async def test_migrating_a_version_1_database_moves_the_tags_into_their_table(
    postgres_url: str,
) -> None:
    steps = migrate.FILES.migrations()
    with psycopg.connect(postgres_url, autocommit=True) as sync:
        sync.execute("DROP SCHEMA public CASCADE")
        sync.execute("CREATE SCHEMA public")
        sync.execute(steps[0][1].encode())
        sync.execute(
            "CREATE TABLE openswf_schema (id INTEGER PRIMARY KEY CHECK (id = 1), "
            "version INTEGER NOT NULL)"
        )
        sync.execute("INSERT INTO openswf_schema VALUES (1, 1)")
        _insert_v1_execution(sync, "open", ["red", "blue", "red"], None)
        _insert_v1_execution(sync, "closed", ["red", ""], 2000)
        _insert_v1_execution(sync, "untagged", [], 3000)
    async with await psycopg.AsyncConnection.connect(postgres_url, autocommit=True) as conn:
        assert await migrate.migrate(conn) == 1
    with psycopg.connect(postgres_url) as sync:
        assert sync.execute("SELECT version FROM openswf_schema").fetchone() == (steps[-1][0],)
        rows = sync.execute(
            "SELECT run_id, tag, domain_id, is_open, start_ms, close_ms FROM execution_tags "
            "ORDER BY run_id, tag"
        ).fetchall()
        assert rows == [
            ("closed", "", 1, False, 1000, 2000),
            ("closed", "red", 1, False, 1000, 2000),
            ("open", "blue", 1, True, 1000, None),
            ("open", "red", 1, True, 1000, None),
        ]
        # A deleted run takes its tags along (the retention purge deletes runs).
        sync.execute("DELETE FROM executions WHERE run_id = 'closed'")
        left = sync.execute("SELECT run_id, tag FROM execution_tags ORDER BY tag").fetchall()
        assert left == [("open", "blue"), ("open", "red")]


# --- visibility plans ---------------------------------------------------------------------

FILTERS: dict[str, dict[str, Any]] = {
    "none": {},
    "executionFilter": {"workflow_id": "w"},
    "typeFilter name": {"type_name": "t"},
    "typeFilter name+version": {"type_name": "t", "type_version": "1"},
    "tagFilter": {"tag": "x"},
    "closeStatusFilter": {"close_status": "FAILED"},
}
LISTINGS = [(True, False), (False, False), (False, True)]


def queries() -> list[tuple[str, ExecutionQuery]]:
    found = []
    for (is_open, by_close), (name, members) in itertools.product(LISTINGS, FILTERS.items()):
        if is_open and name == "closeStatusFilter":
            continue
        label = f"{'open' if is_open else 'closed'}-by-{'close' if by_close else 'start'} {name}"
        query = ExecutionQuery(
            domain_id=1,
            open=is_open,
            oldest_ms=1_000,
            latest_ms=2_000,
            by_close_time=by_close,
            **members,
        )
        found.append((label, query))
    return found


def test_every_listing_and_count_reads_an_index_without_sorting(conn: Conn) -> None:
    conn.execute(migrate.FILES.read("schema.sql").encode())
    # Empty tables would make any plan cheap: make the planner show the plan it has for a
    # large table, and make a sort as dear as a scan.
    conn.execute("SET enable_seqscan = off")
    conn.execute("SET enable_sort = off")
    problems = []
    for label, query in queries():
        for reverse, after in itertools.product((False, True), (None, (1_500, "run"))):
            sql, params = list_sql(query, after=after, limit=100, reverse=reverse)
            plan = explain(conn, sql, params)
            if "Sort" in plan or "Seq Scan" in plan:
                problems.append(f"list {label} reverse={reverse} after={after}:\n{plan}")
        sql, params = count_sql(query)
        plan = explain(conn, sql, params)
        if "Seq Scan" in plan:
            problems.append(f"count {label}:\n{plan}")
    assert not problems, "\n\n".join(problems)


def explain(conn: Conn, sql: str, params: list[Any]) -> str:
    rows = conn.execute(("EXPLAIN " + sql).encode(), params).fetchall()
    return "\n".join(row[0] for row in rows)
