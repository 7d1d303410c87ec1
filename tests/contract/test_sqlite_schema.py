"""The SQLite schema: a new database is created from schema.sql, an existing one is migrated
step by step; both must end with the same schema, and a migration must carry the data over."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator

import orjson

from openswf.storage.sqlite import sqlfiles
from openswf.storage.sqlite.store import migrate


@contextlib.contextmanager
def connection() -> Iterator[sqlite3.Connection]:
    with contextlib.closing(sqlite3.connect(":memory:", isolation_level=None)) as conn:
        yield conn


def run_migration(conn: sqlite3.Connection, version: int, sql: str) -> None:
    """One step, as ``migrate`` runs it."""
    conn.executescript(f"BEGIN;{sql};PRAGMA user_version = {version};COMMIT;")


def schema_of(conn: sqlite3.Connection) -> dict[tuple[str, str], str]:
    """Every object of sqlite_master, its SQL with whitespace runs collapsed."""
    rows = conn.execute("SELECT type, name, sql FROM sqlite_master").fetchall()
    return {(kind, name): " ".join((sql or "").split()) for kind, name, sql in rows}


def test_the_migrations_in_order_build_exactly_schema_sql() -> None:
    steps = sqlfiles.migrations()
    assert [version for version, _ in steps] == list(range(1, len(steps) + 1)), (
        "migrations are numbered 1, 2, 3, ... with no gap or repeat"
    )
    with connection() as migrated, connection() as fresh:
        for version, sql in steps:
            run_migration(migrated, version, sql)
        fresh.executescript(sqlfiles.read("schema.sql"))
        assert schema_of(migrated) == schema_of(fresh)


def test_migrate_creates_a_new_database_from_schema_sql_at_the_latest_version() -> None:
    latest = sqlfiles.migrations()[-1][0]
    with connection() as conn, connection() as fresh:
        migrate(conn)
        fresh.executescript(sqlfiles.read("schema.sql"))
        assert conn.execute("PRAGMA user_version").fetchone()[0] == latest
        assert schema_of(conn) == schema_of(fresh)
        migrate(conn)  # a second start changes nothing
        assert schema_of(conn) == schema_of(fresh)


def _insert_v1_execution(
    conn: sqlite3.Connection, run_id: str, tags: list[str], close_ms: int | None
) -> None:
    conn.execute(
        "INSERT INTO executions (run_id, domain_id, workflow_id, type_name, type_version, "
        "start_ms, close_ms, close_status, is_open, cancel_requested, parent_workflow_id, "
        "parent_run_id, tags, version, state) "
        "VALUES (?, 1, ?, 'wf', '1', 1000, ?, ?, ?, 0, NULL, NULL, ?, 1, x'')",
        (
            run_id,
            "w-" + run_id,
            close_ms,
            None if close_ms is None else "COMPLETED",
            int(close_ms is None),
            orjson.dumps(tags).decode(),
        ),
    )


def test_migrating_a_version_1_database_moves_the_tags_into_their_table() -> None:
    steps = sqlfiles.migrations()
    with connection() as conn:
        run_migration(conn, *steps[0])
        _insert_v1_execution(conn, "open", ["red", "blue", "red"], None)
        _insert_v1_execution(conn, "closed", ["red", ""], 2000)
        _insert_v1_execution(conn, "untagged", [], 3000)
        migrate(conn)
        assert conn.execute("PRAGMA user_version").fetchone()[0] == steps[-1][0]
        rows = conn.execute(
            "SELECT run_id, tag, domain_id, is_open, start_ms, close_ms FROM execution_tags "
            "ORDER BY run_id, tag"
        ).fetchall()
    assert rows == [
        ("closed", "", 1, 0, 1000, 2000),
        ("closed", "red", 1, 0, 1000, 2000),
        ("open", "blue", 1, 1, 1000, None),
        ("open", "red", 1, 1, 1000, None),
    ]


def test_deleting_a_run_deletes_its_tags() -> None:
    """The retention purge deletes executions rows; the tag rows go with them."""
    with connection() as conn:
        migrate(conn)
        conn.execute(
            "INSERT INTO execution_tags (run_id, tag, domain_id, is_open, start_ms, close_ms) "
            "VALUES ('gone', 'a', 1, 0, 1, 2), ('gone', 'b', 1, 0, 1, 2), ('kept', 'a', 1, 0, 1, 2)"
        )
        _insert_v1_execution(conn, "gone", ["a", "b"], 2)
        _insert_v1_execution(conn, "kept", ["a"], 2)
        conn.execute("DELETE FROM executions WHERE run_id = 'gone'")
        left = conn.execute("SELECT run_id, tag FROM execution_tags").fetchall()
    assert left == [("kept", "a")]
