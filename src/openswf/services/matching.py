"""Task lists and long polls (DESIGN.md invariant 5).

Each task list polled here keeps an in-memory heap of its backlog (priority, then FIFO)
and a queue of waiting polls. A new task committed by this process is pushed onto the heap and
wakes one waiter at once; the store stays the truth, and waiters re-read it on an interval,
which also picks up tasks written by other server processes. With a shared store
(PostgreSQL) the store also says when another server committed tasks to a list
(``remote_tasks``): that list's backlog is read again at once and its waiters wake. A poll
claims a task through the history service (the Started event commits before the poll
answers).

A poll whose client has gone (the edge sets the request's ``gone`` event: a disconnect, or
another request pipelined behind it) leaves its queue at once: it no longer counts as
waiting, so tasks committed here go to the other servers (NOTIFY) instead of onto a heap for
nobody, and no backlog read leases rows to this server on its behalf. A task it had already
claimed is still answered; one it had only popped is passed on (to a waiting poll here, or
back to the store, lease released, when nobody here waits). A task that arrives while a poll
is inside its backlog read bumps the queue's ``changes``, and the poll looks again before it
waits.

Resources are bounded: polls per task list and per server (``LimitExceededFault`` past
either), rows held on all heaps (past ``max_tasks_in_memory`` the store is the backlog, read
again when the heap runs dry), and queues with no polls and no rows (at most ``IDLE_QUEUES``
are kept, the longest idle is freed first), so a task list per workflow (simpleflow) costs
nothing once its polls are gone.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import OrderedDict
from collections.abc import Coroutine
from dataclasses import dataclass
from functools import partial
from typing import Any

from openswf.engine import commands as c
from openswf.engine.transition import Outcome, StaleTask
from openswf.protocol.faults import LimitExceededFault, UnknownResourceFault
from openswf.services.history import HistoryService
from openswf.services.taskqueue import CLOSED, GONE, TASK, TIMEOUT, TaskQueue
from openswf.storage.base import Store
from openswf.storage.records import StoreConflict, TaskRow

log = logging.getLogger("openswf.matching")

QueueKey = tuple[int, str, str]  # (domain_id, kind, task_list)
BACKLOG_BATCH = 256
IDLE_QUEUES = 1024  # queues with no polls and no rows kept (loaded) for the next poll


@dataclass(frozen=True, kw_only=True, slots=True)
class Claim:
    row: TaskRow
    outcome: Outcome

    @property
    def started_event_id(self) -> int:
        """The id of the *TaskStarted event the claim appended."""
        return self.outcome.events[0].event_id


def _wake_when_set(gone: asyncio.Event, waiter: asyncio.Future[None]) -> asyncio.Task[None]:
    """Ends a poll's wait when its connection is gone (or has a request queued behind it)."""

    async def wake() -> None:
        await gone.wait()
        if not waiter.done():
            waiter.set_result(None)

    return asyncio.ensure_future(wake())


