"""Finding executions through boto3: List/Count Open/Closed WorkflowExecutions, their filters,
order, paging and result contents (reference §6.12).

Every test gets a fresh domain (the ``domain`` fixture), so counts and listings are exact.
Start times have millisecond resolution and two starts may share one, so expectations about
time filters and order are computed from the timestamps the server reports.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError

from openswf.testing import LocalServer
from tests.conftest import make_client, unique

WF = {"name": "wf", "version": "1"}
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
ALL_TIME = {"oldestDate": EPOCH}
MS = timedelta(milliseconds=1)


@pytest.fixture(scope="module")
def swf(server: LocalServer) -> Any:
    """This module's domains (the ``domain`` fixture's too) live in a region of their own, so
    the suite as a whole stays under SWF's quota of 100 domains per region."""
    return make_client(server.endpoint, region="ap-southeast-2")


def start(swf: Any, domain: str, workflow_id: str | None = None, **extra: Any) -> dict[str, str]:
    workflow_id = workflow_id or unique("vis")
    run_id = swf.start_workflow_execution(
        domain=domain, workflowId=workflow_id, workflowType=extra.pop("workflowType", WF), **extra
    )["runId"]
    return {"workflowId": workflow_id, "runId": run_id}


def terminate(swf: Any, domain: str, run: dict[str, str]) -> None:
    swf.terminate_workflow_execution(
        domain=domain, workflowId=run["workflowId"], runId=run["runId"]
    )


def info_of(swf: Any, domain: str, run: dict[str, str]) -> dict[str, Any]:
    info: dict[str, Any] = swf.describe_workflow_execution(domain=domain, execution=run)[
        "executionInfo"
    ]
    return info


def list_open(swf: Any, domain: str, **kwargs: Any) -> list[dict[str, Any]]:
    kwargs.setdefault("startTimeFilter", ALL_TIME)
    infos: list[dict[str, Any]] = swf.list_open_workflow_executions(domain=domain, **kwargs)[
        "executionInfos"
    ]
    return infos


def list_closed(swf: Any, domain: str, **kwargs: Any) -> list[dict[str, Any]]:
    if "closeTimeFilter" not in kwargs:
        kwargs.setdefault("startTimeFilter", ALL_TIME)
    infos: list[dict[str, Any]] = swf.list_closed_workflow_executions(domain=domain, **kwargs)[
        "executionInfos"
    ]
    return infos


def count_open(swf: Any, domain: str, **kwargs: Any) -> int:
    kwargs.setdefault("startTimeFilter", ALL_TIME)
    result = swf.count_open_workflow_executions(domain=domain, **kwargs)
    assert result["truncated"] is False
    count: int = result["count"]
    return count


def count_closed(swf: Any, domain: str, **kwargs: Any) -> int:
    if "closeTimeFilter" not in kwargs:
        kwargs.setdefault("startTimeFilter", ALL_TIME)
    result = swf.count_closed_workflow_executions(domain=domain, **kwargs)
    assert result["truncated"] is False
    count: int = result["count"]
    return count


def runs(infos: list[dict[str, Any]]) -> list[dict[str, str]]:
    return [info["execution"] for info in infos]


def run_ids(infos: list[dict[str, Any]]) -> set[str]:
    return {info["execution"]["runId"] for info in infos}


def decide(swf: Any, domain: str, run: dict[str, str], decision: dict[str, Any]) -> None:
    task = swf.poll_for_decision_task(domain=domain, taskList={"name": "decisions"})
    assert task.get("taskToken"), "expected a decision task"
    assert task["workflowExecution"] == run
    swf.respond_decision_task_completed(taskToken=task["taskToken"], decisions=[decision])


