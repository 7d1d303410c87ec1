"""Visibility through boto3, beyond the filters themselves (test_visibility.py): paging that
stays stable while executions start and close between pages, every filter paged across a
page boundary, counts and their truncation, and the wording of the filter rules.

The server runs on a manual clock, so the tests decide which runs share a millisecond: ties
are common at scale, and the page token must order them by runId. Each test runs on every
storage backend (conftest's ``backend``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from botocore.exceptions import ClientError

from openswf.services import visibility
from openswf.services.clock import ManualClock
from openswf.services.context import RequestContext
from openswf.services.settings import Settings
from openswf.testing import LocalServer
from tests.conftest import Databases, make_client, unique

WF = {"name": "wf", "version": "1"}
ALL_TIME = {"oldestDate": datetime(1970, 1, 1, tzinfo=UTC)}


@pytest.fixture(scope="module")
def timed(backend: str, session_databases: Databases) -> Iterator[LocalServer]:
    """A server of its own on a manual clock, once per storage backend."""
    url = session_databases.new(backend)
    settings = Settings(poll_timeout_s=0.2)
    with LocalServer(url, settings=settings, clock=ManualClock()) as server:
        yield server
    session_databases.drop(url)


@pytest.fixture(scope="module")
def swf(timed: LocalServer) -> Any:
    """The ``domain`` fixture of conftest registers its domain through this client."""
    return make_client(timed.endpoint)


def tick(server: LocalServer) -> None:
    """One millisecond passes (the clock only: nothing fires)."""
    clock = server.app.service.clock
    assert isinstance(clock, ManualClock)
    server.call(clock.advance, 0.001)


def start(swf: Any, domain: str, workflow_id: str | None = None, **extra: Any) -> dict[str, str]:
    workflow_id = workflow_id or unique("page")
    run_id = swf.start_workflow_execution(
        domain=domain, workflowId=workflow_id, workflowType=extra.pop("workflowType", WF), **extra
    )["runId"]
    return {"workflowId": workflow_id, "runId": run_id}


def terminate(swf: Any, domain: str, run: dict[str, str]) -> None:
    swf.terminate_workflow_execution(
        domain=domain, workflowId=run["workflowId"], runId=run["runId"]
    )


Key = tuple[datetime, str]


def walk(
    call: Callable[..., dict[str, Any]],
    time_key: str,
    between: Callable[[Key], None],
    **kwargs: Any,
) -> list[dict[str, Any]]:
    """Every page of a listing, calling ``between(last key shown)`` before each next page."""
    page = call(**kwargs)
    infos = list(page["executionInfos"])
    pages = 1
    while "nextPageToken" in page:
        pages += 1
        assert pages <= 50, "paging does not end"
        last = infos[-1]
        between((last[time_key], last["execution"]["runId"]))
        page = call(nextPageToken=page["nextPageToken"], **kwargs)
        infos += page["executionInfos"]
    return infos


def keys(infos: list[dict[str, Any]], time_key: str) -> list[Key]:
    return [(info[time_key], info["execution"]["runId"]) for info in infos]


def assert_one_order_without_repeats(
    infos: list[dict[str, Any]], time_key: str, reverse: bool
) -> None:
    listed = keys(infos, time_key)
    assert len({run_id for _, run_id in listed}) == len(listed), "a run was listed twice"
    assert listed == sorted(listed, reverse=not reverse), "pages are not in one order"


def ids(runs: list[dict[str, str]]) -> set[str]:
    return {run["runId"] for run in runs}


def listed_ids(infos: list[dict[str, Any]]) -> set[str]:
    return {info["execution"]["runId"] for info in infos}


# --- stability while executions start and close ------------------------------------------


@pytest.mark.parametrize("reverse", [False, True], ids=["newest-first", "reverse"])
def test_open_listing_is_stable_while_runs_start_and_close(
    swf: Any, domain: str, timed: LocalServer, reverse: bool
) -> None:
    stable: list[dict[str, str]] = []
    doomed: list[dict[str, str]] = []
    for i in range(24):
        if i % 3 == 0:
            tick(timed)  # three runs to a millisecond
        (doomed if i % 4 == 1 else stable).append(start(swf, domain))
    started: list[dict[str, str]] = []

    def between(_: Key) -> None:
        tick(timed)
        started.append(start(swf, domain))  # newer than every run listed so far
        if doomed:  # alternately one listed already and one not yet
            terminate(swf, domain, doomed.pop(0 if len(doomed) % 2 else -1))

    infos = walk(
        swf.list_open_workflow_executions,
        "startTimestamp",
        between,
        domain=domain,
        startTimeFilter=ALL_TIME,
        maximumPageSize=4,
        reverseOrder=reverse,
    )
    assert_one_order_without_repeats(infos, "startTimestamp", reverse)
    assert ids(stable) <= listed_ids(infos), "a run open throughout was skipped"
    # Newest first, runs that start later sort before the position reached: never listed.
    # Oldest first they sort after it: all listed, on the pages still to come.
    assert len(started) >= 5
    assert listed_ids(infos) & ids(started) == (ids(started) if reverse else set())


@pytest.mark.parametrize("reverse", [False, True], ids=["newest-first", "reverse"])
def test_closed_listing_by_close_time_is_stable_while_runs_close(
    swf: Any, domain: str, timed: LocalServer, reverse: bool
) -> None:
    runs = [start(swf, domain) for _ in range(30)]
    stable, still_open = runs[:20], runs[20:]
    for i, run in enumerate(stable):
        if i % 3 == 0:
            tick(timed)
        terminate(swf, domain, run)
    closed_later: list[dict[str, str]] = []

    def between(_: Key) -> None:
        tick(timed)
        if still_open:
            closed_later.append(still_open.pop())
            terminate(swf, domain, closed_later[-1])
        start(swf, domain)

    infos = walk(
        swf.list_closed_workflow_executions,
        "closeTimestamp",
        between,
        domain=domain,
        closeTimeFilter=ALL_TIME,
        maximumPageSize=3,
        reverseOrder=reverse,
    )
    assert_one_order_without_repeats(infos, "closeTimestamp", reverse)
    assert ids(stable) <= listed_ids(infos)
    assert len(closed_later) >= 5
    assert listed_ids(infos) & ids(closed_later) == (ids(closed_later) if reverse else set())
    assert all(info["executionStatus"] == "CLOSED" for info in infos)


def test_closed_listing_by_start_time_lists_a_run_that_closes_ahead_of_the_position(
    swf: Any, domain: str, timed: LocalServer
) -> None:
    """A run that closes during the listing is listed iff its (start, runId) is still ahead
    of the last run shown: the token is a position, not a snapshot."""
    runs = []
    for i in range(30):
        if i % 2 == 0:
            tick(timed)
        runs.append(start(swf, domain))
    stable, still_open = runs[::3] + runs[1::3], runs[2::3]  # open ones spread among them
    for run in stable:
        terminate(swf, domain, run)
    start_of = {
        i["execution"]["runId"]: i["startTimestamp"]
        for i in swf.list_open_workflow_executions(domain=domain, startTimeFilter=ALL_TIME)[
            "executionInfos"
        ]
    }
    expected_late: set[str] = set()

    def between(last: Key) -> None:
        if still_open:
            run = still_open.pop(len(still_open) // 2)
            tick(timed)
            terminate(swf, domain, run)
            if (start_of[run["runId"]], run["runId"]) < last:  # still ahead, newest first
                expected_late.add(run["runId"])

    infos = walk(
        swf.list_closed_workflow_executions,
        "startTimestamp",
        between,
        domain=domain,
        startTimeFilter=ALL_TIME,
        maximumPageSize=3,
    )
    assert_one_order_without_repeats(infos, "startTimestamp", False)
    late = listed_ids(infos) - ids(stable)
    assert late == expected_late
    assert ids(stable) <= listed_ids(infos) <= ids(runs)


def test_tag_listing_is_stable_across_ties(swf: Any, domain: str, timed: LocalServer) -> None:
    tagged = []
    for i in range(15):
        if i % 5 == 0:
            tick(timed)  # five runs to a millisecond: pages of 2 split ties
        tagged.append(start(swf, domain, tagList=["batch", f"n{i}"]))
        start(swf, domain, tagList=["other"])

    def between(_: Key) -> None:
        tick(timed)
        start(swf, domain, tagList=["batch"])

    for reverse in (False, True):
        infos = walk(
            swf.list_open_workflow_executions,
            "startTimestamp",
            between if not reverse else (lambda _: None),
            domain=domain,
            startTimeFilter=ALL_TIME,
            tagFilter={"tag": "batch"},
            maximumPageSize=2,
            reverseOrder=reverse,
        )
        assert_one_order_without_repeats(infos, "startTimestamp", reverse)
        assert ids(tagged) <= listed_ids(infos)
        assert all("batch" in i["tagList"] for i in infos)


# --- every filter, paged across a page boundary -------------------------------------------


def populate(swf: Any, domain: str, timed: LocalServer) -> dict[str, dict[str, Any]]:
    """Runs of two versions of ``wf``, with tags, open and closed (all TERMINATED), some
    sharing a millisecond. Returns each filter's value."""
    swf.register_workflow_type(
        domain=domain,
        name="wf",
        version="2",
        defaultTaskList={"name": "decisions"},
        defaultExecutionStartToCloseTimeout="3600",
        defaultTaskStartToCloseTimeout="60",
        defaultChildPolicy="TERMINATE",
    )
    v2 = {"name": "wf", "version": "2"}
    for i in range(3):  # wf/1, "noise": 2 closed, 1 open
        tick(timed)
        run = start(swf, domain, tagList=["noise"])
        if i < 2:
            terminate(swf, domain, run)
    same_id = unique("same")
    for i in range(5):  # wf/2, "match", one workflowId: 4 closed, then 1 open
        if i % 2 == 0:
            tick(timed)
        run = start(swf, domain, same_id, tagList=["match"], workflowType=v2)
        if i < 4:
            terminate(swf, domain, run)
    for _ in range(4):  # wf/2, "match", open
        start(swf, domain, tagList=["match"], workflowType=v2)
    return {
        "none": {},
        "executionFilter": {"executionFilter": {"workflowId": same_id}},
        "typeFilter": {"typeFilter": {"name": "wf"}},
        "typeFilter+version": {"typeFilter": v2},
        "tagFilter": {"tagFilter": {"tag": "match"}},
        "closeStatusFilter": {"closeStatusFilter": {"status": "TERMINATED"}},
    }


