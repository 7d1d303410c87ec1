"""Turns a ``--db`` URL into a store. Only composition roots call this."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit, urlunsplit

from openswf.storage.base import Store


class UnsupportedDatabase(ValueError):
    pass


_QUERY_PASSWORD = re.compile(r"(^|&)(password=)[^&]*", re.IGNORECASE)


def redact(url: str) -> str:
    """The URL with its password, in the user part or as ``?password=``, replaced by ``***``
    (for messages and logs)."""
    base, sep, rest = url.partition("?")
    if sep:
        query, hash_sign, fragment = rest.partition("#")
        url = base + sep + _QUERY_PASSWORD.sub(r"\1\2***", query) + hash_sign + fragment
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rpartition("@")
    user = netloc[0].partition(":")[0]
    return urlunsplit(parts._replace(netloc=f"{user}:***@{netloc[2]}"))


def store_from_url(url: str) -> Store:
    """``sqlite:///relative.db``, ``sqlite:////absolute.db`` (not ``:memory:``: see SqliteStore);
    ``postgresql://USER[:PASSWORD]@HOST[:PORT]/DB`` (or ``postgres://``); options as a query
    string (``?synchronous=normal``, ``?busy_timeout=MS``, ``?pool_max=20``;
    storage/postgres/config.py lists the PostgreSQL ones)."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    options = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    if scheme == "sqlite":
        path = parts.path[1:] if parts.path.startswith("/") else parts.path
        if not path:
            raise UnsupportedDatabase(f"no database file in {url!r}")
        from openswf.storage.sqlite.store import SqliteStore

        unknown = set(options) - {"synchronous", "busy_timeout"}
        if unknown:
            raise UnsupportedDatabase(f"unknown SQLite option(s) {sorted(unknown)} in {url!r}")
        try:
            busy = options.get("busy_timeout")
            return SqliteStore(
                path,
                synchronous=options.get("synchronous", "full"),
                **({"busy_timeout_ms": int(busy)} if busy is not None else {}),
            )
        except ValueError as error:
            raise UnsupportedDatabase(f"{error} (in {url!r})") from error
    if scheme in ("postgres", "postgresql"):
        from openswf.storage.postgres.config import parse_url
        from openswf.storage.postgres.store import PostgresStore

        try:
            return PostgresStore(parse_url(url))
        except ValueError as error:
            raise UnsupportedDatabase(f"{error} (in {redact(url)!r})") from error
    raise UnsupportedDatabase(
        f"unsupported database URL {url!r}: use sqlite:///PATH or postgresql://USER@HOST/DB"
    )