def close_with(swf: Any, domain: str, status: str) -> dict[str, str]:
    """A new execution closed with ``status`` (one at a time, so polls get the right task)."""
    run = start(swf, domain)
    if status == "TERMINATED":
        terminate(swf, domain, run)
        return run
    if status == "CANCELED":
        swf.request_cancel_workflow_execution(domain=domain, workflowId=run["workflowId"])
    decision_type = {
        "COMPLETED": "CompleteWorkflowExecution",
        "FAILED": "FailWorkflowExecution",
        "CANCELED": "CancelWorkflowExecution",
    }[status]
    attributes = decision_type[0].lower() + decision_type[1:] + "DecisionAttributes"
    decide(swf, domain, run, {"decisionType": decision_type, attributes: {}})
    assert info_of(swf, domain, run)["closeStatus"] == status
    return run


def assert_newest_first(infos: list[dict[str, Any]], key: str) -> None:
    stamps = [info[key] for info in infos]
    assert stamps == sorted(stamps, reverse=True)


# --- contents and counts ------------------------------------------------------------------


def test_open_execution_info_contents_and_counts(swf: Any, domain: str) -> None:
    run = start(swf, domain, tagList=["red", "blue"])
    infos = list_open(swf, domain)
    assert len(infos) == 1
    info = infos[0]
    assert info["execution"] == run
    assert info["workflowType"] == WF
    assert info["executionStatus"] == "OPEN"
    assert info["tagList"] == ["red", "blue"]
    assert info["cancelRequested"] is False
    assert "closeTimestamp" not in info and "closeStatus" not in info and "parent" not in info
    assert info["startTimestamp"] == info_of(swf, domain, run)["startTimestamp"]
    assert count_open(swf, domain) == 1
    assert count_closed(swf, domain) == 0
    assert list_closed(swf, domain) == []

    swf.request_cancel_workflow_execution(domain=domain, workflowId=run["workflowId"])
    assert list_open(swf, domain)[0]["cancelRequested"] is True


def test_closed_execution_info_contents_and_counts(swf: Any, domain: str) -> None:
    run = start(swf, domain, tagList=["only"])
    swf.request_cancel_workflow_execution(domain=domain, workflowId=run["workflowId"])
    terminate(swf, domain, run)
    assert list_open(swf, domain) == []
    assert count_open(swf, domain) == 0
    infos = list_closed(swf, domain)
    assert len(infos) == 1
    info = infos[0]
    assert info["execution"] == run
    assert info["workflowType"] == WF
    assert info["executionStatus"] == "CLOSED"
    assert info["closeStatus"] == "TERMINATED"
    assert info["closeTimestamp"] >= info["startTimestamp"]
    assert info["tagList"] == ["only"]
    assert info["cancelRequested"] is True
    described = info_of(swf, domain, run)
    assert (info["startTimestamp"], info["closeTimestamp"]) == (
        described["startTimestamp"],
        described["closeTimestamp"],
    )
    assert count_closed(swf, domain) == 1
    assert list_closed(swf, domain, closeTimeFilter=ALL_TIME) == infos
    assert count_closed(swf, domain, closeTimeFilter=ALL_TIME) == 1


def test_unknown_domain_is_an_unknown_resource(swf: Any) -> None:
    name = unique("nope")
    for call in (list_open, list_closed, count_open, count_closed):
        with pytest.raises(swf.exceptions.UnknownResourceFault):
            call(swf, name)


# --- time filters -------------------------------------------------------------------------


def test_start_time_filter_bounds_are_inclusive(swf: Any, domain: str) -> None:
    started = [start(swf, domain) for _ in range(4)]
    stamp = {r["runId"]: info_of(swf, domain, r)["startTimestamp"] for r in started}
    low, high = stamp[started[1]["runId"]], stamp[started[2]["runId"]]

    def expected(oldest: datetime, latest: datetime | None = None) -> set[str]:
        return {
            run_id
            for run_id, at in stamp.items()
            if oldest <= at and (latest is None or at <= latest)
        }

    for oldest, latest in ((low, high), (low, None), (low, low), (high + MS, None)):
        time_filter = {"oldestDate": oldest} | ({"latestDate": latest} if latest else {})
        want = expected(oldest, latest)
        assert run_ids(list_open(swf, domain, startTimeFilter=time_filter)) == want
        assert count_open(swf, domain, startTimeFilter=time_filter) == len(want)
    assert started[1]["runId"] in expected(low, high) and started[2]["runId"] in expected(low, high)
    assert started[1]["runId"] in expected(low, low)

    # The same bounds select closed executions by their start time.
    for run in started:
        terminate(swf, domain, run)
    time_filter = {"oldestDate": low, "latestDate": high}
    assert run_ids(list_closed(swf, domain, startTimeFilter=time_filter)) == expected(low, high)
    assert count_closed(swf, domain, startTimeFilter=time_filter) == len(expected(low, high))
    assert list_open(swf, domain) == []


