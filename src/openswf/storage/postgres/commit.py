"""One transition of an execution, written in one transaction (DESIGN.md invariant 1).

A transition is one statement (``commit_start``, ``commit_step`` or ``commit_close`` in
queries.sql): the run's row with its expected-version check, then the events, task and timer
rows, all conditional on that check, in one round trip. A check that finds no row (another
server wrote the run first) writes nothing and raises ``VersionConflict``; a second open run
of a workflowId breaks the partial unique index and raises ``DuplicateOpenExecution``.

A run that continues as new (a close plus the start of its successor, rare) is written as an
explicit transaction instead, pipelined into two round trips: BEGIN and the row's write with
its check first, then the rest and the COMMIT.
"""

from __future__ import annotations

from typing import Any

import orjson
import psycopg
from psycopg import errors as pg_errors

from openswf.storage.postgres.database import Attempt, Conn
from openswf.storage.records import (
    MESSAGE_PREFIX,
    DuplicateOpenExecution,
    ExecutionCommit,
    TaskRow,
    VersionConflict,
)
from openswf.storage.sqlfiles import SqlFiles

Q = SqlFiles(__package__ or "openswf.storage.postgres").named_queries("queries.sql")

_Pending = list[tuple[psycopg.AsyncCursor[Any], TaskRow]]


async def apply_commit(conn: Conn, attempt: Attempt, commit: ExecutionCommit) -> list[TaskRow]:
    row = commit.row
    if commit.successor is not None or commit.closed == row.is_open:
        # Continue-as-new, or a row whose close and effects disagree: rare shapes, written
        # statement by statement in an explicit transaction.
        return await _apply_in_transaction(conn, attempt, commit)
    if commit.expected_version == 0:
        query = Q["commit_start"]
    elif commit.closed:
        query = Q["commit_close"]
    else:
        query = Q["commit_step"]
    attempt.committing = True  # one statement: it commits as it runs
    try:
        cursor = await conn.execute(query, _params(commit))
    except pg_errors.UniqueViolation as error:
        if commit.expected_version == 0:
            raise DuplicateOpenExecution(row.workflow_id) from error
        raise
    found = await cursor.fetchone()
    assert found is not None
    if found[0] != 1:
        raise VersionConflict(row.run_id)
    seqs = {int(scheduled): int(seq) for scheduled, seq in found[1]}
    return [
        TaskRow(
            seq=seqs[task.scheduled_event_id],
            domain_id=row.domain_id,
            kind=task.kind,
            task_list=task.task_list,
            priority=task.priority,
            run_id=row.run_id,
            scheduled_event_id=task.scheduled_event_id,
            payload=task.payload,
        )
        for task in commit.new_tasks
        if task.scheduled_event_id in seqs  # an existing row gets no second offer
    ]


# Arrays go as array literals (text): an empty list and a full one then have one parameter
# type, so each statement keeps one prepared plan per connection (psycopg types a Python list
# by its contents, and an empty one as unknown, and prepares per set of parameter types).
def _ints(values: list[int]) -> str:
    return "{" + ",".join(str(int(value)) for value in values) + "}"


def _blobs(values: list[bytes | None]) -> str:
    return "{" + ",".join("NULL" if v is None else f'"\\\\x{v.hex()}"' for v in values) + "}"


def _params(commit: ExecutionCommit) -> dict[str, Any]:
    row = commit.row
    timers = commit.timers
    if commit.closed:  # a closed run keeps only its outbox messages
        timers = [(key, due) for key, due in timers if key.startswith(MESSAGE_PREFIX)]
    written = {key for key, _ in timers}
    cleared = [key for key in commit.cleared_timers if key not in written]
    new_ids = {(task.kind, task.scheduled_event_id) for task in commit.new_tasks}
    done = [task for task in commit.done_tasks if task not in new_ids]
    return {
        "run_id": row.run_id,
        "domain_id": row.domain_id,
        "workflow_id": row.workflow_id,
        "type_name": row.type_name,
        "type_version": row.type_version,
        "start_ms": row.start_ms,
        "close_ms": row.close_ms,
        "close_status": row.close_status,
        "is_open": row.is_open,
        "cancel_requested": row.cancel_requested,
        "parent_workflow_id": row.parent_workflow_id,
        "parent_run_id": row.parent_run_id,
        "tags_json": orjson.dumps(row.tags).decode(),
        "tags": row.tags,
        "version": row.version,
        "expected_version": commit.expected_version,
        "state": row.state,
        "event_ids": _ints([event_id for event_id, _ in commit.events]),
        "bodies": _blobs([body for _, body in commit.events]),
        "done_kinds": [kind for kind, _ in done],
        "done_ids": _ints([scheduled for _, scheduled in done]),
        "cleared": cleared,
        "timer_keys": [key for key, _ in timers],
        "timer_dues": _ints([due for _, due in timers]),
        "task_kinds": [task.kind for task in commit.new_tasks],
        "task_lists": [task.task_list for task in commit.new_tasks],
        "task_priorities": _ints([task.priority for task in commit.new_tasks]),
        "task_ids": _ints([task.scheduled_event_id for task in commit.new_tasks]),
        "task_payloads": _blobs([task.payload for task in commit.new_tasks]),
    }


