"""Fires timer rows when they fall due (DESIGN.md invariant 4: timers are hints).

A fired row is handed to the engine as ``FireTimer``; the engine acts only if what the row
times still stands. Rows are durable, so a timer that fell due while the server was down
fires right after it starts.
"""

from __future__ import annotations

import asyncio
import logging

from openswf.engine import commands as c
from openswf.protocol.faults import UnknownResourceFault
from openswf.services.clock import Clock
from openswf.services.history import HistoryService, changes_anything
from openswf.services.relay import RelayService
from openswf.storage.base import Store
from openswf.storage.records import MESSAGE_PREFIX, StoreConflict, TimerRow

log = logging.getLogger("openswf.timers")

BATCH = 512
CONCURRENCY = 64


class TimerService:
    def __init__(
        self,
        store: Store,
        history: HistoryService,
        relay: RelayService,
        clock: Clock,
        *,
        recheck_s: float,
    ) -> None:
        self._store = store
        self._history = history
        self._relay = relay
        self._clock = clock
        self._recheck_s = recheck_s
        self._wake = asyncio.Event()
        self._next_due: int | None = None
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="openswf-timers")

    async def stop(self) -> None:
        self._stopping = True
        self._wake.set()
        if self._task is not None:
            await self._task

    def notify(self, due_ms: int) -> None:
        """A timer was committed: wake the loop if it sleeps past this one."""
        if self._next_due is None or due_ms < self._next_due:
            self._next_due = due_ms
            self._wake.set()

    async def _run(self) -> None:
        while not self._stopping:
            try:
                fired = await self.fire_due()
            except Exception:  # keep firing: one bad batch must not stop every timer
                log.exception("timer batch failed")
                await asyncio.sleep(1)  # and do not spin on a failure that repeats
                fired = 0
            if fired >= BATCH:
                continue
            self._wake.clear()
            self._next_due = await self._store.next_timer_due()
            due = self._next_due
            if self._store.shared:
                # Other servers may add earlier timers without waking us.
                cap = self._clock.now_ms() + int(self._recheck_s * 1000)
                due = cap if due is None else min(due, cap)
            if not self._stopping:
                await self._clock.sleep_until(due, self._wake)

    async def fire_due(self) -> int:
        """Fire every timer due now; returns how many rows were handled."""
        rows = await self._store.due_timers(self._clock.now_ms(), BATCH)
        semaphore = asyncio.Semaphore(CONCURRENCY)

        async def fire(row: TimerRow) -> None:
            async with semaphore:
                await self._fire(row)

        await asyncio.gather(*(fire(row) for row in rows))
        return len(rows)

    async def _fire(self, row: TimerRow) -> None:
        if row.key.startswith(MESSAGE_PREFIX):
            try:
                await self._relay.deliver(row.run_id, row.key)
            except StoreConflict:
                return  # contended: the row stays and is delivered on the next pass
            await self._store.delete_timer(row.run_id, row.key, row.due_ms)
            return
        try:
            outcome = await self._history.apply(row.run_id, c.FireTimer(key=row.key))
        except UnknownResourceFault:
            outcome = None
        except StoreConflict:
            return  # contended: the row stays and fires on the next pass
        if outcome is None or not changes_anything(outcome, c.FireTimer(key=row.key)):
            # Nothing was committed (the timer was stale), so nothing deleted the row.
            await self._store.delete_timer(row.run_id, row.key, row.due_ms)
