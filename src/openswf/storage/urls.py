"""Turns a ``--db`` URL into a store. Only composition roots call this."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from openswf.storage.base import Store


class UnsupportedDatabase(ValueError):
    pass


def store_from_url(url: str) -> Store:
    """``sqlite:///relative.db``, ``sqlite:////absolute.db``, ``sqlite:///:memory:``;
    options as a query string (``?synchronous=normal``)."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    options = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    if scheme == "sqlite":
        path = parts.path[1:] if parts.path.startswith("/") else parts.path
        if not path:
            raise UnsupportedDatabase(f"no database file in {url!r}")
        from openswf.storage.sqlite.store import SqliteStore

        unknown = set(options) - {"synchronous"}
        if unknown:
            raise UnsupportedDatabase(f"unknown SQLite option(s) {sorted(unknown)} in {url!r}")
        try:
            return SqliteStore(path, synchronous=options.get("synchronous", "full"))
        except ValueError as error:
            raise UnsupportedDatabase(f"{error} (in {url!r})") from error
    if scheme in ("postgres", "postgresql"):
        raise UnsupportedDatabase("PostgreSQL support is not built yet; use sqlite:///PATH")
    raise UnsupportedDatabase(f"unsupported database URL {url!r}: use sqlite:///PATH")
