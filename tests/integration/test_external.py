"""SignalExternalWorkflowExecution and RequestCancelExternalWorkflowExecution through boto3."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import unique
from tests.integration.swf_helpers import (
    attributes,
    decide,
    decision,
    history,
    last,
    start,
    types_of,
    wait_for_event,
)


def initiated(events: list[dict[str, Any]], event_type: str) -> int:
    return next(e["eventId"] for e in events if e["eventType"] == event_type)


@pytest.mark.parametrize("with_run_id", [False, True])
def test_a_signal_reaches_the_target_and_the_sender_hears_of_it(
    swf: Any, domain: str, with_run_id: bool
) -> None:
    target = start(swf, domain, unique("target"), taskList={"name": "targets"})
    sender = start(swf, domain, unique("sender"))
    signal = decision(
        "SignalExternalWorkflowExecution",
        workflowId=target["workflowId"],
        signalName="wake",
        input="payload",
        control="ctl",
        **({"runId": target["runId"]} if with_run_id else {}),
    )
    decide(swf, domain, [signal])
    sender_events = wait_for_event(swf, domain, sender, "ExternalWorkflowExecutionSignaled")
    init_id = initiated(sender_events, "SignalExternalWorkflowExecutionInitiated")
    assert last(sender_events, "ExternalWorkflowExecutionSignaled") == {
        "workflowExecution": target,
        "initiatedEventId": init_id,
    }
    assert types_of(sender_events)[-1] == "DecisionTaskScheduled"
    assert last(history(swf, domain, target), "WorkflowExecutionSignaled") == {
        "signalName": "wake",
        "input": "payload",
        "externalWorkflowExecution": sender,
        "externalInitiatedEventId": init_id,
    }


def test_a_signal_to_an_unknown_execution_fails_with_its_cause(swf: Any, domain: str) -> None:
    sender = start(swf, domain, unique("sender"))
    decide(
        swf,
        domain,
        [decision("SignalExternalWorkflowExecution", workflowId="nobody", signalName="s")],
    )
    events = wait_for_event(swf, domain, sender, "SignalExternalWorkflowExecutionFailed")
    failed = last(events, "SignalExternalWorkflowExecutionFailed")
    assert failed["cause"] == "UNKNOWN_EXTERNAL_WORKFLOW_EXECUTION"
    assert failed["initiatedEventId"] == initiated(
        events, "SignalExternalWorkflowExecutionInitiated"
    )
    assert failed["decisionTaskCompletedEventId"] == 4


def test_a_cancel_request_reaches_the_target(swf: Any, domain: str) -> None:
    target = start(swf, domain, unique("target"), taskList={"name": "targets"})
    sender = start(swf, domain, unique("sender"))
    decide(
        swf,
        domain,
        [decision("RequestCancelExternalWorkflowExecution", workflowId=target["workflowId"])],
    )
    events = wait_for_event(swf, domain, sender, "ExternalWorkflowExecutionCancelRequested")
    assert last(events, "ExternalWorkflowExecutionCancelRequested")["workflowExecution"] == target
    requested = last(history(swf, domain, target), "WorkflowExecutionCancelRequested")
    assert requested["externalWorkflowExecution"] == sender
    info = swf.describe_workflow_execution(domain=domain, execution=target)["executionInfo"]
    assert info["cancelRequested"] is True


def test_a_cancel_request_to_a_closed_execution_fails(swf: Any, domain: str) -> None:
    target = start(swf, domain, unique("target"), taskList={"name": "targets"})
    swf.terminate_workflow_execution(domain=domain, workflowId=target["workflowId"])
    sender = start(swf, domain, unique("sender"))
    decide(
        swf,
        domain,
        [
            decision(
                "RequestCancelExternalWorkflowExecution",
                workflowId=target["workflowId"],
                runId=target["runId"],
            )
        ],
    )
    events = wait_for_event(swf, domain, sender, "RequestCancelExternalWorkflowExecutionFailed")
    failed = attributes(
        next(e for e in events if e["eventType"] == "RequestCancelExternalWorkflowExecutionFailed")
    )
    assert failed["cause"] == "UNKNOWN_EXTERNAL_WORKFLOW_EXECUTION"
    assert failed["runId"] == target["runId"]
