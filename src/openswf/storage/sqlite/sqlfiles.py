"""The SQL of the SQLite backend, loaded from its .sql files (see ``storage/sqlfiles.py``)."""

from __future__ import annotations

from openswf.storage.sqlfiles import SqlFiles

_FILES = SqlFiles(__package__ or "openswf.storage.sqlite")

read = _FILES.read
named_queries = _FILES.named_queries
migrations = _FILES.migrations
