"""ActivityWorker: polls a task list, runs activities, heartbeats, reports.

    worker = ActivityWorker(Client(), "demo", activities=[greet], concurrency=8)
    worker.run()   # until SIGTERM / SIGINT or worker.stop()

With a ``Client``, N threads poll and run tasks (sync functions run in the polling thread,
async ones in a private loop). With an ``AsyncClient``, N coroutines poll on one loop: async
functions run on it and sync ones in threads. Running tasks heartbeat every
``heartbeat_interval`` seconds (0 turns it off; an activity with a shorter heartbeat
timeout heartbeats at half of it). A heartbeat that reports a cancel request sets
``context.cancel_requested``; an activity that then raises ``ActivityCancelled`` is reported
canceled.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
import threading
import time
import traceback
from collections.abc import Iterable
from typing import Any

from openswf.sdk.activities import (
    Activity,
    ActivityCancelled,
    ActivityContext,
    ActivityFailed,
    Registry,
    TaskInput,
    default_registry,
    run_sync_or_async,
)
from openswf.sdk.client import AsyncClient, Client
from openswf.sdk.converter import MAX_DATA, MAX_LIMITED_DATA, MAX_REASON, dumps, loads, truncate
from openswf.sdk.errors import (
    SwfError,
    TransportError,
    TypeAlreadyExistsFault,
    UnknownResourceFault,
)
from openswf.sdk.polling import PollingWorker

log = logging.getLogger("openswf.sdk.worker")

DEFAULT_HEARTBEAT_INTERVAL = 90.0


def failure_of(error: BaseException) -> tuple[str, str | None]:
    """(reason, details) of an exception, trimmed to SWF's limits (256 and 32,768)."""
    if isinstance(error, ActivityFailed):
        details = error.details if isinstance(error.details, str) else dumps(error.details)
        return truncate(error.reason, MAX_REASON) or "", truncate(details, MAX_DATA)
    reason = f"{type(error).__name__}: {error}"
    text = "".join(traceback.format_exception(error))
    return truncate(reason, MAX_REASON) or "", truncate(text, MAX_DATA)


class _Heartbeats:
    """One thread that heartbeats every running task on its own interval."""

    def __init__(self, client: Client | None) -> None:
        self._client = client
        self._heap: list[tuple[float, int, ActivityContext, float]] = []
        self._live: set[int] = set()
        self._ids = itertools.count()
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None

    def add(self, context: ActivityContext, interval: float) -> int:
        key = next(self._ids)
        with self._cond:
            self._live.add(key)
            heapq.heappush(self._heap, (time.monotonic() + interval, key, context, interval))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="heartbeats", daemon=True)
                self._thread.start()
            self._cond.notify()
        return key

    def remove(self, key: int) -> None:
        with self._cond:
            self._live.discard(key)

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._heap or self._heap[0][0] > time.monotonic():
                    wait = self._heap[0][0] - time.monotonic() if self._heap else None
                    self._cond.wait(wait)
                due, key, context, interval = heapq.heappop(self._heap)
                if key not in self._live:
                    continue
                heapq.heappush(self._heap, (due + interval, key, context, interval))
            try:
                context.heartbeat()
            except UnknownResourceFault:
                # The task timed out or closed: its result will be refused too. Stop beating.
                self.remove(key)
            except (SwfError, TransportError) as error:
                log.warning("heartbeat failed: %s", error)


