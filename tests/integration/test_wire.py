"""The wire format (reference §1): targets, content types, coral errors, empty void answers,
request IDs, server-side validation, nulls, value encodings and region scoping.

boto3 hides most of this, so many tests speak raw HTTP to the server. Unsigned raw requests
are served in the default region (us-east-1), the region of the session ``swf`` client.
"""

from __future__ import annotations

import http.client
import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pytest
from botocore.exceptions import ClientError

from openswf.testing import LocalServer
from tests.conftest import make_client, unique

TARGET = "SimpleWorkflowService."
LEGACY_TARGET = "com.amazonaws.swf.service.model.SimpleWorkflowService."
JSON_10 = "application/x-amz-json-1.0"
SWF_FAULT = "com.amazonaws.swf.base.model#"
VALIDATION = "com.amazon.coral.validate#ValidationException"
UNKNOWN_OPERATION = "com.amazon.coral.service#UnknownOperationException"
SERIALIZATION = "com.amazon.coral.service#SerializationException"


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def post(
    server: LocalServer,
    operation: str | None,
    body: Any = None,
    *,
    raw: bytes | None = None,
    prefix: str = TARGET,
    content_type: str = JSON_10,
    headers: dict[str, str] | None = None,
) -> Reply:
    """POST / with a JSON ``body`` (or exact ``raw`` bytes); unsigned unless told."""
    url = urlsplit(server.endpoint)
    payload = raw if raw is not None else json.dumps({} if body is None else body).encode()
    sent = {"Content-Type": content_type}
    if operation is not None:
        sent["X-Amz-Target"] = prefix + operation
    sent.update(headers or {})
    conn = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port, timeout=30)
    try:
        conn.request("POST", "/", body=payload, headers=sent)
        response = conn.getresponse()
        reply = Reply(
            status=response.status,
            headers={k.lower(): v for k, v in response.getheaders()},
            body=response.read(),
        )
    finally:
        conn.close()
    assert reply.status != 500, f"internal failure: {reply.body!r}"
    return reply


def assert_error(reply: Reply, wire_type: str) -> dict[str, Any]:
    assert reply.status == 400, (reply.status, reply.body)
    body: dict[str, Any] = reply.json()
    assert body["__type"] == wire_type, body
    assert reply.headers.get("x-amzn-requestid")
    # botocore would take this header's first component as the error code (reference §1.4).
    query_error = reply.headers.get("x-amzn-query-error")
    assert query_error is None or query_error.split(";")[0] == wire_type.rsplit("#", 1)[-1]
    return body


@pytest.fixture(scope="module")
def domain(swf: Any) -> str:
    """One domain (with wf/1 and act/1, every default set) for the whole module: few domains
    in us-east-1 keep the suite under SWF's quota of 100 domains per region."""
    name = unique("wire")
    swf.register_domain(name=name, workflowExecutionRetentionPeriodInDays="1")
    swf.register_workflow_type(
        domain=name,
        name="wf",
        version="1",
        defaultTaskList={"name": "decisions"},
        defaultExecutionStartToCloseTimeout="3600",
        defaultTaskStartToCloseTimeout="60",
        defaultChildPolicy="TERMINATE",
    )
    swf.register_activity_type(
        domain=name,
        name="act",
        version="1",
        defaultTaskList={"name": "activities"},
        defaultTaskScheduleToStartTimeout="600",
        defaultTaskScheduleToCloseTimeout="1200",
        defaultTaskStartToCloseTimeout="600",
        defaultTaskHeartbeatTimeout="NONE",
    )
    return name


def register(server: LocalServer, name: str) -> Reply:
    body = {"name": name, "workflowExecutionRetentionPeriodInDays": "1"}
    return post(server, "RegisterDomain", body)


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


# --- routing and content types ------------------------------------------------------------


