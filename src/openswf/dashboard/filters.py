"""The executions page's query: every visibility filter of the API, read from a URL's query
string and turned into the arguments of List/Count{Open,Closed}WorkflowExecutions.

SWF takes a time range plus at most ONE of workflow id, type, tag and close status; the
form offers them all and says so plainly when more than one is filled, instead of fetching
everything and filtering here (which would not scale to a million runs).
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

CLOSE_STATUSES = (
    "COMPLETED",
    "FAILED",
    "CANCELED",
    "TERMINATED",
    "CONTINUED_AS_NEW",
    "TIMED_OUT",
)
PAGE_SIZES = (25, 50, 100, 200)
DEFAULT_PAGE_SIZE = 50
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
_AGO = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$", re.IGNORECASE)


class BadTime(ValueError):
    pass


def parse_time(text: str, now: float | None = None) -> float:
    """Epoch seconds from ``2h`` / ``30m`` / ``7d`` (that long ago), an ISO date or date-time
    (UTC unless it names an offset), or plain epoch seconds."""
    text = text.strip()
    match = _AGO.match(text)
    if match:
        return (time.time() if now is None else now) - float(match[1]) * _UNITS[match[2].lower()]
    if re.fullmatch(r"\d{9,}(\.\d+)?", text):
        return float(text)
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise BadTime(
            f"{text!r} is not a time: write 2h, 30m, 7d, 2026-12-01 or 2026-12-01T10:30"
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.timestamp()


@dataclass(frozen=True, kw_only=True)
class ExecutionQuery:
    state: str = "open"  # "open" | "closed"
    workflow_id: str = ""
    type: str = ""  # "name" or "name:version"
    tag: str = ""
    status: str = ""  # a close status (closed only)
    since: str = ""  # as typed: parsed when the query runs, so "2h" stays relative
    until: str = ""
    time_field: str = "start"  # "start" | "close" (closed only)
    oldest_first: bool = False
    page_size: int = DEFAULT_PAGE_SIZE

    @classmethod
    def from_params(cls, params: Mapping[str, str]) -> ExecutionQuery:
        state = params.get("state", "open")
        try:
            size = int(params.get("size", DEFAULT_PAGE_SIZE))
        except ValueError:
            size = DEFAULT_PAGE_SIZE
        return cls(
            state=state if state in ("open", "closed") else "open",
            workflow_id=params.get("workflow_id", "").strip(),
            type=params.get("type", "").strip(),
            tag=params.get("tag", "").strip(),
            status=params.get("status", "").strip().upper(),
            since=params.get("since", "").strip(),
            until=params.get("until", "").strip(),
            time_field="close" if params.get("time") == "close" else "start",
            oldest_first=params.get("order") == "oldest",
            page_size=min(max(size, 1), 1000),
        )

    def params(self) -> dict[str, str]:
        """The query string form (defaults left out), for links and forms."""
        out: dict[str, str] = {"state": self.state}
        for name in ("workflow_id", "type", "tag", "status", "since", "until"):
            value = getattr(self, name)
            if value:
                out[name] = value
        if self.state == "closed" and self.time_field == "close":
            out["time"] = "close"
        if self.oldest_first:
            out["order"] = "oldest"
        if self.page_size != DEFAULT_PAGE_SIZE:
            out["size"] = str(self.page_size)
        return out

    def with_state(self, state: str) -> ExecutionQuery:
        return replace(self, state=state, status="" if state == "open" else self.status)

    @property
    def is_filtered(self) -> bool:
        return bool(self.workflow_id or self.type or self.tag or self.status)

    def problems(self) -> list[str]:
        """What SWF would refuse about this query, in words for the form."""
        found = []
        given = [
            label
            for label, value in (
                ("workflow id", self.workflow_id),
                ("type", self.type),
                ("tag", self.tag),
                ("close status", self.status),
            )
            if value
        ]
        if len(given) > 1:
            found.append(
                "SWF filters by one of workflow id, type, tag and close status at a time "
                f"(given: {', '.join(given)}); keep one, or narrow by time."
            )
        if self.status and self.state == "open":
            found.append("A close status filters closed executions: choose Closed.")
        if self.status and self.status not in CLOSE_STATUSES:
            found.append(f"Unknown close status {self.status!r}.")
        for label, value in (("From", self.since), ("To", self.until)):
            if value:
                try:
                    parse_time(value)
                except BadTime as error:
                    found.append(f"{label}: {error}")
        return found

    def time_range(self, now: float | None = None, latest: float | None = None) -> dict[str, Any]:
        oldest = parse_time(self.since, now) if self.since else 0.0
        bound: dict[str, Any] = {"oldestDate": oldest}
        newest = parse_time(self.until, now) if self.until else None
        if latest is not None:
            newest = latest if newest is None else min(newest, latest)
        if newest is not None:
            bound["latestDate"] = newest
        return bound

    def filter_args(self, now: float | None = None, latest: float | None = None) -> dict[str, Any]:
        """Arguments shared by the list and count operations of this query's state.

        ``latest`` caps the start time (a bulk action acts on what existed when confirmed)."""
        args: dict[str, Any] = {}
        if self.state == "closed" and self.time_field == "close":
            args["closeTimeFilter"] = self.time_range(now)
        else:
            args["startTimeFilter"] = self.time_range(now, latest)
        if self.workflow_id:
            args["executionFilter"] = {"workflowId": self.workflow_id}
        if self.type:
            name, sep, version = self.type.partition(":")
            args["typeFilter"] = {"name": name, **({"version": version} if sep else {})}
        if self.tag:
            args["tagFilter"] = {"tag": self.tag}
        if self.status and self.state == "closed":
            args["closeStatusFilter"] = {"status": self.status}
        return args

    def list_args(self, token: str | None, now: float | None = None) -> dict[str, Any]:
        args = self.filter_args(now)
        args["maximumPageSize"] = self.page_size
        if self.oldest_first:
            args["reverseOrder"] = True
        if token:
            args["nextPageToken"] = token
        return args

    @property
    def list_operation(self) -> str:
        return (
            "ListOpenWorkflowExecutions" if self.state == "open" else "ListClosedWorkflowExecutions"
        )

    @property
    def count_operation(self) -> str:
        return (
            "CountOpenWorkflowExecutions"
            if self.state == "open"
            else "CountClosedWorkflowExecutions"
        )
