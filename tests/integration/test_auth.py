"""Access keys over real HTTP: the framework's client, boto3, the AWS CLI and simpleflow, each
with a good key, a wrong secret, an unknown key, a read-only key that tries to write and a key
limited to other domains; task-token calls follow the domain of the token's run; ListDomains
shows only what a key may see; HTTPS with a self-signed certificate."""

from __future__ import annotations

import json
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from openswf.protocol import faults
from openswf.sdk import Client
from openswf.sdk.credentials import Credentials
from openswf.server.sigv4 import SIGNATURE_MISMATCH
from openswf.testing import LocalServer
from tests.conftest import TEST_SETTINGS, Databases, unique
from tests.integration.test_aws_cli import AWS, Cli
from tests.integration.test_simpleflow import SIMPLEFLOW, WORKFLOW
from tests.integration.test_simpleflow import _env as simpleflow_env
from tests.integration.test_simpleflow import _run as run_simpleflow
from tests.tls import self_signed_cert

KEYS = """
[[keys]]
id = "AKIDADMIN"
secret = "admin-secret"

[[keys]]
id = "AKIDAUTH"
secret = "auth-secret"
domains = ["auth-*"]

[[keys]]
id = "AKIDREAD"
secret = "read-secret"
read_only = true

[[keys]]
id = "AKIDOTHER"
secret = "other-secret"
domains = ["other-*"]
"""
ADMIN = ("AKIDADMIN", "admin-secret")
GOOD = ("AKIDAUTH", "auth-secret")  # limited to auth-* domains, which the tests use
WRONG_SECRET = ("AKIDAUTH", "not-the-secret")
UNKNOWN = ("AKIDNOBODY", "whatever")
READ_ONLY = ("AKIDREAD", "read-secret")
OTHER = ("AKIDOTHER", "other-secret")
UNRECOGNIZED = "The security token included in the request is invalid."


@pytest.fixture(scope="module")
def keys_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("keys") / "keys.toml"
    path.write_text(KEYS)
    return path


@pytest.fixture(scope="module")
def keyed(backend: str, session_databases: Databases, keys_file: Path) -> Iterator[LocalServer]:
    url = session_databases.new(backend)
    with LocalServer(url, settings=TEST_SETTINGS, access_keys=keys_file) as running:
        yield running
    session_databases.drop(url)


def boto(endpoint: str, key: tuple[str, str], **extra: Any) -> Any:
    return boto3.client(
        "swf",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id=key[0],
        aws_secret_access_key=key[1],
        config=Config(read_timeout=70, retries={"max_attempts": 1}),
        **extra,
    )


def error_of(call: Any, *args: Any, **kwargs: Any) -> tuple[str, str, int]:
    with pytest.raises(ClientError) as caught:
        call(*args, **kwargs)
    response = caught.value.response
    return (
        response["Error"]["Code"],
        response["Error"]["Message"],
        response["ResponseMetadata"]["HTTPStatusCode"],
    )


def register(swf: Any, domain: str) -> None:
    swf.register_domain(name=domain, workflowExecutionRetentionPeriodInDays="1")
    swf.register_workflow_type(
        domain=domain,
        name="wf",
        version="1",
        defaultTaskList={"name": "decisions"},
        defaultExecutionStartToCloseTimeout="3600",
        defaultTaskStartToCloseTimeout="60",
        defaultChildPolicy="TERMINATE",
    )
    swf.register_activity_type(
        domain=domain,
        name="act",
        version="1",
        defaultTaskList={"name": "activities"},
        defaultTaskScheduleToStartTimeout="600",
        defaultTaskScheduleToCloseTimeout="1200",
        defaultTaskStartToCloseTimeout="600",
        defaultTaskHeartbeatTimeout="NONE",
    )


def start(swf: Any, domain: str) -> dict[str, str]:
    workflow_id = unique("wf")
    run_id = swf.start_workflow_execution(
        domain=domain, workflowId=workflow_id, workflowType={"name": "wf", "version": "1"}
    )["runId"]
    return {"workflowId": workflow_id, "runId": run_id}


SCHEDULE = [
    {
        "decisionType": "ScheduleActivityTask",
        "scheduleActivityTaskDecisionAttributes": {
            "activityType": {"name": "act", "version": "1"},
            "activityId": "a1",
        },
    }
]


# --- boto3 ----------------------------------------------------------------------------------