class MatchingService:
    def __init__(
        self,
        store: Store,
        history: HistoryService,
        *,
        recheck_s: float,
        max_pollers: int,
        max_pollers_per_list: int,
        max_tasks_in_memory: int,
    ) -> None:
        self._store = store
        self._history = history
        self._recheck_s = recheck_s
        self._max_pollers = max_pollers
        self._max_per_list = max_pollers_per_list
        self._max_held = max_tasks_in_memory
        self._queues: dict[QueueKey, TaskQueue] = {}
        self._idle: OrderedDict[QueueKey, None] = OrderedDict()  # no polls, no rows: oldest first
        self._polls = 0  # polls on all lists
        self._held = 0  # rows on all heaps
        self._closing = False
        self._background: set[asyncio.Task[None]] = set()

    # --- what tests and metrics look at -------------------------------------------------------

    def waiting(self, key: QueueKey | None = None) -> int:
        """Polls waiting for a task now (on one list, or on all)."""
        if key is not None:
            queue = self._queues.get(key)
            return len(queue.waiters) if queue else 0
        return sum(len(queue.waiters) for queue in self._queues.values())

    def polls(self) -> int:
        """Polls in progress on all lists (waiting, reading or claiming)."""
        return self._polls

    def pending_in_memory(self, key: QueueKey) -> int:
        queue = self._queues.get(key)
        return len(queue.heap) if queue else 0

    def queues(self) -> int:
        """Task-list queues held in memory (at most ``IDLE_QUEUES`` of them unused)."""
        return len(self._queues)

    # --- tasks arriving -----------------------------------------------------------------------

    def _spread(self) -> bool:
        return self._store.shared and self._store.has_peers()

    def _push(self, queue: TaskQueue, row: TaskRow) -> None:
        if queue.push(row):
            self._held += 1

    def _pop(self, queue: TaskQueue) -> TaskRow | None:
        row = queue.pop()
        if row is not None:
            self._held -= 1
        return row

    def offer(self, rows: list[TaskRow]) -> None:
        """Tasks just committed by this process: hand them to waiting polls first.

        With other servers on a shared store, a task that no poll here waits for stays in
        the store, and the other servers hear of it: kept on this server's heap, it would
        have this server's next poll race theirs for it. The next poll here reads (and
        leases) the backlog."""
        shared = self._spread()
        for row in rows:
            key = (row.domain_id, row.kind, row.task_list)
            queue = self._queues.get(key)
            if not shared:
                if queue is None:
                    continue  # the next poll reads the store
                if not queue.loaded:  # the store holds more than the heap: a poll reads it
                    queue.changes += 1
                    queue.wake_one()
                    continue
                if self._held < self._max_held or queue.waiters:
                    self._push(queue, row)
                    queue.wake_one()
                else:  # memory is full: the store is the backlog, read when the heap is dry
                    queue.loaded = False
                    queue.changes += 1
            elif queue is not None and len(queue.waiters) > len(queue.heap):
                self._push(queue, row)
                queue.wake_one()
            else:
                if queue is not None:
                    queue.loaded = False
                    queue.changes += 1
                self._store.notify_tasks(*key)

    def remote_tasks(self, domain_id: int, kind: str, task_list: str) -> None:
        """Another server committed tasks to this list (the store's LISTEN/NOTIFY hook): read
        the list's backlog now if polls wait on it here, else have the next poll read it."""
        key = (domain_id, kind, task_list)
        queue = self._queues.get(key)
        if queue is None or self._closing:
            return  # nobody polls this list: the first poll reads the backlog anyway
        queue.changes += 1  # a poll inside its own backlog read looks again
        if not queue.waiters:
            queue.loaded = False  # the next poll reads it
            return
        if queue.refreshing:
            queue.refresh_again = True
            return
        queue.refreshing = True
        self._in_background(self._refresh(queue, key))

    def _in_background(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(work)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _refresh(self, queue: TaskQueue, key: QueueKey) -> None:
        try:
            while queue.waiters:
                queue.refresh_again = False
                # Lease only what the live waiters can start on: a gone poll is no waiter.
                await self._read_backlog(queue, key, len(queue.waiters))
                for _ in range(len(queue.heap)):
                    if not queue.wake_one():
                        break
                if not queue.refresh_again:
                    break
        except Exception:  # the store is away: the waiters' own re-check will try again
            log.warning("backlog read after another server's tasks failed", exc_info=True)
        finally:
            queue.refreshing = False
            self._hand_on(queue, key)

    def _hand_on(self, queue: TaskQueue, key: QueueKey) -> None:
        """Rows left on a heap by a poll or read that will not take them: to a waiting poll
        here, or (with other servers, nobody here to take them) back to the store, leases
        released, for the other servers. A queue left with nothing is freed."""
        if queue.heap and not queue.wake_one() and not queue.pollers and self._spread():
            self._drop_heap(queue, key)
        self._maybe_idle(queue, key)

    def _drop_heap(self, queue: TaskQueue, key: QueueKey) -> None:
        """Forget the rows on a heap: they are in the store. Leases this server holds on
        them end now and the other servers hear of them."""
        rows = [entry[3] for entry in queue.heap]
        self._held -= len(rows)
        queue.heap.clear()
        queue.known.clear()
        queue.loaded = False
        if rows and self._store.shared and not self._closing:
            self._in_background(self._release(rows, key))

    def _maybe_idle(self, queue: TaskQueue, key: QueueKey) -> None:
        """A queue with no polls joins the idle ones; past ``IDLE_QUEUES`` the longest idle
        is freed, with any rows it held (the store has them). Kept a while, a busy list's
        queue stays loaded between two polls, and the next poll waits without a read."""
        if queue.pollers or self._queues.get(key) is not queue:
            return
        self._idle[key] = None
        self._idle.move_to_end(key)
        while len(self._idle) > IDLE_QUEUES:
            oldest, _ = self._idle.popitem(last=False)
            found = self._queues.get(oldest)
            if found is None or found.pollers or found.refreshing:
                continue  # busy again: it comes back when its polls are done
            self._drop_heap(found, oldest)
            del self._queues[oldest]

    async def _release(self, rows: list[TaskRow], key: QueueKey) -> None:
        try:
            await self._store.release_tasks(rows)
        except Exception:  # the leases end by themselves, a few seconds later
            log.warning("task leases not released", exc_info=True)
        self._store.notify_tasks(*key)

    def close(self) -> None:
        """End every waiting poll (server shutdown): they answer empty."""
        self._closing = True
        for task in self._background:
            task.cancel()
        for queue in self._queues.values():
            while queue.waiters:
                waiter = queue.waiters.popleft()
                if not waiter.done():
                    waiter.set_result(CLOSED)

    # --- polls --------------------------------------------------------------------------------

    async def poll(
        self,
        key: QueueKey,
        *,
        identity: str | None,
        hold_s: float,
        gone: asyncio.Event | None = None,
    ) -> Claim | None:
        """Wait up to ``hold_s`` for a task of the list and claim it. ``gone`` (set by the
        edge when the client will not read the answer) ends the wait with no task."""
        if self._polls >= self._max_pollers:
            raise LimitExceededFault(f"Too many pollers on this server (limit {self._max_pollers})")
        queue = self._queues.get(key)
        if queue is None:
            queue = self._queues[key] = TaskQueue()
        elif queue.pollers >= self._max_per_list:
            raise LimitExceededFault(
                f"Too many pollers on task list {key[2]!r} (limit {self._max_per_list})"
            )
        queue.pollers += 1
        self._polls += 1
        self._idle.pop(key, None)
        claim = None
        try:
            claim = await self._poll(queue, key, identity, hold_s, gone)
            return claim
        finally:
            queue.pollers -= 1
            self._polls -= 1
            if claim is None:
                self._hand_on(queue, key)
            else:
                self._maybe_idle(queue, key)

    async def _poll(
        self,
        queue: TaskQueue,
        key: QueueKey,
        identity: str | None,
        hold_s: float,
        gone: asyncio.Event | None,
    ) -> Claim | None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + hold_s
        reread = not queue.loaded
        seen = queue.changes
        watch: asyncio.Task[bool] | None = None
        try:
            while not self._closing:
                if gone is not None and gone.is_set():
                    return None
                if reread or (not queue.loaded and not queue.heap):
                    reread = False
                    seen = queue.changes
                    await self._read_backlog(queue, key, max(1, queue.pollers - queue.claiming))
                    # Rows beyond this poll's own are for the polls waiting beside it.
                    for _ in range(len(queue.heap) - 1):
                        if not queue.wake_one():
                            break
                row = self._pop(queue)
                if row is not None:
                    if gone is not None and gone.is_set():
                        queue.claimed.pop((row.run_id, row.scheduled_event_id), None)
                        self._push(queue, row)  # poll() hands it on
                        return None
                    claim = await self._claim_row(queue, row, identity)
                    if claim is not None:
                        return claim
                    continue
                if queue.changes != seen:
                    reread = True  # tasks arrived while this poll read the store: look again
                    continue
                remaining = deadline - loop.time()
                if remaining <= 0:
                    return None
                waiter: asyncio.Future[int] = loop.create_future()
                queue.waiters.append(waiter)
                timer = loop.call_later(
                    min(remaining, self._recheck_s), queue.leave, waiter, TIMEOUT
                )
                on_gone = None
                if gone is not None:
                    if watch is None:
                        watch = asyncio.ensure_future(gone.wait())
                    on_gone = partial(_gone, queue, waiter)
                    watch.add_done_callback(on_gone)
                try:
                    why = await waiter
                finally:
                    timer.cancel()
                    if on_gone is not None and watch is not None:
                        watch.remove_done_callback(on_gone)
                    if waiter.cancelled():  # the request itself was cancelled
                        with contextlib.suppress(ValueError):
                            queue.waiters.remove(waiter)
                if why == TIMEOUT:
                    reread = True  # the guarantee: look at the store itself now and then
                elif why != TASK:
                    return None
            return None
        finally:
            if watch is not None:
                watch.cancel()

    async def _claim_row(
        self, queue: TaskQueue, row: TaskRow, identity: str | None
    ) -> Claim | None:
        queue.claiming += 1
        try:
            claim = await self._claim(row, identity)
        except BaseException:
            # The store failed mid-claim (a database restart): the row may still be there,
            # so the next poll reads the store again.
            queue.claimed.pop((row.run_id, row.scheduled_event_id), None)
            queue.loaded = False
            raise
        finally:
            queue.claiming -= 1
        if claim is None:
            # Not ours after all: a later read may offer it again.
            queue.claimed.pop((row.run_id, row.scheduled_event_id), None)
        return claim

    async def _read_backlog(self, queue: TaskQueue, key: QueueKey, wanted: int) -> None:
        # Loaded first: tasks offered while the read is in flight go on the heap too, and
        # the seq check keeps the read from adding them twice.
        queue.loaded = True
        # With other servers, the store leases what it returns to this one: take only what
        # the polls here can start on, and leave the rest to the other servers' polls.
        if self._spread():
            limit = max(1, wanted)
        else:  # the memory bound: past it, a read brings only what this poll takes
            limit = max(1, min(BACKLOG_BATCH, self._max_held - self._held))
        try:
            rows = await self._store.backlog(*key, limit)
        except BaseException:
            queue.loaded = False  # read again next time
            raise
        for row in rows:
            self._push(queue, row)
        if len(rows) >= limit:
            queue.loaded = False  # more may wait in the store: read again once these are gone

    async def _claim(self, row: TaskRow, identity: str | None) -> Claim | None:
        command: c.Command
        if row.kind == "decision":
            command = c.StartDecisionTask(
                scheduled_event_id=row.scheduled_event_id, identity=identity
            )
        elif row.kind == "lambda":
            command = c.StartLambdaTask(scheduled_event_id=row.scheduled_event_id)
        else:
            command = c.StartActivityTask(
                scheduled_event_id=row.scheduled_event_id, identity=identity
            )
        try:
            outcome = await self._history.apply(row.run_id, command)
        except (StaleTask, UnknownResourceFault):
            # The task ended while it waited (timed out, canceled, run closed): drop the row.
            # (The history service judged this from the database, never from a cached row.)
            await self._store.delete_task(row.run_id, row.kind, row.scheduled_event_id)
            return None
        except StoreConflict:
            return None  # another server kept winning the run: leave the task to it
        if outcome.effects.closed:
            return None  # the claim filled the history and the run was terminated
        return Claim(row=row, outcome=outcome)

    def pollers(self) -> dict[QueueKey, int]:
        """Polls waiting now, by task list (read when metrics are scraped)."""
        return {key: queue.pollers for key, queue in self._queues.items() if queue.pollers}


def _gone(queue: TaskQueue, waiter: asyncio.Future[int], _watch: object) -> None:
    queue.leave(waiter, GONE)
