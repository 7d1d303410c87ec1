"""The executions page's query string -> SWF visibility arguments."""

from __future__ import annotations

import pytest

from openswf.dashboard.filters import BadTime, ExecutionQuery, parse_time

NOW = 1_800_000_000.0


def test_relative_and_absolute_times() -> None:
    assert parse_time("2h", NOW) == NOW - 7200
    assert parse_time("30m", NOW) == NOW - 1800
    assert parse_time("7d", NOW) == NOW - 7 * 86400
    assert parse_time("1w", NOW) == NOW - 7 * 86400
    assert parse_time("2026-12-01") == 1_796_083_200.0
    assert parse_time("2026-12-01T10:30") == 1_796_083_200.0 + 10.5 * 3600
    assert parse_time("2026-12-01T10:30+01:00") == 1_796_083_200.0 + 9.5 * 3600
    assert parse_time("2026-12-01T10:30:00Z") == 1_796_083_200.0 + 10.5 * 3600
    assert parse_time("1796083200") == 1_796_083_200.0
    with pytest.raises(BadTime):
        parse_time("last tuesday")


def test_open_query_arguments() -> None:
    query = ExecutionQuery.from_params({"state": "open", "type": "order:2", "since": "1h"})
    args = query.list_args("TOKEN", now=NOW)
    assert args == {
        "startTimeFilter": {"oldestDate": NOW - 3600},
        "typeFilter": {"name": "order", "version": "2"},
        "maximumPageSize": 50,
        "nextPageToken": "TOKEN",
    }
    assert query.list_operation == "ListOpenWorkflowExecutions"
    assert query.count_operation == "CountOpenWorkflowExecutions"


def test_closed_query_by_close_time_and_status() -> None:
    query = ExecutionQuery.from_params(
        {"state": "closed", "status": "failed", "time": "close", "until": "2026-12-01",
         "order": "oldest", "size": "200"}
    )  # fmt: skip
    assert query.problems() == []
    assert query.list_args(None, now=NOW) == {
        "closeTimeFilter": {"oldestDate": 0.0, "latestDate": 1_796_083_200.0},
        "closeStatusFilter": {"status": "FAILED"},
        "maximumPageSize": 200,
        "reverseOrder": True,
    }


def test_name_only_type_and_tag_and_workflow_id() -> None:
    assert ExecutionQuery(type="order").filter_args(now=NOW)["typeFilter"] == {"name": "order"}
    assert ExecutionQuery(tag="a:b").filter_args(now=NOW)["tagFilter"] == {"tag": "a:b"}
    wid = ExecutionQuery(workflow_id="w-1").filter_args(now=NOW)
    assert wid["executionFilter"] == {"workflowId": "w-1"}


def test_problems_are_said_before_any_call() -> None:
    both = ExecutionQuery(state="closed", tag="t", status="FAILED")
    assert "one of workflow id, type, tag and close status" in both.problems()[0]
    assert "Closed" in ExecutionQuery(state="open", status="FAILED").problems()[0]
    assert "Unknown close status" in ExecutionQuery(state="closed", status="NOPE").problems()[0]
    assert "is not a time" in ExecutionQuery(since="soon").problems()[0]


def test_bulk_cap_on_start_time() -> None:
    capped = ExecutionQuery(until="2999-01-01").filter_args(now=NOW, latest=NOW)
    assert capped["startTimeFilter"] == {"oldestDate": 0.0, "latestDate": NOW}


def test_params_round_trip_and_defaults_left_out() -> None:
    query = ExecutionQuery.from_params(
        {"state": "closed", "tag": "x", "size": "50", "order": "newest"}
    )
    assert query.params() == {"state": "closed", "tag": "x"}
    assert ExecutionQuery.from_params(query.params()) == query
    assert ExecutionQuery.from_params({"size": "100000"}).page_size == 1000
    assert ExecutionQuery.from_params({"size": "x", "state": "weird"}) == ExecutionQuery()
    assert query.with_state("open").params() == {"state": "open", "tag": "x"}