# (listing, filter) -> how many runs match what populate() made.
EXPECTED = {
    "open": {
        "none": 6,
        "executionFilter": 1,
        "typeFilter": 6,
        "typeFilter+version": 5,
        "tagFilter": 5,
    },
    "closed": {
        "none": 6,
        "executionFilter": 4,
        "typeFilter": 6,
        "typeFilter+version": 4,
        "tagFilter": 4,
        "closeStatusFilter": 6,
    },
}
LISTINGS = {
    "open": ("list_open_workflow_executions", "count_open_workflow_executions", "startTimeFilter"),
    "closed-by-start": (
        "list_closed_workflow_executions",
        "count_closed_workflow_executions",
        "startTimeFilter",
    ),
    "closed-by-close": (
        "list_closed_workflow_executions",
        "count_closed_workflow_executions",
        "closeTimeFilter",
    ),
}


@pytest.mark.parametrize("listing", list(LISTINGS))
def test_every_filter_pages_across_a_boundary_and_counts(
    swf: Any, domain: str, timed: LocalServer, listing: str
) -> None:
    filters = populate(swf, domain, timed)
    list_name, count_name, time_filter = LISTINGS[listing]
    time_key = "closeTimestamp" if time_filter == "closeTimeFilter" else "startTimestamp"
    expected = EXPECTED[listing.split("-")[0]]
    for name, want in expected.items():
        extra = {time_filter: ALL_TIME} | filters[name]
        for reverse in (False, True):
            whole = getattr(swf, list_name)(domain=domain, reverseOrder=reverse, **extra)
            assert "nextPageToken" not in whole
            assert len(whole["executionInfos"]) == want, (name, reverse)
            paged = walk(
                getattr(swf, list_name),
                time_key,
                lambda _: None,
                domain=domain,
                reverseOrder=reverse,
                maximumPageSize=2,
                **extra,
            )
            assert paged == whole["executionInfos"], (name, reverse)
            assert_one_order_without_repeats(paged, time_key, reverse)
        count = getattr(swf, count_name)(domain=domain, **extra)
        assert (count["count"], count["truncated"]) == (want, False), name


