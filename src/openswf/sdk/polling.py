"""The poll loop shared by activity workers and deciders: threads or asyncio, graceful stop.

N pollers each long-poll, handle what they got, and poll again, so at most N tasks run at
once and no poll is open that could not take its task. ``stop()`` (or SIGTERM / SIGINT
when ``run()`` owns the main thread) stops new polls, closes the connections of polls in
flight, and lets running tasks finish and be reported.

Closing a waiting poll is safe on openswf, which never hands a task to a poll whose
connection has gone. Real SWF may (the task then waits for its timeout), so against AWS use
``abort_polls=False``: a stop then waits for polls to end, up to SWF's 60 s hold, and
handles whatever they bring.

Start-up order does not matter: a worker started before its server answers, or before its
domain exists, says so in one log line and waits; N pollers whose server went away log one
line (not N), a reminder every 30 s, and one line when it answers again.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Generic, TypeVar

from openswf.sdk.client import AsyncClient, Client
from openswf.sdk.errors import ConnectionAborted, SwfError, TransportError, UnknownResourceFault

T = TypeVar("T")
log = logging.getLogger("openswf.sdk")

# Start-up problems a worker waits out: the server is not up yet, or the domain not created.
WAITABLE = (TransportError, UnknownResourceFault)
REMIND_EVERY_S = 30.0


def default_identity(kind: str) -> str:
    return f"{kind}:{socket.gethostname()}:{os.getpid()}"[:256]


class PollingWorker(ABC, Generic[T]):
    def __init__(
        self,
        client: Client | AsyncClient,
        *,
        concurrency: int,
        identity: str | None,
        abort_polls: bool,
        kind: str,
    ) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self.client = client
        self.concurrency = concurrency
        self.identity = identity or default_identity(kind)
        self.abort_polls = abort_polls
        self.is_async = isinstance(client, AsyncClient)
        # Polls get a client of their own, so a stop can close them without touching the
        # responds of tasks still running.
        self._poll_client: Client | None = (
            None if isinstance(client, AsyncClient) else client.clone()
        )
        self._stopping = threading.Event()
        self._ready = threading.Event()  # prepared (types registered), polling
        self._done = threading.Event()
        self._threads: list[threading.Thread] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._poll_tasks: set[asyncio.Task[Any]] = set()
        self.busy = 0
        self._busy_lock = threading.Lock()
        self._health = _Health(self.identity, self.describe)

    # --- what a subclass provides --------------------------------------------------------

    def prepare(self) -> None:  # noqa: B027 - optional hook
        """Called once before polling (e.g. to register types)."""

    async def aprepare(self) -> None:
        self.prepare()

    def describe(self) -> str:
        """What the worker serves, for log lines (e.g. ``domain demo, task list work``)."""
        domain = getattr(self, "domain", "?")
        task_list = getattr(self, "task_list", "?")
        return f"domain {domain}, task list {task_list}"

    @abstractmethod
    def poll(self, client: Client) -> T | None: ...

    @abstractmethod
    def handle(self, task: T) -> None: ...

    @abstractmethod
    async def apoll(self, client: AsyncClient) -> T | None: ...

    @abstractmethod
    async def ahandle(self, task: T) -> None: ...

    # --- running -------------------------------------------------------------------------

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    def run(self, *, install_signal_handlers: bool = True) -> None:
        """Poll until ``stop()`` or SIGTERM/SIGINT; returns once everything is reported."""
        with self._signals(install_signal_handlers):
            if self.is_async:
                asyncio.run(self.run_async())
            else:
                self.start()
                while not self._done.wait(0.5):
                    pass

    def start(self) -> PollingWorker[T]:
        """Start polling in background threads (sync client) and return at once. If the
        server or the domain is not there yet, the threads wait for it (one log line)."""
        if self.is_async:
            raise TypeError("an AsyncClient worker runs with run() or await run_async()")
        try:
            self.prepare()
            ready = True
        except WAITABLE as error:
            self._health.waiting(error)
            ready = False
        threading.Thread(target=self._main, args=(ready,), daemon=True).start()
        return self

    def _main(self, ready: bool) -> None:
        try:
            if not ready and not self._prepare_when_ready():
                return
            self._ready.set()
            self._threads = [
                threading.Thread(target=self._thread_loop, name=f"{self.identity}-{i}", daemon=True)
                for i in range(self.concurrency)
            ]
            for thread in self._threads:
                thread.start()
            for thread in self._threads:
                thread.join()
        except Exception:
            log.exception("%s: could not start (%s)", self.identity, self.describe())
        finally:
            self._done.set()

    def _prepare_when_ready(self) -> bool:
        backoff = _Backoff()
        while not self._stopping.wait(backoff.next()):
            try:
                self.prepare()
            except WAITABLE as error:
                self._health.waiting(error)
                continue
            self._health.ready()
            return True
        return False

    async def _aprepare_when_ready(self) -> bool:
        backoff = _Backoff()
        while True:
            try:
                await self.aprepare()
            except WAITABLE as error:
                self._health.waiting(error)
                await asyncio.sleep(backoff.next())
                if self._stopping.is_set():
                    return False
                continue
            self._health.ready()
            return True

    def stop(self, wait: bool = True, timeout: float | None = None) -> bool:
        """Stop polling; with ``wait``, block until running tasks are reported. Returns True
        once the worker is fully stopped."""
        self._stopping.set()
        if self.abort_polls:
            if self._poll_client is not None:
                self._poll_client.abort_requests()
            loop = self._loop
            if loop is not None and not loop.is_closed():
                loop.call_soon_threadsafe(self._cancel_polls)
        if wait:
            return self._done.wait(timeout)
        return self._done.is_set()

    def _cancel_polls(self) -> None:
        for task in list(self._poll_tasks):
            task.cancel()

    def wait_ready(self, timeout: float | None = None) -> bool:
        """Wait until the worker has prepared (registered its types) and polls."""
        return self._ready.wait(timeout)

    def join(self, timeout: float | None = None) -> bool:
        return self._done.wait(timeout)

    @contextmanager
    def _signals(self, install: bool) -> Iterator[None]:
        if not install or threading.current_thread() is not threading.main_thread():
            yield
            return

        def on_signal(signum: int, frame: Any) -> None:
            log.info("%s: signal %d, stopping after running tasks", self.identity, signum)
            self.stop(wait=False)

        previous = {s: signal.signal(s, on_signal) for s in (signal.SIGTERM, signal.SIGINT)}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _enter(self) -> None:
        with self._busy_lock:
            self.busy += 1

    def _leave(self) -> None:
        with self._busy_lock:
            self.busy -= 1

    def _thread_loop(self) -> None:
        assert self._poll_client is not None
        backoff = _Backoff()
        while not self._stopping.is_set():
            started = time.monotonic()
            try:
                task = self.poll(self._poll_client)
            except ConnectionAborted:
                break
            except (TransportError, SwfError) as error:
                if self._stopping.is_set():
                    break
                self._health.failed(error)
                self._stopping.wait(backoff.next())
                continue
            backoff.reset()
            self._health.answered()
            if task is None:
                if time.monotonic() - started < 0.05:  # a server that does not long-poll
                    self._stopping.wait(0.1)
                continue
            self._enter()
            try:
                self.handle(task)
            except Exception:
                log.exception("%s: task handler failed", self.identity)
            finally:
                self._leave()

    async def run_async(self) -> None:
        """Poll with ``concurrency`` coroutines until ``stop()``."""
        if not isinstance(self.client, AsyncClient):
            raise TypeError("run_async() needs an AsyncClient")
        self._loop = asyncio.get_running_loop()
        try:
            try:
                await self.aprepare()
            except WAITABLE as error:
                self._health.waiting(error)
                if not await self._aprepare_when_ready():
                    return
            self._ready.set()
            loops = [asyncio.ensure_future(self._async_loop(self.client))]
            loops += [
                asyncio.ensure_future(self._async_loop(self.client))
                for _ in range(self.concurrency - 1)
            ]
            await asyncio.gather(*loops)
        finally:
            self._done.set()

    async def _async_loop(self, client: AsyncClient) -> None:
        backoff = _Backoff()
        while not self._stopping.is_set():
            started = time.monotonic()
            poll = asyncio.ensure_future(self.apoll(client))
            self._poll_tasks.add(poll)
            try:
                task = await poll
            except asyncio.CancelledError:
                if self._stopping.is_set():
                    break
                raise
            except (TransportError, SwfError) as error:
                if self._stopping.is_set():
                    break
                self._health.failed(error)
                await asyncio.sleep(backoff.next())
                continue
            finally:
                self._poll_tasks.discard(poll)
            backoff.reset()
            self._health.answered()
            if task is None:
                if time.monotonic() - started < 0.05:
                    await asyncio.sleep(0.1)
                continue
            self._enter()
            try:
                await self.ahandle(task)
            except Exception:
                log.exception("%s: task handler failed", self.identity)
            finally:
                self._leave()


def _problem(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"


class _Health:
    """Log lines about the connection, shared by all pollers of a worker: the first failure
    (one line, not one per poller), a reminder while it lasts, and the recovery."""

    def __init__(self, identity: str, describe: Callable[[], str]) -> None:
        self.identity = identity
        self._describe = describe
        self._lock = threading.Lock()
        self._since: float | None = None  # when polls started failing
        self._logged = 0.0
        self._problem = ""

    def waiting(self, error: BaseException) -> None:
        """Start-up cannot go on yet (no server, no domain)."""
        with self._lock:
            now = time.monotonic()
            problem = _problem(error)
            if self._since is None:
                self._since = now
            elif problem == self._problem and now - self._logged < REMIND_EVERY_S:
                return
            self._problem, self._logged = problem, now
        hint = "server not reachable" if isinstance(error, TransportError) else "domain missing?"
        log.warning(
            "%s: waiting to start (%s; %s): %s", self.identity, self._describe(), hint, problem
        )

    def ready(self) -> None:
        with self._lock:
            since, self._since = self._since, None
        if since is not None:
            waited = time.monotonic() - since
            log.info(
                "%s: started after waiting %.1f s (%s)", self.identity, waited, self._describe()
            )

    def failed(self, error: BaseException) -> None:
        with self._lock:
            now = time.monotonic()
            problem = _problem(error)
            if self._since is None:
                self._since = now
            elif problem == self._problem and now - self._logged < REMIND_EVERY_S:
                return
            first = self._logged < self._since
            self._problem, self._logged = problem, now
            failing = now - self._since
        if first:
            log.warning(
                "%s: poll failed (%s), retrying: %s", self.identity, self._describe(), problem
            )
        else:
            log.warning(
                "%s: polls failing for %.0f s (%s): %s",
                self.identity,
                failing,
                self._describe(),
                problem,
            )

    def answered(self) -> None:
        if self._since is None:  # the common case, without the lock
            return
        with self._lock:
            since, self._since = self._since, None
        if since is not None:
            log.info(
                "%s: polls answer again after %.1f s (%s)",
                self.identity,
                time.monotonic() - since,
                self._describe(),
            )


class _Backoff:
    def __init__(self) -> None:
        self.delay = 0.0

    def next(self) -> float:
        self.delay = min(5.0, max(0.1, self.delay * 2))
        return self.delay

    def reset(self) -> None:
        self.delay = 0.0