@pytest.mark.parametrize("prefix", [TARGET, LEGACY_TARGET])
def test_both_target_prefixes_route_to_the_operation(
    server: LocalServer, swf: Any, domain: str, prefix: str
) -> None:
    name = unique("prefix")
    body = {"domain": domain, "name": name, "version": "1", "description": "via " + prefix}
    reply = post(server, "RegisterActivityType", body, prefix=prefix)
    assert (reply.status, reply.body) == (200, b"")
    ref = {"domain": domain, "activityType": {"name": name, "version": "1"}}
    described = post(server, "DescribeActivityType", ref, prefix=prefix)
    assert described.status == 200
    assert described.json()["typeInfo"]["description"] == "via " + prefix
    listed = post(server, "ListDomains", {"registrationStatus": "REGISTERED"}, prefix=prefix)
    assert domain in [d["name"] for d in listed.json()["domainInfos"]]
    detail = swf.describe_activity_type(**ref)
    assert detail["typeInfo"]["description"] == "via " + prefix


@pytest.mark.parametrize(
    ("content_type", "extra"),
    [
        (JSON_10, {}),
        ("application/json", {}),
        ("application/json; charset=UTF-8", {"Content-Encoding": "amz-1.0"}),
        ("application/json", {"Content-Encoding": "amz-1.0"}),
    ],
)
def test_json_content_types_are_accepted(
    server: LocalServer, domain: str, content_type: str, extra: dict[str, str]
) -> None:
    name = unique("ctype")
    body = {"domain": domain, "name": name, "version": "1"}
    reply = post(server, "RegisterActivityType", body, content_type=content_type, headers=extra)
    assert (reply.status, reply.body) == (200, b"")
    ref = {"domain": domain, "activityType": {"name": name, "version": "1"}}
    reply = post(server, "DescribeActivityType", ref, content_type=content_type, headers=extra)
    assert reply.status == 200
    assert reply.headers["content-type"].startswith(JSON_10)
    assert reply.json()["typeInfo"]["status"] == "REGISTERED"


@pytest.mark.parametrize(
    "target",
    [
        "SimpleWorkflowService.NoSuchOperation",
        "com.amazonaws.swf.service.model.SimpleWorkflowService.NoSuchOperation",
        "SimpleWorkflowService.",
        "Other.ListDomains",
        "ListDomains",
    ],
)
def test_unknown_operation_is_a_coral_unknown_operation(server: LocalServer, target: str) -> None:
    reply = post(server, target, {"registrationStatus": "REGISTERED"}, prefix="")
    assert_error(reply, UNKNOWN_OPERATION)


def test_missing_target_is_a_coral_unknown_operation(server: LocalServer) -> None:
    assert_error(post(server, None, {"registrationStatus": "REGISTERED"}), UNKNOWN_OPERATION)


@pytest.mark.parametrize(
    "raw",
    [b"{", b'{"registrationStatus": "REGISTERED"', b"not json", b'{"a": }', b"\xff\xfe"],
)
def test_malformed_json_is_a_serialization_exception(server: LocalServer, raw: bytes) -> None:
    assert_error(post(server, "ListDomains", raw=raw), SERIALIZATION)


@pytest.mark.parametrize("raw", [b"[]", b'"REGISTERED"', b"42", b"null", b"true"])
def test_a_body_that_is_not_an_object_is_a_serialization_exception(
    server: LocalServer, raw: bytes
) -> None:
    assert_error(post(server, "ListDomains", raw=raw), SERIALIZATION)


def test_a_member_of_the_wrong_json_type_is_a_serialization_exception(
    server: LocalServer,
) -> None:
    reply = post(server, "ListDomains", {"registrationStatus": "REGISTERED", "reverseOrder": "x"})
    assert_error(reply, SERIALIZATION)
    reply = post(server, "DescribeDomain", {"name": 42})
    assert_error(reply, SERIALIZATION)


# --- successful answers -------------------------------------------------------------------


