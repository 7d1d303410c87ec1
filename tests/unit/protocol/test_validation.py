"""Request validation: coral's wording, SWF's documented rules, and all 39 operations."""

from __future__ import annotations

from typing import Any

import pytest

from openswf.protocol.faults import SerializationException, ValidationException
from openswf.protocol.model import (
    OPERATION_SHAPES,
    OPERATIONS,
    SHAPES,
    VOID_OPERATIONS,
    input_shape,
)
from openswf.protocol.validation import request_validator, validate_request

NOT_NULL = "failed to satisfy constraint: Member must not be null"
FORBIDDEN = "Member must not contain ':' '/' '|' or control characters"
ARN = "Member must not be the literal string 'arn'"
WHITESPACE = "Member must not start or end with whitespace"


def problems_of(operation: str, body: dict[str, Any]) -> str:
    """The message of the ValidationException ``body`` must raise."""
    with pytest.raises(ValidationException) as caught:
        validate_request(operation, body)
    return caught.value.message


def one_problem(operation: str, body: dict[str, Any]) -> str:
    message = problems_of(operation, body)
    prefix = "1 validation error detected: "
    assert message.startswith(prefix), message
    return message[len(prefix) :]


def serialization_error(operation: str, body: object) -> str:
    with pytest.raises(SerializationException) as caught:
        validate_request(operation, body)
    return caught.value.message


# --- building bodies from the model -------------------------------------------------------


def sample(shape_name: str, *, full: bool) -> Any:
    """A valid value of ``shape_name``: required members only, or every member if ``full``."""
    shape = SHAPES[shape_name]
    kind = shape["type"]
    if kind == "structure":
        names = shape["members"] if full else shape.get("required", [])
        return {n: sample(shape["members"][n]["shape"], full=full) for n in names}
    if kind == "list":
        return [sample(shape["member"]["shape"], full=full)] if full else []
    if kind == "string":
        # "1" is a valid name, tag, duration, retention, priority and Lambda timeout alike.
        return shape["enum"][0] if "enum" in shape else "1"
    if kind in ("integer", "long"):
        return shape.get("min", 0)
    if kind == "timestamp":
        return 1704164645.678
    assert kind == "boolean"
    return False


def minimal(operation: str) -> dict[str, Any]:
    body: dict[str, Any] = sample(OPERATION_SHAPES[operation].input, full=False)
    return body


def schedule_activity(activity_id: str = "a1", **attributes: Any) -> dict[str, Any]:
    return {
        "decisionType": "ScheduleActivityTask",
        "scheduleActivityTaskDecisionAttributes": {
            "activityType": {"name": "act", "version": "1"},
            "activityId": activity_id,
            **attributes,
        },
    }


def record_marker(name: str | None = "m") -> dict[str, Any]:
    return {"decisionType": "RecordMarker", "recordMarkerDecisionAttributes": {"markerName": name}}


def complete() -> dict[str, Any]:
    return {"decisionType": "CompleteWorkflowExecution"}


def decisions(*items: dict[str, Any]) -> dict[str, Any]:
    return {"taskToken": "tok", "decisions": list(items)}


def start(**members: Any) -> dict[str, Any]:
    body = {"domain": "d", "workflowId": "w", "workflowType": {"name": "n", "version": "1"}}
    return {**body, **members}


def register_domain(**members: Any) -> dict[str, Any]:
    return {"name": "d", "workflowExecutionRetentionPeriodInDays": "1", **members}


# --- the model ----------------------------------------------------------------------------


def test_model_has_the_39_operations_and_the_20_void_ones() -> None:
    assert len(OPERATIONS) == 39
    assert VOID_OPERATIONS == {
        "RegisterActivityType",
        "RegisterDomain",
        "RegisterWorkflowType",
        "DeprecateActivityType",
        "DeprecateDomain",
        "DeprecateWorkflowType",
        "UndeprecateActivityType",
        "UndeprecateDomain",
        "UndeprecateWorkflowType",
        "DeleteActivityType",
        "DeleteWorkflowType",
        "RequestCancelWorkflowExecution",
        "RespondActivityTaskCanceled",
        "RespondActivityTaskCompleted",
        "RespondActivityTaskFailed",
        "RespondDecisionTaskCompleted",
        "SignalWorkflowExecution",
        "TerminateWorkflowExecution",
        "TagResource",
        "UntagResource",
    }
    assert OPERATION_SHAPES["PollForActivityTask"].input == "PollForActivityTaskInput"
    assert OPERATION_SHAPES["PollForActivityTask"].output == "ActivityTask"
    assert OPERATION_SHAPES["TagResource"].output is None
    assert input_shape("DescribeDomain")["required"] == ["name"]
    assert "documentation" not in SHAPES["DomainName"]


