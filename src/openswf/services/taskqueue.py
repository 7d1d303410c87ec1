"""One task list's queue in memory: its heap of tasks and its waiting polls (``matching.py``).

The heap is a partial copy of the store's backlog (priority, then FIFO); ``waiters`` holds the
futures of the polls waiting now, and only those: a poll that leaves (woken, timed out, gone)
is out of it at once, so ``len(waiters)`` is what the matcher counts as waiting.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
from collections import deque
from dataclasses import dataclass, field

from openswf.storage.records import TaskRow

# Tasks are known by (runId, scheduledEventId), which no other task ever has again; a
# store's seq is not enough (SQLite gives a deleted row's seq to the next row).
TaskIdentity = tuple[str, int]
CLAIMED_MEMORY = 4096  # tasks this process claimed lately: a backlog read never re-adds them

# Why a waiting poll woke up.
TASK, TIMEOUT, GONE, CLOSED = range(4)


@dataclass
class TaskQueue:
    heap: list[tuple[int, int, TaskIdentity, TaskRow]] = field(default_factory=list)
    known: set[TaskIdentity] = field(default_factory=set)  # on the heap: re-reads add no twins
    # Waiting polls, and only those: a poll that leaves (woken, timed out, gone) is removed.
    waiters: deque[asyncio.Future[int]] = field(default_factory=deque)
    pollers: int = 0  # polls on this list now: waiting, reading or claiming
    claiming: int = 0  # of which hold a task (a backlog read leases nothing for them)
    loaded: bool = False
    changes: int = 0  # bumped when tasks may have arrived that the heap does not hold
    # Tasks popped for a claim, lately: a backlog read that raced the claim's commit returns
    # the row again, and claiming it twice would only cost a write.
    claimed: dict[TaskIdentity, None] = field(default_factory=dict)
    refreshing: bool = False  # a read triggered by another server's tasks is in flight
    refresh_again: bool = False  # and more arrived while it ran

    def push(self, row: TaskRow) -> bool:
        identity = (row.run_id, row.scheduled_event_id)
        if identity in self.known or identity in self.claimed:
            return False
        self.known.add(identity)
        heapq.heappush(self.heap, (-row.priority, row.seq, identity, row))
        return True

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

    def wake_one(self) -> bool:
        while self.waiters:
            waiter = self.waiters.popleft()
            if not waiter.done():
                waiter.set_result(TASK)
                return True
        return False

    def leave(self, waiter: asyncio.Future[int], why: int) -> None:
        """End one poll's wait (timeout, client gone): out of the queue at once."""
        if not waiter.done():
            waiter.set_result(why)
            with contextlib.suppress(ValueError):
                self.waiters.remove(waiter)