def test_close_time_filter_selects_by_close_time(swf: Any, domain: str) -> None:
    started = [start(swf, domain) for _ in range(3)]
    still_open = start(swf, domain)
    for run in reversed(started):  # closed in the opposite order of their starts
        terminate(swf, domain, run)
    closed = {r["runId"]: info_of(swf, domain, r)["closeTimestamp"] for r in started}
    middle = closed[started[1]["runId"]]

    def expected(oldest: datetime, latest: datetime | None = None) -> set[str]:
        return {
            run_id
            for run_id, at in closed.items()
            if oldest <= at and (latest is None or at <= latest)
        }

    for time_filter in (
        {"oldestDate": middle},
        {"oldestDate": EPOCH, "latestDate": middle},
        {"oldestDate": middle, "latestDate": middle},
        {"oldestDate": max(closed.values()) + MS},
    ):
        want = expected(time_filter["oldestDate"], time_filter.get("latestDate"))
        infos = list_closed(swf, domain, closeTimeFilter=time_filter)
        assert run_ids(infos) == want
        assert count_closed(swf, domain, closeTimeFilter=time_filter) == len(want)
    assert started[1]["runId"] in expected(middle, middle)
    # Ordered by close time, newest first; open executions never appear.
    infos = list_closed(swf, domain, closeTimeFilter=ALL_TIME)
    assert still_open["runId"] not in run_ids(infos)
    assert_newest_first(infos, "closeTimestamp")
    reverse = list_closed(swf, domain, closeTimeFilter=ALL_TIME, reverseOrder=True)
    assert reverse == infos[::-1]


# --- the exclusive-filter rules -----------------------------------------------------------

FILTERS: dict[str, dict[str, Any]] = {
    "executionFilter": {"workflowId": "w"},
    "typeFilter": {"name": "wf"},
    "tagFilter": {"tag": "t"},
    "closeStatusFilter": {"status": "COMPLETED"},
}
OPEN_PAIRS = [
    ("executionFilter", "typeFilter"),
    ("executionFilter", "tagFilter"),
    ("typeFilter", "tagFilter"),
]
CLOSED_PAIRS = OPEN_PAIRS + [
    (name, "closeStatusFilter") for name in ("executionFilter", "typeFilter", "tagFilter")
]


def assert_validation_error(call: Any, **kwargs: Any) -> None:
    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    assert caught.value.response["Error"]["Code"] == "ValidationException"


@pytest.mark.parametrize("pair", OPEN_PAIRS, ids="+".join)
def test_two_exclusive_filters_on_open_executions(swf: Any, domain: str, pair: Any) -> None:
    filters = {name: FILTERS[name] for name in pair}
    for call in (swf.list_open_workflow_executions, swf.count_open_workflow_executions):
        assert_validation_error(call, domain=domain, startTimeFilter=ALL_TIME, **filters)


@pytest.mark.parametrize("pair", CLOSED_PAIRS, ids="+".join)
def test_two_exclusive_filters_on_closed_executions(swf: Any, domain: str, pair: Any) -> None:
    filters = {name: FILTERS[name] for name in pair}
    for call in (swf.list_closed_workflow_executions, swf.count_closed_workflow_executions):
        assert_validation_error(call, domain=domain, startTimeFilter=ALL_TIME, **filters)
        assert_validation_error(call, domain=domain, closeTimeFilter=ALL_TIME, **filters)


