"""Task tokens and page tokens (protocol/tokens.py; reference §6.5, §6.6, §8.2)."""

from __future__ import annotations

import base64
import json

import pytest

from openswf.protocol.faults import UnknownResourceFault, ValidationException
from openswf.protocol.tokens import (
    PAGE_TOKEN_LIFETIME_MS,
    TaskToken,
    TokenSigner,
    decode_page_token,
    decode_task_token,
    encode_page_token,
    encode_task_token,
)
from tests.unit.engine.engine_helpers import T0

SIGNER = TokenSigner(b"server-secret")
EXPIRED = "Specified token has exceeded its maximum lifetime"


def a_token(kind: str = "a") -> TaskToken:
    return TaskToken(kind=kind, run_id="run-1", scheduled_event_id=5, started_event_id=6)


# --- task tokens ---------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["d", "a"])
def test_task_token_round_trip(kind: str) -> None:
    token = a_token(kind)

    raw = encode_task_token(SIGNER, token)

    assert isinstance(raw, str) and raw
    assert decode_task_token(SIGNER, raw, kind) == token


def test_task_token_fits_the_model_and_is_url_safe() -> None:
    token = TaskToken(
        kind="d", run_id="r" * 64, scheduled_event_id=2**40, started_event_id=2**40 + 1
    )

    raw = encode_task_token(SIGNER, token)

    assert 1 <= len(raw) <= 1024
    assert all(ch.isalnum() or ch in "-_" for ch in raw)


def test_task_tokens_differ_per_task() -> None:
    first = encode_task_token(SIGNER, a_token())
    other = encode_task_token(
        SIGNER, TaskToken(kind="a", run_id="run-1", scheduled_event_id=5, started_event_id=7)
    )

    assert first != other


def test_a_task_token_of_the_wrong_kind_is_rejected() -> None:
    raw = encode_task_token(SIGNER, a_token("a"))

    with pytest.raises(UnknownResourceFault):
        decode_task_token(SIGNER, raw, "d")


def test_a_decision_token_is_not_an_activity_token() -> None:
    raw = encode_task_token(SIGNER, a_token("d"))

    with pytest.raises(UnknownResourceFault):
        decode_task_token(SIGNER, raw, "a")


def test_a_token_signed_with_another_secret_is_forged() -> None:
    raw = encode_task_token(TokenSigner(b"someone-else"), a_token())

    with pytest.raises(UnknownResourceFault):
        decode_task_token(SIGNER, raw, "a")


def test_a_tampered_token_is_rejected() -> None:
    raw = encode_task_token(SIGNER, a_token())
    decoded = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))
    signature, body = decoded[:12], decoded[12:]
    tampered_body = body.replace(b"6]", b"9]")
    assert tampered_body != body
    tampered = base64.urlsafe_b64encode(signature + tampered_body).decode().rstrip("=")

    with pytest.raises(UnknownResourceFault):
        decode_task_token(SIGNER, tampered, "a")


def test_an_unsigned_token_is_rejected() -> None:
    body = json.dumps(["a", "run-1", 5, 6]).encode()
    raw = base64.urlsafe_b64encode(body).decode()

    with pytest.raises(UnknownResourceFault):
        decode_task_token(SIGNER, raw, "a")


@pytest.mark.parametrize(
    "garbled",
    ["", "x", "not a token", "%%%%", "é" * 10, "AAAA", "a" * 1024, "=====", "QUJD\n"],
)
def test_a_garbled_task_token_is_unknown(garbled: str) -> None:
    with pytest.raises(UnknownResourceFault):
        decode_task_token(SIGNER, garbled, "a")


@pytest.mark.parametrize(
    "value",
    [
        {"kind": "a"},
        ["a", "run-1", 5],
        ["a", "run-1", 5, 6, 7],
        ["a", 1, 5, 6],
        ["a", "run-1", "5", 6],
        ["a", "run-1", 5, None],
        "a",
        None,
    ],
)
def test_a_signed_value_of_the_wrong_shape_is_unknown(value: object) -> None:
    raw = SIGNER.encode(value)

    with pytest.raises(UnknownResourceFault):
        decode_task_token(SIGNER, raw, "a")


def test_a_page_token_is_not_a_task_token() -> None:
    raw = encode_page_token(SIGNER, "history", {"offset": 3}, T0)

    with pytest.raises(UnknownResourceFault):
        decode_task_token(SIGNER, raw, "a")


# --- page tokens ---------------------------------------------------------------------------


def test_page_token_round_trip() -> None:
    position = {"offset": 100, "reverse": False, "size": 2}

    raw = encode_page_token(SIGNER, "history", position, T0)

    assert decode_page_token(SIGNER, raw, "history", T0 + 1000) == position


def test_page_token_of_another_listing_is_rejected() -> None:
    raw = encode_page_token(SIGNER, "decision-task", {"offset": 1}, T0)

    with pytest.raises(ValidationException):
        decode_page_token(SIGNER, raw, "history", T0)


def test_page_token_is_valid_for_its_whole_lifetime() -> None:
    raw = encode_page_token(SIGNER, "history", 7, T0)

    assert decode_page_token(SIGNER, raw, "history", T0 + PAGE_TOKEN_LIFETIME_MS) == 7


def test_page_token_lifetime_is_at_least_a_minute() -> None:
    # Reference §11.8: anything from 60 s (forum) to 24 h (model) is defensible.
    assert PAGE_TOKEN_LIFETIME_MS >= 60 * 1000


def test_an_expired_page_token_exceeds_its_maximum_lifetime() -> None:
    raw = encode_page_token(SIGNER, "history", 7, T0)

    with pytest.raises(ValidationException) as caught:
        decode_page_token(SIGNER, raw, "history", T0 + PAGE_TOKEN_LIFETIME_MS + 1)

    assert caught.value.message == EXPIRED
    assert caught.value.type_name == "ValidationException"


@pytest.mark.parametrize("garbled", ["", "junk", "é", "AAAA"])
def test_a_garbled_page_token_is_a_validation_error(garbled: str) -> None:
    with pytest.raises(ValidationException):
        decode_page_token(SIGNER, garbled, "history", T0)


def test_a_forged_page_token_is_a_validation_error() -> None:
    raw = encode_page_token(TokenSigner(b"someone-else"), "history", 7, T0)

    with pytest.raises(ValidationException):
        decode_page_token(SIGNER, raw, "history", T0)


def test_a_task_token_is_not_a_page_token() -> None:
    raw = encode_task_token(SIGNER, a_token())

    with pytest.raises(ValidationException):
        decode_page_token(SIGNER, raw, "history", T0)
