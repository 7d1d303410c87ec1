"""Visibility queries: the WHERE clause is assembled from the filters a request carries.

The fragments stay here rather than in queries.sql because they combine: one statement per
combination of filters would be dozens of near-copies.

Every combination is served by one index (the table is in migrations/0002_visibility.sql):
equality on the domain, the open flag and the one filter, then a range on the time column,
then ``run_id``. A page is a range read in index order that stops after ``limit`` rows; a
page token is the ``(time, run_id)`` of the last row shown, and the next page starts
strictly after it. A count reads one covering index range, and stops after
``count_limit`` rows when asked to. ``tests/contract/test_sqlite_visibility.py`` checks with
EXPLAIN QUERY PLAN that no query scans a table or sorts.

The query names its index (``INDEXED BY``). The store has no statistics (nothing runs
ANALYZE), and without them SQLite's planner guesses selectivity from the shape of the
terms: SQLite 3.40, given a page token's bound on top of the filter's two, took the bare
time index over the filter's own and read the table to check the filter, run by run.
The bounds are now merged into one range, which alone gives the right plan, and naming
the index keeps it so on any SQLite version, and makes a missing index an error rather
than a slow query.
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

# The index of each filter, by start time and by close time.
_INDEXES = {
    "none": ("executions_by_start", "executions_by_close"),
    "workflow": ("executions_by_workflow_start", "executions_by_workflow_close"),
    "type": ("executions_by_type_start", "executions_by_type_close"),
    "version": ("executions_by_version_start", "executions_by_version_close"),
    "status": ("executions_by_status_start", "executions_by_status_close"),
    "tag": ("execution_tags_by_start", "execution_tags_by_close"),
}

# Below any timestamp: the lower bound of a query that gives none.
_MIN_MS = -(2**62)


def _columns(alias: str) -> str:
    return ", ".join(f"{alias}.{column}" for column in COLUMNS)


def _where(
    query: ExecutionQuery, after: tuple[int, str] | None = None, reverse: bool = False
) -> tuple[str, list[str], list[Any], str]:
    """The source the query reads its keys from (aliased ``k``, with its index), its WHERE
    terms and parameters, and the time column it sorts on.

    A tag filter reads ``execution_tags``, whose rows carry the run's domain, open flag and
    times, so its range read and count never touch ``executions``.
    """
    clauses = ["k.domain_id = ?"]
    params: list[Any] = [query.domain_id]
    # A close time or a close status is set exactly when the run is closed, so a term on
    # either says "closed" already. The indexes of closed runs are partial on that column
    # and do not hold is_open: a term on is_open would make SQLite read the table.
    if query.open or not (query.by_close_time or query.close_status is not None):
        clauses.append("k.is_open = ?")
        params.append(int(query.open))
    if query.tag is not None:
        kind = "tag"
        clauses.append("k.tag = ?")
        params.append(query.tag)
    elif query.workflow_id is not None:
        kind = "workflow"
        clauses.append("k.workflow_id = ?")
        params.append(query.workflow_id)
    elif query.type_name is not None:
        kind = "type" if query.type_version is None else "version"
        clauses.append("k.type_name = ?")
        params.append(query.type_name)
        if query.type_version is not None:
            clauses.append("k.type_version = ?")
            params.append(query.type_version)
    elif query.close_status is not None:
        kind = "status"
        clauses.append("k.close_status = ?")
        params.append(query.close_status)
    else:
        kind = "none"
    table = "execution_tags" if kind == "tag" else "executions"
    index = _INDEXES[kind][1 if query.by_close_time else 0]
    time_column = "k.close_ms" if query.by_close_time else "k.start_ms"

    # One range on the time column: the filter's bounds, narrowed by the page token's time.
    # (oldestDate is required; a lower bound also tells SQLite that the column is not NULL,
    # which the partial indexes need.)
    oldest = query.oldest_ms if query.oldest_ms is not None else _MIN_MS
    latest = query.latest_ms
    if after is not None:
        if reverse:
            oldest = max(oldest, after[0])
        else:
            latest = after[0] if latest is None else min(latest, after[0])
    clauses.append(f"{time_column} >= ?")
    params.append(oldest)
    if latest is not None:
        clauses.append(f"{time_column} <= ?")
        params.append(latest)
    if after is not None:
        # Strictly after (time, run_id): runs of the same millisecond are ordered by run_id.
        op = ">" if reverse else "<"
        clauses.append(f"({time_column} {op} ? OR k.run_id {op} ?)")
        params.extend(after)
    return f"{table} AS k INDEXED BY {index}", clauses, params, time_column


def list_sql(
    query: ExecutionQuery, *, after: tuple[int, str] | None, limit: int, reverse: bool
) -> tuple[str, list[Any]]:
    """Newest first by default (SWF's order); ``reverse`` gives oldest first. ``after`` is
    the ``(time, run_id)`` of the last row of the previous page."""
    source, clauses, params, time_column = _where(query, after, reverse)
    if query.tag is None:
        select = _columns("k")
    else:
        # The tag index is the outer loop (CROSS JOIN keeps it so): rows come in its order,
        # and each run is then read by its key.
        source += " CROSS JOIN executions AS e ON e.run_id = k.run_id"
        select = _columns("e")
    direction = "ASC" if reverse else "DESC"
    sql = (
        f"SELECT {select} FROM {source} WHERE {' AND '.join(clauses)} "
        f"ORDER BY {time_column} {direction}, k.run_id {direction} LIMIT ?"
    )
    params.append(limit)
    return sql, params


def count_sql(query: ExecutionQuery) -> tuple[str, list[Any]]:
    """The number of matching runs; at most ``query.count_limit`` when that is set."""
    source, clauses, params, _ = _where(query)
    matching = f"FROM {source} WHERE {' AND '.join(clauses)}"
    if query.count_limit is None:
        return f"SELECT count(*) {matching}", params
    params.append(query.count_limit)
    return f"SELECT count(*) FROM (SELECT 1 {matching} LIMIT ?)", params
