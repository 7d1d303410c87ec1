"""PostgreSQL text cannot hold NUL (U+0000), which SWF strings may contain.

No stored key can contain NUL, so a look-up by a key that does finds nothing: the store
answers "not found" without asking the database (psycopg would refuse to send the value).
A NUL in a value to be stored (a description, an execution tag) cannot be kept on this
backend: the write fails with ``UnstorableValue``, answered as a ValidationException.
"""

from __future__ import annotations

import psycopg

NUL = "\x00"


def unmatchable(*keys: str | None) -> bool:
    """True when one of ``keys`` holds a NUL, so no row can match it."""
    return any(key is not None and NUL in key for key in keys)


def is_nul_error(error: BaseException) -> bool:
    """psycopg refuses NUL in text client-side; PostgreSQL refuses ``\\u0000`` in jsonb."""
    return isinstance(error, psycopg.DataError) and ("NUL" in str(error) or "\\u0000" in str(error))
