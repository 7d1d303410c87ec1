"""AWS Signature Version 4 for SWF's JSON POSTs, with hmac and hashlib only.

Every SWF request is ``POST /`` with no query string, so the canonical request has a fixed
shape; the signing key changes once a day per region and is cached.
"""

from __future__ import annotations

import hashlib
import hmac
import time

from openswf.sdk.credentials import Credentials

SERVICE = "swf"
CONTENT_TYPE = "application/x-amz-json-1.0"
TARGET_PREFIX = "SimpleWorkflowService."
_ALGORITHM = "AWS4-HMAC-SHA256"


def _hmac(key: bytes, message: str) -> bytes:
    return hmac.new(key, message.encode(), hashlib.sha256).digest()


def signing_key(secret_key: str, date: str, region: str, service: str = SERVICE) -> bytes:
    key = _hmac(("AWS4" + secret_key).encode(), date)
    key = _hmac(key, region)
    key = _hmac(key, service)
    return _hmac(key, "aws4_request")


class Signer:
    """Builds the signed headers of one request: ``headers(target, body, credentials)``."""

    def __init__(self, host: str, region: str) -> None:
        self.host = host
        self.region = region
        self._key_cache: tuple[str, str, bytes] | None = None  # (secret, date, key)
        self._clock_cache: tuple[int, str] = (-1, "")

    def _amz_date(self) -> str:
        now = int(time.time())
        if self._clock_cache[0] != now:
            self._clock_cache = (now, time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(now)))
        return self._clock_cache[1]

    def _key(self, secret: str, date: str) -> bytes:
        cached = self._key_cache
        if cached is not None and cached[0] == secret and cached[1] == date:
            return cached[2]
        key = signing_key(secret, date, self.region)
        self._key_cache = (secret, date, key)
        return key

    def headers(
        self, operation: str, body: bytes, credentials: Credentials
    ) -> list[tuple[str, str]]:
        amz_date = self._amz_date()
        date = amz_date[:8]
        target = TARGET_PREFIX + operation
        token = credentials.token
        if token:
            signed = "content-type;host;x-amz-date;x-amz-security-token;x-amz-target"
            canonical_headers = (
                f"content-type:{CONTENT_TYPE}\nhost:{self.host}\nx-amz-date:{amz_date}\n"
                f"x-amz-security-token:{token}\nx-amz-target:{target}\n"
            )
        else:
            signed = "content-type;host;x-amz-date;x-amz-target"
            canonical_headers = (
                f"content-type:{CONTENT_TYPE}\nhost:{self.host}\nx-amz-date:{amz_date}\n"
                f"x-amz-target:{target}\n"
            )
        canonical = f"POST\n/\n\n{canonical_headers}\n{signed}\n{hashlib.sha256(body).hexdigest()}"
        scope = f"{date}/{self.region}/{SERVICE}/aws4_request"
        to_sign = (
            f"{_ALGORITHM}\n{amz_date}\n{scope}\n{hashlib.sha256(canonical.encode()).hexdigest()}"
        )
        signature = hmac.new(
            self._key(credentials.secret_key, date), to_sign.encode(), hashlib.sha256
        ).hexdigest()
        headers = [
            ("Content-Type", CONTENT_TYPE),
            ("X-Amz-Date", amz_date),
            ("X-Amz-Target", target),
            (
                "Authorization",
                f"{_ALGORITHM} Credential={credentials.access_key}/{scope}, "
                f"SignedHeaders={signed}, Signature={signature}",
            ),
        ]
        if token:
            headers.append(("X-Amz-Security-Token", token))
        return headers