# --- every operation ----------------------------------------------------------------------


@pytest.mark.parametrize("operation", sorted(OPERATIONS))
def test_every_operation_accepts_a_minimal_body(operation: str) -> None:
    assert callable(request_validator(operation))
    body = minimal(operation)
    assert validate_request(operation, body) == body


@pytest.mark.parametrize("operation", sorted(OPERATIONS))
def test_every_operation_accepts_a_body_with_every_member(operation: str) -> None:
    body = sample(OPERATION_SHAPES[operation].input, full=True)
    assert validate_request(operation, body) == body


@pytest.mark.parametrize("operation", sorted(op for op in OPERATIONS if minimal(op)))
def test_every_operation_reports_each_missing_required_member(operation: str) -> None:
    required = input_shape(operation)["required"]
    message = problems_of(operation, {})
    assert message.startswith(f"{len(required)} validation error")
    for name in required:
        assert f"Value null at '{name}' {NOT_NULL}" in message


# --- coral constraint wording -------------------------------------------------------------


def test_missing_required_member() -> None:
    expected = f"Value null at 'name' {NOT_NULL}"
    assert one_problem("DescribeDomain", {}) == expected
    assert one_problem("DescribeDomain", {"name": None}) == expected


def test_nested_missing_required_member() -> None:
    body = {"domain": "d", "taskList": {}}
    assert one_problem("PollForActivityTask", body) == f"Value null at 'taskList.name' {NOT_NULL}"


def test_too_long() -> None:
    name = "x" * 257
    assert one_problem("DescribeDomain", {"name": name}) == (
        f"Value '{name}' at 'name' failed to satisfy constraint: "
        "Member must have length less than or equal to 256"
    )
    assert validate_request("DescribeDomain", {"name": "x" * 256})


def test_too_short() -> None:
    assert one_problem("DescribeDomain", {"name": ""}) == (
        "Value '' at 'name' failed to satisfy constraint: "
        "Member must have length greater than or equal to 1"
    )


def test_data_limit() -> None:
    body = {"taskToken": "t", "result": "x" * 32768}
    assert validate_request("RespondActivityTaskCompleted", body) is body
    body["result"] += "x"
    assert "less than or equal to 32768" in one_problem("RespondActivityTaskCompleted", body)


def test_enum() -> None:
    assert one_problem("ListDomains", {"registrationStatus": "BOGUS"}) == (
        "Value 'BOGUS' at 'registrationStatus' failed to satisfy constraint: "
        "Member must satisfy enum value set: [REGISTERED, DEPRECATED]"
    )


@pytest.mark.parametrize(
    ("size", "bound"),
    [
        (5000, "less than or equal to 1000"),
        (1001, "less than or equal to 1000"),
        (-1, "greater than or equal to 0"),
    ],
)
def test_range(size: int, bound: str) -> None:
    body = {"registrationStatus": "REGISTERED", "maximumPageSize": size}
    assert one_problem("ListDomains", body) == (
        f"Value '{size}' at 'maximumPageSize' failed to satisfy constraint: "
        f"Member must have value {bound}"
    )


@pytest.mark.parametrize("size", [0, 1000])
def test_range_edges_are_valid(size: int) -> None:
    validate_request("ListDomains", {"registrationStatus": "REGISTERED", "maximumPageSize": size})


def test_list_length() -> None:
    assert one_problem("StartWorkflowExecution", start(tagList=list("abcdef"))) == (
        "Value '[a, b, c, d, e, f]' at 'tagList' failed to satisfy constraint: "
        "Member must have length less than or equal to 5"
    )
    validate_request("StartWorkflowExecution", start(tagList=list("abcde")))


def test_list_members_are_one_based() -> None:
    body = start(tagList=["a", "b", "x" * 257])
    assert one_problem("StartWorkflowExecution", body).startswith(
        f"Value '{'x' * 257}' at 'tagList.3.member' failed"
    )


