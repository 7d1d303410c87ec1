"""The contract suite's stores: one fresh store per test, on every backend.

``async def`` tests get their ``store`` fixture opened on the test's own event loop, and
closed after it (a store belongs to the loop that opened it).
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from openswf.storage.base import Store
from openswf.storage.urls import store_from_url
from tests import databases
from tests.conftest import Databases


@pytest.fixture(scope="session")
def contract_database(backend: str, session_databases: Databases) -> Iterator[str | None]:
    """The session's PostgreSQL database for the contract suite, emptied before each test."""
    if backend != "postgres":
        yield None
        return
    url = session_databases.new("postgres")
    yield url
    session_databases.drop(url)


@pytest.fixture(scope="session")
def postgres_database(session_databases: Databases) -> Iterator[str]:
    """A PostgreSQL database for the tests of what only a shared store does."""
    admin, why_not = databases.admin_url()
    if admin is None:
        pytest.skip(why_not)
    url = session_databases.new("postgres")
    yield url
    session_databases.drop(url)


@pytest.fixture
def postgres_url(postgres_database: str) -> str:
    """The URL of an empty PostgreSQL database (skipped, loudly, without PostgreSQL)."""
    empty(postgres_database)
    return postgres_database


@pytest.fixture
def store_url(backend: str, contract_database: str | None, tmp_path: Path) -> str:
    """The URL of an empty database of the backend under test."""
    if contract_database is None:
        return f"sqlite:///{tmp_path / 'contract.db'}"
    empty(contract_database)
    return contract_database


@pytest.fixture
def store(store_url: str) -> Store:
    """An unopened store; ``async def`` tests receive it opened."""
    return store_from_url(store_url)


def empty(url: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
                "AND tablename <> 'openswf_schema'"
            )
        ]
        if tables:
            conn.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    if not inspect.iscoroutinefunction(pyfuncitem.obj):
        return None
    names = pyfuncitem._fixtureinfo.argnames
    kwargs = {name: pyfuncitem.funcargs[name] for name in names}
    asyncio.run(_with_open_store(pyfuncitem.obj, kwargs))
    return True


async def _with_open_store(test: Any, kwargs: dict[str, Any]) -> None:
    store = kwargs.get("store")
    if store is None:
        await test(**kwargs)
        return
    await store.open()
    try:
        await asyncio.wait_for(test(**kwargs), 60)
    finally:
        await store.close()
