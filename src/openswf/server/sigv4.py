"""SigV4: reading the Authorization header, and verifying its signature.

Without access keys openswf reads only the credential scope of
``Credential=AKID/DATE/REGION/swf/aws4_request`` (domains are scoped per region) and accepts
any signature. With keys (server/access.py) every request is verified here, in the header form
every AWS SDK sends: the canonical request is rebuilt from the request as received (method,
path, query, the headers named in ``SignedHeaders``, the payload hash) and signed with the
key's secret; the signature, the credential scope and the date must all match.

Verification is a handful of hashes per request: the body's SHA-256, the canonical request's,
and one HMAC with the signing key, which is derived once per (secret, date, region) and cached.
"""

from __future__ import annotations

import calendar
import hashlib
import hmac
import time
from dataclasses import dataclass
from urllib.parse import quote, unquote_to_bytes

from openswf.protocol.faults import IncompleteSignatureException, InvalidSignatureException

ALGORITHM = "AWS4-HMAC-SHA256"
SERVICE = "swf"
MAX_SKEW_S = 15 * 60

SIGNATURE_MISMATCH = (
    "The request signature we calculated does not match the signature you provided. "
    "Check your AWS Secret Access Key and signing method. "
    "Consult the service documentation for details."
)


@dataclass(frozen=True, slots=True)
class Credential:
    access_key: str
    date: str
    region: str
    service: str


@dataclass(frozen=True, slots=True)
class Authorization:
    """The three parts of a SigV4 Authorization header."""

    credential: Credential
    signed_headers: tuple[str, ...]
    signature: str


def parse_signature(header: str) -> Authorization:
    algorithm, _, rest = header.strip().partition(" ")
    if algorithm != ALGORITHM:
        raise IncompleteSignatureException(f"Unsupported authorization algorithm {algorithm!r}")
    fields: dict[str, str] = {}
    for part in rest.split(","):
        key, sep, value = part.strip().partition("=")
        if sep:
            fields[key] = value
    scope = fields.get("Credential", "").split("/")
    if len(scope) != 5 or scope[4] != "aws4_request" or not scope[2]:
        raise IncompleteSignatureException(
            "Authorization header requires a Credential=AKID/date/region/service/aws4_request"
        )
    if "SignedHeaders" not in fields or "Signature" not in fields:
        raise IncompleteSignatureException(
            "Authorization header requires 'SignedHeaders' and 'Signature' parameters"
        )
    return Authorization(
        credential=Credential(
            access_key=scope[0], date=scope[1], region=scope[2], service=scope[3]
        ),
        signed_headers=tuple(fields["SignedHeaders"].split(";")),
        signature=fields["Signature"],
    )


def parse_authorization(header: str | None) -> Credential | None:
    """The credential of a SigV4 header; ``None`` when the request is unsigned."""
    if not header:
        return None
    return parse_signature(header).credential


# --- the canonical request ----------------------------------------------------------------


def canonical_uri(raw_path: bytes) -> str:
    # As botocore signs it: the path as sent, URI-encoded once more (non-S3 services).
    return quote(raw_path or b"/", safe="/~")


def canonical_query(raw_query: bytes) -> str:
    if not raw_query:
        return ""
    pairs = []
    for item in raw_query.split(b"&"):
        if not item:
            continue
        name, _, value = item.partition(b"=")
        pairs.append(
            (
                quote(unquote_to_bytes(name), safe="-_.~"),
                quote(unquote_to_bytes(value), safe="-_.~"),
            )
        )
    return "&".join(f"{name}={value}" for name, value in sorted(pairs))


def canonical_headers(headers: list[tuple[bytes, bytes]], signed: tuple[str, ...]) -> str:
    """``name:value\\n`` per signed header, values trimmed, inner runs of spaces collapsed,
    repeated headers joined with commas."""
    values: dict[str, list[str]] = {name: [] for name in signed}
    for raw_name, raw_value in headers:
        name = raw_name.decode("latin-1").lower()
        found = values.get(name)
        if found is not None:
            found.append(" ".join(raw_value.decode("latin-1").split()))
    missing = [name for name, found in values.items() if not found]
    if missing:
        raise InvalidSignatureException(
            f"The request does not have the signed header(s) {', '.join(missing)}"
        )
    return "".join(f"{name}:{','.join(values[name])}\n" for name in signed)


def canonical_request(
    *,
    method: str,
    raw_path: bytes,
    raw_query: bytes,
    headers: list[tuple[bytes, bytes]],
    signed_headers: tuple[str, ...],
    payload_hash: str,
) -> str:
    return "\n".join(
        (
            method.upper(),
            canonical_uri(raw_path),
            canonical_query(raw_query),
            canonical_headers(headers, signed_headers),
            ";".join(signed_headers),
            payload_hash,
        )
    )


def string_to_sign(amz_date: str, scope: str, canonical: str) -> str:
    digest = hashlib.sha256(canonical.encode()).hexdigest()
    return f"{ALGORITHM}\n{amz_date}\n{scope}\n{digest}"


def _hmac(key: bytes, message: str) -> bytes:
    return hmac.new(key, message.encode(), hashlib.sha256).digest()


def derive_signing_key(secret: str, date: str, region: str, service: str) -> bytes:
    key = _hmac(("AWS4" + secret).encode(), date)
    key = _hmac(key, region)
    key = _hmac(key, service)
    return _hmac(key, "aws4_request")


