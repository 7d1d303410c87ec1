"""The visibility filters as options, and listing through them.

SWF answers open and closed executions by separate operations, and each takes at most one of
its filters by id, type, tag or close status (with a start-time range, or for closed runs a
close-time range). The options mirror that: combining two of the exclusive filters is refused
here, with the rule, before any request. Without ``--open``/``--closed`` both are listed,
merged newest first.
"""

from __future__ import annotations

import functools
import heapq
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

import click

from openswf.cli.ops.options import parse_type
from openswf.cli.ops.times import when_option
from openswf.sdk import Client

F = TypeVar("F", bound=Callable[..., Any])
CLOSE_STATUSES = ("COMPLETED", "FAILED", "CANCELED", "TERMINATED", "CONTINUED_AS_NEW", "TIMED_OUT")
PAGE_SIZE = 1000  # SWF's largest page


@dataclass(frozen=True, kw_only=True)
class Filter:
    state: str | None  # "open" | "closed" | None (both)
    status: str | None
    workflow_type: dict[str, str] | None
    tag: str | None
    workflow_id: str | None
    oldest: float
    latest: float | None
    by_close_time: bool

    @property
    def states(self) -> tuple[str, ...]:
        return (self.state,) if self.state else ("open", "closed")

    @property
    def is_narrowed(self) -> bool:
        """Whether anything but the open/closed state narrows the set (bulk actions need it)."""
        return (
            bool(self.status or self.workflow_type or self.tag or self.workflow_id)
            or self.oldest > 0
            or self.latest is not None
        )

    def params(self, domain: str, state: str) -> dict[str, Any]:
        """The request members of List/Count{Open,Closed}WorkflowExecutions."""
        time_filter: dict[str, Any] = {"oldestDate": self.oldest}
        if self.latest is not None:
            time_filter["latestDate"] = self.latest
        params: dict[str, Any] = {"domain": domain}
        params["closeTimeFilter" if self.by_close_time else "startTimeFilter"] = time_filter
        if self.workflow_id:
            params["executionFilter"] = {"workflowId": self.workflow_id}
        if self.workflow_type:
            params["typeFilter"] = self.workflow_type
        if self.tag:
            params["tagFilter"] = {"tag": self.tag}
        if self.status and state == "closed":
            params["closeStatusFilter"] = {"status": self.status}
        return params


def build_filter(
    *,
    state: str | None,
    status: str | None,
    workflow_type: str | None,
    tag: str | None,
    workflow_id: str | None,
    since: str | None,
    until: str | None,
    by_close_time: bool = False,
) -> Filter:
    now = time.time()
    given = [
        name
        for name, value in (
            ("--workflow-id", workflow_id),
            ("--type", workflow_type),
            ("--tag", tag),
            ("--status", status),
        )
        if value
    ]
    if len(given) > 1:
        raise click.UsageError(
            "SWF filters by one of --workflow-id, --type, --tag and --status at a time "
            f"(got {' and '.join(given)}); narrow with one, and --since/--until"
        )
    if status:
        if state == "open":
            raise click.UsageError("--status filters closed executions: it excludes --open")
        state = "closed"
    if by_close_time:
        if state == "open":
            raise click.UsageError("--by-close-time applies to closed executions only")
        state = "closed"
    oldest = when_option(since, now, "--since")
    latest = when_option(until, now, "--until")
    if oldest is not None and latest is not None and oldest > latest:
        raise click.BadParameter("--since is after --until", param_hint="--since")
    return Filter(
        state=state,
        status=status.upper() if status else None,
        workflow_type=parse_type(workflow_type) if workflow_type else None,
        tag=tag,
        workflow_id=workflow_id,
        oldest=max(0.0, oldest or 0.0),
        latest=latest,
        by_close_time=by_close_time,
    )


def filter_options(*, states: bool = True) -> Callable[[F], F]:
    """The filter options; the command receives a ``Filter`` as ``selection``."""

    def decorate(fn: F) -> F:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            kwargs["selection"] = build_filter(
                state=kwargs.pop("state", None) if states else "open",
                status=kwargs.pop("status", None) if states else None,
                workflow_type=kwargs.pop("workflow_type"),
                tag=kwargs.pop("tag"),
                workflow_id=kwargs.pop("filter_workflow_id"),
                since=kwargs.pop("since"),
                until=kwargs.pop("until"),
                by_close_time=kwargs.pop("by_close_time", False) if states else False,
            )
            return fn(*args, **kwargs)

        wrapped: Any = wrapper
        options = [
            click.option("--until", metavar="WHEN", help="Started (or closed) at or before WHEN."),
            click.option(
                "--since",
                metavar="WHEN",
                help="Started (or closed) at or after WHEN: 2h, 30m, 7d (ago), 2026-12-01, "
                "2026-12-01T10:30 (UTC), epoch seconds.",
            ),
            click.option(
                "--workflow-id", "filter_workflow_id", metavar="ID", help="This workflow id."
            ),
            click.option("--tag", metavar="TAG", help="Executions carrying this tag."),
            click.option(
                "--type", "workflow_type", metavar="NAME[:VERSION]", help="This workflow type."
            ),
        ]
        if states:
            options += [
                click.option(
                    "--by-close-time",
                    is_flag=True,
                    help="--since/--until bound the close time (closed runs only).",
                ),
                click.option(
                    "--status",
                    type=click.Choice(CLOSE_STATUSES, case_sensitive=False),
                    help="Closed with this status (implies --closed).",
                ),
                click.option("--closed", "state", flag_value="closed", help="Closed runs only."),
                click.option("--open", "state", flag_value="open", help="Open runs only."),
            ]
        for option in options:
            wrapped = option(wrapped)
        result: F = wrapped
        return result

    return decorate


def _pages(client: Client, operation: str, params: dict[str, Any]) -> Iterator[dict[str, Any]]:
    token: str | None = None
    while True:
        page = client.call(operation, **params, maximumPageSize=PAGE_SIZE, nextPageToken=token)
        yield from page.get("executionInfos", [])
        token = page.get("nextPageToken")
        if not token:
            return


def iter_executions(client: Client, domain: str, selection: Filter) -> Iterator[dict[str, Any]]:
    """Executions matching ``selection``, newest first (by start, or by close time), paged
    lazily: stop iterating and no further page is read."""
    sources = []
    for state in selection.states:
        operation = (
            "ListOpenWorkflowExecutions" if state == "open" else ("ListClosedWorkflowExecutions")
        )
        sources.append(_pages(client, operation, selection.params(domain, state)))
    if len(sources) == 1:
        yield from sources[0]
        return
    field = "closeTimestamp" if selection.by_close_time else "startTimestamp"
    yield from heapq.merge(*sources, key=lambda info: -float(info.get(field) or 0))


def count_executions(client: Client, domain: str, selection: Filter) -> dict[str, Any]:
    """``{"open": {"count", "truncated"}, "closed": {...}}`` for the states selected."""
    counts: dict[str, Any] = {}
    for state in selection.states:
        operation = (
            "CountOpenWorkflowExecutions" if state == "open" else ("CountClosedWorkflowExecutions")
        )
        answer = client.call(operation, **selection.params(domain, state))
        counts[state] = {
            "count": int(answer.get("count", 0)),
            "truncated": bool(answer.get("truncated", False)),
        }
    return counts
