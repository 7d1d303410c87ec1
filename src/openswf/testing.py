"""An openswf server inside your test process: real HTTP on a free port, a real store.

    with LocalServer() as server:
        swf = boto3.client("swf", endpoint_url=server.endpoint, region_name="us-east-1", ...)

The server runs uvicorn on a background thread with its own event loop. With
``LocalServer(clock=ManualClock())`` time moves only when the test says so:
``server.advance(3600)`` moves the clock an hour and fires every timer and timeout that fell
due (and purges the closed executions whose domain retention ran out), before it returns.
"""

from __future__ import annotations

import asyncio
import socket
import tempfile
import threading
from pathlib import Path
from types import TracebackType
from typing import Any

import uvicorn

from openswf.server.app import OpenSwfApp, create_app
from openswf.server.pipelining import http_protocol
from openswf.services.clock import Clock, ManualClock
from openswf.services.settings import Settings


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LocalServer:
    def __init__(
        self,
        db_url: str | None = None,
        *,
        settings: Settings | None = None,
        clock: Clock | None = None,
        port: int | None = None,
        http: str = "auto",
    ) -> None:
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        if db_url is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="openswf-")
            db_url = "sqlite:///" + str(Path(self._tmp.name) / "openswf.db")
        self.db_url = db_url
        self.port = port or free_port()
        self.app: OpenSwfApp = create_app(db_url, settings or Settings(), clock)
        self._server = uvicorn.Server(
            uvicorn.Config(
                self.app,
                host="127.0.0.1",
                port=self.port,
                http=http_protocol(http),  # "auto" (httptools) or "h11"
                lifespan="on",
                access_log=False,
                log_level="warning",
                timeout_keep_alive=75,
            )
        )
        self._thread = threading.Thread(target=self._server.run, name="openswf-server", daemon=True)

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> LocalServer:
        self._thread.start()
        while not self._server.started:
            if not self._thread.is_alive():
                raise RuntimeError("openswf server failed to start")
            self._thread.join(0.01)
        return self

    def stop(self) -> None:
        loop = self._loop()
        if loop is not None:
            loop.call_soon_threadsafe(self.app.service.stop_polls)
        self._server.should_exit = True
        self._thread.join(30)
        if self._tmp is not None:
            self._tmp.cleanup()

    def _loop(self) -> asyncio.AbstractEventLoop | None:
        servers = getattr(self._server, "servers", None)
        if not servers:
            return None
        loop: asyncio.AbstractEventLoop = servers[0].get_loop()
        return loop

    def call(self, fn: Any, *args: Any) -> Any:
        """Run ``fn(*args)`` on the server's event loop and return its result."""
        loop = self._loop()
        assert loop is not None, "server is not running"

        async def run() -> Any:
            result = fn(*args)
            if asyncio.iscoroutine(result):
                result = await result
            return result

        return asyncio.run_coroutine_threadsafe(run(), loop).result(30)

    def advance(self, seconds: float) -> int:
        """Move a manual clock, fire what fell due and purge the closed executions whose
        retention ran out; returns how many timer rows fired."""
        clock = self.app.service.clock
        if not isinstance(clock, ManualClock):
            raise TypeError("advance() needs LocalServer(clock=ManualClock())")
        self.call(clock.advance, seconds)
        fired = int(self.call(self.app.service.fire_due_timers))
        self.call(self.app.service.sweep_retention)
        return fired

    def __enter__(self) -> LocalServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
