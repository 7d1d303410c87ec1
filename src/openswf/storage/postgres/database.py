"""The connection pool, and what to do when a statement meets a database that went away.

Reads are retried on a fresh connection when their connection turns out to be dead (after a
PostgreSQL restart every pooled connection is). A write is retried when it certainly did not
commit: its connection died before the COMMIT was sent, or the engine refused it with a
serialization failure or a deadlock (it rolled back). A write whose connection died during
the COMMIT may or may not have committed: it is retried only if it is idempotent, otherwise
the caller gets ``StoreUnavailable`` (answered as ServiceUnavailable; clients retry).
"""

from __future__ import annotations

import asyncio
import logging
import select
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

import psycopg
from psycopg import errors as pg_errors
from psycopg.types.numeric import Int8BinaryDumper, Int8Dumper
from psycopg_pool import AsyncConnectionPool, PoolTimeout

from openswf.storage.postgres import migrate
from openswf.storage.postgres.config import PostgresConfig
from openswf.storage.postgres.text import is_nul_error
from openswf.storage.records import StoreUnavailable, UnstorableValue

log = logging.getLogger("openswf.postgres")

T = TypeVar("T")
Conn = psycopg.AsyncConnection[Any]
ATTEMPTS = 4
_RETRYABLE_STATES = (pg_errors.SerializationFailure, pg_errors.DeadlockDetected)


class Attempt:
    """What one try of a write got to: set ``committing`` just before the COMMIT goes out."""

    __slots__ = ("committing",)

    def __init__(self) -> None:
        self.committing = False


class Database:
    def __init__(self, config: PostgresConfig) -> None:
        self.config = config
        self._pool: AsyncConnectionPool[Conn] | None = None
        self._draining: asyncio.Task[None] | None = None

    async def open(self) -> None:
        # One plain connection first: an unreachable or unusable database is one clear error
        # at start-up, and the schema is created or migrated before any request runs.
        conn = await psycopg.AsyncConnection.connect(
            self.config.conninfo, autocommit=True, connect_timeout=10
        )
        async with conn:
            await migrate.migrate(conn)
        self._pool = AsyncConnectionPool(
            self.config.conninfo,
            min_size=self.config.pool_min,
            max_size=self.config.pool_max,
            timeout=self.config.pool_timeout_s,
            kwargs={"autocommit": True, "prepare_threshold": self.config.prepare_threshold},
            configure=self._configure,
            name="openswf",
            open=False,
        )
        await self._pool.open(wait=True, timeout=self.config.pool_timeout_s)

    async def close(self) -> None:
        if self._draining is not None:
            self._draining.cancel()
        if self._pool is not None:
            await self._pool.close()
            self._pool = None

    async def _configure(self, conn: Conn) -> None:
        # Every integer goes as int8: psycopg would pick int2, int4 or int8 by value, and a
        # statement is prepared once per set of parameter types.
        conn.adapters.register_dumper(int, Int8Dumper)
        conn.adapters.register_dumper(int, Int8BinaryDumper)
        timeout = self.config.statement_timeout_ms
        await conn.execute(f"SET statement_timeout = {int(timeout)}")

    @property
    def pool(self) -> AsyncConnectionPool[Conn]:
        if self._pool is None:
            raise RuntimeError("store is not open")
        return self._pool

    # --- reads ----------------------------------------------------------------------------

    async def fetch(self, query: str, params: Sequence[Any] | dict[str, Any]) -> list[Any]:
        async def read(conn: Conn, attempt: Attempt) -> list[Any]:
            cursor = await conn.execute(query, params)
            return await cursor.fetchall()

        return await self.run(read, idempotent=True)

    async def write(
        self, query: str, params: Sequence[Any] | dict[str, Any], *, idempotent: bool = True
    ) -> list[Any]:
        """One statement in a transaction of its own (autocommit: one round trip); returns
        what it returns, if anything. A statement that is not idempotent is not sent again
        once it may have committed: that is ``StoreUnavailable``."""

        async def write(conn: Conn, attempt: Attempt) -> list[Any]:
            attempt.committing = True
            cursor = await conn.execute(query, params)
            return await cursor.fetchall() if cursor.description else []

        return await self.run(write, idempotent=idempotent)

    async def scalar(self, query: str, params: Sequence[Any]) -> Any:
        rows = await self.fetch(query, params)
        return rows[0][0] if rows else None

    # --- writes ---------------------------------------------------------------------------

    async def transaction(
        self, work: Callable[[Conn], Awaitable[T]], *, idempotent: bool = False
    ) -> T:
        """Run ``work`` in one transaction, retried as the module says."""

        async def attempt_work(conn: Conn, attempt: Attempt) -> T:
            async with conn.transaction():
                result = await work(conn)
                attempt.committing = True
            return result

        return await self.run(attempt_work, idempotent=idempotent)

    async def run(self, work: Callable[[Conn, Attempt], Awaitable[T]], *, idempotent: bool) -> T:
        for number in range(1, ATTEMPTS + 1):
            attempt = Attempt()
            try:
                async with self.pool.connection() as conn:
                    if not idempotent:
                        await _raise_if_closed_by_server(conn)
                    return await work(conn, attempt)
            except _RETRYABLE_STATES:
                if number == ATTEMPTS:
                    raise
                await asyncio.sleep(0.005 * number)  # the other transaction goes first
            except PoolTimeout as error:
                raise StoreUnavailable(f"no database connection: {error}") from error
            except psycopg.DataError as error:
                if is_nul_error(error):
                    raise UnstorableValue(
                        "Strings stored by this server (PostgreSQL) must not contain NUL "
                        "(\\u0000) characters"
                    ) from error
                raise
            except pg_errors.QueryCanceled as error:
                raise StoreUnavailable(f"statement timed out: {error}") from error
            except psycopg.OperationalError as error:
                self._lost_connection(error)
                if number == ATTEMPTS or (attempt.committing and not idempotent):
                    raise StoreUnavailable(f"database connection lost: {error}") from error
            except psycopg.InterfaceError as error:  # a connection closed under us
                self._lost_connection(error)
                if number == ATTEMPTS or (attempt.committing and not idempotent):
                    raise StoreUnavailable(f"database connection lost: {error}") from error
        raise AssertionError("unreachable")

    def _lost_connection(self, error: BaseException) -> None:
        """One dead connection means the others may be dead too (a restart): replace every
        idle one in the background, once at a time, instead of failing on each in turn."""
        if self._draining is None or self._draining.done():
            log.warning("database connection lost (%s); checking the pool", error)
            self._draining = asyncio.create_task(self._check_pool())

    async def _check_pool(self) -> None:
        try:
            await self.pool.check()
        except Exception:  # the pool keeps trying by itself; this was only a shortcut
            log.debug("pool check failed", exc_info=True)


async def _raise_if_closed_by_server(conn: Conn) -> None:
    """An idle pooled connection has nothing to read, unless its server went away (a
    restart sends a farewell, then EOF). Found before a write is sent, the write certainly
    did not commit and can go to a new connection. One non-blocking select, no round trip;
    a connection that had something else to say is only replaced."""
    readable, _, _ = select.select([conn.pgconn.socket], [], [], 0)
    if readable:
        await conn.close()  # the pool drops a closed connection
        raise psycopg.OperationalError("the server closed the connection")
