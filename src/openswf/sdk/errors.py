"""Errors the client raises: the same fault classes the server raises, by wire type.

``except UnknownResourceFault`` works the same in a decider and in the server's own code:
both come from ``openswf.protocol.faults``. A type the protocol does not know (say, a
``ThrottlingException`` variant from real SWF) becomes a plain ``SwfError`` whose
``type_name`` is that type.
"""

from __future__ import annotations

import orjson

from openswf.protocol.faults import (
    DefaultUndefinedFault,
    DomainAlreadyExistsFault,
    DomainDeprecatedFault,
    LimitExceededFault,
    OperationNotPermittedFault,
    SwfError,
    ThrottlingException,
    TypeAlreadyExistsFault,
    TypeDeprecatedFault,
    UnknownResourceFault,
    ValidationException,
    WorkflowExecutionAlreadyStartedFault,
)
from openswf.sdk.credentials import NoCredentialsError
from openswf.sdk.transport import ConnectionAborted, TransportError

__all__ = [
    "ConnectionAborted",
    "DefaultUndefinedFault",
    "DomainAlreadyExistsFault",
    "DomainDeprecatedFault",
    "LimitExceededFault",
    "NoCredentialsError",
    "OperationNotPermittedFault",
    "SwfError",
    "ThrottlingException",
    "TransportError",
    "TypeAlreadyExistsFault",
    "TypeDeprecatedFault",
    "UnknownResourceFault",
    "ValidationException",
    "WorkflowExecutionAlreadyStartedFault",
    "error_from_response",
]


def _all_subclasses(cls: type[SwfError]) -> list[type[SwfError]]:
    found = []
    for sub in cls.__subclasses__():
        found.append(sub)
        found.extend(_all_subclasses(sub))
    return found


_BY_TYPE: dict[str, type[SwfError]] = {c.type_name: c for c in _all_subclasses(SwfError)}


def error_from_response(status: int, body: bytes) -> SwfError:
    """The fault of an error answer, read as botocore reads it (``__type`` after ``#``)."""
    try:
        payload = orjson.loads(body) if body else {}
    except orjson.JSONDecodeError:
        payload = {}
    if not isinstance(payload, dict):
        payload = {}
    wire_type = str(payload.get("__type") or payload.get("code") or f"HTTP{status}")
    name = wire_type.split(":", 1)[0].rsplit("#", 1)[-1]
    message = str(payload.get("message") or payload.get("Message") or "")
    cls = _BY_TYPE.get(name)
    if cls is not None:
        return cls(message)
    error = SwfError(message or body[:200].decode("utf-8", "replace"))
    error.type_name = name
    error.status = status
    return error
