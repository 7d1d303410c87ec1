"""Fires timer rows when they fall due (DESIGN.md invariant 4: timers are hints).

A fired row is handed to the engine as ``FireTimer`` (the due rows of one run together, as
``FireTimers``); the engine acts only if what the row times still stands. Rows are durable,
so a timer that fell due while the server was down fires right after it starts.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable

from openswf.engine import commands as c
from openswf.protocol.faults import UnknownResourceFault
from openswf.services.clock import Clock
from openswf.services.history import HistoryService, changes_anything
from openswf.services.observe import NO_OBSERVER, Observer
from openswf.services.relay import RelayService
from openswf.storage.base import Store
from openswf.storage.records import MESSAGE_PREFIX, StoreConflict, TimerRow

log = logging.getLogger("openswf.timers")

BATCH = 512
CONCURRENCY = 64
RETRY_MS = 1000  # a row whose handling failed is tried again this much later


class TimerService:
    def __init__(
        self,
        store: Store,
        history: HistoryService,
        relay: RelayService,
        clock: Clock,
        *,
        recheck_s: float,
        observer: Observer = NO_OBSERVER,
    ) -> None:
        self._store = store
        self._history = history
        self._relay = relay
        self._clock = clock
        self._recheck_s = recheck_s
        self._observer = observer
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
            try:
                self._next_due = await self._store.next_timer_due()
            except Exception:  # the store is away (a database restart): look again soon
                log.warning("cannot read the next timer", exc_info=True)
                self._observer.store_error("timers")
                self._next_due = self._clock.now_ms() + 1000
            due = self._next_due
            if self._store.shared:
                # Other servers may add earlier timers without waking us.
                cap = self._clock.now_ms() + int(self._recheck_s * 1000)
                due = cap if due is None else min(due, cap)
            if not self._stopping:
                await self._clock.sleep_until(due, self._wake)

    async def fire_due(self) -> int:
        """Fire every timer due now; returns how many rows were handled.

        The rows of one run are fired together, in one transition (``FireTimers``): a burst
        of timers on one run costs one commit instead of one per row, and runs go ahead
        concurrently (the per-run lock would serialise them anyway)."""
        now_ms = self._clock.now_ms()
        rows = await self._store.due_timers(now_ms, BATCH)
        if rows:
            self._observe_lag(now_ms, rows)
        messages: list[TimerRow] = []
        by_run: dict[str, list[TimerRow]] = {}
        for row in rows:
            if row.key.startswith(MESSAGE_PREFIX):
                messages.append(row)
            else:
                by_run.setdefault(row.run_id, []).append(row)
        semaphore = asyncio.Semaphore(CONCURRENCY)

        async def limited(job: Awaitable[None], rows: list[TimerRow]) -> None:
            async with semaphore:
                try:
                    await job
                except Exception:
                    await self._release(rows)
                    raise

        # Every job runs to its end before the pass does, failed or not: the next pass reads
        # the rows that are still due, and must never re-run one still in flight here.
        results = await asyncio.gather(
            *(limited(self._deliver(row), [row]) for row in messages),
            *(limited(self._fire(run_rows), run_rows) for run_rows in by_run.values()),
            return_exceptions=True,
        )
        failures = [result for result in results if isinstance(result, BaseException)]
        for failure in failures[1:]:
            log.error("timer row failed", exc_info=failure)
        if failures:
            raise failures[0]  # the loop logs it and backs off before the next pass
        return len(rows)

    async def _release(self, rows: list[TimerRow]) -> None:
        """Rows whose handling failed (the store went away mid-way, say) are tried again
        after RETRY_MS, not only when their lease runs out."""
        retry_ms = self._clock.now_ms() + RETRY_MS
        for row in rows:
            try:
                await self._store.release_timer(row, retry_ms)
            except Exception:  # still away: the lease runs out, and the row fires then
                log.warning("cannot release timer %s of %s", row.key, row.run_id, exc_info=True)
                return

    def _observe_lag(self, now_ms: int, rows: list[TimerRow]) -> None:
        # A shared store hands rows back with their lease as due_ms (in the future): then
        # the earliest due time this loop last read stands in for the batch's oldest.
        oldest = min(row.due_ms for row in rows)
        if oldest > now_ms:
            oldest = self._next_due if self._next_due is not None else now_ms
        self._observer.timer_lag(max(0, now_ms - oldest) / 1000)

    async def _deliver(self, row: TimerRow) -> None:
        try:
            await self._relay.deliver(row.run_id, row.key)
        except StoreConflict:
            return  # contended: the row stays and is delivered on the next pass
        await self._store.delete_timer(row.run_id, row.key, row.due_ms)

    async def _fire(self, rows: list[TimerRow]) -> None:
        """Fire the due rows of one run, oldest first."""
        command: c.Command
        if len(rows) == 1:
            command = c.FireTimer(key=rows[0].key)
        else:
            command = c.FireTimers(keys=tuple(row.key for row in rows))
        try:
            outcome = await self._history.apply(rows[0].run_id, command)
        except UnknownResourceFault:
            outcome = None
        except StoreConflict:
            return  # contended: the rows stay and fire on the next pass
        if outcome is None or not changes_anything(outcome, command):
            # Nothing was committed (every row was stale), so nothing deleted the rows.
            await asyncio.gather(
                *(self._store.delete_timer(row.run_id, row.key, row.due_ms) for row in rows)
            )
