"""Creates the schema on a new database and runs the migrations an older one has not seen.

The version lives in a one-row table of its own (SQLite's ``PRAGMA user_version``). Servers
that start at once over one database serialise on that row's lock: the first creates or
migrates, the others find the work done. DDL runs inside the transaction, so a failed
migration leaves the database as it was.
"""

from __future__ import annotations

from typing import Any

import psycopg

from openswf.storage.sqlfiles import SqlFiles

FILES = SqlFiles(__package__ or "openswf.storage.postgres")
VERSION_TABLE = "openswf_schema"


class SchemaTooNew(RuntimeError):
    pass


def latest_version() -> int:
    return FILES.migrations()[-1][0]


async def migrate(conn: psycopg.AsyncConnection[Any]) -> int:
    """Bring the database to the latest schema; returns the version it had before (0: new).
    ``conn`` must be in autocommit mode."""
    steps = FILES.migrations()
    latest = steps[-1][0]
    for attempt in range(5):
        try:
            await conn.execute(
                f"CREATE TABLE IF NOT EXISTS {VERSION_TABLE} ("
                " id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL)"
            )
            break
        except (
            psycopg.errors.UniqueViolation,
            psycopg.errors.DuplicateObject,
            psycopg.errors.DuplicateTable,
        ):
            # Two servers creating the table at the same moment: one wins, and the other's
            # next IF NOT EXISTS sees its table.
            if attempt == 4:
                raise
    async with conn.transaction():
        await conn.execute(
            f"INSERT INTO {VERSION_TABLE} (id, version) VALUES (1, 0) ON CONFLICT (id) DO NOTHING"
        )
        cursor = await conn.execute(f"SELECT version FROM {VERSION_TABLE} WHERE id = 1 FOR UPDATE")
        found = await cursor.fetchone()
        current = int(found[0]) if found else 0
        if current > latest:
            raise SchemaTooNew(
                f"the database has openswf schema version {current}, newer than this "
                f"openswf's {latest}: upgrade openswf"
            )
        if current == 0:
            await conn.execute(FILES.read("schema.sql").encode())
        else:
            for version, sql in steps:
                if version > current:
                    await conn.execute(sql.encode())
        if current != latest:
            await conn.execute(f"UPDATE {VERSION_TABLE} SET version = %s WHERE id = 1", (latest,))
    return current
