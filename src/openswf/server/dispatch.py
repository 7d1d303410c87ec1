"""POST /: route on X-Amz-Target, validate, call the operation, answer in SWF's wire form."""

from __future__ import annotations

import logging
from typing import Any

import orjson

from openswf.protocol import faults
from openswf.protocol.validation import validate_request
from openswf.server.body import MAX_REQUEST_BYTES, TOO_LARGE
from openswf.server.sigv4 import parse_authorization
from openswf.services.context import RequestContext
from openswf.services.service import SwfService
from openswf.storage.records import StoreUnavailable, UnstorableValue, VersionConflict

log = logging.getLogger("openswf.server")

CONTENT_TYPE = "application/x-amz-json-1.0"
TARGET_PREFIXES = (
    "SimpleWorkflowService.",
    "com.amazonaws.swf.service.model.SimpleWorkflowService.",
)


def operation_of(target: str | None) -> str | None:
    if not target:
        return None
    for prefix in TARGET_PREFIXES:
        if target.startswith(prefix):
            return target[len(prefix) :]
    return None


def fault_body(error: faults.SwfError) -> bytes:
    body: dict[str, Any] = {"__type": error.wire_type}
    if error.message:
        body["message"] = error.message
    return orjson.dumps(body)


class Dispatcher:
    def __init__(self, service: SwfService) -> None:
        self._service = service

    async def dispatch(
        self,
        target: str | None,
        authorization: str | None,
        body: bytes,
        context_extra: dict[str, Any],
    ) -> tuple[int, bytes]:
        """Returns ``(status, body)``; never raises."""
        try:
            return 200, await self._call(target, authorization, body, context_extra)
        except faults.SwfError as error:
            return error.status, fault_body(error)
        except UnstorableValue as error:
            return 400, fault_body(faults.ValidationException(str(error)))
        except (StoreUnavailable, VersionConflict) as error:
            # The database is away for now, or other servers kept winning the run this
            # request changes: clients retry a 503 (a replayed write is refused or harmless).
            log.warning("%s failed: %r", target, error)
            return 503, fault_body(faults.ServiceUnavailable("Service unavailable, retry later"))
        except Exception:  # a bug of ours: answer like coral, and keep the traceback in the log
            log.exception("internal failure on %s", target)
            return 500, fault_body(faults.InternalFailure("Internal failure"))

    async def _call(
        self,
        target: str | None,
        authorization: str | None,
        body: bytes,
        context_extra: dict[str, Any],
    ) -> bytes:
        operation = operation_of(target)
        handler = self._service.handlers.get(operation or "")
        if handler is None:
            raise faults.UnknownOperationException(
                f"Unknown operation {target!r}" if target else "Missing X-Amz-Target header"
            )
        credential = parse_authorization(authorization)
        if len(body) > MAX_REQUEST_BYTES:
            raise faults.ValidationException(TOO_LARGE)  # a caller that read it whole
        try:
            decoded = orjson.loads(body) if body else {}
        except orjson.JSONDecodeError as error:
            raise faults.SerializationException(f"Malformed JSON request body: {error}") from None
        assert operation is not None
        request = validate_request(operation, decoded)
        context = RequestContext(
            region=credential.region if credential else self._service.settings.default_region,
            access_key=credential.access_key if credential else None,
            **context_extra,
        )
        result = await handler(request, context)
        if result is None:
            return b""
        if isinstance(result, bytes):
            return result
        return orjson.dumps(result)