async def _apply_in_transaction(
    conn: Conn, attempt: Attempt, commit: ExecutionCommit
) -> list[TaskRow]:
    pending: _Pending = []
    async with conn.pipeline() as pipeline:
        async with conn.transaction():
            await _write(conn, pipeline, commit, pending)
            attempt.committing = True
    created = []
    for cursor, row in pending:
        found = await cursor.fetchone()
        if found is not None:  # an existing row (a replayed commit) gets no second offer
            created.append(_with_seq(row, int(found[0])))
    return created


async def _write(
    conn: Conn,
    pipeline: psycopg.AsyncPipeline,
    commit: ExecutionCommit,
    pending: _Pending,
) -> None:
    row = commit.row
    await _write_row(conn, pipeline, commit)
    run_id = row.run_id
    cursor = conn.cursor()
    if commit.events:
        await cursor.executemany(
            Q["insert_event"], [(run_id, event_id, body) for event_id, body in commit.events]
        )
    if commit.done_tasks:
        await cursor.executemany(
            Q["delete_task"], [(run_id, kind, scheduled) for kind, scheduled in commit.done_tasks]
        )
    if commit.cleared_timers:
        await cursor.executemany(
            Q["delete_timer"], [(run_id, key) for key in commit.cleared_timers]
        )
    if commit.closed:
        await cursor.execute(Q["delete_run_tasks"], (run_id,))
        await cursor.execute(Q["delete_run_timers"], (run_id,))
        messages = [(key, due) for key, due in commit.timers if key.startswith(MESSAGE_PREFIX)]
        if messages:
            await cursor.executemany(
                Q["upsert_timer"], [(run_id, key, due) for key, due in messages]
            )
        if commit.successor is not None:
            await _write(conn, pipeline, commit.successor, pending)
        return
    if commit.timers:
        await cursor.executemany(
            Q["upsert_timer"], [(run_id, key, due) for key, due in commit.timers]
        )
    for task in commit.new_tasks:
        task_cursor = conn.cursor()
        await task_cursor.execute(
            Q["insert_task"],
            (
                row.domain_id,
                task.kind,
                task.task_list,
                task.priority,
                run_id,
                task.scheduled_event_id,
                task.payload,
            ),
        )
        pending.append(
            (
                task_cursor,
                TaskRow(
                    seq=0,
                    domain_id=row.domain_id,
                    kind=task.kind,
                    task_list=task.task_list,
                    priority=task.priority,
                    run_id=run_id,
                    scheduled_event_id=task.scheduled_event_id,
                    payload=task.payload,
                ),
            )
        )


async def _write_row(conn: Conn, pipeline: psycopg.AsyncPipeline, commit: ExecutionCommit) -> None:
    """Insert or update the run's row, and wait for the answer: nothing else is written
    unless this passed."""
    row = commit.row
    cursor = conn.cursor()
    if commit.expected_version == 0:
        await cursor.execute(
            Q["insert_execution"],
            (
                row.run_id,
                row.domain_id,
                row.workflow_id,
                row.type_name,
                row.type_version,
                row.start_ms,
                row.close_ms,
                row.close_status,
                row.is_open,
                row.cancel_requested,
                row.parent_workflow_id,
                row.parent_run_id,
                orjson.dumps(row.tags).decode(),
                row.version,
                row.state,
            ),
        )
        # Tags are set only at start (reference §6.16): their rows are written here, and
        # moved to the closed indexes when the run closes.
        if row.tags:
            await cursor.executemany(
                Q["insert_execution_tag"],
                [
                    (row.run_id, tag, row.domain_id, row.is_open, row.start_ms, row.close_ms)
                    for tag in row.tags
                ],
            )
        try:
            await pipeline.sync()
        except pg_errors.UniqueViolation as error:
            raise DuplicateOpenExecution(row.workflow_id) from error
        return
    if row.is_open:
        await cursor.execute(
            Q["update_execution_state"],
            (row.cancel_requested, row.version, row.state, row.run_id, commit.expected_version),
        )
    else:
        await cursor.execute(
            Q["update_execution"],
            (
                row.close_ms,
                row.close_status,
                row.is_open,
                row.cancel_requested,
                row.version,
                row.state,
                row.run_id,
                commit.expected_version,
            ),
        )
    if await cursor.fetchone() is None:
        raise VersionConflict(row.run_id)
    if not row.is_open and row.tags:
        await cursor.execute(Q["close_execution_tags"], (row.close_ms, row.run_id))


def _with_seq(row: TaskRow, seq: int) -> TaskRow:
    return TaskRow(
        seq=seq,
        domain_id=row.domain_id,
        kind=row.kind,
        task_list=row.task_list,
        priority=row.priority,
        run_id=row.run_id,
        scheduled_event_id=row.scheduled_event_id,
        payload=row.payload,
    )
