"""Visibility queries: the WHERE clause is assembled from the filters a request carries.

The fragments stay here rather than in queries.sql because they combine: one statement per
combination of filters would be dozens of near-copies.

Every combination is served by one index (migrations/0002_visibility.sql has the table):
equality on the domain, the open flag and the one filter, then a range on the time column,
then ``run_id``. A page is a range read in index order, newest first, that stops after
``limit`` rows; a page token is the ``(time, run_id)`` of the last row shown, so the next
page starts strictly after it. A count reads one covering index range, and stops after
``count_limit`` rows when asked to. ``tests/contract/test_sqlite_visibility.py`` checks with
EXPLAIN QUERY PLAN that no query scans a table or sorts.
"""

from __future__ import annotations

from typing import Any

from openswf.storage.records import ExecutionQuery

COLUMNS = (
    "run_id",
    "domain_id",
    "workflow_id",
    "type_name",
    "type_version",
    "start_ms",
    "close_ms",
    "close_status",
    "cancel_requested",
    "parent_workflow_id",
    "parent_run_id",
    "tags",
    "version",
    "state",
)


# Below any timestamp: the lower bound of a query that gives none.
_MIN_MS = -(2**62)


def _columns(alias: str) -> str:
    return ", ".join(f"{alias}.{column}" for column in COLUMNS)


def _where(query: ExecutionQuery) -> tuple[str, list[str], list[Any], str]:
    """The table the query reads its keys from (aliased ``k``), its WHERE terms and
    parameters, and the time column it sorts on.

    A tag filter reads ``execution_tags``, whose rows carry the run's domain, open flag and
    times, so its range read and count never touch ``executions``.
    """
    table = "execution_tags" if query.tag is not None else "executions"
    time_column = "k.close_ms" if query.by_close_time else "k.start_ms"
    clauses = ["k.domain_id = ?"]
    params: list[Any] = [query.domain_id]
    # A close time or a close status is set exactly when the run is closed, so a term on
    # either says "closed" already. The indexes of closed runs are partial on that column
    # and do not hold is_open: a term on is_open would make SQLite read the table.
    if query.open or not (query.by_close_time or query.close_status is not None):
        clauses.append("k.is_open = ?")
        params.append(int(query.open))
    if query.tag is not None:
        clauses.append("k.tag = ?")
        params.append(query.tag)
    elif query.workflow_id is not None:
        clauses.append("k.workflow_id = ?")
        params.append(query.workflow_id)
    elif query.type_name is not None:
        clauses.append("k.type_name = ?")
        params.append(query.type_name)
        if query.type_version is not None:
            clauses.append("k.type_version = ?")
            params.append(query.type_version)
    elif query.close_status is not None:
        clauses.append("k.close_status = ?")
        params.append(query.close_status)
    # Every query has a lower bound (oldestDate is required); it also tells SQLite that the
    # time column is not NULL, which the partial indexes need.
    clauses.append(f"{time_column} >= ?")
    params.append(query.oldest_ms if query.oldest_ms is not None else _MIN_MS)
    if query.latest_ms is not None:
        clauses.append(f"{time_column} <= ?")
        params.append(query.latest_ms)
    return table, clauses, params, time_column


def list_sql(
    query: ExecutionQuery, *, after: tuple[int, str] | None, limit: int, reverse: bool
) -> tuple[str, list[Any]]:
    """Newest first by default (SWF's order); ``reverse`` gives oldest first. ``after`` is
    the ``(time, run_id)`` of the last row of the previous page."""
    table, clauses, params, time_column = _where(query)
    if after is not None:
        # Strictly after (time, run_id), spelled without a row value: given one, SQLite's
        # planner (without statistics) may prefer the index of the bare time order to the
        # index of the filter, and then read the table to check the filter.
        op = ">" if reverse else "<"
        clauses.append(f"{time_column} {op}= ?")
        clauses.append(f"({time_column} {op} ? OR k.run_id {op} ?)")
        params.extend([after[0], after[0], after[1]])
    direction = "ASC" if reverse else "DESC"
    if table == "executions":
        source, select = "executions AS k", _columns("k")
    else:
        # CROSS JOIN keeps the tag index as the outer loop: the rows come in its order and
        # each run is then fetched by its key.
        source = "execution_tags AS k CROSS JOIN executions AS e ON e.run_id = k.run_id"
        select = _columns("e")
    sql = (
        f"SELECT {select} FROM {source} WHERE {' AND '.join(clauses)} "
        f"ORDER BY {time_column} {direction}, k.run_id {direction} LIMIT ?"
    )
    params.append(limit)
    return sql, params


def count_sql(query: ExecutionQuery) -> tuple[str, list[Any]]:
    """The number of matching runs; at most ``query.count_limit`` when that is set."""
    table, clauses, params, _ = _where(query)
    matching = f"FROM {table} AS k WHERE {' AND '.join(clauses)}"
    if query.count_limit is None:
        return f"SELECT count(*) {matching}", params
    params.append(query.count_limit)
    return f"SELECT count(*) FROM (SELECT 1 {matching} LIMIT ?)", params