def test_closed_executions_need_exactly_one_time_filter(swf: Any, domain: str) -> None:
    for call in (swf.list_closed_workflow_executions, swf.count_closed_workflow_executions):
        assert_validation_error(call, domain=domain)
        assert_validation_error(
            call, domain=domain, startTimeFilter=ALL_TIME, closeTimeFilter=ALL_TIME
        )
        assert_validation_error(call, domain=domain, closeStatusFilter={"status": "FAILED"})


# --- the other filters --------------------------------------------------------------------


def test_execution_filter_matches_the_workflow_id(swf: Any, domain: str) -> None:
    first = start(swf, domain)
    terminate(swf, domain, first)
    second = start(swf, domain, first["workflowId"])
    other = start(swf, domain)
    terminate(swf, domain, other)
    by_id = {"executionFilter": {"workflowId": first["workflowId"]}}
    assert runs(list_open(swf, domain, **by_id)) == [second]
    assert count_open(swf, domain, **by_id) == 1
    assert runs(list_closed(swf, domain, **by_id)) == [first]
    assert count_closed(swf, domain, **by_id) == 1
    assert runs(list_closed(swf, domain, closeTimeFilter=ALL_TIME, **by_id)) == [first]
    nobody = {"executionFilter": {"workflowId": unique("nobody")}}
    assert list_open(swf, domain, **nobody) == []
    assert count_closed(swf, domain, **nobody) == 0


def test_type_filter_matches_name_and_optional_version(swf: Any, domain: str) -> None:
    swf.register_workflow_type(domain=domain, name="wf", version="2")
    swf.register_workflow_type(domain=domain, name="other", version="1")
    defaults = {
        "taskList": {"name": "decisions"},
        "executionStartToCloseTimeout": "600",
        "taskStartToCloseTimeout": "60",
        "childPolicy": "TERMINATE",
    }
    v1 = start(swf, domain)
    v2 = start(swf, domain, workflowType={"name": "wf", "version": "2"}, **defaults)
    other = start(swf, domain, workflowType={"name": "other", "version": "1"}, **defaults)
    expectations = [
        ({"name": "wf"}, {v1["runId"], v2["runId"]}),
        ({"name": "wf", "version": "1"}, {v1["runId"]}),
        ({"name": "wf", "version": "2"}, {v2["runId"]}),
        ({"name": "other"}, {other["runId"]}),
        ({"name": "wf", "version": "3"}, set()),
    ]
    for type_filter, want in expectations:
        assert run_ids(list_open(swf, domain, typeFilter=type_filter)) == want
        assert count_open(swf, domain, typeFilter=type_filter) == len(want)
    for run in (v1, v2, other):
        terminate(swf, domain, run)
    for type_filter, want in expectations:
        assert run_ids(list_closed(swf, domain, typeFilter=type_filter)) == want
        assert count_closed(swf, domain, typeFilter=type_filter) == len(want)
    infos = list_closed(swf, domain, typeFilter={"name": "other"})
    assert infos[0]["workflowType"] == {"name": "other", "version": "1"}


def test_tag_filter_matches_one_tag_exactly(swf: Any, domain: str) -> None:
    both = start(swf, domain, tagList=["red", "blue"])
    capital = start(swf, domain, tagList=["Red"])
    untagged = start(swf, domain)
    expectations = [
        ("red", {both["runId"]}),
        ("blue", {both["runId"]}),
        ("Red", {capital["runId"]}),
        ("re", set()),
        ("green", set()),
    ]
    for tag, want in expectations:
        assert run_ids(list_open(swf, domain, tagFilter={"tag": tag})) == want
        assert count_open(swf, domain, tagFilter={"tag": tag}) == len(want)
    untagged_info = list_open(swf, domain, executionFilter={"workflowId": untagged["workflowId"]})
    assert untagged_info[0].get("tagList", []) == []
    for run in (both, capital, untagged):
        terminate(swf, domain, run)
    for tag, want in expectations:
        assert run_ids(list_closed(swf, domain, tagFilter={"tag": tag})) == want
        assert count_closed(swf, domain, tagFilter={"tag": tag}) == len(want)


