"""The settings of a PostgreSQL store, read from its ``--db`` URL.

``postgresql://USER[:PASSWORD]@HOST[:PORT]/DB?pool_max=20&statement_timeout_ms=10000``: the
options below are openswf's and are taken out of the URL; every other query parameter
(``sslmode``, ``connect_timeout``, ``application_name``, ...) goes to libpq unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

import psycopg.conninfo

_TRUE = {"1", "true", "on", "yes"}
_FALSE = {"0", "false", "off", "no"}


@dataclass(frozen=True, kw_only=True, slots=True)
class PostgresConfig:
    conninfo: str
    # Connections per server process; PostgreSQL's max_connections must cover every server's
    # pool_max plus one listener connection each.
    pool_min: int = 2
    pool_max: int = 10
    # How long a request waits for a free connection (or for the database to come back)
    # before it fails with ServiceUnavailable.
    pool_timeout_s: float = 30.0
    # Every statement's limit on the server side (0: none). A long poll never holds a
    # statement open, so this bounds only real work.
    statement_timeout_ms: int = 30_000
    # The tasks a server reads for its polls are hidden from the other servers this long
    # (a dead server's tasks come back after it).
    task_lease_s: float = 10.0
    # A due timer taken by one server is hidden from the others this long; if that server
    # dies mid-fire, the timer fires again after the lease.
    timer_lease_s: float = 30.0
    # LISTEN/NOTIFY wake-ups across servers; off for engines without them (polls then find
    # other servers' tasks on their re-check interval).
    notify: bool = True
    # FOR UPDATE SKIP LOCKED in the timer claim; off for engines without it.
    skip_locked: bool = True
    # psycopg prepares a statement after this many runs on a connection; "off" for poolers
    # in transaction mode (PgBouncer), which cannot keep prepared statements.
    prepare_threshold: int | None = 5


def _flag(name: str, value: str) -> bool:
    if value.lower() in _TRUE:
        return True
    if value.lower() in _FALSE:
        return False
    raise ValueError(f"{name} must be on or off, not {value!r}")


def _positive(name: str, value: str, kind: type[int] | type[float]) -> float:
    try:
        number = kind(value)
    except ValueError:
        raise ValueError(f"{name} must be a number, not {value!r}") from None
    if number < 0:
        raise ValueError(f"{name} must not be negative")
    return number


def parse_url(url: str) -> PostgresConfig:
    """The store's settings from a ``postgresql://`` or ``postgres://`` URL; ``ValueError``
    names whatever is wrong with it."""
    parts = urlsplit(url)
    ours: dict[str, str] = {}
    theirs: list[tuple[str, str]] = []
    names = set(PostgresConfig.__dataclass_fields__) - {"conninfo"}
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        (ours.__setitem__(key, value) if key in names else theirs.append((key, value)))
    conninfo = urlunsplit(
        parts._replace(scheme="postgresql", query=urlencode(theirs, quote_via=quote))
    )
    try:
        psycopg.conninfo.conninfo_to_dict(conninfo)  # libpq's own check of the rest
    except psycopg.ProgrammingError as error:
        raise ValueError(str(error).strip()) from None
    options: dict[str, object] = {}
    for key, value in ours.items():
        if key in ("notify", "skip_locked"):
            options[key] = _flag(key, value)
        elif key == "prepare_threshold":
            options[key] = None if value.lower() in _FALSE else int(_positive(key, value, int))
        elif key in ("pool_timeout_s", "timer_lease_s", "task_lease_s"):
            options[key] = _positive(key, value, float)
        else:
            options[key] = int(_positive(key, value, int))
    config = PostgresConfig(conninfo=conninfo, **options)  # type: ignore[arg-type]
    if config.pool_max < 1 or config.pool_min > config.pool_max:
        raise ValueError("pool_max must be at least 1 and at least pool_min")
    return config
