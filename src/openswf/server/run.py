"""Running the app under uvicorn, with a shutdown that ends long polls at once, the access
keys reread on SIGHUP, and no open server on a network address unless asked for."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import ipaddress
import logging
import signal
import threading
from collections.abc import Iterator
from typing import Any

import uvicorn

from openswf.server.access import AccessGuard
from openswf.server.app import create_app
from openswf.server.pipelining import http_protocol
from openswf.services.settings import Settings
from openswf.storage.urls import redact

log = logging.getLogger("openswf")


class _Server(uvicorn.Server):
    """uvicorn waits for open connections before it stops; long polls would hold that for
    up to a minute, so on the first signal they are answered empty straight away."""

    def __init__(self, config: uvicorn.Config, on_exit: Any, on_reload: Any = None) -> None:
        super().__init__(config)
        self._on_exit = on_exit
        self._on_reload = on_reload

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
        if self._on_reload is not None:
            previous[signal.SIGHUP] = signal.signal(signal.SIGHUP, self.handle_reload)
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

    def handle_reload(self, sig: int, frame: Any) -> None:
        self._loop.call_soon_threadsafe(self._on_reload)

    def handle_exit(self, sig: int, frame: Any) -> None:
        # Signal handlers run between two steps of the loop: hand the work to the loop.
        self._loop.call_soon_threadsafe(self._on_exit)
        super().handle_exit(sig, frame)


class Refused(Exception):
    """A configuration the server will not start with; the message says why and what to do."""


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name: it may resolve to any interface


def check_exposure(host: str, guard: AccessGuard | None, insecure: bool) -> None:
    """Without access keys the API is open to whoever reaches the port: loopback only,
    unless the operator says ``--insecure``."""
    if guard is None and not insecure and not is_loopback(host):
        raise Refused(
            f"refusing to listen on {host} without authentication: anyone who can reach it "
            "could do anything. Give --access-keys FILE (docs/security.md), listen on "
            "127.0.0.1, or pass --insecure to run open anyway."
        )


def serve(
    host: str,
    port: int,
    db_url: str,
    settings: Settings,
    log_level: str = "info",
    *,
    guard: AccessGuard | None = None,
    insecure: bool = False,
    tls_cert: str | None = None,
    tls_key: str | None = None,
) -> None:
    check_exposure(host, guard, insecure)
    app = create_app(db_url, settings, guard=guard)
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
        ssl_certfile=tls_cert,
        ssl_keyfile=tls_key,
    )
    server = _Server(config, app.service.stop_polls, guard.reload if guard else None)
    scheme = "https" if tls_cert else "http"
    log.info("openswf %s on %s://%s:%d (db %s)", "starting", scheme, host, port, redact(db_url))
    if guard is None:
        log.warning(
            "openswf is UNAUTHENTICATED: no --access-keys, so every request is accepted "
            "from anyone who can reach %s:%d",
            host,
            port,
        )
    else:
        log.info(
            "SigV4 required: %d access key(s) from %s (reread on SIGHUP)",
            len(guard.key_ids),
            guard.path,
        )
    server.run()
