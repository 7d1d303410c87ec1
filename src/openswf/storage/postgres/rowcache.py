"""The rows of the runs this server wrote last, for a server alone on its database.

Every transition starts by reading its run's row (``HistoryService.apply``), and most follow
a transition this same server committed a moment before. A server that is alone on the
database (no other server's listener connected: ``PostgresStore.has_peers``) writes every
row itself, so the row it last committed is the row in the database, and the read can be
answered from memory, as an in-process SQLite read costs nothing.

Only committed rows go in, never rows read: a read racing a commit could put back an older
version. A failed or uncertain commit drops its run. The moment another server is seen
writing, nothing is answered from here and everything is dropped.

A peer can go unseen, though: one whose listener connection is gone while its pool works,
one with ``notify=off``, or one in the seconds before the count notices it. So a cached row
is only ever given to a caller that asks (``get_execution(cached=True)``) and whose use of
it costs at most a failed version check: ``HistoryService.apply``, which commits with the
row's version and judges any refusal or no-op again on a fresh read, and readers of what
never changes in a run (its domain and type). A stale row thus costs one retry, never a
wrong answer, and a claim never deletes a live task row on a stale row's word.
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