def test_null_list_member_is_a_problem() -> None:
    body = start(tagList=["a", None])
    assert one_problem("StartWorkflowExecution", body) == (
        f"Value null at 'tagList.2.member' {NOT_NULL}"
    )


def test_all_problems_are_reported_in_model_order() -> None:
    # Key order of the body must not matter: problems follow the model's member order.
    body = {"maximumPageSize": 5000, "registrationStatus": "BOGUS"}
    assert problems_of("ListDomains", body) == (
        "2 validation errors detected: "
        "Value 'BOGUS' at 'registrationStatus' failed to satisfy constraint: "
        "Member must satisfy enum value set: [REGISTERED, DEPRECATED]; "
        "Value '5000' at 'maximumPageSize' failed to satisfy constraint: "
        "Member must have value less than or equal to 1000"
    )


def test_problems_in_several_structures_are_all_reported() -> None:
    body = {"domain": "", "taskList": {"name": "x" * 257}, "identity": "i" * 257}
    message = problems_of("PollForActivityTask", body)
    assert message.startswith("3 validation errors detected: Value '' at 'domain'")
    assert "at 'taskList.name'" in message
    assert "at 'identity'" in message


# --- decisions ----------------------------------------------------------------------------


def test_decision_paths_are_one_based() -> None:
    body = decisions(record_marker(), record_marker(None))
    assert one_problem("RespondDecisionTaskCompleted", body) == (
        f"Value null at 'decisions.2.member.recordMarkerDecisionAttributes.markerName' {NOT_NULL}"
    )


def test_nested_list_inside_a_decision() -> None:
    child = {
        "decisionType": "StartChildWorkflowExecution",
        "startChildWorkflowExecutionDecisionAttributes": {
            "workflowType": {"name": "n", "version": "1"},
            "workflowId": "c",
            "tagList": ["ok", "x" * 257],
        },
    }
    message = one_problem("RespondDecisionTaskCompleted", decisions(record_marker(), child))
    path = "decisions.2.member.startChildWorkflowExecutionDecisionAttributes.tagList.2.member"
    assert f"at '{path}'" in message


def test_decision_type_enum() -> None:
    message = one_problem("RespondDecisionTaskCompleted", decisions({"decisionType": "Nope"}))
    assert message.startswith(
        "Value 'Nope' at 'decisions.1.member.decisionType' failed to satisfy constraint: "
        "Member must satisfy enum value set: [ScheduleActivityTask, "
    )


def test_decision_type_required() -> None:
    body = decisions({"recordMarkerDecisionAttributes": {"markerName": "m"}})
    assert one_problem("RespondDecisionTaskCompleted", body) == (
        f"Value null at 'decisions.1.member.decisionType' {NOT_NULL}"
    )


@pytest.mark.parametrize(
    "decision_type",
    [
        "ScheduleActivityTask",
        "RequestCancelActivityTask",
        "RecordMarker",
        "StartTimer",
        "CancelTimer",
        "SignalExternalWorkflowExecution",
        "RequestCancelExternalWorkflowExecution",
        "StartChildWorkflowExecution",
        "ScheduleLambdaFunction",
    ],
)
def test_missing_decision_attributes(decision_type: str) -> None:
    body = decisions({"decisionType": decision_type})
    assert problems_of("RespondDecisionTaskCompleted", body) == (
        f"{decision_type}DecisionAttributes must be specified for decision of type {decision_type}"
    )


def test_null_decision_attributes_count_as_missing() -> None:
    body = decisions({"decisionType": "StartTimer", "startTimerDecisionAttributes": None})
    assert problems_of("RespondDecisionTaskCompleted", body) == (
        "StartTimerDecisionAttributes must be specified for decision of type StartTimer"
    )


@pytest.mark.parametrize(
    "decision_type",
    [
        "CompleteWorkflowExecution",
        "FailWorkflowExecution",
        "CancelWorkflowExecution",
        "ContinueAsNewWorkflowExecution",
    ],
)
def test_all_optional_attributes_may_be_omitted(decision_type: str) -> None:
    # floto and seddy send a bare {"decisionType": "CompleteWorkflowExecution"} to real SWF.
    validate_request("RespondDecisionTaskCompleted", decisions({"decisionType": decision_type}))