def test_boto3_good_key_runs_a_workflow_with_and_without_a_session_token(
    keyed: LocalServer,
) -> None:
    swf = boto(keyed.endpoint, GOOD)
    domain = unique("auth")
    register(swf, domain)
    execution = start(swf, domain)
    decision = swf.poll_for_decision_task(domain=domain, taskList={"name": "decisions"})
    swf.respond_decision_task_completed(taskToken=decision["taskToken"], decisions=SCHEDULE)
    # The session token is signed like any header; openswf's keys carry none, so it is ignored.
    worker = boto(keyed.endpoint, GOOD, aws_session_token="session")
    task = worker.poll_for_activity_task(domain=domain, taskList={"name": "activities"})
    heartbeat = worker.record_activity_task_heartbeat(taskToken=task["taskToken"])
    assert heartbeat["cancelRequested"] is False
    worker.respond_activity_task_completed(taskToken=task["taskToken"], result="42")
    decision = swf.poll_for_decision_task(domain=domain, taskList={"name": "decisions"})
    swf.respond_decision_task_completed(
        taskToken=decision["taskToken"],
        decisions=[{"decisionType": "CompleteWorkflowExecution"}],
    )
    info = swf.describe_workflow_execution(domain=domain, execution=execution)
    assert info["executionInfo"]["closeStatus"] == "COMPLETED"


def test_boto3_wrong_secret_is_an_invalid_signature(keyed: LocalServer) -> None:
    code, message, status = error_of(
        boto(keyed.endpoint, WRONG_SECRET).list_domains, registrationStatus="REGISTERED"
    )
    assert (code, status) == ("InvalidSignatureException", 400)
    assert message.startswith(SIGNATURE_MISMATCH)


def test_boto3_unknown_key_is_unrecognized(keyed: LocalServer) -> None:
    code, message, status = error_of(
        boto(keyed.endpoint, UNKNOWN).list_domains, registrationStatus="REGISTERED"
    )
    assert (code, message, status) == ("UnrecognizedClientException", UNRECOGNIZED, 400)


def test_boto3_read_only_key_reads_but_may_not_write(keyed: LocalServer) -> None:
    domain = unique("auth")
    register(boto(keyed.endpoint, ADMIN), domain)
    reader = boto(keyed.endpoint, READ_ONLY)
    assert reader.describe_domain(name=domain)["domainInfo"]["name"] == domain
    assert reader.count_pending_decision_tasks(domain=domain, taskList={"name": "d"})["count"] == 0
    assert reader.list_workflow_types(domain=domain, registrationStatus="REGISTERED")["typeInfos"]
    for call, kwargs in (
        (
            reader.start_workflow_execution,
            {"domain": domain, "workflowId": "w", "workflowType": {"name": "wf", "version": "1"}},
        ),
        (reader.poll_for_decision_task, {"domain": domain, "taskList": {"name": "decisions"}}),
        (reader.deprecate_domain, {"name": domain}),
    ):
        code, message, status = error_of(call, **kwargs)
        assert (code, status) == ("AccessDeniedException", 400)
        assert message.startswith("User: AKIDREAD is not authorized to perform: swf:")
    assert reader.describe_domain(name=domain)["domainInfo"]["status"] == "REGISTERED"


def test_boto3_key_of_other_domains_is_denied_and_does_not_see_them(keyed: LocalServer) -> None:
    domain = unique("auth")
    register(boto(keyed.endpoint, GOOD), domain)
    other = boto(keyed.endpoint, OTHER)
    code, message, status = error_of(other.describe_domain, name=domain)
    assert (code, status) == ("AccessDeniedException", 400)
    assert f"arn:aws:swf:us-east-1:123456789012:/domain/{domain}" in message
    code, _, _ = error_of(
        other.start_workflow_execution,
        domain=domain,
        workflowId="w",
        workflowType={"name": "wf", "version": "1"},
    )
    assert code == "AccessDeniedException"
    arn = f"arn:aws:swf:us-east-1:123456789012:/domain/{domain}"
    assert error_of(other.list_tags_for_resource, resourceArn=arn)[0] == "AccessDeniedException"
    mine = unique("other")
    other.register_domain(name=mine, workflowExecutionRetentionPeriodInDays="1")
    seen = [d["name"] for d in other.list_domains(registrationStatus="REGISTERED")["domainInfos"]]
    assert mine in seen and domain not in seen
    assert all(name.startswith("other-") for name in seen)


def test_list_domains_pages_stay_full_past_the_domains_a_key_may_not_see(
    keyed: LocalServer,
) -> None:
    admin = boto(keyed.endpoint, ADMIN)
    for prefix in ("auth", "other", "auth", "other", "auth", "other", "auth"):
        admin.register_domain(name=unique(prefix), workflowExecutionRetentionPeriodInDays="1")
    every = [
        d["name"]
        for page in admin.get_paginator("list_domains").paginate(registrationStatus="REGISTERED")
        for d in page["domainInfos"]
    ]
    expected = [name for name in every if name.startswith("other-")]
    other = boto(keyed.endpoint, OTHER)
    for reverse in (False, True):
        seen: list[str] = []
        token = None
        while True:
            args: dict[str, Any] = {"registrationStatus": "REGISTERED", "maximumPageSize": 2}
            if token:
                args["nextPageToken"] = token
            page = other.list_domains(reverseOrder=reverse, **args)
            seen += [d["name"] for d in page["domainInfos"]]
            token = page.get("nextPageToken")
            if not token:
                break
            assert len(page["domainInfos"]) == 2
        assert seen == (expected[::-1] if reverse else expected)


