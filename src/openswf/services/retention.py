"""Purges closed executions once their domain's retention period has passed (reference §6.13).

A run closed at ``close_ms`` in a domain that keeps closed runs ``N`` days is deleted (its row,
history, task and timer rows) by the first sweep at or after ``close_ms + N days``; "0" and
"NONE" mean right after close. After that, describe and history calls answer
``UnknownResourceFault`` and the run is gone from the closed visibility lists and counts.

The sweep runs every ``interval_s`` on the service's clock, so a manual clock drives it in
tests. Each batch of runs is one transaction of its own: a large backlog never holds the
writer for long, and a sweep stopped half-way loses nothing (the rest goes next time).
"""

from __future__ import annotations

import asyncio
import logging

from openswf.services.clock import Clock
from openswf.storage.base import Store

log = logging.getLogger("openswf.retention")

DAY_MS = 86_400_000


def retention_ms(days: str) -> int | None:
    """How long a closed run is kept, or ``None`` to keep it forever. A value that is not a
    whole number of days (SWF's model allows any short string) keeps runs: a bad setting
    must never destroy history."""
    if days.strip().upper() == "NONE":
        return 0
    try:
        value = int(days)
    except ValueError:
        return None
    return value * DAY_MS if value >= 0 else None


class RetentionService:
    def __init__(self, store: Store, clock: Clock, *, interval_s: float, batch: int) -> None:
        self._store = store
        self._clock = clock
        self._interval_ms = max(1, round(interval_s * 1000))
        self._batch = batch
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="openswf-retention")

    async def stop(self) -> None:
        self._stopping = True
        self._wake.set()
        if self._task is not None:
            await self._task

    async def _run(self) -> None:
        while not self._stopping:
            try:
                await self.sweep()
            except Exception:  # keep sweeping: a failed pass is retried on the next one
                log.exception("retention sweep failed")
            if not self._stopping:
                await self._clock.sleep_until(self._clock.now_ms() + self._interval_ms, self._wake)

    async def sweep(self) -> int:
        """Purge every closed run past its domain's retention; returns how many were purged."""
        now = self._clock.now_ms()
        total = 0
        for domain_id, days in await self._store.domain_retentions():
            keep = retention_ms(days)
            if keep is None:
                continue
            while not self._stopping:
                runs = await self._store.expired_runs(domain_id, now - keep, self._batch)
                purged = await self._store.purge_runs(runs) if runs else 0
                total += purged
                if len(runs) < self._batch or purged == 0:
                    break
        if total:
            log.info("purged %d closed executions past their retention period", total)
        return total
