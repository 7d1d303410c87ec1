"""LISTEN on one dedicated connection: tasks committed by other servers wake this one's polls.

A server that commits tasks which none of its own polls took sends ``NOTIFY openswf_tasks``
with ``node|domain_id|kind|task_list`` (after the commit, so a listener that hears it finds
the tasks). Every server's listener calls its hook for the notifications of the other nodes.
A dropped connection is reopened with a growing pause; what was sent meanwhile is lost, and
the polls' re-check of the store on an interval covers it (DESIGN.md invariant 5: wake-ups
only shorten waits).

The listener also tells whether other servers use the database now (``peers``): their
listener connections show in ``pg_stat_activity`` (checked every few seconds), and a
listener that connects says ``node|hello`` so the others know at once. A server alone keeps
its own tasks in memory, as over SQLite; with peers, tasks go through the store's leases.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

import psycopg

log = logging.getLogger("openswf.postgres")

CHANNEL = "openswf_tasks"
APPLICATION_NAME = "openswf-listener"
CHECK_S = 2.0  # how often peers are counted; also the ping that notices a dead connection
MAX_PAUSE_S = 5.0
HELLO = "hello"

TaskHook = Callable[[int, str, str], None]

PEERS_SQL = (
    "SELECT count(*) FROM pg_stat_activity "
    "WHERE datname = current_database() AND application_name = %s AND pid <> pg_backend_pid()"
)


def payload(node: str, domain_id: int, kind: str, task_list: str) -> str:
    # SWF forbids "|" in task list names, and the task list comes last anyway.
    return f"{node}|{domain_id}|{kind}|{task_list}"


class TaskListener:
    def __init__(self, conninfo: str, node: str, on_tasks: TaskHook) -> None:
        self._conninfo = conninfo
        self._node = node
        self._on_tasks = on_tasks
        self._task: asyncio.Task[None] | None = None
        self.connected = asyncio.Event()
        # Unknown counts as "yes": the coordinated way is always correct, only dearer.
        self.peers = True
        self.counts = 0  # peer counts done (tests wait for one that saw every server)

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="openswf-pg-listener")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        pause = 0.1
        while True:
            try:
                conn = await psycopg.AsyncConnection.connect(
                    self._conninfo,
                    autocommit=True,
                    connect_timeout=10,
                    application_name=APPLICATION_NAME,
                )
                async with conn:
                    await conn.execute(f"LISTEN {CHANNEL}")
                    hello = f"{self._node}|{HELLO}"
                    await conn.execute("SELECT pg_notify(%s, %s)", (CHANNEL, hello))
                    self.connected.set()
                    pause = 0.1
                    while True:
                        await self._count_peers(conn)
                        async for note in conn.notifies(timeout=CHECK_S):
                            self._deliver(note.payload)
            except asyncio.CancelledError:
                raise
            except Exception as error:  # the database went away: listen again when it is back
                self.connected.clear()
                self.peers = True
                log.warning("task listener lost its connection (%s); reconnecting", error)
                await asyncio.sleep(pause)
                pause = min(pause * 2, MAX_PAUSE_S)

    async def _count_peers(self, conn: psycopg.AsyncConnection[tuple[int]]) -> None:
        cursor = await conn.execute(PEERS_SQL, (APPLICATION_NAME,))
        found = await cursor.fetchone()
        peers = bool(found and found[0])
        if peers != self.peers:
            log.info("other openswf servers on this database: %s", "yes" if peers else "none")
        self.peers = peers
        self.counts += 1

    def _deliver(self, text: str) -> None:
        try:
            node, _, rest = text.partition("|")
            if node == self._node:
                return
            self.peers = True  # a message from another node proves it is there
            if rest == HELLO:
                return
            domain_id, kind, task_list = rest.split("|", 2)
            self._on_tasks(int(domain_id), kind, task_list)
        except Exception:  # a hook or payload problem must not end the listener
            log.exception("bad task notification %r", text)
