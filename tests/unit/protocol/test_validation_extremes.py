"""Inputs that once answered 500: huge numbers, out-of-range timestamps, deep nesting."""

from __future__ import annotations

from typing import Any

import pytest

from openswf.protocol.faults import SerializationException, ValidationException
from openswf.protocol.validation import validate_request

START = {"domain": "d", "workflowId": "w", "workflowType": {"name": "t", "version": "1"}}
PRIORITY_TEXT = "Member must be a whole number between -2147483648 and 2147483647"


def _nested(depth: int) -> Any:
    value: Any = []
    for _ in range(depth):
        value = [value]
    return value


@pytest.mark.parametrize(
    "priority", ["9" * 5000, "-" + "9" * 10_000, "0" * 10_000 + "1", "2147483648", "+" * 2]
)
def test_task_priority_of_any_length_is_a_validation_error(priority: str) -> None:
    with pytest.raises(ValidationException) as caught:
        validate_request("StartWorkflowExecution", {**START, "taskPriority": priority})
    assert PRIORITY_TEXT in caught.value.message


@pytest.mark.parametrize("priority", ["0" * 15 + "7", "-2147483648", "+2147483647", "-0"])
def test_task_priority_with_leading_zeros_or_at_the_bounds_is_valid(priority: str) -> None:
    validate_request("StartWorkflowExecution", {**START, "taskPriority": priority})


def test_a_duration_of_leading_zeros_is_read_without_converting_the_whole_string() -> None:
    validate_request("StartWorkflowExecution", {**START, "taskStartToCloseTimeout": "00000060"})


@pytest.mark.parametrize("date", [1e308, -1e308, 18446744073709551615, 2**63, 9.3e15])
def test_timestamps_beyond_a_java_date_do_not_deserialize(date: float) -> None:
    body = {"domain": "d", "startTimeFilter": {"oldestDate": date}}
    with pytest.raises(SerializationException) as caught:
        validate_request("ListOpenWorkflowExecutions", body)
    assert caught.value.message == (
        "Expected a number (epoch seconds) at 'startTimeFilter.oldestDate', "
        "got a number out of range"
    )


@pytest.mark.parametrize("date", [0, -1.5, 9_223_372_036_854_775, 1.704164645678e9])
def test_timestamps_a_java_date_holds_are_valid(date: float) -> None:
    body = {"domain": "d", "startTimeFilter": {"oldestDate": date}}
    validate_request("ListOpenWorkflowExecutions", body)


@pytest.mark.parametrize("size", [2**31, -(2**31) - 1, 18446744073709551615])
def test_integers_beyond_a_java_int_do_not_deserialize(size: int) -> None:
    with pytest.raises(SerializationException, match="got a number out of range"):
        validate_request(
            "ListDomains", {"registrationStatus": "REGISTERED", "maximumPageSize": size}
        )


def test_an_int_within_java_but_above_the_model_max_is_a_validation_error() -> None:
    with pytest.raises(ValidationException, match="less than or equal to 1000"):
        validate_request(
            "ListDomains", {"registrationStatus": "REGISTERED", "maximumPageSize": 2**31 - 1}
        )


@pytest.mark.parametrize("depth", [600, 1000])
def test_a_deeply_nested_tag_in_a_too_long_tag_list_is_a_serialization_error(depth: int) -> None:
    # Six tags (one too many) puts a length problem, which renders the list, before the
    # wrong type of the first element is found: the rendering must survive the nesting.
    body = {**START, "tagList": [_nested(depth), "a", "b", "c", "d", "e"]}
    with pytest.raises(SerializationException, match="tagList.1.member"):
        validate_request("StartWorkflowExecution", body)
