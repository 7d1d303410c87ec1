"""Task lists and long polls (DESIGN.md invariant 5).

Each task list this process has seen keeps an in-memory heap of its backlog (priority, then
FIFO) and a queue of waiting polls. A new task committed by this process is pushed onto the
heap and wakes one waiter at once; the store stays the truth, and waiters re-read it on an
interval, which also picks up tasks written by other server processes. With a shared store
(PostgreSQL) the store also says when another server committed tasks to a list
(``remote_tasks``): that list's backlog is read again at once and its waiters wake. A poll
claims a task through the history service (the Started event commits before the poll
answers), and asks whether its connection is still there before it claims anything.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from openswf.engine import commands as c
from openswf.engine.transition import Outcome, StaleTask
from openswf.protocol.faults import LimitExceededFault, UnknownResourceFault
from openswf.services.history import HistoryService
from openswf.storage.base import Store
from openswf.storage.records import StoreConflict, TaskRow

log = logging.getLogger("openswf.matching")

QueueKey = tuple[int, str, str]  # (domain_id, kind, task_list)
BACKLOG_BATCH = 256
# Tasks are known by (runId, scheduledEventId), which no other task ever has again; a
# store's seq is not enough (SQLite gives a deleted row's seq to the next row).
TaskIdentity = tuple[str, int]
CLAIMED_MEMORY = 4096  # tasks this process claimed lately: a backlog read never re-adds them


@dataclass
class _TaskQueue:
    heap: list[tuple[int, int, TaskIdentity, TaskRow]] = field(default_factory=list)
    known: set[TaskIdentity] = field(default_factory=set)  # on the heap: re-reads add no twins
    waiters: deque[asyncio.Future[None]] = field(default_factory=deque)
    pollers: int = 0
    loaded: bool = False
    # Tasks popped for a claim, lately: a backlog read that raced the claim's commit returns
    # the row again, and claiming it twice would only cost a write.
    claimed: dict[TaskIdentity, None] = field(default_factory=dict)
    refreshing: bool = False  # a read triggered by another server's tasks is in flight
    refresh_again: bool = False  # and more arrived while it ran

    def push(self, row: TaskRow) -> None:
        identity = (row.run_id, row.scheduled_event_id)
        if identity not in self.known and identity not in self.claimed:
            self.known.add(identity)
            heapq.heappush(self.heap, (-row.priority, row.seq, identity, row))

    def pop(self) -> TaskRow | None:
        if not self.heap:
            return None
        row = heapq.heappop(self.heap)[3]
        identity = (row.run_id, row.scheduled_event_id)
        self.known.discard(identity)
        self.claimed[identity] = None
        if len(self.claimed) > CLAIMED_MEMORY:
            del self.claimed[next(iter(self.claimed))]
        return row

    def put_back(self, row: TaskRow) -> None:
        """A popped task that was not claimed after all (its poll's connection had gone)."""
        self.claimed.pop((row.run_id, row.scheduled_event_id), None)
        self.push(row)

    def waiting(self) -> int:
        return sum(1 for waiter in self.waiters if not waiter.done())

    def wake_one(self) -> None:
        while self.waiters:
            waiter = self.waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return


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
        self, store: Store, history: HistoryService, *, recheck_s: float, max_pollers: int
    ) -> None:
        self._store = store
        self._history = history
        self._recheck_s = recheck_s
        self._max_pollers = max_pollers
        self._queues: dict[QueueKey, _TaskQueue] = {}
        self._closing = False
        self._refreshes: set[asyncio.Task[None]] = set()

    def _queue(self, key: QueueKey) -> _TaskQueue:
        queue = self._queues.get(key)
        if queue is None:
            queue = self._queues[key] = _TaskQueue()
        return queue

    def offer(self, rows: list[TaskRow]) -> None:
        """Tasks just committed by this process: hand them to waiting polls first.

        With other servers on a shared store, a task that no poll here waits for stays in
        the store, and the other servers hear of it: kept on this server's heap, it would
        have this server's next poll race theirs for it. The next poll here reads (and
        leases) the backlog."""
        shared = self._store.shared and self._store.has_peers()
        for row in rows:
            key = (row.domain_id, row.kind, row.task_list)
            queue = self._queues.get(key)
            if not shared:
                if queue is not None and queue.loaded:  # else the next poll reads the store
                    queue.push(row)
                    queue.wake_one()
            elif queue is not None and queue.waiting() > len(queue.heap):
                queue.push(row)
                queue.wake_one()
            else:
                if queue is not None:
                    queue.loaded = False
                self._store.notify_tasks(*key)

    def remote_tasks(self, domain_id: int, kind: str, task_list: str) -> None:
        """Another server committed tasks to this list (the store's LISTEN/NOTIFY hook): read
        the list's backlog now if polls wait on it here, else have the next poll read it."""
        key = (domain_id, kind, task_list)
        queue = self._queues.get(key)
        if queue is None or self._closing:
            return  # nobody polled this list yet: the first poll reads the backlog anyway
        if not queue.waiting():
            queue.loaded = False  # the next poll reads it
            return
        if queue.refreshing:
            queue.refresh_again = True
            return
        queue.refreshing = True
        task = asyncio.create_task(self._refresh(queue, key))
        self._refreshes.add(task)
        task.add_done_callback(self._refreshes.discard)

    async def _refresh(self, queue: _TaskQueue, key: QueueKey) -> None:
        try:
            while True:
                queue.refresh_again = False
                await self._read_backlog(queue, key)
                for _ in range(len(queue.heap)):
                    queue.wake_one()
                if not queue.refresh_again:
                    return
        except Exception:  # the store is away: the waiters' own re-check will try again
            log.warning("backlog read after another server's tasks failed", exc_info=True)
        finally:
            queue.refreshing = False

    def close(self) -> None:
        """End every waiting poll (server shutdown): they answer empty."""
        self._closing = True
        for task in self._refreshes:
            task.cancel()
        for queue in self._queues.values():
            while queue.waiters:
                queue.wake_one()

    async def poll(
        self,
        key: QueueKey,
        *,
        identity: str | None,
        hold_s: float,
        is_disconnected: Callable[[], Awaitable[bool]],
        gone: asyncio.Event | None = None,
    ) -> Claim | None:
        queue = self._queue(key)
        if queue.pollers >= self._max_pollers:
            raise LimitExceededFault(
                f"Too many pollers on task list {key[2]!r} (limit {self._max_pollers})"
            )
        queue.pollers += 1
        try:
            return await self._poll(queue, key, identity, hold_s, is_disconnected, gone)
        finally:
            queue.pollers -= 1

    async def _poll(
        self,
        queue: _TaskQueue,
        key: QueueKey,
        identity: str | None,
        hold_s: float,
        is_disconnected: Callable[[], Awaitable[bool]],
        gone: asyncio.Event | None,
    ) -> Claim | None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + hold_s
        reread = not queue.loaded
        while not self._closing:
            if reread or (not queue.loaded and not queue.heap):
                await self._read_backlog(queue, key)
                reread = False
            row = queue.pop()
            if row is not None:
                if await is_disconnected():
                    queue.put_back(row)
                    queue.wake_one()
                    return None
                try:
                    claim = await self._claim(row, identity)
                except BaseException:
                    # The store failed mid-claim (a database restart): the row may still be
                    # there, so the next poll reads the store again.
                    queue.claimed.pop((row.run_id, row.scheduled_event_id), None)
                    queue.loaded = False
                    raise
                if claim is not None:
                    return claim
                # Not ours after all: a later read may offer it again.
                queue.claimed.pop((row.run_id, row.scheduled_event_id), None)
                continue
            remaining = deadline - loop.time()
            if remaining <= 0 or (gone is not None and gone.is_set()):
                return None
            waiter: asyncio.Future[None] = loop.create_future()
            queue.waiters.append(waiter)
            wait_s = min(remaining, self._recheck_s)
            ending = None if gone is None else _wake_when_set(gone, waiter)
            try:
                await asyncio.wait_for(waiter, wait_s)
            except TimeoutError:
                reread = True  # the guarantee: look at the store itself now and then
                # Unwoken waiters leave the queue, or idle polls would grow it forever.
                with contextlib.suppress(ValueError):
                    queue.waiters.remove(waiter)
            finally:
                if ending is not None:
                    ending.cancel()
            if gone is not None and gone.is_set():
                with contextlib.suppress(ValueError):
                    queue.waiters.remove(waiter)
                if queue.heap:
                    queue.wake_one()  # a task may have woken this poll: another takes it
                return None
        return None

    async def _read_backlog(self, queue: _TaskQueue, key: QueueKey) -> None:
        # Loaded first: tasks offered while the read is in flight go on the heap too, and
        # the seq check keeps the read from adding them twice.
        queue.loaded = True
        # With other servers, the store leases what it returns to this one: take only what
        # the polls here can start on, and leave the rest to the other servers' polls.
        spread = self._store.shared and self._store.has_peers()
        limit = max(1, queue.pollers) if spread else BACKLOG_BATCH
        try:
            rows = await self._store.backlog(*key, limit)
        except BaseException:
            queue.loaded = False  # read again next time
            raise
        for row in rows:
            queue.push(row)
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
            await self._store.delete_task(row.run_id, row.kind, row.scheduled_event_id)
            return None
        except StoreConflict:
            return None  # another server kept winning the run: leave the task to it
        if outcome.effects.closed:
            return None  # the claim filled the history and the run was terminated
        return Claim(row=row, outcome=outcome)

    def pending_in_memory(self, key: QueueKey) -> int:
        queue = self._queues.get(key)
        return len(queue.heap) if queue else 0
