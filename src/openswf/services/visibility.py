"""Finding executions: List/Count Open/Closed WorkflowExecutions (reference §6.12).

Rules, as SWF answers them: open listings take a ``startTimeFilter`` (the model requires
it); closed ones exactly one of ``startTimeFilter`` / ``closeTimeFilter``, and results are
ordered by the time the filter names. At most one of ``executionFilter``, ``typeFilter``,
``tagFilter`` (and ``closeStatusFilter`` on closed runs) may be given. Breaking either rule
is a ``ValidationException``.

Pages are newest first (``reverseOrder`` flips them); a page token holds the
``(time, run_id)`` of the last run shown, so the next page starts right after it whatever
started or closed in between. Counts stop at ``COUNT_LIMIT`` and then say ``truncated``:
the count is a lower bound, as SWF's own counts are (docs/visibility.md).
"""

from __future__ import annotations

from typing import Any

from openswf.protocol.faults import ValidationException
from openswf.services.clock import Clock
from openswf.services.context import RequestContext
from openswf.services.executions import execution_info
from openswf.services.paging import Pager, page_size
from openswf.services.registry import RegistryService
from openswf.storage.base import Store
from openswf.storage.records import ExecutionQuery

# The filters of which a request may carry one, with the shape names SWF's message uses:
# "Cannot specify more than one exclusive filters in the same query:
# [WorkflowTypeFilter, CloseStatusFilter]". Source: a code comment in elifesciences/elife-bot
# (provider/swfmeta.py, get_closed_workflow_executionInfos) that quotes the answer SWF gave
# it, with __type com.amazon.coral.validate#ValidationException; not a capture of our own.
_EXCLUSIVE = {
    "executionFilter": "WorkflowExecutionFilter",
    "typeFilter": "WorkflowTypeFilter",
    "tagFilter": "TagFilter",
    "closeStatusFilter": "CloseStatusFilter",
}

# A count stops after this many runs and answers {"count": COUNT_LIMIT, "truncated": true}.
# Counting reads one index range, some 40 ns an entry on SQLite: the limit keeps any count
# near 4 ms however many runs match, where a million would take ~50 ms
# (benchmarks/visibility_scale.py).
COUNT_LIMIT = 100_000


def _ms(value: float) -> int:
    return round(value * 1000)


class VisibilityService:
    def __init__(self, store: Store, clock: Clock, registry: RegistryService, pager: Pager) -> None:
        self._store = store
        self._clock = clock
        self._registry = registry
        self._pager = pager

    async def _query(self, req: dict[str, Any], ctx: RequestContext, open: bool) -> ExecutionQuery:
        if open:
            # Not members of the open operations' input: ignored, as any unknown member is.
            req = {
                k: v for k, v in req.items() if k not in ("closeTimeFilter", "closeStatusFilter")
            }
        present = [shape for member, shape in _EXCLUSIVE.items() if member in req]
        if len(present) > 1:
            raise ValidationException(
                "Cannot specify more than one exclusive filters in the same query: "
                f"[{', '.join(present)}]"
            )
        start, close = req.get("startTimeFilter"), req.get("closeTimeFilter")
        if not open:
            if start is not None and close is not None:
                raise ValidationException(
                    "startTimeFilter and closeTimeFilter are mutually exclusive"
                )
            if start is None and close is None:
                raise ValidationException(
                    "Either startTimeFilter or closeTimeFilter must be specified"
                )
        domain = await self._registry.domain(ctx, req["domain"])
        time_filter = close if close is not None else start
        assert time_filter is not None  # the model requires startTimeFilter on open queries
        type_filter = req.get("typeFilter") or {}
        return ExecutionQuery(
            domain_id=domain.id,
            open=open,
            oldest_ms=_ms(time_filter["oldestDate"]),
            latest_ms=_ms(time_filter["latestDate"]) if "latestDate" in time_filter else None,
            by_close_time=close is not None,
            workflow_id=(req.get("executionFilter") or {}).get("workflowId"),
            type_name=type_filter.get("name"),
            type_version=type_filter.get("version") or None,
            tag=(req.get("tagFilter") or {}).get("tag"),
            close_status=(req.get("closeStatusFilter") or {}).get("status"),
            count_limit=COUNT_LIMIT + 1,
        )

    async def _list(self, req: dict[str, Any], ctx: RequestContext, open: bool) -> dict[str, Any]:
        query = await self._query(req, ctx, open)
        now = self._clock.now_ms()
        # A token names a position in one order: open by start, closed by start or by close.
        scope = "open" if open else ("closed-by-close" if query.by_close_time else "closed")
        after = self._pager.position(req, scope, now)
        limit = page_size(req)
        rows = await self._store.list_executions(
            query,
            after=(int(after[0]), str(after[1])) if after else None,
            limit=limit + 1,
            reverse=bool(req.get("reverseOrder")),
        )
        result: dict[str, Any] = {"executionInfos": [execution_info(r) for r in rows[:limit]]}
        if len(rows) > limit:
            last = rows[limit - 1]
            key = last.close_ms if query.by_close_time else last.start_ms
            result["nextPageToken"] = self._pager.token(scope, [key, last.run_id], now)
        return result

    async def _count(self, req: dict[str, Any], ctx: RequestContext, open: bool) -> dict[str, Any]:
        count = await self._store.count_executions(await self._query(req, ctx, open))
        if count > COUNT_LIMIT:
            return {"count": COUNT_LIMIT, "truncated": True}
        return {"count": count, "truncated": False}

    async def list_open(self, req: dict[str, Any], ctx: RequestContext) -> dict[str, Any]:
        return await self._list(req, ctx, True)

    async def list_closed(self, req: dict[str, Any], ctx: RequestContext) -> dict[str, Any]:
        return await self._list(req, ctx, False)

    async def count_open(self, req: dict[str, Any], ctx: RequestContext) -> dict[str, Any]:
        return await self._count(req, ctx, True)

    async def count_closed(self, req: dict[str, Any], ctx: RequestContext) -> dict[str, Any]:
        return await self._count(req, ctx, False)
