"""Decision tasks with their whole history, read page by page, and helpers to replay it.

A decider must see every event: SWF pages a decision task's history (up to 1,000 events a
page) and a continuation call with ``nextPageToken`` returns the next page of the *same*
task. ``poll_decision_task`` follows the pages and returns one ``DecisionTask``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from openswf.sdk.client import AsyncClient, Client

Event = Mapping[str, Any]


def attributes_key(event_type: str) -> str:
    return event_type[0].lower() + event_type[1:] + "EventAttributes"


def attributes(event: Event) -> Mapping[str, Any]:
    """The ``...EventAttributes`` member of an event (empty if absent)."""
    value: Mapping[str, Any] = event.get(attributes_key(event["eventType"]), {})
    return value


@dataclass(frozen=True, kw_only=True)
class DecisionTask:
    """A claimed decision task and its complete history, oldest event first."""

    task_token: str
    workflow_id: str
    run_id: str
    workflow_type: Mapping[str, str]
    started_event_id: int
    previous_started_event_id: int
    events: list[Event] = field(default_factory=list)

    @classmethod
    def from_pages(cls, first: Mapping[str, Any], events: list[Event]) -> DecisionTask:
        execution = first["workflowExecution"]
        return cls(
            task_token=first["taskToken"],
            workflow_id=execution["workflowId"],
            run_id=execution["runId"],
            workflow_type=first["workflowType"],
            started_event_id=int(first.get("startedEventId", 0)),
            previous_started_event_id=int(first.get("previousStartedEventId", 0)),
            events=events,
        )

    @property
    def workflow_execution(self) -> dict[str, str]:
        return {"workflowId": self.workflow_id, "runId": self.run_id}

    @property
    def history(self) -> History:
        return History(self.events)


def _poll_args(domain: str, task_list: str, identity: str, page_size: int | None) -> dict[str, Any]:
    args: dict[str, Any] = {
        "domain": domain,
        "taskList": {"name": task_list},
        "identity": identity,
    }
    if page_size:
        args["maximumPageSize"] = page_size
    return args


def poll_decision_task(
    client: Client,
    domain: str,
    task_list: str,
    identity: str,
    *,
    page_size: int | None = None,
) -> DecisionTask | None:
    """Long-poll once; the task with every page of its history, or None if none came."""
    args = _poll_args(domain, task_list, identity, page_size)
    first = client.poll_for_decision_task(**args)
    if not first.get("taskToken"):
        return None
    events: list[Event] = list(first.get("events", []))
    token = first.get("nextPageToken")
    while token:
        page = client.poll_for_decision_task(**args, nextPageToken=token)
        events.extend(page.get("events", []))
        token = page.get("nextPageToken")
    return DecisionTask.from_pages(first, events)


async def apoll_decision_task(
    client: AsyncClient,
    domain: str,
    task_list: str,
    identity: str,
    *,
    page_size: int | None = None,
) -> DecisionTask | None:
    args = _poll_args(domain, task_list, identity, page_size)
    first = await client.poll_for_decision_task(**args)
    if not first.get("taskToken"):
        return None
    events: list[Event] = list(first.get("events", []))
    token = first.get("nextPageToken")
    while token:
        page = await client.poll_for_decision_task(**args, nextPageToken=token)
        events.extend(page.get("events", []))
        token = page.get("nextPageToken")
    return DecisionTask.from_pages(first, events)


def get_history(
    client: Client, domain: str, workflow_id: str, run_id: str, *, page_size: int | None = None
) -> list[Event]:
    """The whole history of an execution (any state), through GetWorkflowExecutionHistory."""
    events: list[Event] = []
    token: str | None = None
    while True:
        page = client.get_workflow_execution_history(
            domain=domain,
            execution={"workflowId": workflow_id, "runId": run_id},
            nextPageToken=token,
            maximumPageSize=page_size,
        )
        events.extend(page.get("events", []))
        token = page.get("nextPageToken")
        if not token:
            return events


class History:
    """Read-only views over a list of events."""

    def __init__(self, events: list[Event]) -> None:
        self.events = events
        self._by_id: dict[int, Event] | None = None

    def __iter__(self) -> Iterator[Event]:
        return iter(self.events)

    def __len__(self) -> int:
        return len(self.events)

    def event(self, event_id: int) -> Event:
        if self._by_id is None:
            self._by_id = {int(e["eventId"]): e for e in self.events}
        return self._by_id[event_id]

    def started(self) -> Mapping[str, Any]:
        """The WorkflowExecutionStarted attributes (the first event)."""
        for event in self.events:
            if event["eventType"] == "WorkflowExecutionStarted":
                return attributes(event)
        return {}

    def closing_event(self) -> Event | None:
        for event in reversed(self.events):
            if event["eventType"] in CLOSE_EVENTS:
                return event
        return None


CLOSE_EVENTS = frozenset(
    {
        "WorkflowExecutionCompleted",
        "WorkflowExecutionFailed",
        "WorkflowExecutionCanceled",
        "WorkflowExecutionTerminated",
        "WorkflowExecutionTimedOut",
        "WorkflowExecutionContinuedAsNew",
    }
)
