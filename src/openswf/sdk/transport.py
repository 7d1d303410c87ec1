"""A small HTTP/1.1 client for one endpoint: keep-alive connections, POST only.

SWF needs nothing else: every call is ``POST /`` with a JSON body, and every answer carries a
Content-Length (chunked bodies are read too, for proxies). Doing this over a plain socket
instead of urllib3 or http.client keeps the SDK's cost per call small (see
benchmarks/sdk_client.py). Connections are pooled; a long poll holds one for its whole wait,
so N concurrent pollers use N connections.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import threading
from dataclasses import dataclass
from typing import IO
from urllib.parse import urlsplit


class TransportError(Exception):
    """The request could not be sent, or its answer not read (connection, timeout, close)."""


class ConnectionAborted(TransportError):
    """The connection was closed on purpose (``abort_all``), e.g. by a worker shutting down."""


@dataclass(frozen=True, slots=True)
class Endpoint:
    scheme: str
    host: str
    port: int
    host_header: str

    @classmethod
    def parse(cls, url: str) -> Endpoint:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not an http(s) URL: {url!r}")
        default = 443 if parts.scheme == "https" else 80
        port = parts.port or default
        host_header = parts.hostname if port == default else f"{parts.hostname}:{port}"
        if ":" in parts.hostname and port == default:
            host_header = f"[{parts.hostname}]"
        elif ":" in parts.hostname:
            host_header = f"[{parts.hostname}]:{port}"
        return cls(parts.scheme, parts.hostname, port, host_header)


def encode_request(endpoint: Endpoint, headers: list[tuple[str, str]], body: bytes) -> bytes:
    head = [f"POST / HTTP/1.1\r\nHost: {endpoint.host_header}\r\n"]
    for name, value in headers:
        head.append(f"{name}: {value}\r\n")
    head.append(f"Content-Length: {len(body)}\r\nAccept-Encoding: identity\r\n\r\n")
    return "".join(head).encode("latin-1") + body


def _parse_head(status_line: bytes, header_lines: list[bytes]) -> tuple[int, int, bool, bool]:
    """(status, content length or -1, chunked, keep_alive) of a response head."""
    try:
        status = int(status_line.split(b" ", 2)[1])
    except (IndexError, ValueError) as error:
        raise TransportError(f"bad HTTP status line {status_line!r}") from error
    length, chunked, keep_alive = -1, False, not status_line.startswith(b"HTTP/1.0")
    for line in header_lines:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value.strip())
        elif name == b"transfer-encoding":
            chunked = b"chunked" in value.lower()
        elif name == b"connection":
            token = value.strip().lower()
            keep_alive = token == b"keep-alive" or (keep_alive and token != b"close")
    return status, length, chunked, keep_alive


# --- sync ---------------------------------------------------------------------------------


class _SyncConnection:
    def __init__(self, endpoint: Endpoint, connect_timeout: float, read_timeout: float) -> None:
        sock = socket.create_connection((endpoint.host, endpoint.port), timeout=connect_timeout)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if endpoint.scheme == "https":
            sock = ssl.create_default_context().wrap_socket(sock, server_hostname=endpoint.host)
        sock.settimeout(read_timeout)
        self.sock = sock
        self.rfile: IO[bytes] = sock.makefile("rb")
        self.aborted = False

    def roundtrip(self, request: bytes) -> tuple[int, bytes, bool]:
        self.sock.sendall(request)
        rfile = self.rfile
        status_line = rfile.readline(65537)
        if not status_line:
            raise ConnectionResetError("connection closed before the answer")
        lines = []
        while True:
            line = rfile.readline(65537)
            if line in (b"\r\n", b"\n", b""):
                break
            lines.append(line)
        status, length, chunked, keep_alive = _parse_head(status_line, lines)
        if chunked:
            body = self._read_chunked()
        elif length >= 0:
            body = rfile.read(length)
            if len(body) != length:
                raise ConnectionResetError("connection closed inside the body")
        else:
            body, keep_alive = rfile.read(), False
        return status, body, keep_alive

    def _read_chunked(self) -> bytes:
        parts: list[bytes] = []
        while True:
            size = int(self.rfile.readline(65537).split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                    pass
                return b"".join(parts)
            parts.append(self.rfile.read(size))
            self.rfile.readline(65537)

    def close(self) -> None:
        try:
            self.rfile.close()
            self.sock.close()
        except OSError:
            pass

    def abort(self) -> None:
        self.aborted = True
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


class SyncTransport:
    """Thread-safe: each call takes a pooled connection (or opens one) and gives it back."""

    def __init__(
        self, url: str, *, connect_timeout: float = 10.0, read_timeout: float = 70.0
    ) -> None:
        self.endpoint = Endpoint.parse(url)
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self._idle: list[_SyncConnection] = []
        self._busy: set[_SyncConnection] = set()
        self._lock = threading.Lock()

    def post(self, headers: list[tuple[str, str]], body: bytes) -> tuple[int, bytes]:
        request = encode_request(self.endpoint, headers, body)
        with self._lock:
            conn = self._idle.pop() if self._idle else None
        reused = conn is not None
        for _ in range(2):
            if conn is None:
                try:
                    conn = _SyncConnection(self.endpoint, self.connect_timeout, self.read_timeout)
                except OSError as error:
                    raise TransportError(
                        f"cannot connect to {self.endpoint.host_header}: {error}"
                    ) from error
            with self._lock:
                self._busy.add(conn)
            try:
                status, data, keep_alive = conn.roundtrip(request)
            except (OSError, ValueError) as error:
                conn.close()
                if conn.aborted:
                    raise ConnectionAborted("connection aborted") from error
                # A kept-alive connection the server closed while idle: the request never
                # reached it, so sending it once more on a fresh connection is safe.
                if reused and isinstance(error, ConnectionError):
                    conn, reused = None, False
                    continue
                raise TransportError(f"{type(error).__name__}: {error}") from error
            finally:
                with self._lock:
                    self._busy.discard(conn)
            if keep_alive and not conn.aborted:
                with self._lock:
                    self._idle.append(conn)
            else:
                conn.close()
            return status, data
        raise TransportError("unreachable")  # pragma: no cover

    def abort_all(self) -> None:
        """Close every connection now in use: their callers get ConnectionAborted at once."""
        with self._lock:
            busy = list(self._busy)
        for conn in busy:
            conn.abort()

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()


# --- async --------------------------------------------------------------------------------


class _AsyncConnection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    async def roundtrip(self, request: bytes) -> tuple[int, bytes, bool]:
        self.writer.write(request)
        reader = self.reader
        status_line = await reader.readline()
        if not status_line:
            raise ConnectionResetError("connection closed before the answer")
        lines = []
        while True:
            line = await reader.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            lines.append(line)
        status, length, chunked, keep_alive = _parse_head(status_line, lines)
        if chunked:
            parts: list[bytes] = []
            while True:
                size = int((await reader.readline()).split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while (await reader.readline()) not in (b"\r\n", b"\n", b""):
                        pass
                    break
                parts.append(await reader.readexactly(size))
                await reader.readline()
            body = b"".join(parts)
        elif length >= 0:
            body = await reader.readexactly(length)
        else:
            body, keep_alive = await reader.read(), False
        return status, body, keep_alive

    def close(self) -> None:
        self.writer.transport.abort()


class AsyncTransport:
    """One event loop's pool; cancelling a call closes its connection (never reused)."""

    def __init__(
        self, url: str, *, connect_timeout: float = 10.0, read_timeout: float = 70.0
    ) -> None:
        self.endpoint = Endpoint.parse(url)
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self._idle: list[_AsyncConnection] = []
        self._busy: set[_AsyncConnection] = set()

    async def _connect(self) -> _AsyncConnection:
        ssl_context = ssl.create_default_context() if self.endpoint.scheme == "https" else None
        try:
            reader, writer = await asyncio.wait_for(
                asyncio.open_connection(self.endpoint.host, self.endpoint.port, ssl=ssl_context),
                self.connect_timeout,
            )
        except (OSError, TimeoutError) as error:
            raise TransportError(
                f"cannot connect to {self.endpoint.host_header}: {error}"
            ) from error
        sock = writer.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return _AsyncConnection(reader, writer)

    async def post(self, headers: list[tuple[str, str]], body: bytes) -> tuple[int, bytes]:
        request = encode_request(self.endpoint, headers, body)
        conn = self._idle.pop() if self._idle else None
        reused = conn is not None
        for _ in range(2):
            if conn is None:
                conn = await self._connect()
            self._busy.add(conn)
            keep = False
            try:
                status, data, keep = await asyncio.wait_for(
                    conn.roundtrip(request), self.read_timeout
                )
            except (OSError, ValueError, asyncio.IncompleteReadError, TimeoutError) as error:
                if reused and isinstance(error, (ConnectionError, asyncio.IncompleteReadError)):
                    conn.close()
                    self._busy.discard(conn)
                    conn, reused = None, False
                    continue
                raise TransportError(f"{type(error).__name__}: {error}") from error
            finally:
                if conn is not None:
                    self._busy.discard(conn)
                    if keep:
                        self._idle.append(conn)
                    else:
                        conn.close()
            return status, data
        raise TransportError("unreachable")  # pragma: no cover

    def abort_all(self) -> None:
        for conn in list(self._busy):
            conn.close()

    async def close(self) -> None:
        idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()
