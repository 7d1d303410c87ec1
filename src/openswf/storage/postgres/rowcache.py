"""The rows of the runs this server wrote last, for a server alone on its database.

Every transition starts by reading its run's row (``HistoryService.apply``), and most follow
a transition this same server committed a moment before. A server that is alone on the
database (no other server's listener connected: ``PostgresStore.has_peers``) writes every
row itself, so the row it last committed is the row in the database, and the read can be
answered from memory, as an in-process SQLite read costs nothing.

Only committed rows go in, never rows read: a read racing a commit could put back an older
version. A failed or uncertain commit drops its run. The moment another server may be
writing, nothing is answered from here and everything is dropped; a stale row that slipped
through the moment it took to notice (under a second, a NOTIFY away) can only make a commit
fail its version check, which drops the row and reads it afresh.
"""

from __future__ import annotations

from collections import OrderedDict

from openswf.storage.records import ExecutionRow

CAPACITY = 10_000


class RowCache:
    def __init__(self, capacity: int = CAPACITY) -> None:
        self._rows: OrderedDict[str, ExecutionRow] = OrderedDict()
        self._capacity = capacity

    def get(self, run_id: str) -> ExecutionRow | None:
        row = self._rows.get(run_id)
        if row is not None:
            self._rows.move_to_end(run_id)
        return row

    def put(self, row: ExecutionRow) -> None:
        self._rows[row.run_id] = row
        self._rows.move_to_end(row.run_id)
        if len(self._rows) > self._capacity:
            self._rows.popitem(last=False)

    def drop(self, run_id: str) -> None:
        self._rows.pop(run_id, None)

    def clear(self) -> None:
        self._rows.clear()

    def __len__(self) -> int:
        return len(self._rows)