def test_void_operations_answer_200_with_an_empty_body(server: LocalServer) -> None:
    name = unique("void")
    wf = {"name": "wf", "version": "1"}
    calls: list[tuple[str, dict[str, Any]]] = [
        ("RegisterDomain", {"name": name, "workflowExecutionRetentionPeriodInDays": "1"}),
        (
            "RegisterWorkflowType",
            {
                "domain": name,
                "name": "wf",
                "version": "1",
                "defaultTaskList": {"name": "decisions"},
                "defaultExecutionStartToCloseTimeout": "3600",
                "defaultTaskStartToCloseTimeout": "60",
                "defaultChildPolicy": "TERMINATE",
            },
        ),
        ("RegisterActivityType", {"domain": name, "name": "act", "version": "1"}),
        (
            "DeprecateActivityType",
            {"domain": name, "activityType": {"name": "act", "version": "1"}},
        ),
        (
            "UndeprecateActivityType",
            {"domain": name, "activityType": {"name": "act", "version": "1"}},
        ),
        ("StartWorkflowExecution", {"domain": name, "workflowId": "w", "workflowType": wf}),
        ("SignalWorkflowExecution", {"domain": name, "workflowId": "w", "signalName": "s"}),
        ("RequestCancelWorkflowExecution", {"domain": name, "workflowId": "w"}),
        ("TerminateWorkflowExecution", {"domain": name, "workflowId": "w"}),
        ("DeprecateWorkflowType", {"domain": name, "workflowType": wf}),
        ("DeleteWorkflowType", {"domain": name, "workflowType": wf}),
        ("DeprecateDomain", {"name": name}),
        ("UndeprecateDomain", {"name": name}),
    ]
    for operation, body in calls:
        reply = post(server, operation, body)
        if operation == "StartWorkflowExecution":
            assert reply.status == 200, reply.body
            assert set(reply.json()) == {"runId"}
            continue
        assert (reply.status, reply.body) == (200, b""), operation
        assert reply.headers["content-length"] == "0", operation
        assert reply.headers.get("x-amzn-requestid"), operation


def test_request_id_header_is_botocore_request_id(swf: Any, server: LocalServer) -> None:
    response = swf.list_domains(registrationStatus="REGISTERED")
    metadata = response["ResponseMetadata"]
    assert metadata["RequestId"]
    assert metadata["RequestId"] == metadata["HTTPHeaders"]["x-amzn-requestid"]
    with pytest.raises(ClientError) as caught:
        swf.describe_domain(name=unique("nope"))
    error_metadata = caught.value.response["ResponseMetadata"]
    assert error_metadata["RequestId"]
    assert error_metadata["RequestId"] == error_metadata["HTTPHeaders"]["x-amzn-requestid"]
    # Each answer has its own ID.
    ids = {
        post(server, "ListDomains", {"registrationStatus": "REGISTERED"}).headers[
            "x-amzn-requestid"
        ]
        for _ in range(3)
    }
    assert len(ids) == 3


# --- faults -------------------------------------------------------------------------------


def test_faults_carry_the_swf_namespace_and_a_message(server: LocalServer, swf: Any) -> None:
    name = unique("nope")
    body = assert_error(
        post(server, "DescribeDomain", {"name": name}), SWF_FAULT + "UnknownResourceFault"
    )
    assert body["message"] == f"Unknown domain: {name}"
    existing = unique("dup")
    swf.register_domain(name=existing, workflowExecutionRetentionPeriodInDays="1")
    assert_error(register(server, existing), SWF_FAULT + "DomainAlreadyExistsFault")
    swf.deprecate_domain(name=existing)
    assert_error(
        post(server, "DeprecateDomain", {"name": existing}), SWF_FAULT + "DomainDeprecatedFault"
    )
    with pytest.raises(swf.exceptions.DomainDeprecatedFault) as caught:
        swf.deprecate_domain(name=existing)
    assert caught.value.response["Error"]["Code"] == "DomainDeprecatedFault"