def test_non_matching_attributes_are_validated_too() -> None:
    decision = {**record_marker(), "startTimerDecisionAttributes": {"timerId": "t"}}
    assert one_problem("RespondDecisionTaskCompleted", decisions(decision)) == (
        "Value null at 'decisions.1.member.startTimerDecisionAttributes.startToFireTimeout' "
        + NOT_NULL
    )


def test_close_must_be_last() -> None:
    body = decisions(complete(), record_marker())
    assert (
        problems_of("RespondDecisionTaskCompleted", body) == "Close must be last decision in list"
    )


@pytest.mark.parametrize(
    "closing",
    [
        "CompleteWorkflowExecution",
        "FailWorkflowExecution",
        "CancelWorkflowExecution",
        "ContinueAsNewWorkflowExecution",
    ],
)
def test_at_most_one_close(closing: str) -> None:
    body = decisions({"decisionType": closing}, complete())
    assert (
        problems_of("RespondDecisionTaskCompleted", body) == "Close must be last decision in list"
    )


def test_close_last_and_empty_lists_are_fine() -> None:
    validate_request("RespondDecisionTaskCompleted", decisions(record_marker(), complete()))
    validate_request("RespondDecisionTaskCompleted", decisions())
    validate_request("RespondDecisionTaskCompleted", {"taskToken": "t"})


def test_constraint_problems_come_before_decision_rules() -> None:
    body = decisions(complete(), {"decisionType": "Nope"})
    assert "enum value set" in one_problem("RespondDecisionTaskCompleted", body)


# --- documented-only rules: names ---------------------------------------------------------


@pytest.mark.parametrize("bad", ["a:b", "a/b", "a|b", "a\x00b", "a\x1fb", "a\x7fb", "a\x85b"])
def test_forbidden_characters_in_domain_names(bad: str) -> None:
    assert one_problem("RegisterDomain", register_domain(name=bad)) == (
        f"Value '{bad}' at 'name' failed to satisfy constraint: {FORBIDDEN}"
    )


def test_arn_literal() -> None:
    assert one_problem("RegisterDomain", register_domain(name="arn")) == (
        f"Value 'arn' at 'name' failed to satisfy constraint: {ARN}"
    )
    validate_request("RegisterDomain", register_domain(name="arnold"))


@pytest.mark.parametrize("bad", [" d", "d ", "\u00a0d", "d\u3000"])
def test_domain_name_whitespace(bad: str) -> None:
    assert one_problem("RegisterDomain", register_domain(name=bad)) == (
        f"Value '{bad}' at 'name' failed to satisfy constraint: {WHITESPACE}"
    )


def test_several_rules_broken_at_once() -> None:
    message = problems_of("RegisterDomain", register_domain(name=" a:b"))
    assert message.startswith("2 validation errors detected")
    assert FORBIDDEN in message
    assert WHITESPACE in message


