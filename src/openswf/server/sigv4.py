"""SigV4: the credential scope of the Authorization header.

For now openswf accepts any signature, but it reads the access key and the region from
``Credential=AKID/DATE/REGION/swf/aws4_request``: domains are scoped per region.
"""

from __future__ import annotations

from dataclasses import dataclass

from openswf.protocol.faults import IncompleteSignatureException


@dataclass(frozen=True, slots=True)
class Credential:
    access_key: str
    date: str
    region: str
    service: str


def parse_authorization(header: str | None) -> Credential | None:
    """The credential of a SigV4 header; ``None`` when the request is unsigned."""
    if not header:
        return None
    algorithm, _, rest = header.strip().partition(" ")
    if algorithm != "AWS4-HMAC-SHA256":
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
    return Credential(access_key=scope[0], date=scope[1], region=scope[2], service=scope[3])
