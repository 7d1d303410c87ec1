"""Large payloads end to end: a graph workflow whose input, activity input, activity result,
failure details and signal input exceed SWF's 32,768 characters runs on a real server (both
backends), with the values offloaded to a directory or to S3 (moto's server, a real process),
and the history holding only references."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from openswf.sdk import (
    ActivityFailed,
    ActivityTask,
    ActivityWorker,
    Client,
    DeciderSpec,
    DecisionWorker,
    ExecutionFailed,
    GraphDecider,
    Registry,
    WorkflowType,
    activity,
    ensure_domain,
    payloads,
    signal,
    wait_for_result,
)
from openswf.sdk.converter import MAX_DATA, dumps, loads
from openswf.sdk.history import attributes, get_history
from openswf.testing import LocalServer
from tests.conftest import unique
from tests.s3_server import CREDENTIALS, moto_s3

BIG = 100_000  # characters: three times SWF's limit


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    with moto_s3() as endpoint:
        yield endpoint


def s3_client(endpoint: str) -> Any:
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
    )


@pytest.fixture(params=["file", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[payloads.PayloadStore]:
    if request.param == "file":
        chosen: payloads.PayloadStore = payloads.FileStore(tmp_path / "payloads")
    else:
        endpoint = request.getfixturevalue("s3_endpoint")
        client = s3_client(endpoint)
        bucket = unique("payloads").lower()
        client.create_bucket(Bucket=bucket)
        chosen = payloads.S3Store(bucket, "openswf/tests", client=client)
    payloads.configure(chosen)
    yield chosen
    payloads.reset()


@activity(name="payloads.double", version="1", task_list="payloads")
def double(context: Any) -> dict[str, Any]:
    text = context.workflow_input["text"]
    return {"text": text + text, "length": 2 * len(text)}


@activity(name="payloads.refuse", version="1", task_list="payloads")
def refuse(context: Any) -> None:
    raise ActivityFailed("refused", {"evidence": "y" * BIG})


def run_graph(endpoint: str, tasks: list[ActivityTask], workflow_input: Any) -> tuple[str, Any]:
    client = Client(endpoint)
    domain = unique("payloads")
    spec = DeciderSpec(domain=domain, task_list="payloads-decisions", tasks=tasks)
    kind = WorkflowType(unique("big"), "1", task_list=spec.task_list)
    ensure_domain(client, domain)
    kind.register(client, domain)
    registry = Registry([double, refuse])
    workers = [
        ActivityWorker(client, domain, "payloads", registry).start(),
        DecisionWorker(client, domain, spec.task_list, GraphDecider(spec)).start(),
    ]
    try:
        workflow_id = unique("wf")
        run_id = kind.start(client, domain, workflow_id, workflow_input)
        try:
            result: Any = wait_for_result(client, domain, workflow_id, run_id, timeout=60)
        except ExecutionFailed as failed:
            result = failed
        history = get_history(client, domain, workflow_id, run_id)
    finally:
        for worker in workers:
            worker.stop()
        client.close()
    return result, history


def assert_only_references(history: list[Any]) -> int:
    """Every Data field of the history fits SWF's limit; returns how many are references."""
    refs = 0
    for event in history:
        for key in ("input", "result", "details"):
            value = attributes(event).get(key)
            if isinstance(value, str):
                assert len(value) <= MAX_DATA, (event["eventType"], key, len(value))
                refs += payloads.reference(value) is not None
    return refs


def test_large_input_and_result_go_through_the_store(
    server: LocalServer, store: payloads.PayloadStore
) -> None:
    text = "x" * BIG
    result, history = run_graph(
        server.endpoint, [ActivityTask(double, id="double")], {"text": text}
    )
    assert result == {"double": {"text": text + text, "length": 2 * BIG}}
    # workflow input, the activity's input envelope, its result and the workflow's result
    assert assert_only_references(history) == 4
    started = attributes(history[0])["input"]
    ref = payloads.reference(started)
    assert ref is not None and ref["size"] > BIG and len(ref["sha256"]) == 64
    assert store.get(ref["sha256"]).decode() == f'{{"text":"{text}"}}'