@pytest.mark.parametrize(
    ("operation", "body", "path"),
    [
        ("RegisterActivityType", {"domain": "d", "name": "a/b", "version": "1"}, "name"),
        ("RegisterActivityType", {"domain": "d", "name": "a", "version": "1|2"}, "version"),
        ("RegisterWorkflowType", {"domain": "d", "name": "a:b", "version": "1"}, "name"),
        ("RegisterWorkflowType", {"domain": "d", "name": "a", "version": "v/1"}, "version"),
        (
            "RegisterActivityType",
            {"domain": "d", "name": "a", "version": "1", "defaultTaskList": {"name": "t:l"}},
            "defaultTaskList.name",
        ),
        (
            "RegisterWorkflowType",
            {"domain": "d", "name": "a", "version": "1", "defaultTaskList": {"name": "t:l"}},
            "defaultTaskList.name",
        ),
        ("StartWorkflowExecution", start(domain="d:x"), "domain"),
        ("StartWorkflowExecution", start(workflowId="w/1"), "workflowId"),
        ("StartWorkflowExecution", start(taskList={"name": "t|l"}), "taskList.name"),
        ("PollForActivityTask", {"domain": "d", "taskList": {"name": "t:l"}}, "taskList.name"),
        ("PollForDecisionTask", {"domain": "d", "taskList": {"name": "t:l"}}, "taskList.name"),
        (
            "RespondDecisionTaskCompleted",
            {"taskToken": "t", "taskList": {"name": "a:b"}},
            "taskList.name",
        ),
        (
            "RespondDecisionTaskCompleted",
            decisions(schedule_activity("a:1")),
            "decisions.1.member.scheduleActivityTaskDecisionAttributes.activityId",
        ),
        (
            "RespondDecisionTaskCompleted",
            decisions(schedule_activity("a1", taskList={"name": "a/b"})),
            "decisions.1.member.scheduleActivityTaskDecisionAttributes.taskList.name",
        ),
        (
            "RespondDecisionTaskCompleted",
            decisions(
                {
                    "decisionType": "StartTimer",
                    "startTimerDecisionAttributes": {"timerId": "t:1", "startToFireTimeout": "5"},
                }
            ),
            "decisions.1.member.startTimerDecisionAttributes.timerId",
        ),
        (
            "RespondDecisionTaskCompleted",
            decisions(
                {
                    "decisionType": "StartChildWorkflowExecution",
                    "startChildWorkflowExecutionDecisionAttributes": {
                        "workflowType": {"name": "n", "version": "1"},
                        "workflowId": "c|1",
                    },
                }
            ),
            "decisions.1.member.startChildWorkflowExecutionDecisionAttributes.workflowId",
        ),
        (
            "RespondDecisionTaskCompleted",
            decisions(
                {
                    "decisionType": "StartChildWorkflowExecution",
                    "startChildWorkflowExecutionDecisionAttributes": {
                        "workflowType": {"name": "n", "version": "1"},
                        "workflowId": "c",
                        "taskList": {"name": "a:b"},
                    },
                }
            ),
            "decisions.1.member.startChildWorkflowExecutionDecisionAttributes.taskList.name",
        ),
        (
            "RespondDecisionTaskCompleted",
            decisions(
                {
                    "decisionType": "ScheduleLambdaFunction",
                    "scheduleLambdaFunctionDecisionAttributes": {"id": "l:1", "name": "fn"},
                }
            ),
            "decisions.1.member.scheduleLambdaFunctionDecisionAttributes.id",
        ),
    ],
)
def test_forbidden_characters_where_documented(
    operation: str, body: dict[str, Any], path: str
) -> None:
    assert one_problem(operation, body).endswith(
        f"at '{path}' failed to satisfy constraint: {FORBIDDEN}"
    )


def test_arn_literal_in_ids() -> None:
    message = one_problem("StartWorkflowExecution", start(workflowId="arn"))
    assert message == f"Value 'arn' at 'workflowId' failed to satisfy constraint: {ARN}"


@pytest.mark.parametrize("operation", ["PollForActivityTask", "PollForDecisionTask"])
def test_poll_task_list_whitespace(operation: str) -> None:
    body = {"domain": "d", "taskList": {"name": "tl "}}
    assert one_problem(operation, body) == (
        f"Value 'tl ' at 'taskList.name' failed to satisfy constraint: {WHITESPACE}"
    )


def test_names_are_checked_where_created_not_where_looked_up() -> None:
    # An impossible name cannot exist, so a lookup answers UnknownResourceFault later.
    validate_request("DescribeDomain", {"name": "a:b"})
    validate_request(
        "DescribeActivityType", {"domain": "d", "activityType": {"name": "arn", "version": "1"}}
    )
    # Whitespace is only documented for domain names and polled / child task lists.
    validate_request("StartWorkflowExecution", start(taskList={"name": " tl"}))
    # Execution tags have no character rule.
    validate_request("StartWorkflowExecution", start(tagList=["any*thing#"]))


# --- documented-only rules: durations, retention, priority --------------------------------


@pytest.mark.parametrize("good", ["0", "300", "NONE", "99999999", "007"])
def test_valid_durations(good: str) -> None:
    validate_request(
        "RegisterActivityType",
        {"domain": "d", "name": "a", "version": "1", "defaultTaskHeartbeatTimeout": good},
    )


@pytest.mark.parametrize("bad", ["-1", "1.5", "abc", " 5", "+5", "none", "\u0663", "1e3"])
def test_invalid_durations(bad: str) -> None:
    body = {"domain": "d", "name": "a", "version": "1", "defaultTaskHeartbeatTimeout": bad}
    assert one_problem("RegisterActivityType", body) == (
        f"Value '{bad}' at 'defaultTaskHeartbeatTimeout' failed to satisfy constraint: "
        "Member must be a whole number of seconds greater than or equal to 0, or NONE"
    )


