"""Task lists and long polls (DESIGN.md invariant 5).

Each task list this process has seen keeps an in-memory heap of its backlog (priority, then
FIFO) and a queue of waiting polls. A new task committed by this process is pushed onto the
heap and wakes one waiter at once; the store stays the truth, and waiters re-read it on an
interval, which also picks up tasks written by other server processes. A poll claims a task
through the history service (the Started event commits before the poll answers), and asks
whether its connection is still there before it claims anything.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from openswf.engine import commands as c
from openswf.engine.transition import Outcome, StaleTask
from openswf.protocol.faults import LimitExceededFault, UnknownResourceFault
from openswf.services.history import HistoryService
from openswf.storage.base import Store
from openswf.storage.records import StoreConflict, TaskRow

QueueKey = tuple[int, str, str]  # (domain_id, kind, task_list)
BACKLOG_BATCH = 256


@dataclass
class _TaskQueue:
    heap: list[tuple[int, int, TaskRow]] = field(default_factory=list)
    known: set[int] = field(default_factory=set)  # seqs on the heap, so re-reads add no twins
    waiters: deque[asyncio.Future[None]] = field(default_factory=deque)
    pollers: int = 0
    loaded: bool = False

    def push(self, row: TaskRow) -> None:
        if row.seq not in self.known:
            self.known.add(row.seq)
            heapq.heappush(self.heap, (-row.priority, row.seq, row))

    def pop(self) -> TaskRow | None:
        if not self.heap:
            return None
        row = heapq.heappop(self.heap)[2]
        self.known.discard(row.seq)
        return row

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

    def _queue(self, key: QueueKey) -> _TaskQueue:
        queue = self._queues.get(key)
        if queue is None:
            queue = self._queues[key] = _TaskQueue()
        return queue

    def offer(self, rows: list[TaskRow]) -> None:
        """Tasks just committed by this process: hand them to waiting polls first."""
        for row in rows:
            queue = self._queues.get((row.domain_id, row.kind, row.task_list))
            if queue is None or not queue.loaded:
                continue  # nobody polled this list yet: the first poll reads the backlog
            queue.push(row)
            queue.wake_one()

    def close(self) -> None:
        """End every waiting poll (server shutdown): they answer empty."""
        self._closing = True
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
    ) -> Claim | None:
        queue = self._queue(key)
        if queue.pollers >= self._max_pollers:
            raise LimitExceededFault(
                f"Too many pollers on task list {key[2]!r} (limit {self._max_pollers})"
            )
        queue.pollers += 1
        try:
            return await self._poll(queue, key, identity, hold_s, is_disconnected)
        finally:
            queue.pollers -= 1

    async def _poll(
        self,
        queue: _TaskQueue,
        key: QueueKey,
        identity: str | None,
        hold_s: float,
        is_disconnected: Callable[[], Awaitable[bool]],
    ) -> Claim | None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + hold_s
        reread = not queue.loaded
        while not self._closing:
            if reread:
                await self._read_backlog(queue, key)
                reread = False
            row = queue.pop()
            if row is not None:
                if await is_disconnected():
                    queue.push(row)
                    queue.wake_one()
                    return None
                claim = await self._claim(row, identity)
                if claim is not None:
                    return claim
                continue
            remaining = deadline - loop.time()
            if remaining <= 0:
                return None
            waiter: asyncio.Future[None] = loop.create_future()
            queue.waiters.append(waiter)
            wait_s = min(remaining, self._recheck_s)
            try:
                await asyncio.wait_for(waiter, wait_s)
            except TimeoutError:
                reread = True  # the guarantee: look at the store itself now and then
                # Unwoken waiters leave the queue, or idle polls would grow it forever.
                with contextlib.suppress(ValueError):
                    queue.waiters.remove(waiter)
        return None

    async def _read_backlog(self, queue: _TaskQueue, key: QueueKey) -> None:
        # Loaded first: tasks offered while the read is in flight go on the heap too, and
        # the seq check keeps the read from adding them twice.
        queue.loaded = True
        for row in await self._store.backlog(*key, BACKLOG_BATCH):
            queue.push(row)

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