# --- counts ---------------------------------------------------------------------------------


def test_counts_past_the_limit_are_truncated_lower_bounds(
    swf: Any, domain: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(visibility, "COUNT_LIMIT", 3)
    runs = [start(swf, domain, tagList=["t"] if i < 3 else []) for i in range(4)]

    def count_open(**extra: Any) -> tuple[int, bool]:
        answer = swf.count_open_workflow_executions(
            domain=domain, startTimeFilter=ALL_TIME, **extra
        )
        return answer["count"], answer["truncated"]

    assert count_open() == (3, True)  # 4 runs: at least 3
    assert count_open(tagFilter={"tag": "t"}) == (3, False)  # exactly 3
    assert count_open(typeFilter={"name": "nothing"}) == (0, False)
    for run in runs:
        terminate(swf, domain, run)
    for time_filter in ("startTimeFilter", "closeTimeFilter"):
        answer = swf.count_closed_workflow_executions(domain=domain, **{time_filter: ALL_TIME})
        assert (answer["count"], answer["truncated"]) == (3, True)
        answer = swf.count_closed_workflow_executions(
            domain=domain, closeStatusFilter={"status": "TERMINATED"}, **{time_filter: ALL_TIME}
        )
        assert (answer["count"], answer["truncated"]) == (3, True)
    # Listing is never truncated: every run is there, page by page.
    infos = walk(
        swf.list_closed_workflow_executions,
        "startTimestamp",
        lambda _: None,
        domain=domain,
        startTimeFilter=ALL_TIME,
        maximumPageSize=3,
    )
    assert listed_ids(infos) == ids(runs)


def test_a_run_with_a_repeated_tag_is_listed_and_counted_once(swf: Any, domain: str) -> None:
    run = start(swf, domain, tagList=["twice", "twice"])
    infos = swf.list_open_workflow_executions(
        domain=domain, startTimeFilter=ALL_TIME, tagFilter={"tag": "twice"}
    )["executionInfos"]
    assert [i["execution"] for i in infos] == [run]
    assert infos[0]["tagList"] == ["twice", "twice"]
    count = swf.count_open_workflow_executions(
        domain=domain, startTimeFilter=ALL_TIME, tagFilter={"tag": "twice"}
    )
    assert count["count"] == 1


# --- executionInfo ------------------------------------------------------------------------


def test_a_child_execution_lists_its_parent(swf: Any, domain: str) -> None:
    parent = start(swf, domain)
    task = swf.poll_for_decision_task(domain=domain, taskList={"name": "decisions"})
    assert task["workflowExecution"] == parent
    child_id = unique("child")
    swf.respond_decision_task_completed(
        taskToken=task["taskToken"],
        decisions=[
            {
                "decisionType": "StartChildWorkflowExecution",
                "startChildWorkflowExecutionDecisionAttributes": {
                    "workflowType": WF,
                    "workflowId": child_id,
                    "tagList": ["child"],
                },
            }
        ],
    )
    by_id = {"executionFilter": {"workflowId": child_id}}
    deadline = time.monotonic() + 10
    while not (infos := list_open(swf, domain, **by_id)):  # the child starts asynchronously
        assert time.monotonic() < deadline, "the child did not start"
    child = infos[0]["execution"]
    assert infos[0]["parent"] == parent
    assert list_open(swf, domain, tagFilter={"tag": "child"}) == infos  # through the tag index
    assert (
        "parent"
        not in list_open(swf, domain, executionFilter={"workflowId": parent["workflowId"]})[0]
    )
    terminate(swf, domain, child)
    closed = swf.list_closed_workflow_executions(domain=domain, closeTimeFilter=ALL_TIME, **by_id)[
        "executionInfos"
    ]
    assert [(i["execution"], i["parent"], i["closeStatus"]) for i in closed] == [
        (child, parent, "TERMINATED")
    ]


def list_open(swf: Any, domain: str, **kwargs: Any) -> list[dict[str, Any]]:
    infos: list[dict[str, Any]] = swf.list_open_workflow_executions(
        domain=domain, startTimeFilter=ALL_TIME, **kwargs
    )["executionInfos"]
    return infos


# --- the rules ------------------------------------------------------------------------------


def validation_message(call: Callable[..., Any], **kwargs: Any) -> str:
    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    error = caught.value.response["Error"]
    assert error["Code"] == "ValidationException"
    return str(error["Message"])


def test_exclusive_filters_are_named_as_swf_names_them(swf: Any, domain: str) -> None:
    """The wording is SWF's as quoted by elifesciences/elife-bot (provider/swfmeta.py, a code
    comment with the answer SWF gave it); the order follows the model's member order."""
    message = validation_message(
        swf.list_closed_workflow_executions,
        domain=domain,
        startTimeFilter=ALL_TIME,
        typeFilter={"name": "wf"},
        closeStatusFilter={"status": "FAILED"},
    )
    assert message == (
        "Cannot specify more than one exclusive filters in the same query: "
        "[WorkflowTypeFilter, CloseStatusFilter]"
    )
    message = validation_message(
        swf.count_open_workflow_executions,
        domain=domain,
        startTimeFilter=ALL_TIME,
        executionFilter={"workflowId": "w"},
        typeFilter={"name": "wf"},
        tagFilter={"tag": "t"},
    )
    assert message.endswith("[WorkflowExecutionFilter, WorkflowTypeFilter, TagFilter]")


def test_the_rules_are_checked_before_the_domain(swf: Any) -> None:
    """A request that breaks a rule is invalid whatever the domain; a valid one for an
    unknown domain is an unknown resource."""
    name = unique("nowhere")
    validation_message(swf.count_closed_workflow_executions, domain=name)
    with pytest.raises(swf.exceptions.UnknownResourceFault):
        swf.count_closed_workflow_executions(domain=name, closeTimeFilter=ALL_TIME)


def test_a_page_token_belongs_to_one_order(swf: Any, domain: str) -> None:
    for _ in range(3):
        terminate(swf, domain, start(swf, domain))
    by_start = swf.list_closed_workflow_executions(
        domain=domain, startTimeFilter=ALL_TIME, maximumPageSize=1
    )
    token = by_start["nextPageToken"]
    # The same order accepts it; the close-time order and the open listing do not.
    swf.list_closed_workflow_executions(
        domain=domain, startTimeFilter=ALL_TIME, maximumPageSize=1, nextPageToken=token
    )
    validation_message(
        swf.list_closed_workflow_executions,
        domain=domain,
        closeTimeFilter=ALL_TIME,
        maximumPageSize=1,
        nextPageToken=token,
    )
    validation_message(
        swf.list_open_workflow_executions,
        domain=domain,
        startTimeFilter=ALL_TIME,
        nextPageToken=token,
    )


def test_pages_of_up_to_1000(swf: Any, domain: str) -> None:
    start(swf, domain)
    answer = swf.list_open_workflow_executions(
        domain=domain, startTimeFilter=ALL_TIME, maximumPageSize=1000
    )
    assert len(answer["executionInfos"]) == 1
    validation_message(
        swf.list_open_workflow_executions,
        domain=domain,
        startTimeFilter=ALL_TIME,
        maximumPageSize=1001,
    )


def test_close_filters_are_not_members_of_the_open_operations(
    swf: Any, domain: str, timed: LocalServer
) -> None:
    """botocore does not send them; a raw request that does has them ignored, as every
    member outside an operation's input is."""
    run = start(swf, domain)
    request = {
        "domain": domain,
        "startTimeFilter": {"oldestDate": 0},
        "closeTimeFilter": {"oldestDate": 4_000_000_000},
        "closeStatusFilter": {"status": "FAILED"},
        "typeFilter": WF,
    }
    handlers = timed.app.service.handlers
    ctx = RequestContext(region="us-east-1")
    listed = timed.call(handlers["ListOpenWorkflowExecutions"], request, ctx)
    assert [info["execution"] for info in listed["executionInfos"]] == [run]
    counted = timed.call(handlers["CountOpenWorkflowExecutions"], request, ctx)
    assert counted == {"count": 1, "truncated": False}
