"""PostgreSQL for the tests: which server to use, and fresh databases on it.

``OPENSWF_TEST_POSTGRES`` names an administrative URL (``.ci/run`` sets
``postgresql://postgres@127.0.0.1:5432/test``): the PostgreSQL-backed tests then run, and
fail if it cannot be reached. Unset, the tests try that same default URL and run on it if a
server answers; otherwise every PostgreSQL test is skipped, and the session says so loudly.

Each test session works in databases of its own (``openswf_test_<pid>_<random>``), created
from the admin URL and dropped at the end; a later session drops those a killed one left.
"""

from __future__ import annotations

import functools
import os
import secrets
from urllib.parse import urlsplit, urlunsplit

import psycopg

ENV = "OPENSWF_TEST_POSTGRES"
DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/test"
PREFIX = "openswf_test_"


@functools.cache
def admin_url() -> tuple[str | None, str]:
    """``(url, "")`` when PostgreSQL is there to test on, else ``(None, why not)``."""
    url = os.environ.get(ENV)
    if url:
        _connect(url, timeout=10).close()  # set but unreachable: an error, not a skip
        _drop_leftovers(url)
        return url, ""
    try:
        _connect(DEFAULT_URL, timeout=2).close()
    except psycopg.Error as error:
        reason = (
            f"PostgreSQL tests SKIPPED: {ENV} is unset and no PostgreSQL answers at "
            f"{DEFAULT_URL} ({str(error).strip().splitlines()[0]})"
        )
        return None, reason
    _drop_leftovers(DEFAULT_URL)
    return DEFAULT_URL, ""


def _connect(url: str, *, timeout: int = 10) -> psycopg.Connection[tuple[object, ...]]:
    return psycopg.connect(url, autocommit=True, connect_timeout=timeout)


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


def create_database(admin: str) -> str:
    """A new, empty database; returns its URL."""
    name = f"{PREFIX}{os.getpid()}_{secrets.token_hex(4)}"
    with _connect(admin) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return with_database(admin, name)


def drop_database(admin: str, url: str) -> None:
    name = urlsplit(url).path.lstrip("/")
    with _connect(admin) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _drop_leftovers(admin: str) -> None:
    """Drop the databases of test sessions whose process is gone."""
    with _connect(admin) as conn:
        names = [
            row[0]
            for row in conn.execute(
                "SELECT datname FROM pg_database WHERE datname LIKE %s", (PREFIX + "%",)
            )
        ]
        for name in names:
            pid = name[len(PREFIX) :].split("_", 1)[0]
            if pid.isdigit() and not _alive(int(pid)):
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