def test_task_token_calls_follow_the_domain_of_the_tokens_run(keyed: LocalServer) -> None:
    swf = boto(keyed.endpoint, GOOD)
    other = boto(keyed.endpoint, OTHER)
    domain = unique("auth")
    register(swf, domain)
    start(swf, domain)
    decision = swf.poll_for_decision_task(domain=domain, taskList={"name": "decisions"})
    code, message, _ = error_of(
        other.respond_decision_task_completed, taskToken=decision["taskToken"], decisions=[]
    )
    assert code == "AccessDeniedException" and domain in message
    swf.respond_decision_task_completed(taskToken=decision["taskToken"], decisions=SCHEDULE)
    task = swf.poll_for_activity_task(domain=domain, taskList={"name": "activities"})
    for call in (
        other.record_activity_task_heartbeat,
        other.respond_activity_task_completed,
        other.respond_activity_task_failed,
        other.respond_activity_task_canceled,
    ):
        assert error_of(call, taskToken=task["taskToken"])[0] == "AccessDeniedException"
    # A forged token stays what it always is, for every key.
    forged = task["taskToken"][:-4] + ("AAAA" if not task["taskToken"].endswith("AAAA") else "BBBB")
    for client in (other, swf):
        assert error_of(client.record_activity_task_heartbeat, taskToken=forged)[0] == (
            "UnknownResourceFault"
        )
    # Nothing the other key tried took effect: the task is still the good key's to finish.
    swf.respond_activity_task_completed(taskToken=task["taskToken"], result="ok")


def test_no_authorization_header_is_missing_authentication_token(keyed: LocalServer) -> None:
    request = urllib.request.Request(
        keyed.endpoint + "/",
        data=b'{"registrationStatus": "REGISTERED"}',
        headers={
            "X-Amz-Target": "SimpleWorkflowService.ListDomains",
            "Content-Type": "application/x-amz-json-1.0",
        },
    )
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request, timeout=10)
    assert caught.value.code == 403
    assert json.loads(caught.value.read()) == {
        "__type": "com.amazon.coral.service#MissingAuthenticationTokenException",
        "message": "Request is missing Authentication Token",
    }
    with urllib.request.urlopen(keyed.endpoint + "/healthz", timeout=10) as response:
        assert response.status == 200  # health checks need no key


# --- the framework's client -----------------------------------------------------------------


def sdk(endpoint: str, key: tuple[str, str]) -> Client:
    return Client(endpoint, region="us-east-1", credentials=Credentials(*key))


def test_sdk_client_good_key_works(keyed: LocalServer) -> None:
    with sdk(keyed.endpoint, GOOD) as client:
        domain = unique("auth")
        client.register_domain(name=domain, workflowExecutionRetentionPeriodInDays="1")
        assert client.describe_domain(name=domain)["domainInfo"]["name"] == domain


@pytest.mark.parametrize(
    ("key", "fault"),
    [
        (WRONG_SECRET, faults.InvalidSignatureException),
        (UNKNOWN, faults.UnrecognizedClientException),
        (READ_ONLY, faults.AccessDeniedException),
        (OTHER, faults.AccessDeniedException),
    ],
    ids=["wrong-secret", "unknown-key", "read-only", "other-domains"],
)
def test_sdk_client_bad_keys_get_the_fault(
    keyed: LocalServer, key: tuple[str, str], fault: type[faults.SwfError]
) -> None:
    with sdk(keyed.endpoint, key) as client, pytest.raises(fault):
        client.register_domain(name=unique("auth"), workflowExecutionRetentionPeriodInDays="1")


# --- the AWS CLI ----------------------------------------------------------------------------


@pytest.fixture
def aws(keyed: LocalServer, tmp_path: Path) -> Any:
    if not AWS.exists():
        pytest.skip(f"the AWS CLI is not installed next to {sys.executable}")

    def cli(key: tuple[str, str]) -> Cli:
        runner = Cli(keyed.endpoint, tmp_path)
        runner.env.update(AWS_ACCESS_KEY_ID=key[0], AWS_SECRET_ACCESS_KEY=key[1])
        return runner

    return cli


def test_aws_cli_good_key_works(aws: Any) -> None:
    domain = unique("auth")
    cli = aws(GOOD)
    cli("register-domain", "--name", domain, "--workflow-execution-retention-period-in-days", "1")
    assert cli("describe-domain", "--name", domain)["domainInfo"]["name"] == domain


