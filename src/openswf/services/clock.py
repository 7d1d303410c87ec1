"""Time as a dependency: the system clock in production, a manual clock in tests."""

from __future__ import annotations

import asyncio
import time
from typing import Protocol


class Clock(Protocol):
    def now_ms(self) -> int: ...

    async def sleep_until(self, due_ms: int | None, wake: asyncio.Event) -> None:
        """Return at ``due_ms`` (never, if ``None``) or as soon as ``wake`` is set."""
        ...


class SystemClock:
    def now_ms(self) -> int:
        return time.time_ns() // 1_000_000

    async def sleep_until(self, due_ms: int | None, wake: asyncio.Event) -> None:
        timeout = None if due_ms is None else max(0.0, (due_ms - self.now_ms()) / 1000)
        try:
            await asyncio.wait_for(wake.wait(), timeout)
        except TimeoutError:
            pass


class ManualClock:
    """A clock that moves only when told to: ``advance`` fires what falls due, at once."""

    def __init__(self, start_ms: int = 1_700_000_000_000) -> None:
        self._now = start_ms
        self._moved = asyncio.Event()

    def now_ms(self) -> int:
        return self._now

    def advance(self, seconds: float) -> None:
        self._now += round(seconds * 1000)
        self._moved.set()

    async def sleep_until(self, due_ms: int | None, wake: asyncio.Event) -> None:
        while due_ms is None or self._now < due_ms:
            if wake.is_set():
                return
            self._moved.clear()
            waiters = [
                asyncio.ensure_future(wake.wait()),
                asyncio.ensure_future(self._moved.wait()),
            ]
            try:
                await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for waiter in waiters:
                    waiter.cancel()
