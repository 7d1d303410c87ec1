"""Visibility queries: the WHERE clause is assembled from the filters a request carries.

The fragments stay here rather than in queries.sql because they combine: one statement per
combination of filters would be dozens of near-copies.
"""

from __future__ import annotations

from typing import Any

from openswf.storage.records import ExecutionQuery

COLUMNS = (
    "run_id, domain_id, workflow_id, type_name, type_version, start_ms, close_ms, close_status, "
    "cancel_requested, parent_workflow_id, parent_run_id, tags, version, state"
)


def _where(query: ExecutionQuery) -> tuple[list[str], list[Any], str]:
    clauses = ["domain_id = ?", "is_open = ?"]
    params: list[Any] = [query.domain_id, int(query.open)]
    time_column = "close_ms" if query.by_close_time else "start_ms"
    if query.oldest_ms is not None:
        clauses.append(f"{time_column} >= ?")
        params.append(query.oldest_ms)
    if query.latest_ms is not None:
        clauses.append(f"{time_column} <= ?")
        params.append(query.latest_ms)
    if query.workflow_id is not None:
        clauses.append("workflow_id = ?")
        params.append(query.workflow_id)
    if query.type_name is not None:
        clauses.append("type_name = ?")
        params.append(query.type_name)
        if query.type_version is not None:
            clauses.append("type_version = ?")
            params.append(query.type_version)
    if query.tag is not None:
        clauses.append("EXISTS (SELECT 1 FROM json_each(executions.tags) WHERE value = ?)")
        params.append(query.tag)
    if query.close_status is not None:
        clauses.append("close_status = ?")
        params.append(query.close_status)
    return clauses, params, time_column


def list_sql(
    query: ExecutionQuery, *, after: tuple[int, str] | None, limit: int, reverse: bool
) -> tuple[str, list[Any]]:
    """Newest first by default (SWF's order); ``reverse`` gives oldest first."""
    clauses, params, time_column = _where(query)
    if after is not None:
        op = ">" if reverse else "<"
        clauses.append(f"({time_column}, run_id) {op} (?, ?)")
        params.extend(after)
    direction = "ASC" if reverse else "DESC"
    sql = (
        f"SELECT {COLUMNS} FROM executions WHERE {' AND '.join(clauses)} "
        f"ORDER BY {time_column} {direction}, run_id {direction} LIMIT ?"
    )
    params.append(limit)
    return sql, params


def count_sql(query: ExecutionQuery) -> tuple[str, list[Any]]:
    clauses, params, _ = _where(query)
    return f"SELECT count(*) FROM executions WHERE {' AND '.join(clauses)}", params