@pytest.mark.parametrize(
    ("key", "code"),
    [
        (WRONG_SECRET, "InvalidSignatureException"),
        (UNKNOWN, "UnrecognizedClientException"),
        (READ_ONLY, "AccessDeniedException"),
        (OTHER, "AccessDeniedException"),
    ],
    ids=["wrong-secret", "unknown-key", "read-only", "other-domains"],
)
def test_aws_cli_bad_keys_fail_with_the_code(aws: Any, key: tuple[str, str], code: str) -> None:
    done = aws(key).run(
        "register-domain",
        "--name",
        unique("auth"),
        "--workflow-execution-retention-period-in-days",
        "1",
    )
    assert done.returncode != 0
    assert f"({code})" in done.stderr


# --- simpleflow -----------------------------------------------------------------------------


def simpleflow_env_for(endpoint: str, home: Path, key: tuple[str, str]) -> dict[str, str]:
    env = simpleflow_env(endpoint, home)
    env.update(AWS_ACCESS_KEY_ID=key[0], AWS_SECRET_ACCESS_KEY=key[1])
    return env


@pytest.fixture
def simpleflow_ok() -> None:
    if not SIMPLEFLOW.exists():
        pytest.skip(f"simpleflow is not installed next to {sys.executable}")


def test_simpleflow_good_key_runs_a_workflow(
    keyed: LocalServer, tmp_path: Path, simpleflow_ok: None
) -> None:
    domain = unique("auth")
    boto(keyed.endpoint, GOOD).register_domain(
        name=domain, workflowExecutionRetentionPeriodInDays="1"
    )
    workflow_id = unique("increment-then-double")
    done = run_simpleflow(
        [
            str(SIMPLEFLOW),
            "standalone",
            "--domain",
            domain,
            "--workflow-id",
            workflow_id,
            "--input",
            json.dumps({"args": [20]}),
            "--nb-deciders",
            "1",
            "--nb-workers",
            "1",
            WORKFLOW,
        ],
        simpleflow_env_for(keyed.endpoint, tmp_path, GOOD),
        tmp_path,
    )
    assert done.returncode == 0, done.stderr[-5000:]
    assert f"execution {workflow_id} finished" in done.stderr


@pytest.mark.parametrize(
    ("key", "code"),
    [
        (WRONG_SECRET, "InvalidSignatureException"),
        (UNKNOWN, "UnrecognizedClientException"),
        (READ_ONLY, "AccessDeniedException"),
        (OTHER, "AccessDeniedException"),
    ],
    ids=["wrong-secret", "unknown-key", "read-only", "other-domains"],
)
def test_simpleflow_bad_keys_fail_with_the_code(
    keyed: LocalServer, tmp_path: Path, simpleflow_ok: None, key: tuple[str, str], code: str
) -> None:
    domain = unique("auth")
    boto(keyed.endpoint, ADMIN).register_domain(
        name=domain, workflowExecutionRetentionPeriodInDays="1"
    )
    done = run_simpleflow(
        [
            str(SIMPLEFLOW),
            "workflow.start",
            "--domain",
            domain,
            "--input",
            json.dumps({"args": [1]}),
            WORKFLOW,
        ],
        simpleflow_env_for(keyed.endpoint, tmp_path, key),
        tmp_path,
    )
    assert done.returncode != 0
    assert code in done.stderr + done.stdout, (done.stdout + done.stderr)[-3000:]


# --- HTTPS ----------------------------------------------------------------------------------


def test_https_with_a_self_signed_certificate(
    tmp_path: Path, keys_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cert, key = self_signed_cert(tmp_path)
    with LocalServer(access_keys=keys_file, tls_cert=cert, tls_key=key) as server:
        assert server.endpoint.startswith("https://127.0.0.1:")
        swf = boto(server.endpoint, GOOD, verify=cert)
        domain = unique("auth")
        swf.register_domain(name=domain, workflowExecutionRetentionPeriodInDays="1")
        assert swf.describe_domain(name=domain)["domainInfo"]["name"] == domain
        assert (
            error_of(
                boto(server.endpoint, WRONG_SECRET, verify=cert).list_domains,
                registrationStatus="REGISTERED",
            )[0]
            == "InvalidSignatureException"
        )
        # The framework's client trusts what the process's default CA file holds.
        monkeypatch.setenv("SSL_CERT_FILE", cert)
        with sdk(server.endpoint, GOOD) as client:
            assert client.describe_domain(name=domain)["domainInfo"]["name"] == domain
        # Plain HTTP on the TLS port gets nowhere.
        with pytest.raises((urllib.error.URLError, ConnectionError, OSError)):
            urllib.request.urlopen(server.endpoint.replace("https", "http") + "/healthz", timeout=5)