def test_validation_errors_use_the_coral_type_on_the_wire(server: LocalServer) -> None:
    body = assert_error(post(server, "ListDomains", {"registrationStatus": "BOGUS"}), VALIDATION)
    assert body["message"] == (
        "1 validation error detected: Value 'BOGUS' at 'registrationStatus' failed to satisfy "
        "constraint: Member must satisfy enum value set: [REGISTERED, DEPRECATED]"
    )
    reply = post(server, "ListDomains", {"registrationStatus": "REGISTERED", "maximumPageSize": -1})
    assert assert_error(reply, VALIDATION)["message"] == (
        "1 validation error detected: Value '-1' at 'maximumPageSize' failed to satisfy "
        "constraint: Member must have value greater than or equal to 0"
    )
    body = assert_error(post(server, "DescribeDomain", {}), VALIDATION)
    assert body["message"] == (
        "1 validation error detected: Value null at 'name' failed to satisfy constraint: "
        "Member must not be null"
    )


def _start(swf: Any, domain: str, **extra: Any) -> None:
    swf.start_workflow_execution(
        domain=domain, workflowId=unique("v"), workflowType={"name": "wf", "version": "1"}, **extra
    )


VALIDATION_CASES: list[tuple[str, Any, str]] = [
    (
        "domain name of 257 chars",
        lambda swf, domain: swf.register_domain(
            name="d" * 257, workflowExecutionRetentionPeriodInDays="1"
        ),
        f"Value '{'d' * 257}' at 'name' failed to satisfy constraint: "
        "Member must have length less than or equal to 256",
    ),
    (
        "domain member of 257 chars",
        lambda swf, domain: swf.describe_workflow_type(
            domain="d" * 257, workflowType={"name": "wf", "version": "1"}
        ),
        f"Value '{'d' * 257}' at 'domain' failed to satisfy constraint: "
        "Member must have length less than or equal to 256",
    ),
    (
        "registrationStatus BOGUS",
        lambda swf, domain: swf.list_domains(registrationStatus="BOGUS"),
        "Value 'BOGUS' at 'registrationStatus' failed to satisfy constraint: "
        "Member must satisfy enum value set: [REGISTERED, DEPRECATED]",
    ),
    (
        "maximumPageSize 1001",
        lambda swf, domain: swf.list_domains(registrationStatus="REGISTERED", maximumPageSize=1001),
        "Value '1001' at 'maximumPageSize' failed to satisfy constraint: "
        "Member must have value less than or equal to 1000",
    ),
    (
        "tagList of 6",
        lambda swf, domain: _start(swf, domain, tagList=[f"t{i}" for i in range(6)]),
        "Value '[t0, t1, t2, t3, t4, t5]' at 'tagList' failed to satisfy constraint: "
        "Member must have length less than or equal to 5",
    ),
    (
        "input of 32769 chars",
        lambda swf, domain: _start(swf, domain, input="x" * 32769),
        f"Value '{'x' * 32769}' at 'input' failed to satisfy constraint: "
        "Member must have length less than or equal to 32768",
    ),
]


@pytest.mark.parametrize(
    ("call", "problem"),
    [case[1:] for case in VALIDATION_CASES],
    ids=[case[0] for case in VALIDATION_CASES],
)
def test_server_side_validation_errors_reach_boto3(
    swf: Any, domain: str, call: Any, problem: str
) -> None:
    with pytest.raises(ClientError) as caught:
        call(swf, domain)
    error = caught.value.response["Error"]
    assert error["Code"] == "ValidationException"
    assert error["Message"] == "1 validation error detected: " + problem
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_input_of_exactly_32768_chars_is_accepted(swf: Any, domain: str) -> None:
    _start(swf, domain, input="x" * 32768, tagList=[f"t{i}" for i in range(5)])


def test_several_problems_are_reported_together(server: LocalServer) -> None:
    body = {"registrationStatus": "BOGUS", "maximumPageSize": 1001}
    message = assert_error(post(server, "ListDomains", body), VALIDATION)["message"]
    assert message.startswith("2 validation errors detected: ")
    assert "at 'registrationStatus'" in message
    assert "; " in message
    assert "at 'maximumPageSize'" in message


# --- nulls and value encodings ------------------------------------------------------------


