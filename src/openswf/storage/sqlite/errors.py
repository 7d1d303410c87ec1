"""Which SQLite errors mean "the database is not usable now" rather than "a bug of ours"."""

from __future__ import annotations

import sqlite3

from openswf.storage.records import StoreUnavailable

# Busy and locked (another process holds the file), I/O errors, a full disk, a read-only or
# vanished file, a corrupt image: none is the client's fault, and a retry may succeed once an
# operator acts. SQLITE_ERROR (bad SQL, a missing table) and constraint failures are bugs.
_NOT_OURS = frozenset(
    {
        sqlite3.SQLITE_BUSY,
        sqlite3.SQLITE_LOCKED,
        sqlite3.SQLITE_IOERR,
        sqlite3.SQLITE_FULL,
        sqlite3.SQLITE_CANTOPEN,
        sqlite3.SQLITE_READONLY,
        sqlite3.SQLITE_CORRUPT,
        sqlite3.SQLITE_NOTADB,
        sqlite3.SQLITE_PROTOCOL,
        sqlite3.SQLITE_NOLFS,
    }
)
BUSY = frozenset({sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED})


def primary_code(error: sqlite3.Error) -> int:
    """The primary result code: extended codes keep it in their low byte."""
    return int(getattr(error, "sqlite_errorcode", sqlite3.SQLITE_ERROR) or 0) & 0xFF


def is_unavailable(error: BaseException) -> bool:
    return isinstance(error, sqlite3.DatabaseError) and primary_code(error) in _NOT_OURS


def translate(error: BaseException) -> BaseException:
    """``StoreUnavailable`` for an error that is not ours, else the error itself."""
    if is_unavailable(error):
        unavailable = StoreUnavailable(f"SQLite: {error}")
        unavailable.__cause__ = error
        return unavailable
    return error
