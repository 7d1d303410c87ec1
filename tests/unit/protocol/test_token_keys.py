"""Token keys: the first key signs, every key verifies, so the key can be rotated."""

from __future__ import annotations

from openswf.protocol.tokens import TokenSigner
from openswf.storage.urls import redact


def test_tokens_of_an_older_key_still_verify_and_new_ones_use_the_first() -> None:
    old, new = b"old-key-0123456789", b"new-key-0123456789"
    issued_before = TokenSigner(old).encode(["a", 1])
    rotating = TokenSigner(new, old)
    assert rotating.decode(issued_before) == ["a", 1]
    issued_after = rotating.encode(["a", 2])
    assert TokenSigner(old).decode(issued_after) is None
    assert TokenSigner(new).decode(issued_after) == ["a", 2]
    # Once the old key is removed, its tokens stop working.
    assert TokenSigner(new).decode(issued_before) is None


def test_forged_tokens_are_refused_by_every_key() -> None:
    signer = TokenSigner(b"k1-0123456789abcdef", b"k2-0123456789abcdef")
    token = signer.encode(["a", 1])
    assert signer.decode(token[:-2] + ("AA" if token[-2:] != "AA" else "BB")) is None
    assert signer.decode("not-a-token") is None


def test_database_url_passwords_are_redacted_in_the_query_string_too() -> None:
    assert redact("postgresql://u@h/db?sslmode=require&password=s3cret") == (
        "postgresql://u@h/db?sslmode=require&password=***"
    )
    assert redact("postgresql://u:pw@h/db?PASSWORD=x") == "postgresql://u:***@h/db?PASSWORD=***"
    assert redact("postgresql://u@h/db?passwordless=1") == "postgresql://u@h/db?passwordless=1"
    assert (
        redact("sqlite:///tmp/x.db?synchronous=normal") == "sqlite:///tmp/x.db?synchronous=normal"
    )