def test_null_members_are_treated_as_absent(server: LocalServer, swf: Any, domain: str) -> None:
    name = unique("null")
    body = {"name": name, "workflowExecutionRetentionPeriodInDays": "1", "description": None}
    assert post(server, "RegisterDomain", body).status == 200
    assert "description" not in swf.describe_domain(name=name)["domainInfo"]

    listing = {
        "registrationStatus": "REGISTERED",
        "nextPageToken": None,
        "maximumPageSize": None,
        "reverseOrder": None,
    }
    reply = post(server, "ListDomains", listing)
    assert reply.status == 200
    assert name in [d["name"] for d in reply.json()["domainInfos"]]

    workflow_id = unique("null")
    start = {
        "domain": domain,
        "workflowId": workflow_id,
        "workflowType": {"name": "wf", "version": "1"},
        "taskList": None,
        "input": None,
        "tagList": None,
        "taskPriority": None,
        "childPolicy": None,
        "executionStartToCloseTimeout": None,
        "taskStartToCloseTimeout": None,
        "lambdaRole": None,
    }
    reply = post(server, "StartWorkflowExecution", start)
    assert reply.status == 200, reply.body
    run = {"workflowId": workflow_id, "runId": reply.json()["runId"]}
    started = swf.get_workflow_execution_history(domain=domain, execution=run)["events"][0]
    assert started["workflowExecutionStartedEventAttributes"] == {
        "executionStartToCloseTimeout": "3600",
        "taskStartToCloseTimeout": "60",
        "childPolicy": "TERMINATE",
        "taskList": {"name": "decisions"},
        "taskPriority": "0",
        "workflowType": {"name": "wf", "version": "1"},
        "parentInitiatedEventId": 0,
    }


def test_timestamps_are_numbers_and_durations_strings(
    server: LocalServer, swf: Any, domain: str
) -> None:
    described = post(server, "DescribeDomain", {"name": domain}).json()
    assert described["configuration"] == {"workflowExecutionRetentionPeriodInDays": "1"}

    wf_type = post(
        server,
        "DescribeWorkflowType",
        {"domain": domain, "workflowType": {"name": "wf", "version": "1"}},
    ).json()
    assert is_number(wf_type["typeInfo"]["creationDate"])
    assert wf_type["configuration"]["defaultExecutionStartToCloseTimeout"] == "3600"
    assert wf_type["configuration"]["defaultTaskStartToCloseTimeout"] == "60"
    act_type = post(
        server,
        "DescribeActivityType",
        {"domain": domain, "activityType": {"name": "act", "version": "1"}},
    ).json()
    assert act_type["configuration"]["defaultTaskHeartbeatTimeout"] == "NONE"

    workflow_id = unique("enc")
    start = {
        "domain": domain,
        "workflowId": workflow_id,
        "workflowType": {"name": "wf", "version": "1"},
        "taskPriority": "-20",
    }
    run = {
        "workflowId": workflow_id,
        "runId": post(server, "StartWorkflowExecution", start).json()["runId"],
    }
    events = post(server, "GetWorkflowExecutionHistory", {"domain": domain, "execution": run})
    first, second = events.json()["events"]
    assert all(is_number(e["eventTimestamp"]) for e in (first, second))
    assert isinstance(first["eventId"], int)
    started = first["workflowExecutionStartedEventAttributes"]
    assert started["executionStartToCloseTimeout"] == "3600"
    assert started["taskPriority"] == "-20"
    scheduled = second["decisionTaskScheduledEventAttributes"]
    assert scheduled["startToCloseTimeout"] == "60"
    assert scheduled["taskPriority"] == "-20"

    detail = post(server, "DescribeWorkflowExecution", {"domain": domain, "execution": run}).json()
    assert is_number(detail["executionInfo"]["startTimestamp"])
    assert detail["executionConfiguration"]["taskStartToCloseTimeout"] == "60"
    assert detail["executionConfiguration"]["taskPriority"] == "-20"
    assert detail["openCounts"]["openDecisionTasks"] == 1

    # Requests may carry timestamps as integers or as Java-style doubles.
    for oldest in ("0", "1.0E9", "1000000000.5"):
        raw = (
            f'{{"domain": "{domain}", "startTimeFilter": {{"oldestDate": {oldest}}}, '
            f'"executionFilter": {{"workflowId": "{workflow_id}"}}}}'
        ).encode()
        listed = post(server, "ListOpenWorkflowExecutions", raw=raw)
        assert listed.status == 200, listed.body
        infos = listed.json()["executionInfos"]
        assert [i["execution"] for i in infos] == [run]
        assert is_number(infos[0]["startTimestamp"])
        assert infos[0]["startTimestamp"] == detail["executionInfo"]["startTimestamp"]


