"""An openswf server with the chaos harness's fault hooks (benchmarks/chaos.py starts it).

The faults that cannot be aimed from outside the process:

- ``--relay-crashes FILE``: while FILE holds a number above 0, the process dies (exit 86)
  right after the first of a relay delivery's two writes (a child's start, or a signal or
  cancel reaching its target) and before the second (the source hears of it), and the number
  goes down by one. The harness restarts the server, whose relay must finish the job once.
- ``--clock-jump``: the server's clock (what timers and timeouts are measured on) jumps
  forward by the given seconds on SIGUSR1, and back by as much on SIGUSR2, as a machine's
  wall clock does when it is corrected.

Everything else is the real server: the same app, store and services as ``openswf server``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import time
from pathlib import Path
from typing import Any

import uvicorn

from openswf.engine import commands as c
from openswf.server.app import create_app
from openswf.services.clock import SystemClock
from openswf.services.settings import Settings

CRASH_EXIT = 86


class JumpingClock(SystemClock):
    def __init__(self) -> None:
        self.offset_ms = 0

    def now_ms(self) -> int:
        return time.time_ns() // 1_000_000 + self.offset_ms


def _crash_if_armed(counter: Path) -> None:
    left = int(counter.read_text() or 0)
    if left > 0:
        counter.write_text(str(left - 1))
        os._exit(CRASH_EXIT)


def arm_relay_crashes(app: Any, counter: Path) -> None:
    """Die between the relay's two writes: after the target's write, before the source's."""
    relay = app.service._timers._relay
    history = relay._history
    start, apply = history.start, history.apply

    async def start_then_crash(domain_id: int, command: c.StartExecution) -> Any:
        result = await start(domain_id, command)
        if command.parent is not None:
            _crash_if_armed(counter)
        return result

    async def apply_then_crash(run_id: str, command: c.Command) -> Any:
        result = await apply(run_id, command)
        external = isinstance(command, c.SignalExecution | c.RequestCancelExecution)
        if external and getattr(command, "external", None) is not None:
            _crash_if_armed(counter)
        return result

    relay._history = _Proxy(history, start=start_then_crash, apply=apply_then_crash)


class _Proxy:
    """The history service as the relay sees it: two methods replaced, the rest as is."""

    def __init__(self, target: Any, **replaced: Any) -> None:
        self._target, self._replaced = target, replaced

    def __getattr__(self, name: str) -> Any:
        return self._replaced.get(name) or getattr(self._target, name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--relay-crashes", type=Path)
    parser.add_argument("--clock-jump", type=float, default=0.0)
    args = parser.parse_args()
    clock = JumpingClock()
    app = create_app(args.db, Settings(poll_timeout_s=20), clock)
    if args.relay_crashes is not None:
        start = app.service.start
        counter: Path = args.relay_crashes

        async def start_then_arm() -> None:  # the relay exists once the service started
            await start()
            arm_relay_crashes(app, counter)

        app.service.start = start_then_arm  # type: ignore[method-assign]
    config = uvicorn.Config(
        app, host="127.0.0.1", port=args.port, lifespan="on", access_log=False, log_level="warning"
    )
    server = uvicorn.Server(config)

    def jump(seconds: float) -> None:
        clock.offset_ms += round(seconds * 1000)
        app.service._timers.notify(clock.now_ms())  # the timer loop re-reads what is due

    async def serve() -> None:
        loop = asyncio.get_running_loop()
        if args.clock_jump:
            loop.add_signal_handler(signal.SIGUSR1, jump, args.clock_jump)
            loop.add_signal_handler(signal.SIGUSR2, jump, -args.clock_jump)
        await server.serve()

    asyncio.run(serve())


if __name__ == "__main__":
    main()