def test_empty_optional_duration_is_invalid() -> None:
    body = {"domain": "d", "name": "a", "version": "1", "defaultTaskStartToCloseTimeout": ""}
    assert "Member must be a whole number of seconds" in one_problem("RegisterActivityType", body)


def test_too_long_duration_reports_only_the_length() -> None:
    body = {
        "domain": "d",
        "name": "a",
        "version": "1",
        "defaultTaskStartToCloseTimeout": "123456789",
    }
    assert one_problem("RegisterActivityType", body).endswith("less than or equal to 8")


def test_timer_duration_may_not_be_none() -> None:
    timer = {
        "decisionType": "StartTimer",
        "startTimerDecisionAttributes": {"timerId": "t", "startToFireTimeout": "NONE"},
    }
    assert one_problem("RespondDecisionTaskCompleted", decisions(timer)) == (
        "Value 'NONE' at 'decisions.1.member.startTimerDecisionAttributes.startToFireTimeout' "
        "failed to satisfy constraint: "
        "Member must be a whole number of seconds greater than or equal to 0 (NONE is not allowed)"
    )


def test_task_list_override_timeout_is_a_duration() -> None:
    body = {"taskToken": "t", "taskListScheduleToStartTimeout": "soon"}
    assert "at 'taskListScheduleToStartTimeout'" in one_problem(
        "RespondDecisionTaskCompleted", body
    )


EXECUTION_TIMEOUT = (
    "Member must be a whole number of seconds between 0 and 31536000 (NONE is not allowed)"
)


@pytest.mark.parametrize("bad", ["NONE", "31536001", "99999999"])
def test_execution_timeout_on_start(bad: str) -> None:
    body = start(executionStartToCloseTimeout=bad)
    assert one_problem("StartWorkflowExecution", body) == (
        f"Value '{bad}' at 'executionStartToCloseTimeout' failed to satisfy constraint: "
        + EXECUTION_TIMEOUT
    )


@pytest.mark.parametrize("bad", ["NONE", "31536001"])
def test_default_execution_timeout_on_register(bad: str) -> None:
    body = {"domain": "d", "name": "w", "version": "1", "defaultExecutionStartToCloseTimeout": bad}
    assert one_problem("RegisterWorkflowType", body).endswith(EXECUTION_TIMEOUT)


def test_one_year_execution_timeout_is_fine() -> None:
    validate_request("StartWorkflowExecution", start(executionStartToCloseTimeout="31536000"))
    body = {"domain": "d", "name": "w", "version": "1", "defaultExecutionStartToCloseTimeout": "0"}
    validate_request("RegisterWorkflowType", body)


def test_child_execution_timeout_may_be_none() -> None:
    child = {
        "decisionType": "StartChildWorkflowExecution",
        "startChildWorkflowExecutionDecisionAttributes": {
            "workflowType": {"name": "n", "version": "1"},
            "workflowId": "c",
            "executionStartToCloseTimeout": "NONE",
        },
    }
    validate_request("RespondDecisionTaskCompleted", decisions(child))


def lambda_decision(timeout: str) -> dict[str, Any]:
    attributes = {"id": "l1", "name": "fn", "startToCloseTimeout": timeout}
    return {
        "decisionType": "ScheduleLambdaFunction",
        "scheduleLambdaFunctionDecisionAttributes": attributes,
    }


@pytest.mark.parametrize("good", ["1", "900"])
def test_lambda_timeout_valid(good: str) -> None:
    validate_request("RespondDecisionTaskCompleted", decisions(lambda_decision(good)))


@pytest.mark.parametrize("bad", ["0", "901", "NONE"])
def test_lambda_timeout_invalid(bad: str) -> None:
    message = one_problem("RespondDecisionTaskCompleted", decisions(lambda_decision(bad)))
    assert message.endswith(
        "Member must be a whole number of seconds between 1 and 900 (NONE is not allowed)"
    )


@pytest.mark.parametrize("good", ["0", "1", "90", "NONE"])
def test_valid_retention(good: str) -> None:
    validate_request("RegisterDomain", register_domain(workflowExecutionRetentionPeriodInDays=good))


@pytest.mark.parametrize("bad", ["91", "-1", "x", "365"])
def test_invalid_retention(bad: str) -> None:
    body = register_domain(workflowExecutionRetentionPeriodInDays=bad)
    assert one_problem("RegisterDomain", body) == (
        f"Value '{bad}' at 'workflowExecutionRetentionPeriodInDays' failed to satisfy "
        "constraint: Member must be a whole number of days between 0 and 90, or NONE"
    )


