"""Decoding stored rows into records: the same columns, in the same order, in every backend."""

from __future__ import annotations

from typing import Any

import orjson

from openswf.storage.records import DomainRecord, ExecutionRow, TypeRecord


def domain_record(r: Any) -> DomainRecord:
    return DomainRecord(
        id=r[0],
        region=r[1],
        name=r[2],
        status=r[3],
        description=r[4],
        retention_days=r[5],
        created_ms=r[6],
    )


def type_record(r: Any) -> TypeRecord:
    return TypeRecord(
        domain_id=r[0],
        kind=r[1],
        name=r[2],
        version=r[3],
        status=r[4],
        description=r[5],
        configuration=orjson.loads(r[6]),
        created_ms=r[7],
        deprecated_ms=r[8],
    )


def execution_row(r: Any) -> ExecutionRow:
    return ExecutionRow(
        run_id=r[0],
        domain_id=r[1],
        workflow_id=r[2],
        type_name=r[3],
        type_version=r[4],
        start_ms=r[5],
        close_ms=r[6],
        close_status=r[7],
        cancel_requested=bool(r[8]),
        parent_workflow_id=r[9],
        parent_run_id=r[10],
        tags=orjson.loads(r[11]),
        version=r[12],
        state=bytes(r[13]),  # PostgreSQL gives a memoryview; bytes of bytes is free
    )