# --- dates ----------------------------------------------------------------------------------


def parse_amz_date(value: str) -> int:
    """Epoch seconds of an ISO-8601 basic-format ``YYYYMMDDTHHMMSSZ``."""
    if (
        len(value) != 16
        or value[8] != "T"
        or value[15] != "Z"
        or not (value[:8] + value[9:15]).isdigit()
        or not value.isascii()
    ):
        raise IncompleteSignatureException(
            f"Date must be in ISO-8601 'basic format'. Got '{value}'. "
            "See http://en.wikipedia.org/wiki/ISO_8601"
        )
    parts = (value[0:4], value[4:6], value[6:8], value[9:11], value[11:13], value[13:15])
    year, month, day, hour, minute, second = (int(part) for part in parts)
    if not (1 <= month <= 12 and 1 <= day <= 31 and hour < 24 and minute < 60 and second < 61):
        raise IncompleteSignatureException(
            f"Date must be in ISO-8601 'basic format'. Got '{value}'. "
            "See http://en.wikipedia.org/wiki/ISO_8601"
        )
    return calendar.timegm((year, month, day, hour, minute, second, 0, 0, 0))


def format_amz_date(epoch_s: float) -> str:
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(epoch_s))


def check_skew(amz_date: str, now_s: float, max_skew_s: int = MAX_SKEW_S) -> None:
    signed_at = parse_amz_date(amz_date)
    minutes = max_skew_s // 60
    if signed_at < now_s - max_skew_s:
        raise InvalidSignatureException(
            f"Signature expired: {amz_date} is now earlier than "
            f"{format_amz_date(now_s - max_skew_s)} ({format_amz_date(now_s)} - {minutes} min.)"
        )
    if signed_at > now_s + max_skew_s:
        raise InvalidSignatureException(
            f"Signature not yet current: {amz_date} is still later than "
            f"{format_amz_date(now_s + max_skew_s)} ({format_amz_date(now_s)} + {minutes} min.)"
        )


# --- verification ---------------------------------------------------------------------------


class SigningKeyCache:
    """Signing keys by (secret, date, region): four HMACs saved on every request but the
    first of the day. Bounded, as dates and regions come from the client."""

    def __init__(self, size: int = 1024) -> None:
        self._size = size
        self._keys: dict[tuple[str, str, str], bytes] = {}

    def get(self, secret: str, date: str, region: str) -> bytes:
        cache_key = (secret, date, region)
        key = self._keys.get(cache_key)
        if key is None:
            if len(self._keys) >= self._size:
                self._keys.clear()
            key = self._keys[cache_key] = derive_signing_key(secret, date, region, SERVICE)
        return key


def header_value(headers: list[tuple[bytes, bytes]], name: bytes) -> str | None:
    for raw_name, raw_value in headers:
        if raw_name == name:
            return raw_value.decode("latin-1").strip()
    return None


def verify(
    authorization: Authorization,
    secret: str,
    *,
    method: str,
    raw_path: bytes,
    raw_query: bytes,
    headers: list[tuple[bytes, bytes]],
    body: bytes,
    now_s: float,
    keys: SigningKeyCache,
) -> None:
    """Raises the fault SWF answers with when the signature of the request is not right.

    ``headers`` are ASGI's: lower-case names, values as received.
    """
    credential = authorization.credential
    amz_date = header_value(headers, b"x-amz-date")
    if amz_date is None:
        raise IncompleteSignatureException(
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."
        )
    parse_amz_date(amz_date)
    if credential.service != SERVICE:
        raise InvalidSignatureException(
            f"Credential should be scoped to correct service: '{SERVICE}'. "
        )
    if credential.date != amz_date[:8]:
        raise InvalidSignatureException(
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date "
            f"from HTTP: '{credential.date}' != '{amz_date[:8]}', from '{amz_date}'."
        )
    signed = authorization.signed_headers
    if "host" not in signed:
        raise InvalidSignatureException(
            "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."
        )
    if "x-amz-target" not in signed:
        # Every SDK signs it; unsigned, the operation of a captured request could be changed.
        raise InvalidSignatureException("'X-Amz-Target' must be a 'SignedHeader'.")
    check_skew(amz_date, now_s)
    payload_hash = hashlib.sha256(body).hexdigest()
    claimed = header_value(headers, b"x-amz-content-sha256")
    if claimed is not None and claimed.lower() != payload_hash:
        raise InvalidSignatureException(
            "The provided 'x-amz-content-sha256' header does not match what was computed."
        )
    canonical = canonical_request(
        method=method,
        raw_path=raw_path,
        raw_query=raw_query,
        headers=headers,
        signed_headers=signed,
        payload_hash=claimed if claimed is not None else payload_hash,
    )
    scope = f"{credential.date}/{credential.region}/{credential.service}/aws4_request"
    to_sign = string_to_sign(amz_date, scope, canonical)
    key = keys.get(secret, credential.date, credential.region)
    expected = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    given = authorization.signature.encode("latin-1", "replace")
    if not hmac.compare_digest(expected.encode(), given):
        raise InvalidSignatureException(
            f"{SIGNATURE_MISMATCH}\n\nThe Canonical String for this request should have been\n"
            f"'{canonical}'\n\nThe String-to-Sign should have been\n'{to_sign}'\n"
        )