@pytest.mark.parametrize("good", ["0", "-20", "+5", "-2147483648", "2147483647"])
def test_valid_priority(good: str) -> None:
    validate_request("StartWorkflowExecution", start(taskPriority=good))
    validate_request(
        "RespondDecisionTaskCompleted", decisions(schedule_activity(taskPriority=good))
    )


@pytest.mark.parametrize("bad", ["2147483648", "-2147483649", "1.0", "", "x", "NONE"])
def test_invalid_priority(bad: str) -> None:
    body = {"domain": "d", "name": "a", "version": "1", "defaultTaskPriority": bad}
    assert one_problem("RegisterActivityType", body) == (
        f"Value '{bad}' at 'defaultTaskPriority' failed to satisfy constraint: "
        "Member must be a whole number between -2147483648 and 2147483647"
    )


# --- documented-only rules: tags ----------------------------------------------------------

TAG_RULE = (
    "Member must contain only unicode letters, digits, whitespace, "
    "or these symbols: _ . : / = + - @"
)


def test_valid_tags() -> None:
    tags = [{"key": "a b_c.d:e/f=g+h-i@j", "value": "été 数字 ٣"}, {"key": "k"}]
    validate_request("TagResource", {"resourceArn": "arn:aws:swf:r:1:/domain/d", "tags": tags})
    validate_request("RegisterDomain", register_domain(tags=tags))


def test_invalid_tags() -> None:
    body = {"resourceArn": "arn", "tags": [{"key": "ok"}, {"key": "a#b", "value": "x!"}]}
    message = problems_of("TagResource", body)
    assert message == (
        "2 validation errors detected: "
        f"Value 'a#b' at 'tags.2.member.key' failed to satisfy constraint: {TAG_RULE}; "
        f"Value 'x!' at 'tags.2.member.value' failed to satisfy constraint: {TAG_RULE}"
    )


def test_invalid_tag_key_on_untag_and_register() -> None:
    body = {"resourceArn": "arn", "tagKeys": ["a*"]}
    assert one_problem("UntagResource", body).endswith(
        f"at 'tagKeys.1.member' failed to satisfy constraint: {TAG_RULE}"
    )
    body = register_domain(tags=[{"key": "k", "value": "<v>"}])
    assert "at 'tags.1.member.value'" in one_problem("RegisterDomain", body)


def test_invalid_tag_filter() -> None:
    body = {"domain": "d", "startTimeFilter": {"oldestDate": 0}, "tagFilter": {"tag": "a*b"}}
    assert one_problem("ListOpenWorkflowExecutions", body) == (
        f"Value 'a*b' at 'tagFilter.tag' failed to satisfy constraint: {TAG_RULE}"
    )


# --- wrong JSON types ---------------------------------------------------------------------


@pytest.mark.parametrize("body", [[], "x", 5, None, True])
def test_body_must_be_an_object(body: object) -> None:
    assert serialization_error("ListDomains", body) == "The request body must be a JSON object"


