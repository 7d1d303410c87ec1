"""Task tokens and page tokens: opaque to clients, signed so they cannot be forged.

A task token names the run, the task's scheduled event and the started event that handed it
out; the engine compares the started event with the run's current state, so a token stops
working the moment its task completes, times out or is handed out again.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any

from openswf.protocol.faults import UnknownResourceFault, ValidationException

_SIG_BYTES = 12
_URLSAFE = str.maketrans("-_", "+/")


class TokenSigner:
    """Signs with ``secret``; also accepts tokens signed with any of ``older``, so the key can
    be rotated without voiding the tokens already handed out (docs/security.md)."""

    def __init__(self, secret: bytes, *older: bytes) -> None:
        self._secret = secret
        self._older = older

    def _sign(self, body: bytes, secret: bytes | None = None) -> bytes:
        return hmac.new(secret or self._secret, body, hashlib.sha256).digest()[:_SIG_BYTES]

    def _signed_by_any(self, signature: bytes, body: bytes) -> bool:
        if hmac.compare_digest(signature, self._sign(body)):
            return True
        return any(hmac.compare_digest(signature, self._sign(body, key)) for key in self._older)

    def encode(self, value: Any) -> str:
        # UTF-8, not \u escapes: a name of 256 characters outside ASCII takes at most 1 KiB,
        # and a page token built from one still fits PageToken's 2048 characters.
        body = json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()
        # The standard alphabet (A-Z a-z 0-9 + /): a token never starts with "-", which
        # command lines (the AWS CLI's argparse) read as an option.
        return base64.b64encode(self._sign(body) + body).decode().rstrip("=")

    def decode(self, token: str) -> Any:
        """The signed value, or ``None`` when the token is malformed or forged. Tokens of
        the URL-safe alphabet (earlier versions) decode too."""
        try:
            raw = base64.b64decode(
                token.translate(_URLSAFE) + "=" * (-len(token) % 4), validate=True
            )
        except (ValueError, TypeError):
            return None
        signature, body = raw[:_SIG_BYTES], raw[_SIG_BYTES:]
        if not self._signed_by_any(signature, body):
            return None
        try:
            return json.loads(body)
        except ValueError:
            return None


@dataclass(frozen=True, kw_only=True, slots=True)
class TaskToken:
    kind: str  # "d" (decision), "a" (activity) or "l" (Lambda function)
    run_id: str
    scheduled_event_id: int
    started_event_id: int


def encode_task_token(signer: TokenSigner, token: TaskToken) -> str:
    return signer.encode(
        [token.kind, token.run_id, token.scheduled_event_id, token.started_event_id]
    )


def decode_task_token(signer: TokenSigner, raw: str, kind: str, *also: str) -> TaskToken:
    """The token, if it is one of the kinds asked for (``d``, ``a``, ``l`` for Lambda)."""
    value = signer.decode(raw)
    if (
        not isinstance(value, list)
        or len(value) != 4
        or value[0] not in (kind, *also)
        or not isinstance(value[1], str)
        or not all(isinstance(v, int) for v in value[2:])
    ):
        what = "decision task" if kind == "d" else "activity task"
        raise UnknownResourceFault(f"Unknown {what} token")
    return TaskToken(
        kind=value[0], run_id=value[1], scheduled_event_id=value[2], started_event_id=value[3]
    )


PAGE_TOKEN_LIFETIME_MS = 24 * 3600 * 1000


def encode_page_token(signer: TokenSigner, scope: str, position: Any, now_ms: int) -> str:
    """A page token is bound to one kind of listing (``scope``) and expires after 24 h."""
    return signer.encode([scope, now_ms, position])


def decode_page_token(signer: TokenSigner, raw: str, scope: str, now_ms: int) -> Any:
    value = signer.decode(raw)
    if not isinstance(value, list) or len(value) != 3 or value[0] != scope:
        raise ValidationException("Invalid nextPageToken")
    if not isinstance(value[1], int) or now_ms - value[1] > PAGE_TOKEN_LIFETIME_MS:
        raise ValidationException("Specified token has exceeded its maximum lifetime")
    return value[2]