def test_close_status_filter_matches_each_status(swf: Any, domain: str) -> None:
    closed = {
        status: close_with(swf, domain, status) for status in ("COMPLETED", "FAILED", "CANCELED")
    }
    closed["TERMINATED"] = close_with(swf, domain, "TERMINATED")
    start(swf, domain)  # open: never matched
    for status, run in closed.items():
        status_filter = {"closeStatusFilter": {"status": status}}
        infos = list_closed(swf, domain, **status_filter)
        assert runs(infos) == [run]
        assert infos[0]["closeStatus"] == status
        assert count_closed(swf, domain, **status_filter) == 1
        assert runs(list_closed(swf, domain, closeTimeFilter=ALL_TIME, **status_filter)) == [run]
    for status in ("TIMED_OUT", "CONTINUED_AS_NEW"):
        assert list_closed(swf, domain, closeStatusFilter={"status": status}) == []
        assert count_closed(swf, domain, closeStatusFilter={"status": status}) == 0
    assert count_closed(swf, domain) == 4


# --- order and paging ---------------------------------------------------------------------


def test_newest_first_by_default_and_reverse_order(swf: Any, domain: str) -> None:
    started = [start(swf, domain) for _ in range(4)]
    infos = list_open(swf, domain)
    assert run_ids(infos) == {r["runId"] for r in started}
    assert_newest_first(infos, "startTimestamp")
    assert list_open(swf, domain, reverseOrder=True) == infos[::-1]
    for run in started:
        terminate(swf, domain, run)
    closed = list_closed(swf, domain)
    assert run_ids(closed) == {r["runId"] for r in started}
    assert_newest_first(closed, "startTimestamp")
    assert list_closed(swf, domain, reverseOrder=True) == closed[::-1]


def pages_of(call: Any, **kwargs: Any) -> list[dict[str, Any]]:
    pages = [call(**kwargs)]
    while "nextPageToken" in pages[-1]:
        assert len(pages) < 20, "paging does not end"
        pages.append(call(nextPageToken=pages[-1]["nextPageToken"], **kwargs))
    return pages


@pytest.mark.parametrize("reverse", [False, True])
def test_paging_across_page_boundaries(swf: Any, domain: str, reverse: bool) -> None:
    for _ in range(5):
        start(swf, domain)
    whole = list_open(swf, domain, reverseOrder=reverse)
    pages = pages_of(
        swf.list_open_workflow_executions,
        domain=domain,
        startTimeFilter=ALL_TIME,
        maximumPageSize=2,
        reverseOrder=reverse,
    )
    assert [len(p["executionInfos"]) for p in pages] == [2, 2, 1]
    assert ["nextPageToken" in p for p in pages] == [True, True, False]
    assert [i for p in pages for i in p["executionInfos"]] == whole

    # A last page that is exactly full carries no token.
    pages = pages_of(
        swf.list_open_workflow_executions,
        domain=domain,
        startTimeFilter=ALL_TIME,
        maximumPageSize=5,
        reverseOrder=reverse,
    )
    assert len(pages) == 1 and len(pages[0]["executionInfos"]) == 5

    for info in whole:
        terminate(swf, domain, info["execution"])
    for time_filter in ("startTimeFilter", "closeTimeFilter"):
        whole = list_closed(swf, domain, reverseOrder=reverse, **{time_filter: ALL_TIME})
        pages = pages_of(
            swf.list_closed_workflow_executions,
            domain=domain,
            maximumPageSize=2,
            reverseOrder=reverse,
            **{time_filter: ALL_TIME},
        )
        assert [len(p["executionInfos"]) for p in pages] == [2, 2, 1]
        assert [i for p in pages for i in p["executionInfos"]] == whole


def test_a_bad_page_token_is_a_validation_error(swf: Any, domain: str) -> None:
    start(swf, domain)
    assert_validation_error(
        swf.list_open_workflow_executions,
        domain=domain,
        startTimeFilter=ALL_TIME,
        nextPageToken="not-a-token",
    )
