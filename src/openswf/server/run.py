"""Running the app under uvicorn, with a shutdown that ends long polls at once."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal
import threading
from collections.abc import Iterator
from typing import Any

import uvicorn

from openswf.server.app import create_app
from openswf.server.pipelining import http_protocol
from openswf.services.settings import Settings
from openswf.storage.urls import redact

log = logging.getLogger("openswf")


class _Server(uvicorn.Server):
    """uvicorn waits for open connections before it stops; long polls would hold that for
    up to a minute, so on the first signal they are answered empty straight away."""

    def __init__(self, config: uvicorn.Config, on_exit: Any) -> None:
        super().__init__(config)
        self._on_exit = on_exit

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        """Stop on SIGINT/SIGTERM and exit 0. uvicorn re-raises the signal after its graceful
        shutdown, which makes a clean, requested stop look like a crash (exit -15, or
        click's "Aborted!"); openswf treats the stop as the normal end of the process."""
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        stop_signals = (signal.SIGINT, signal.SIGTERM)
        previous = {sig: signal.signal(sig, self.handle_exit) for sig in stop_signals}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    async def serve(self, sockets: Any = None) -> None:
        self._loop = asyncio.get_running_loop()
        await super().serve(sockets)

    async def startup(self, sockets: Any = None) -> None:
        await super().startup(sockets)
        # What is alive now (modules, the app, the service) lives as long as the process:
        # out of the collector's sight, a full collection scans only what came after. On a
        # small machine one took ~100 ms, all of it on the event loop: it was the worst tail
        # of timer lag (benchmarks/timer_lag.py).
        gc.freeze()

    def handle_exit(self, sig: int, frame: Any) -> None:
        # Signal handlers run between two steps of the loop: hand the work to the loop.
        self._loop.call_soon_threadsafe(self._on_exit)
        super().handle_exit(sig, frame)


def serve(host: str, port: int, db_url: str, settings: Settings, log_level: str = "info") -> None:
    app = create_app(db_url, settings)
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        loop="auto",
        http=http_protocol(),  # ends a long poll that has a request queued behind it
        lifespan="on",
        access_log=False,
        log_level=log_level,
        timeout_keep_alive=75,
    )
    server = _Server(config, app.service.stop_polls)
    log.info("openswf %s on http://%s:%d (db %s)", "starting", host, port, redact(db_url))
    server.run()