class ActivityWorker(PollingWorker[dict[str, Any]]):
    def __init__(
        self,
        client: Client | AsyncClient,
        domain: str,
        task_list: str | None = None,
        activities: Registry | Iterable[Activity[Any, Any]] | None = None,
        *,
        concurrency: int = 4,
        heartbeat_interval: float = DEFAULT_HEARTBEAT_INTERVAL,
        identity: str | None = None,
        register: bool = True,
        abort_polls: bool = True,
    ) -> None:
        super().__init__(
            client,
            concurrency=concurrency,
            identity=identity,
            abort_polls=abort_polls,
            kind="worker",
        )
        if activities is None:
            activities = default_registry
        self.activities = activities if isinstance(activities, Registry) else Registry(activities)
        if task_list is None:
            lists = self.activities.task_lists()
            if len(lists) != 1 or None in lists:
                raise ValueError("give task_list=: the activities do not share one task list")
            task_list = next(iter(lists))
        self.domain = domain
        self.task_list: str = task_list or ""
        self.heartbeat_interval = heartbeat_interval
        self.register = register
        self._heartbeats = _Heartbeats(client if isinstance(client, Client) else None)
        self.completed = self.failed = self.canceled = 0

    # --- registration --------------------------------------------------------------------

    def prepare(self) -> None:
        if self.register:
            assert isinstance(self.client, Client)
            for item in self.activities:
                try:
                    self.client.register_activity_type(**item.registration(self.domain))
                except TypeAlreadyExistsFault:
                    pass

    async def aprepare(self) -> None:
        if self.register:
            assert isinstance(self.client, AsyncClient)
            for item in self.activities:
                try:
                    await self.client.register_activity_type(**item.registration(self.domain))
                except TypeAlreadyExistsFault:
                    pass

    # --- polling -------------------------------------------------------------------------

    def poll(self, client: Client) -> dict[str, Any] | None:
        task = client.poll_for_activity_task(
            domain=self.domain, taskList={"name": self.task_list}, identity=self.identity
        )
        return dict(task) if task.get("taskToken") else None

    async def apoll(self, client: AsyncClient) -> dict[str, Any] | None:
        task = await client.poll_for_activity_task(
            domain=self.domain, taskList={"name": self.task_list}, identity=self.identity
        )
        return dict(task) if task.get("taskToken") else None

    def _interval(self, item: Activity[Any, Any] | None) -> float:
        interval = self.heartbeat_interval
        if interval > 0 and item is not None and item.timeouts.heartbeat:
            interval = min(interval, item.timeouts.heartbeat / 2)
        return interval

    # --- running one task (threads) ------------------------------------------------------

    def _context(self, task: dict[str, Any]) -> ActivityContext:
        token = task["taskToken"]
        client = self.client

        def beat(details: str | None) -> bool:
            if isinstance(client, Client):
                answer = client.record_activity_task_heartbeat(
                    taskToken=token, details=truncate(details, MAX_LIMITED_DATA)
                )
                return bool(answer.get("cancelRequested"))
            loop = self._loop
            assert loop is not None
            return asyncio.run_coroutine_threadsafe(abeat(details), loop).result()

        async def abeat(details: str | None) -> bool:
            if isinstance(client, AsyncClient):
                answer = await client.record_activity_task_heartbeat(
                    taskToken=token, details=truncate(details, MAX_LIMITED_DATA)
                )
                return bool(answer.get("cancelRequested"))
            return await asyncio.to_thread(beat, details)

        return ActivityContext(
            task=task,
            task_input=TaskInput.decode(loads(task.get("input"))),
            heartbeat=beat,
            aheartbeat=abeat,
        )

    def _lookup(self, task: dict[str, Any]) -> Activity[Any, Any] | None:
        kind = task.get("activityType", {})
        return self.activities.get(kind.get("name", ""), kind.get("version", ""))

    def _started(self, task: dict[str, Any]) -> float:
        kind = task.get("activityType", {})
        log.info(
            "%s: started %s/%s (activity %s of %s)",
            self.identity,
            kind.get("name"),
            kind.get("version"),
            task.get("activityId"),
            task.get("workflowExecution", {}).get("workflowId"),
        )
        return time.monotonic()

    def _finished(
        self, task: dict[str, Any], outcome: tuple[str, dict[str, Any]], started: float
    ) -> None:
        kind, fields = outcome
        name = task.get("activityType", {}).get("name")
        elapsed = time.monotonic() - started
        if kind == "failed":
            log.info(
                "%s: failed %s (activity %s) after %.2f s: %s",
                self.identity,
                name,
                task.get("activityId"),
                elapsed,
                fields.get("reason"),
            )
        else:
            log.info(
                "%s: %s %s (activity %s) in %.2f s",
                self.identity,
                kind,
                name,
                task.get("activityId"),
                elapsed,
            )

    def handle(self, task: dict[str, Any]) -> None:
        assert isinstance(self.client, Client)
        started = self._started(task)
        item = self._lookup(task)
        context = self._context(task)
        outcome: tuple[str, dict[str, Any]]
        if item is None:
            outcome = self._unknown(task)
        else:
            interval = self._interval(item)
            key = self._heartbeats.add(context, interval) if interval > 0 else None
            try:
                outcome = self._outcome(lambda: run_sync_or_async(item.invoke(context)))
            finally:
                if key is not None:
                    self._heartbeats.remove(key)
        if self._report(outcome, task["taskToken"]):
            self._finished(task, outcome, started)

    def _outcome(self, run: Any) -> tuple[str, dict[str, Any]]:
        try:
            value = run()
        except ActivityCancelled as cancelled:
            return "canceled", {"details": _details(cancelled.details)}
        except Exception as error:
            reason, details = failure_of(error)
            return "failed", {"reason": reason, "details": details}
        return self._completed(value)

    @staticmethod
    def _completed(value: Any) -> tuple[str, dict[str, Any]]:
        try:
            result = dumps(value)
        except TypeError as error:
            reason, details = failure_of(error)
            return "failed", {"reason": reason, "details": details}
        if result is not None and len(result) > MAX_DATA:
            return "failed", {
                "reason": f"result too large: {len(result)} characters (SWF allows {MAX_DATA})",
                "details": None,
            }
        return "completed", {"result": result}

    @staticmethod
    def _unknown(task: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        kind = task.get("activityType", {})
        reason = f"unknown activity type {kind.get('name')}/{kind.get('version')}"
        return "failed", {"reason": truncate(reason, MAX_REASON), "details": None}

    def _report(self, outcome: tuple[str, dict[str, Any]], token: str) -> bool:
        kind, fields = outcome
        assert isinstance(self.client, Client)
        try:
            if kind == "completed":
                self.client.respond_activity_task_completed(taskToken=token, **fields)
            elif kind == "canceled":
                self.client.respond_activity_task_canceled(taskToken=token, **fields)
            else:
                self.client.respond_activity_task_failed(taskToken=token, **fields)
        except UnknownResourceFault:
            log.warning("%s: task closed before its answer (timed out or canceled)", token[:16])
            return False
        self._count(kind)
        return True

    def _count(self, kind: str) -> None:
        with self._busy_lock:
            if kind == "completed":
                self.completed += 1
            elif kind == "canceled":
                self.canceled += 1
            else:
                self.failed += 1

    # --- running one task (asyncio) ------------------------------------------------------

    async def ahandle(self, task: dict[str, Any]) -> None:
        started = self._started(task)
        item = self._lookup(task)
        context = self._context(task)
        if item is None:
            outcome = self._unknown(task)
        else:
            beats = None
            interval = self._interval(item)
            if interval > 0:
                beats = asyncio.ensure_future(self._abeat_loop(context, interval))
            try:
                outcome = await self._aoutcome(item, context)
            finally:
                if beats is not None:
                    beats.cancel()
        if await self._areport(outcome, task["taskToken"]):
            self._finished(task, outcome, started)

    async def _aoutcome(
        self, item: Activity[Any, Any], context: ActivityContext
    ) -> tuple[str, dict[str, Any]]:
        try:
            if item.is_async:
                value = await item.invoke(context)
            else:
                value = await asyncio.to_thread(item.invoke, context)
        except ActivityCancelled as cancelled:
            return "canceled", {"details": _details(cancelled.details)}
        except Exception as error:
            reason, details = failure_of(error)
            return "failed", {"reason": reason, "details": details}
        return self._completed(value)

    async def _abeat_loop(self, context: ActivityContext, interval: float) -> None:
        while True:
            await asyncio.sleep(interval)
            try:
                await context.aheartbeat()
            except UnknownResourceFault:
                return
            except (SwfError, TransportError) as error:
                log.warning("heartbeat failed: %s", error)

    async def _areport(self, outcome: tuple[str, dict[str, Any]], token: str) -> bool:
        kind, fields = outcome
        assert isinstance(self.client, AsyncClient)
        try:
            if kind == "completed":
                await self.client.respond_activity_task_completed(taskToken=token, **fields)
            elif kind == "canceled":
                await self.client.respond_activity_task_canceled(taskToken=token, **fields)
            else:
                await self.client.respond_activity_task_failed(taskToken=token, **fields)
        except UnknownResourceFault:
            log.warning("%s: task closed before its answer (timed out or canceled)", token[:16])
            return False
        self._count(kind)
        return True


def _details(value: Any) -> str | None:
    return truncate(value if isinstance(value, str) else dumps(value), MAX_DATA)
