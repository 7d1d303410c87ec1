"""What the pages ask the SWF API, a few calls each, never "list everything".

Lists are one page per request (the API's ``nextPageToken`` carries the position) and
counts one call each. Only the timeline reads a whole history, in pages of 1,000 events,
lazily (its own request) and cached once the run is closed (a closed history never changes).
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from openswf.dashboard.filters import ExecutionQuery
from openswf.sdk import AsyncClient
from openswf.sdk.history import CLOSE_EVENTS, attributes
from openswf.sdk.timeline import Span, build_timeline

Info = Mapping[str, Any]
HISTORY_PAGE = 1000
# Past this many events the timeline is built off the event loop (it is plain Python).
THREAD_ABOVE_EVENTS = 2000


async def all_domains(client: AsyncClient) -> list[Info]:
    """Registered then deprecated domains, every page (accounts have tens, not millions)."""
    found: list[Info] = []
    for status in ("REGISTERED", "DEPRECATED"):
        token: str | None = None
        while True:
            page = await client.call(
                "ListDomains", registrationStatus=status, maximumPageSize=1000, nextPageToken=token
            )
            found.extend(page.get("domainInfos", []))
            token = page.get("nextPageToken")
            if not token:
                break
    return found


@dataclass(frozen=True, kw_only=True)
class Count:
    count: int
    truncated: bool

    @property
    def text(self) -> str:
        return f"{self.count:,}+" if self.truncated else f"{self.count:,}"


async def count(client: AsyncClient, domain: str, query: ExecutionQuery) -> Count:
    answer = await client.call(query.count_operation, domain=domain, **query.filter_args())
    return Count(count=int(answer.get("count", 0)), truncated=bool(answer.get("truncated")))


async def domain_counts(client: AsyncClient, domain: str) -> tuple[Count, Count]:
    everything = {"startTimeFilter": {"oldestDate": 0}}
    opened, closed = await asyncio.gather(
        client.call("CountOpenWorkflowExecutions", domain=domain, **everything),
        client.call("CountClosedWorkflowExecutions", domain=domain, **everything),
    )
    return (
        Count(count=int(opened.get("count", 0)), truncated=bool(opened.get("truncated"))),
        Count(count=int(closed.get("count", 0)), truncated=bool(closed.get("truncated"))),
    )


async def executions_page(
    client: AsyncClient, domain: str, query: ExecutionQuery, token: str | None
) -> tuple[list[Info], str | None]:
    page = await client.call(query.list_operation, domain=domain, **query.list_args(token))
    return list(page.get("executionInfos", [])), page.get("nextPageToken")


async def workflow_types(client: AsyncClient, domain: str) -> list[str]:
    """``name:version`` of the domain's registered workflow types (first 1,000), for the
    type filter's suggestions."""
    page = await client.call(
        "ListWorkflowTypes", domain=domain, registrationStatus="REGISTERED", maximumPageSize=1000
    )
    return [
        f"{t['workflowType']['name']}:{t['workflowType']['version']}"
        for t in page.get("typeInfos", [])
    ]


@dataclass(frozen=True, kw_only=True)
class RunSummary:
    detail: Info  # DescribeWorkflowExecution's answer
    started: Info  # WorkflowExecutionStarted attributes
    closing_type: str | None
    closing: Info  # the closing event's attributes ({} while open)

    @property
    def info(self) -> Info:
        info: Info = self.detail["executionInfo"]
        return info

    @property
    def is_open(self) -> bool:
        return bool(self.info.get("executionStatus") == "OPEN")

    @property
    def previous_run(self) -> str | None:
        value = self.started.get("continuedExecutionRunId")
        return str(value) if value else None

    @property
    def next_run(self) -> str | None:
        value = self.closing.get("newExecutionRunId")
        return str(value) if value else None


async def run_summary(
    client: AsyncClient, domain: str, workflow_id: str, run_id: str
) -> RunSummary:
    execution = {"workflowId": workflow_id, "runId": run_id}
    detail, first = await asyncio.gather(
        client.call("DescribeWorkflowExecution", domain=domain, execution=execution),
        client.call(
            "GetWorkflowExecutionHistory", domain=domain, execution=execution, maximumPageSize=1
        ),
    )
    events = first.get("events", [])
    started = attributes(events[0]) if events else {}
    closing_type: str | None = None
    closing: Info = {}
    if detail["executionInfo"].get("executionStatus") == "CLOSED":
        last = await client.call(
            "GetWorkflowExecutionHistory",
            domain=domain,
            execution=execution,
            maximumPageSize=1,
            reverseOrder=True,
        )
        tail = last.get("events", [])
        if tail and tail[0]["eventType"] in CLOSE_EVENTS:
            closing_type, closing = tail[0]["eventType"], attributes(tail[0])
    return RunSummary(detail=detail, started=started, closing_type=closing_type, closing=closing)


