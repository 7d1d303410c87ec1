"""The SigV4 verifier: AWS's published test vectors, botocore's own signatures, and every way a
request can fail (wrong secret, tampered body or header, skewed date, bad scope, missing or
unsigned headers)."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from openswf.protocol import faults
from openswf.sdk.credentials import Credentials as SdkCredentials
from openswf.sdk.signing import Signer
from openswf.server import sigv4
from openswf.server.sigv4 import SigningKeyCache, parse_amz_date, parse_signature, verify

# --- AWS's SigV4 test suite ----------------------------------------------------------------
# Credentials, date, requests and signatures of the suite AWS published with the General
# Reference (service "service", region us-east-1).
SUITE_SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
SUITE_DATE = "20150830T123600Z"
SUITE_HOST = (b"host", b"example.amazonaws.com")
SUITE_X_AMZ_DATE = (b"x-amz-date", SUITE_DATE.encode())
EMPTY_SHA = hashlib.sha256(b"").hexdigest()

# name: (method, raw path, raw query, extra headers, body, signed headers, signature)
VECTORS: dict[str, tuple[str, bytes, bytes, list[tuple[bytes, bytes]], bytes, str, str]] = {
    "get-vanilla": (
        "GET",
        b"/",
        b"",
        [],
        b"",
        "host;x-amz-date",
        "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
    ),
    "post-vanilla": (
        "POST",
        b"/",
        b"",
        [],
        b"",
        "host;x-amz-date",
        "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b",
    ),
    "post-vanilla-query": (
        "POST",
        b"/",
        b"Param1=value1",
        [],
        b"",
        "host;x-amz-date",
        "28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11",
    ),
    "get-vanilla-utf8-query": (
        "GET",
        b"/",
        "ሴ=bar".encode(),
        [],
        b"",
        "host;x-amz-date",
        "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04",
    ),
    "get-unreserved": (
        "GET",
        b"/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
        b"",
        [],
        b"",
        "host;x-amz-date",
        "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f",
    ),
    "post-header-key-case": (
        "POST",
        b"/",
        b"",
        [(b"my-header1", b"value1")],
        b"",
        "host;my-header1;x-amz-date",
        "c5410059b04c1ee005303aed430f6e6645f61f4dc9e1461ec8f8916fdf18852c",
    ),
    "post-header-value-case": (
        "POST",
        b"/",
        b"",
        [(b"my-header1", b"VALUE1")],
        b"",
        "host;my-header1;x-amz-date",
        "cdbc9802e29d2942e5e10b5bccfdd67c5f22c7c4e8ae67b53629efa58b974b7d",
    ),
    "get-header-value-trim": (
        "GET",
        b"/",
        b"",
        [(b"my-header1", b" value1"), (b"my-header2", b' "a   b   c"')],
        b"",
        "host;my-header1;my-header2;x-amz-date",
        "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736",
    ),
    "get-header-key-duplicate": (
        "GET",
        b"/",
        b"",
        [(b"my-header1", b"value2"), (b"my-header1", b"value2"), (b"my-header1", b"value1")],
        b"",
        "host;my-header1;x-amz-date",
        "c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea",
    ),
    "post-x-www-form-urlencoded": (
        "POST",
        b"/",
        b"",
        [(b"content-type", b"application/x-www-form-urlencoded")],
        b"Param1=value1",
        "content-type;host;x-amz-date",
        "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a",
    ),
}


@pytest.mark.parametrize("name", sorted(VECTORS))
def test_aws_test_suite_signatures(name: str) -> None:
    method, path, query, extra, body, signed, expected = VECTORS[name]
    headers = [SUITE_HOST, SUITE_X_AMZ_DATE, *extra]
    canonical = sigv4.canonical_request(
        method=method,
        raw_path=path,
        raw_query=query,
        headers=headers,
        signed_headers=tuple(signed.split(";")),
        payload_hash=hashlib.sha256(body).hexdigest(),
    )
    scope = "20150830/us-east-1/service/aws4_request"
    to_sign = sigv4.string_to_sign(SUITE_DATE, scope, canonical)
    key = sigv4.derive_signing_key(SUITE_SECRET, "20150830", "us-east-1", "service")
    assert hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest() == expected


def test_canonical_request_of_post_vanilla_query() -> None:
    canonical = sigv4.canonical_request(
        method="POST",
        raw_path=b"/",
        raw_query=b"Param1=value1",
        headers=[SUITE_HOST, SUITE_X_AMZ_DATE],
        signed_headers=("host", "x-amz-date"),
        payload_hash=EMPTY_SHA,
    )
    assert canonical == (
        "POST\n/\nParam1=value1\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n"
        "\nhost;x-amz-date\n" + EMPTY_SHA
    )
    to_sign = sigv4.string_to_sign(SUITE_DATE, "20150830/us-east-1/service/aws4_request", canonical)
    assert to_sign.endswith("9d659678c1756bb3113e2ce898845a0a79dbbc57b740555917687f1b3340fbbd")


# --- SWF requests as botocore and the SDK sign them ----------------------------------------

HOST = "127.0.0.1:8466"
BODY = b'{"registrationStatus": "REGISTERED"}'


def botocore_request(
    secret: str = "secret",
    *,
    key: str = "AKIDTEST",
    body: bytes = BODY,
    token: str | None = None,
    region: str = "us-east-1",
    service: str = "swf",
    extra: dict[str, str] | None = None,
) -> tuple[list[tuple[bytes, bytes]], str]:
    """ASGI headers and the Authorization value of a request botocore signed."""
    request = AWSRequest(
        method="POST",
        url=f"http://{HOST}/",
        data=body,
        headers={
            "Content-Type": "application/x-amz-json-1.0",
            "X-Amz-Target": "SimpleWorkflowService.ListDomains",
            **(extra or {}),
        },
    )
    SigV4Auth(Credentials(key, secret, token), service, region).add_auth(request)
    headers = [(b"host", HOST.encode())]
    headers += [(k.lower().encode(), v.encode()) for k, v in request.headers.items()]
    authorization = request.headers["Authorization"]
    return [h for h in headers if h[0] != b"authorization"], authorization


def check(
    headers: list[tuple[bytes, bytes]],
    authorization: str,
    secret: str = "secret",
    *,
    body: bytes = BODY,
    now: float | None = None,
) -> None:
    """Verify as the server would, at ``now`` (default: the moment it was signed)."""
    if now is None:
        now = signed_at(headers)
    verify(
        parse_signature(authorization),
        secret,
        method="POST",
        raw_path=b"/",
        raw_query=b"",
        headers=headers,
        body=body,
        now_s=now,
        keys=SigningKeyCache(),
    )


def signed_at(headers: list[tuple[bytes, bytes]]) -> float:
    return parse_amz_date(dict(headers)[b"x-amz-date"].decode())


def test_botocore_signature_verifies() -> None:
    check(*botocore_request())


def test_botocore_signature_with_session_token_verifies() -> None:
    headers, authorization = botocore_request(token="session-token")
    assert "x-amz-security-token" in authorization
    check(headers, authorization)


def test_non_ascii_body_verifies() -> None:
    body = '{"name": "café ☕"}'.encode()
    headers, authorization = botocore_request(body=body)
    check(headers, authorization, body=body)


def test_sdk_signature_verifies() -> None:
    signer = Signer(HOST, "eu-west-1")
    signed = signer.headers("ListDomains", BODY, SdkCredentials("AKIDTEST", "secret"))
    headers = [(b"host", HOST.encode())] + [
        (name.lower().encode(), value.encode()) for name, value in signed
    ]
    authorization = dict(signed)["Authorization"]
    amz_date = dict(signed)["X-Amz-Date"]
    check(headers, authorization, now=parse_amz_date(amz_date))


def test_header_with_extra_spaces_and_payload_hash_header_verifies() -> None:
    headers, authorization = botocore_request(
        extra={"X-Amz-Content-Sha256": hashlib.sha256(BODY).hexdigest()}
    )
    assert "x-amz-content-sha256" in authorization
    check(headers, authorization)


def fault_of(fn: Any, *args: Any, **kwargs: Any) -> faults.SwfError:
    with pytest.raises(faults.SwfError) as caught:
        fn(*args, **kwargs)
    return caught.value


def test_wrong_secret_is_an_invalid_signature_in_aws_words() -> None:
    error = fault_of(check, *botocore_request("wrong"))
    assert isinstance(error, faults.InvalidSignatureException)
    assert error.status == 400
    assert error.message.startswith(sigv4.SIGNATURE_MISMATCH)
    assert "The Canonical String for this request should have been" in error.message


def test_tampered_body_is_refused() -> None:
    headers, authorization = botocore_request()
    error = fault_of(check, headers, authorization, body=BODY.replace(b"REGISTERED", b"DEPRECATED"))
    assert isinstance(error, faults.InvalidSignatureException)


def test_tampered_signed_header_is_refused() -> None:
    headers, authorization = botocore_request()
    headers = [
        (k, b"SimpleWorkflowService.DeprecateDomain" if k == b"x-amz-target" else v)
        for k, v in headers
    ]
    assert isinstance(fault_of(check, headers, authorization), faults.InvalidSignatureException)


def test_payload_hash_header_must_match_the_body() -> None:
    headers, authorization = botocore_request(
        extra={"X-Amz-Content-Sha256": hashlib.sha256(b"other").hexdigest()}
    )
    error = fault_of(check, headers, authorization)
    assert isinstance(error, faults.InvalidSignatureException)
    assert "x-amz-content-sha256" in error.message


@pytest.mark.parametrize("offset", [-15 * 60, 15 * 60])
def test_dates_within_15_minutes_verify(offset: int) -> None:
    headers, authorization = botocore_request()
    check(headers, authorization, now=signed_at(headers) - offset)


def test_date_older_than_15_minutes_is_expired() -> None:
    headers, authorization = botocore_request()
    now = signed_at(headers) + 15 * 60 + 1
    error = fault_of(check, headers, authorization, now=now)
    assert isinstance(error, faults.InvalidSignatureException)
    amz_date = dict(headers)[b"x-amz-date"].decode()
    assert error.message == (
        f"Signature expired: {amz_date} is now earlier than "
        f"{sigv4.format_amz_date(now - 900)} ({sigv4.format_amz_date(now)} - 15 min.)"
    )


def test_date_more_than_15_minutes_ahead_is_not_yet_current() -> None:
    headers, authorization = botocore_request()
    error = fault_of(check, headers, authorization, now=signed_at(headers) - 15 * 60 - 1)
    assert isinstance(error, faults.InvalidSignatureException)
    amz_date = dict(headers)[b"x-amz-date"].decode()
    assert error.message.startswith(f"Signature not yet current: {amz_date} is still later")


def test_missing_x_amz_date_is_an_incomplete_signature() -> None:
    headers, authorization = botocore_request()
    now = signed_at(headers)
    headers = [h for h in headers if h[0] != b"x-amz-date"]
    error = fault_of(check, headers, authorization, now=now)
    assert isinstance(error, faults.IncompleteSignatureException)


@pytest.mark.parametrize("bad", ["2026-01-02T03:04:05Z", "20261302T030405Z", "garbage"])
def test_malformed_x_amz_date_is_an_incomplete_signature(bad: str) -> None:
    headers, authorization = botocore_request()
    now = signed_at(headers)
    headers = [(k, bad.encode() if k == b"x-amz-date" else v) for k, v in headers]
    error = fault_of(check, headers, authorization, now=now)
    assert isinstance(error, faults.IncompleteSignatureException)


def test_scope_of_another_service_is_refused() -> None:
    error = fault_of(check, *botocore_request(service="dynamodb"))
    assert isinstance(error, faults.InvalidSignatureException)
    assert "scoped to correct service: 'swf'" in error.message


def test_scope_date_must_be_the_day_of_x_amz_date() -> None:
    headers, authorization = botocore_request()
    day = dict(headers)[b"x-amz-date"].decode()[:8]
    authorization = authorization.replace(f"/{day}/", "/20200101/")
    error = fault_of(check, headers, authorization)
    assert isinstance(error, faults.InvalidSignatureException)
    assert "Date in Credential scope does not match" in error.message


def test_region_comes_from_the_scope_and_any_region_verifies() -> None:
    headers, authorization = botocore_request(region="eu-central-1")
    assert parse_signature(authorization).credential.region == "eu-central-1"
    check(headers, authorization)


def test_signed_headers_must_include_host() -> None:
    headers, authorization = botocore_request()
    unsigned_host = authorization.replace(
        "SignedHeaders=content-type;host;", "SignedHeaders=content-type;"
    )
    error = fault_of(check, headers, unsigned_host)
    assert isinstance(error, faults.InvalidSignatureException)
    assert "'Host'" in error.message


def test_signed_headers_must_include_the_target() -> None:
    headers, authorization = botocore_request()
    unsigned = authorization.replace(";x-amz-target", "")
    error = fault_of(check, headers, unsigned)
    assert isinstance(error, faults.InvalidSignatureException)
    assert "X-Amz-Target" in error.message


def test_a_signed_header_missing_from_the_request_is_refused() -> None:
    headers, authorization = botocore_request()
    headers = [h for h in headers if h[0] != b"content-type"]
    assert isinstance(fault_of(check, headers, authorization), faults.InvalidSignatureException)


@pytest.mark.parametrize(
    "header",
    [
        "AWS4-HMAC-SHA1 Credential=a/20260102/us-east-1/swf/aws4_request, SignedHeaders=host, "
        "Signature=00",
        "AWS4-HMAC-SHA256 Credential=a/20260102/us-east-1/swf, SignedHeaders=host, Signature=0",
        "AWS4-HMAC-SHA256 Credential=a/20260102/us-east-1/swf/aws4_request, Signature=00",
        "AWS4-HMAC-SHA256",
        "Bearer abc",
    ],
)
def test_malformed_authorization_is_an_incomplete_signature(header: str) -> None:
    assert isinstance(fault_of(parse_signature, header), faults.IncompleteSignatureException)


def test_signing_keys_are_derived_once_per_secret_day_and_region() -> None:
    cache = SigningKeyCache(size=2)
    first = cache.get("s", "20260102", "us-east-1")
    assert cache.get("s", "20260102", "us-east-1") is first
    assert cache.get("s", "20260103", "us-east-1") != first
    assert cache.get("t", "20260102", "us-east-1") != first  # past the bound: cleared, still right
    assert cache.get("s", "20260102", "us-east-1") == first