def test_empty_lists_are_present(server: LocalServer, swf: Any, domain: str) -> None:
    listing = {"domain": domain, "registrationStatus": "DEPRECATED"}
    assert post(server, "ListWorkflowTypes", listing).json() == {"typeInfos": []}
    query = {
        "domain": domain,
        "startTimeFilter": {"oldestDate": 0},
        "executionFilter": {"workflowId": unique("nobody")},
    }
    assert post(server, "ListOpenWorkflowExecutions", query).json() == {"executionInfos": []}
    assert post(server, "CountOpenWorkflowExecutions", query).json() == {
        "count": 0,
        "truncated": False,
    }


# --- regions and credentials --------------------------------------------------------------


def test_domains_are_scoped_per_region(server: LocalServer, swf: Any) -> None:
    europe = make_client(server.endpoint, region="eu-west-1")
    american = unique("us")
    swf.register_domain(name=american, workflowExecutionRetentionPeriodInDays="1")
    with pytest.raises(europe.exceptions.UnknownResourceFault):
        europe.describe_domain(name=american)

    european = unique("eu")
    europe.register_domain(name=european, workflowExecutionRetentionPeriodInDays="2")
    with pytest.raises(swf.exceptions.UnknownResourceFault):
        swf.describe_domain(name=european)
    arn = europe.describe_domain(name=european)["domainInfo"]["arn"]
    assert re.fullmatch(rf"arn:aws:swf:eu-west-1:\d{{12}}:/domain/{european}", arn)

    # The same name may exist once per region.
    europe.register_domain(name=american, workflowExecutionRetentionPeriodInDays="5")
    assert swf.describe_domain(name=american)["configuration"] == {
        "workflowExecutionRetentionPeriodInDays": "1"
    }
    assert europe.describe_domain(name=american)["configuration"] == {
        "workflowExecutionRetentionPeriodInDays": "5"
    }
    listed = europe.list_domains(registrationStatus="REGISTERED")["domainInfos"]
    assert european in [d["name"] for d in listed]


def test_unsigned_requests_are_served_in_the_default_region(server: LocalServer, swf: Any) -> None:
    europe = make_client(server.endpoint, region="eu-west-1")
    signed = unique("signed")
    swf.register_domain(name=signed, workflowExecutionRetentionPeriodInDays="1")
    described = post(server, "DescribeDomain", {"name": signed})
    assert described.status == 200
    assert ":us-east-1:" in described.json()["domainInfo"]["arn"]

    unsigned = unique("unsigned")
    assert register(server, unsigned).status == 200
    assert swf.describe_domain(name=unsigned)["domainInfo"]["name"] == unsigned
    with pytest.raises(europe.exceptions.UnknownResourceFault):
        europe.describe_domain(name=unsigned)


@pytest.mark.parametrize(
    "authorization",
    [
        "garbage",
        "AWS4-HMAC-SHA256",
        "AWS4-HMAC-SHA256 Credential=broken",
        "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/swf/aws4_request",
        "AWS3 AWSAccessKeyId=AKID,Algorithm=HmacSHA256,Signature=x",
    ],
)
def test_a_garbage_authorization_header_gets_a_coral_error(
    server: LocalServer, authorization: str
) -> None:
    reply = post(
        server,
        "ListDomains",
        {"registrationStatus": "REGISTERED"},
        headers={"Authorization": authorization},
    )
    assert 400 <= reply.status < 500, (reply.status, reply.body)
    assert reply.json()["__type"].startswith("com.amazon.coral.service#"), reply.body
    assert reply.headers.get("x-amzn-requestid")