async def events_page(
    client: AsyncClient,
    domain: str,
    workflow_id: str,
    run_id: str,
    *,
    token: str | None,
    newest_first: bool,
    size: int,
) -> tuple[list[Info], str | None]:
    page = await client.call(
        "GetWorkflowExecutionHistory",
        domain=domain,
        execution={"workflowId": workflow_id, "runId": run_id},
        maximumPageSize=size,
        nextPageToken=token,
        reverseOrder=newest_first or None,
    )
    return list(page.get("events", [])), page.get("nextPageToken")


# --- the timeline -----------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class PendingActivity:
    activity_id: str
    activity_type: str
    attempt: int
    status: str  # scheduled | started
    scheduled: float
    started: float | None
    task_list: str
    identity: str
    heartbeat_timeout: str
    start_to_close_timeout: str
    cancel_requested: bool


@dataclass(frozen=True, kw_only=True)
class Child:
    workflow_id: str
    run_id: str | None
    workflow_type: str
    status: str
    started: float
    closed: float | None


@dataclass(frozen=True, kw_only=True)
class RunTimeline:
    spans: list[Span]
    pending: list[PendingActivity]
    children: list[Child]
    event_count: int
    closed: bool
    built_at: float = field(default_factory=time.time)


def analyse(events: list[Info], closed: bool) -> RunTimeline:
    """Spans, pending activities and children of a whole history (pure, CPU only)."""
    spans = build_timeline(events)
    by_id: dict[int, Info] | None = None

    def event(event_id: int) -> Info:
        nonlocal by_id
        if by_id is None:
            by_id = {int(e["eventId"]): e for e in events}
        return by_id.get(event_id, {"eventType": ""})

    pending = []
    children = []
    for span in spans:
        if span.kind == "activity" and span.is_open:
            attrs: dict[str, Any] = {}
            for event_id in span.event_ids:
                attrs.update(attributes(event(event_id)))
            pending.append(
                PendingActivity(
                    activity_id=span.key,
                    activity_type=span.label,
                    attempt=span.attempt,
                    status=span.status,
                    scheduled=span.scheduled,
                    started=span.started,
                    task_list=str((attrs.get("taskList") or {}).get("name", "")),
                    identity=str(attrs.get("identity", "")),
                    heartbeat_timeout=str(attrs.get("heartbeatTimeout", "")),
                    start_to_close_timeout=str(attrs.get("startToCloseTimeout", "")),
                    cancel_requested=span.detail == "cancel requested",
                )
            )
        elif span.kind == "child":
            run_id = None
            for event_id in span.event_ids:
                child_run = attributes(event(event_id)).get("workflowExecution")
                if child_run:
                    run_id = child_run.get("runId")
                    break
            children.append(
                Child(
                    workflow_id=span.key,
                    run_id=run_id,
                    workflow_type=span.label,
                    status=span.status,
                    started=span.scheduled,
                    closed=span.closed,
                )
            )
    return RunTimeline(
        spans=spans, pending=pending, children=children, event_count=len(events), closed=closed
    )


class TimelineCache:
    """Timelines of closed runs, by (endpoint identity, domain, run id), least recent out."""

    def __init__(self, size: int = 64) -> None:
        self._size = size
        self._items: OrderedDict[tuple[str, str, str], RunTimeline] = OrderedDict()

    def get(self, key: tuple[str, str, str]) -> RunTimeline | None:
        found = self._items.get(key)
        if found is not None:
            self._items.move_to_end(key)
        return found

    def put(self, key: tuple[str, str, str], timeline: RunTimeline) -> None:
        self._items[key] = timeline
        self._items.move_to_end(key)
        while len(self._items) > self._size:
            self._items.popitem(last=False)


async def run_timeline(
    client: AsyncClient,
    domain: str,
    workflow_id: str,
    run_id: str,
    *,
    cache: TimelineCache,
    viewer_key: str,
) -> RunTimeline:
    key = (viewer_key, domain, run_id)
    cached = cache.get(key)
    if cached is not None:
        return cached
    execution = {"workflowId": workflow_id, "runId": run_id}
    events: list[Info] = []
    token: str | None = None
    while True:
        page = await client.call(
            "GetWorkflowExecutionHistory",
            domain=domain,
            execution=execution,
            maximumPageSize=HISTORY_PAGE,
            nextPageToken=token,
        )
        events.extend(page.get("events", []))
        token = page.get("nextPageToken")
        if not token:
            break
    closed = bool(events) and events[-1]["eventType"] in CLOSE_EVENTS
    if len(events) > THREAD_ABOVE_EVENTS:
        timeline = await asyncio.to_thread(analyse, events, closed)
    else:
        timeline = analyse(events, closed)
    if closed:
        cache.put(key, timeline)
    return timeline
