"""Page tokens built from the longest names SWF accepts, in four-byte characters, fit
PageToken (2048) and page correctly: the server takes back every token it hands out."""

from __future__ import annotations

from typing import Any

from tests.integration.swf_helpers import decision

WIDE = "\U0001f600"  # four bytes of UTF-8, twelve as a JSON \u escape pair
PAGE_TOKEN_MAX = 2048


def test_a_decision_task_of_a_long_wide_workflow_id_and_type_pages(swf: Any, domain: str) -> None:
    workflow_id = WIDE * 256
    workflow_type = {"name": "\u00e9" * 200 + WIDE * 56, "version": WIDE * 64}
    swf.register_workflow_type(
        domain=domain,
        **workflow_type,
        defaultTaskList={"name": "decisions"},
        defaultTaskStartToCloseTimeout="60",
        defaultExecutionStartToCloseTimeout="600",
        defaultChildPolicy="TERMINATE",
    )
    run_id = swf.start_workflow_execution(
        domain=domain, workflowId=workflow_id, workflowType=workflow_type
    )["runId"]
    for _ in range(3):
        swf.signal_workflow_execution(domain=domain, workflowId=workflow_id, signalName="s")
    request = {"domain": domain, "taskList": {"name": "decisions"}, "maximumPageSize": 2}
    page = swf.poll_for_decision_task(**request)
    token = page["taskToken"]
    events = [e["eventId"] for e in page["events"]]
    while "nextPageToken" in page:
        assert len(page["nextPageToken"]) <= PAGE_TOKEN_MAX
        page = swf.poll_for_decision_task(**request, nextPageToken=page["nextPageToken"])
        assert page["taskToken"] == token
        assert page["workflowExecution"] == {"workflowId": workflow_id, "runId": run_id}
        assert page["workflowType"] == workflow_type
        events += [e["eventId"] for e in page["events"]]
    assert events == list(range(1, page["startedEventId"] + 1))
    swf.respond_decision_task_completed(
        taskToken=token, decisions=[decision("CompleteWorkflowExecution")]
    )


def test_listing_types_of_long_wide_names_pages(swf: Any, domain: str) -> None:
    names = [WIDE * 255 + str(n) for n in range(3)]
    for name in names:
        swf.register_activity_type(domain=domain, name=name, version=WIDE * 64)
    seen: list[str] = []
    page: dict[str, Any] = {}
    while True:
        more = {"nextPageToken": page["nextPageToken"]} if "nextPageToken" in page else {}
        page = swf.list_activity_types(
            domain=domain, registrationStatus="REGISTERED", maximumPageSize=1, **more
        )
        seen += [info["activityType"]["name"] for info in page["typeInfos"]]
        if "nextPageToken" not in page:
            break
        assert len(page["nextPageToken"]) <= PAGE_TOKEN_MAX
    assert [name for name in seen if name.startswith(WIDE)] == names  # the fixture has more