@pytest.mark.parametrize(
    ("operation", "body", "message"),
    [
        ("DescribeDomain", {"name": 5}, "Expected a string at 'name', got a number"),
        ("DescribeDomain", {"name": ["d"]}, "Expected a string at 'name', got a list"),
        (
            "PollForActivityTask",
            {"domain": "d", "taskList": "tl"},
            "Expected an object at 'taskList', got a string",
        ),
        (
            "ListDomains",
            {"registrationStatus": "REGISTERED", "maximumPageSize": "5"},
            "Expected an integer at 'maximumPageSize', got a string",
        ),
        (
            "ListDomains",
            {"registrationStatus": "REGISTERED", "maximumPageSize": True},
            "Expected an integer at 'maximumPageSize', got a boolean",
        ),
        (
            "ListDomains",
            {"registrationStatus": "REGISTERED", "maximumPageSize": 5.0},
            "Expected an integer at 'maximumPageSize', got a number",
        ),
        (
            "ListDomains",
            {"registrationStatus": "REGISTERED", "reverseOrder": "true"},
            "Expected a boolean at 'reverseOrder', got a string",
        ),
        (
            "ListDomains",
            {"registrationStatus": "REGISTERED", "reverseOrder": 1},
            "Expected a boolean at 'reverseOrder', got a number",
        ),
        (
            "ListOpenWorkflowExecutions",
            {"domain": "d", "startTimeFilter": {"oldestDate": "2024-01-01"}},
            "Expected a number (epoch seconds) at 'startTimeFilter.oldestDate', got a string",
        ),
        (
            "ListOpenWorkflowExecutions",
            {"domain": "d", "startTimeFilter": {"oldestDate": False}},
            "Expected a number (epoch seconds) at 'startTimeFilter.oldestDate', got a boolean",
        ),
        (
            "StartWorkflowExecution",
            start(tagList="a"),
            "Expected a list at 'tagList', got a string",
        ),
        (
            "RespondDecisionTaskCompleted",
            {"taskToken": "t", "decisions": {}},
            "Expected a list at 'decisions', got an object",
        ),
        (
            "RespondDecisionTaskCompleted",
            decisions("CompleteWorkflowExecution"),  # type: ignore[arg-type]
            "Expected an object at 'decisions.1.member', got a string",
        ),
        (
            "RespondDecisionTaskCompleted",
            decisions(schedule_activity(activityType={"name": 1, "version": "1"})),
            "Expected a string at "
            "'decisions.1.member.scheduleActivityTaskDecisionAttributes.activityType.name', "
            "got a number",
        ),
    ],
)
def test_wrong_json_types(operation: str, body: dict[str, Any], message: str) -> None:
    assert serialization_error(operation, body) == message


@pytest.mark.parametrize("date", [0, 1704164645, 1704164645.678, 1.704164645678e9])
def test_timestamps_are_any_json_number(date: float) -> None:
    body = {"domain": "d", "startTimeFilter": {"oldestDate": date, "latestDate": date}}
    validate_request("ListOpenWorkflowExecutions", body)


def test_wrong_type_wins_over_constraint_problems() -> None:
    body = {"registrationStatus": "BOGUS", "maximumPageSize": "x"}
    serialization_error("ListDomains", body)


# --- nulls and unknown members ------------------------------------------------------------


def test_clean_body_is_returned_as_is() -> None:
    body = decisions(schedule_activity(input="{}"), record_marker(), complete())
    assert validate_request("RespondDecisionTaskCompleted", body) is body


def test_nulls_are_dropped_everywhere() -> None:
    body: dict[str, Any] = {
        "taskToken": "t",
        "executionContext": None,
        "decisions": [
            record_marker(),
            {
                "decisionType": "ScheduleActivityTask",
                "scheduleActivityTaskDecisionAttributes": {
                    "activityType": {"name": "a", "version": "1"},
                    "activityId": "a1",
                    "input": None,
                    "taskList": {"name": "tl"},
                },
                "startTimerDecisionAttributes": None,
            },
        ],
    }
    cleaned = validate_request("RespondDecisionTaskCompleted", body)
    assert cleaned == {
        "taskToken": "t",
        "decisions": [
            record_marker(),
            {
                "decisionType": "ScheduleActivityTask",
                "scheduleActivityTaskDecisionAttributes": {
                    "activityType": {"name": "a", "version": "1"},
                    "activityId": "a1",
                    "taskList": {"name": "tl"},
                },
            },
        ],
    }
    # The caller's body is left alone, and untouched parts are shared rather than copied.
    assert body["executionContext"] is None
    assert body["decisions"][1]["scheduleActivityTaskDecisionAttributes"]["input"] is None
    assert cleaned["decisions"][0] is body["decisions"][0]


def test_unknown_members_are_ignored_and_dropped() -> None:
    body = {"name": "d", "Name": 5, "extra": {"deep": [1, None]}, "nothing": None}
    assert validate_request("DescribeDomain", body) == {"name": "d"}
    nested = {"domain": "d", "taskList": {"name": "tl", "kind": "NORMAL"}}
    assert validate_request("PollForActivityTask", nested) == {
        "domain": "d",
        "taskList": {"name": "tl"},
    }


def test_empty_object_for_all_optional_input() -> None:
    # No operation has an all-optional input, but every structure member may be {} when
    # it has no required members.
    body = {
        "taskToken": "t",
        "decisions": [
            {"decisionType": "FailWorkflowExecution", "failWorkflowExecutionDecisionAttributes": {}}
        ],
    }
    assert validate_request("RespondDecisionTaskCompleted", body) is body
