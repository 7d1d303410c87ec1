"""The client's parts without a server: SigV4 against botocore, the credential chain, the
endpoint and region, fault decoding, and the generated operations being current."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials as BotoCredentials

from openswf.protocol.faults import SwfError, UnknownResourceFault, ValidationException
from openswf.sdk import _codegen
from openswf.sdk.client import Client
from openswf.sdk.credentials import (
    LOCAL_PLACEHOLDER,
    ChainCredentials,
    Credentials,
    NoCredentialsError,
    resolve_endpoint,
    resolve_region,
)
from openswf.sdk.errors import error_from_response
from openswf.sdk.signing import Signer

AWS_VARS = (
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_SWF",
)


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    for name in AWS_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    return tmp_path


def botocore_authorization(body: bytes, token: str | None, amz_date: str) -> str:
    request = AWSRequest(
        method="POST",
        url="http://127.0.0.1:8466/",
        data=body,
        headers={
            "Content-Type": "application/x-amz-json-1.0",
            "X-Amz-Target": "SimpleWorkflowService.ListDomains",
        },
    )

    class FrozenDatetime(dt.datetime):
        @classmethod
        def utcnow(cls) -> Any:
            return dt.datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ")

        @classmethod
        def now(cls, tz: Any = None) -> Any:
            return dt.datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(tzinfo=tz)

    import botocore.auth

    original = botocore.auth.datetime.datetime
    botocore.auth.datetime.datetime = FrozenDatetime
    try:
        SigV4Auth(BotoCredentials("AKID", "secret", token), "swf", "eu-west-1").add_auth(request)
    finally:
        botocore.auth.datetime.datetime = original
    return str(request.headers["Authorization"])


@pytest.mark.parametrize("token", [None, "session-token"])
def test_signature_matches_botocore(token: str | None, monkeypatch: pytest.MonkeyPatch) -> None:
    body = '{"registrationStatus": "REGISTERED", "name": "é"}'.encode()
    signer = Signer("127.0.0.1:8466", "eu-west-1")
    amz_date = "20261122T150002Z"
    monkeypatch.setattr(signer, "_amz_date", lambda: amz_date)
    headers = dict(signer.headers("ListDomains", body, Credentials("AKID", "secret", token)))
    assert headers["Authorization"] == botocore_authorization(body, token, amz_date)
    assert headers.get("X-Amz-Security-Token") == token


def test_credentials_from_environment(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "env-key")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "env-secret")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "env-token")
    assert ChainCredentials(allow_placeholder=False).get() == Credentials(
        "env-key", "env-secret", "env-token"
    )


def test_credentials_from_the_shared_files(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (clean_env / "credentials").write_text(
        "[default]\naws_access_key_id = d\naws_secret_access_key = ds\n"
        "[work]\naws_access_key_id = w\naws_secret_access_key = ws\n"
    )
    (clean_env / "config").write_text(
        "[profile cfg]\naws_access_key_id = c\naws_secret_access_key = cs\nregion = ap-south-1\n"
    )
    assert ChainCredentials(allow_placeholder=False).get() == Credentials("d", "ds")
    monkeypatch.setenv("AWS_PROFILE", "work")
    assert ChainCredentials(allow_placeholder=False).get() == Credentials("w", "ws")
    monkeypatch.setenv("AWS_PROFILE", "cfg")
    assert ChainCredentials(allow_placeholder=False).get() == Credentials("c", "cs")
    assert resolve_region() == "ap-south-1"


def test_no_credentials_local_placeholder_or_error(clean_env: Path) -> None:
    assert ChainCredentials(allow_placeholder=True).get() == Credentials(*LOCAL_PLACEHOLDER)
    with pytest.raises(NoCredentialsError):
        ChainCredentials(allow_placeholder=False).get()


def test_endpoint_and_region_resolution(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert resolve_region() == "us-east-1"
    assert resolve_endpoint(None, "eu-west-1") == "https://swf.eu-west-1.amazonaws.com"
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://generic:1")
    assert resolve_endpoint(None, "eu-west-1") == "http://generic:1"
    monkeypatch.setenv("AWS_ENDPOINT_URL_SWF", "http://swf-only:2/")
    assert resolve_endpoint(None, "eu-west-1") == "http://swf-only:2"
    assert resolve_endpoint("http://explicit:3", "eu-west-1") == "http://explicit:3"
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-central-1")
    client = Client()
    assert (client.endpoint, client.region) == ("http://swf-only:2", "eu-central-1")


def test_faults_decode_to_the_protocol_classes() -> None:
    error = error_from_response(
        400, b'{"__type":"com.amazonaws.swf.base.model#UnknownResourceFault","message":"x"}'
    )
    assert isinstance(error, UnknownResourceFault) and error.message == "x"
    assert isinstance(
        error_from_response(400, b'{"__type":"com.amazon.coral.validate#ValidationException"}'),
        ValidationException,
    )
    other = error_from_response(403, b'{"__type":"com.amazon.coral.service#AccessDenied"}')
    assert type(other) is SwfError and other.type_name == "AccessDenied"
    assert error_from_response(502, b"<html>").type_name == "HTTP502"


def test_generated_operations_are_current() -> None:
    assert _codegen.TARGET.read_text() == _codegen.render(), "run: python -m openswf.sdk._codegen"
