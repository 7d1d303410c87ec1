"""Visibility queries for PostgreSQL: the WHERE clause is assembled from a request's filters.

The same plan as the SQLite store's (``storage/sqlite/visibility.py``, indexes in
``migrations/0002_visibility.sql``): equality on the domain, the open flag and the one filter,
a range on the time column, then ``run_id``; a page is a range read in index order that stops
after ``limit`` rows. The open flag is spelled as a literal so the planner can match the
partial indexes (``WHERE NOT is_open``) whatever the parameters.
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


def _columns(alias: str) -> str:
    return ", ".join(f"{alias}.{column}" for column in COLUMNS)


def _where(query: ExecutionQuery) -> tuple[str, list[str], list[Any], str]:
    """The table the keys come from (aliased ``k``), the WHERE terms and parameters, and the
    time column the listing sorts on. A tag filter reads ``execution_tags``, whose rows carry
    the run's domain, open flag and times."""
    table = "execution_tags" if query.tag is not None else "executions"
    clauses = ["k.domain_id = %s", "k.is_open" if query.open else "NOT k.is_open"]
    params: list[Any] = [query.domain_id]
    if query.tag is not None:
        clauses.append("k.tag = %s")
        params.append(query.tag)
    elif query.workflow_id is not None:
        clauses.append("k.workflow_id = %s")
        params.append(query.workflow_id)
    elif query.type_name is not None:
        clauses.append("k.type_name = %s")
        params.append(query.type_name)
        if query.type_version is not None:
            clauses.append("k.type_version = %s")
            params.append(query.type_version)
    elif query.close_status is not None:
        clauses.append("k.close_status = %s")
        params.append(query.close_status)
    time_column = "k.close_ms" if query.by_close_time else "k.start_ms"
    if query.oldest_ms is not None:
        clauses.append(f"{time_column} >= %s")
        params.append(query.oldest_ms)
    if query.latest_ms is not None:
        clauses.append(f"{time_column} <= %s")
        params.append(query.latest_ms)
    return table, clauses, params, time_column


def list_sql(
    query: ExecutionQuery, *, after: tuple[int, str] | None, limit: int, reverse: bool
) -> tuple[str, list[Any]]:
    """Newest first by default (SWF's order); ``reverse`` gives oldest first. ``after`` is
    the ``(time, run_id)`` of the last row of the previous page."""
    table, clauses, params, time_column = _where(query)
    if after is not None:
        op = ">" if reverse else "<"
        clauses.append(f"({time_column}, k.run_id) {op} (%s, %s)")
        params.extend(after)
    direction = "ASC" if reverse else "DESC"
    if table == "executions":
        source, select = "executions AS k", _columns("k")
    else:
        source = "execution_tags AS k JOIN executions AS e ON e.run_id = k.run_id"
        select = _columns("e")
    sql = (
        f"SELECT {select} FROM {source} WHERE {' AND '.join(clauses)} "
        f"ORDER BY {time_column} {direction}, k.run_id {direction} LIMIT %s"
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
    return f"SELECT count(*) FROM (SELECT 1 {matching} LIMIT %s) AS limited", params