def test_large_failure_details_are_offloaded(
    server: LocalServer, store: payloads.PayloadStore
) -> None:
    failed, history = run_graph(server.endpoint, [ActivityTask(refuse, id="refuse")], None)
    assert isinstance(failed, ExecutionFailed) and failed.status == "FAILED"
    (attempt,) = failed.details["failures"]["refuse"]
    assert attempt["reason"] == "refused"
    assert attempt["details"] == {"evidence": "y" * BIG}
    assert assert_only_references(history) == 2  # the activity's and the workflow's details


def test_large_signal_input(server: LocalServer, store: payloads.PayloadStore) -> None:
    client = Client(server.endpoint)
    domain = unique("payloads")
    kind = WorkflowType("waits", "1", task_list="nobody")
    ensure_domain(client, domain)
    kind.register(client, domain)
    run_id = kind.start(client, domain, "w", None)
    signal(client, domain, "w", "big", {"blob": "z" * BIG}, run_id=run_id)
    (event,) = [e for e in get_history(client, domain, "w", run_id) if "Signaled" in e["eventType"]]
    raw = attributes(event)["input"]
    assert payloads.reference(raw) is not None
    assert loads(raw) == {"blob": "z" * BIG}
    client.close()


def test_an_s3_store_from_the_environment(
    s3_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The configuration users write: a URL and an endpoint; boto3 is imported on first use
    and finds its credentials in the environment."""
    bucket = unique("from-env").lower()
    s3_client(s3_endpoint).create_bucket(Bucket=bucket)
    for key, value in CREDENTIALS.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("OPENSWF_PAYLOAD_STORE", f"s3://{bucket}/deep/prefix")
    monkeypatch.setenv("OPENSWF_PAYLOAD_S3_ENDPOINT", s3_endpoint)
    payloads.reset()
    try:
        value = {"numbers": list(range(20_000))}
        text = dumps(value)
        assert text is not None and len(text) < 200
        ref = payloads.reference(text)
        assert ref is not None
        listed = s3_client(s3_endpoint).list_objects_v2(Bucket=bucket)["Contents"]
        assert [o["Key"] for o in listed] == [f"deep/prefix/{ref['sha256']}"]
        payloads.reset()  # a fresh process: nothing cached
        assert loads(text) == value
    finally:
        payloads.reset()


@activity(name="payloads.shout", version="1", task_list="payloads-code")
def shout(text: str) -> str:
    return text.upper()


@pytest.mark.skipif(
    importlib.util.find_spec("openswf.sdk.code") is None,
    reason="workflows as code (openswf.sdk.code) are not in this version",
)
def test_a_code_workflow_with_large_values(
    server: LocalServer, store: payloads.PayloadStore
) -> None:
    from openswf.sdk import code  # type: ignore[attr-defined, unused-ignore]

    class Loud(code.Workflow):  # type: ignore[misc, name-defined, unused-ignore]
        name = unique("payloads.loud")
        task_list = "payloads-code-decisions"

        def run(self, text: str) -> dict[str, str]:
            return {"loud": self.submit(shout, text).result()}

    client = Client(server.endpoint)
    domain = unique("payloads")
    ensure_domain(client, domain)
    kind = Loud.workflow_type()
    kind.register(client, domain)
    workers = [
        ActivityWorker(client, domain, "payloads-code", Registry([shout])).start(),
        DecisionWorker(client, domain, kind.task_list, code.WorkflowDecider(Loud)).start(),
    ]
    try:
        run_id = kind.start(client, domain, "loud-1", "a" * BIG)
        result = wait_for_result(client, domain, "loud-1", run_id, timeout=60)
        history = get_history(client, domain, "loud-1", run_id)
    finally:
        for worker in workers:
            worker.stop()
        client.close()
    assert result == {"loud": "A" * BIG}
    # workflow input, activity input, activity result, workflow result
    assert assert_only_references(history) == 4
