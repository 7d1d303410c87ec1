"""Bulk actions: cancel or terminate every open execution a filter matches, as a background
job whose progress page the browser refreshes.

The job walks the open list page by page with the API's page tokens (a token is a position,
so runs leaving the open list as they are terminated shift nothing) and acts on each run of
a page a few at a time. It only touches runs started before the user confirmed: the query's
start time is capped at that moment, so a run started afterwards is never swept up.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections import OrderedDict
from dataclasses import dataclass, field

from openswf.dashboard.filters import ExecutionQuery
from openswf.sdk import AsyncClient
from openswf.sdk.errors import SwfError, TransportError

ACTIONS = ("terminate", "cancel")
PAGE = 100
CONCURRENCY = 8
MAX_JOBS = 100
MAX_FAILURES_KEPT = 200


@dataclass(kw_only=True)
class Job:
    id: str
    owner: str  # the session that started it: only it sees the job
    domain: str
    action: str
    query: ExecutionQuery
    reason: str
    expected: int
    expected_truncated: bool
    confirmed_at: float
    succeeded: int = 0
    failed: int = 0
    failures: list[tuple[str, str, str]] = field(default_factory=list)  # (wid, rid, error)
    finished_at: float | None = None
    error: str | None = None  # why the job stopped early
    task: asyncio.Task[None] | None = None

    @property
    def done(self) -> int:
        return self.succeeded + self.failed

    @property
    def running(self) -> bool:
        return self.finished_at is None

    @property
    def percent(self) -> int:
        if not self.running:
            return 100
        return min(99, int(100 * self.done / self.expected)) if self.expected else 0


class Jobs:
    def __init__(self) -> None:
        self._jobs: OrderedDict[str, Job] = OrderedDict()

    def get(self, job_id: str, owner: str) -> Job | None:
        job = self._jobs.get(job_id)
        return job if job is not None and job.owner == owner else None

    def start(
        self,
        client: AsyncClient,
        *,
        owner: str,
        domain: str,
        action: str,
        query: ExecutionQuery,
        reason: str,
        expected: int,
        expected_truncated: bool,
        confirmed_at: float,
    ) -> Job:
        job = Job(
            id=secrets.token_urlsafe(12),
            owner=owner,
            domain=domain,
            action=action,
            query=query.with_state("open"),
            reason=reason,
            expected=expected,
            expected_truncated=expected_truncated,
            confirmed_at=confirmed_at,
        )
        self._jobs[job.id] = job
        while len(self._jobs) > MAX_JOBS:
            oldest = next(iter(self._jobs.values()))
            if oldest.running:
                break
            self._jobs.popitem(last=False)
        job.task = asyncio.get_running_loop().create_task(_run(client, job))
        return job

    async def close(self) -> None:
        for job in self._jobs.values():
            if job.task is not None and not job.task.done():
                job.task.cancel()


async def _act(client: AsyncClient, job: Job, workflow_id: str, run_id: str) -> None:
    try:
        if job.action == "terminate":
            await client.terminate_workflow_execution(
                domain=job.domain, workflowId=workflow_id, runId=run_id, reason=job.reason or None
            )
        else:
            await client.request_cancel_workflow_execution(
                domain=job.domain, workflowId=workflow_id, runId=run_id
            )
    except (SwfError, TransportError) as error:
        job.failed += 1
        if len(job.failures) < MAX_FAILURES_KEPT:
            name = getattr(error, "type_name", type(error).__name__)
            job.failures.append((workflow_id, run_id, f"{name}: {error}"))
    else:
        job.succeeded += 1


async def _run(client: AsyncClient, job: Job) -> None:
    gate = asyncio.Semaphore(CONCURRENCY)

    async def one(workflow_id: str, run_id: str) -> None:
        async with gate:
            await _act(client, job, workflow_id, run_id)

    args = job.query.filter_args(now=job.confirmed_at, latest=job.confirmed_at)
    token: str | None = None
    try:
        while True:
            page = await client.call(
                "ListOpenWorkflowExecutions",
                domain=job.domain,
                maximumPageSize=PAGE,
                nextPageToken=token,
                **args,
            )
            runs = [info["execution"] for info in page.get("executionInfos", [])]
            await asyncio.gather(*(one(r["workflowId"], r["runId"]) for r in runs))
            token = page.get("nextPageToken")
            if not token:
                break
    except (SwfError, TransportError) as error:
        job.error = f"{getattr(error, 'type_name', type(error).__name__)}: {error}"
    finally:
        job.finished_at = time.time()
