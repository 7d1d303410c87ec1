"""POST /: route on X-Amz-Target, validate, call the operation, answer in SWF's wire form."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping
from typing import Any

import orjson

from openswf.protocol import faults
from openswf.protocol.validation import validate_request
from openswf.server.access import TOKEN_KINDS, AccessGuard, Caller, denied, domain_named
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
    def __init__(self, service: SwfService, guard: AccessGuard | None = None) -> None:
        self._service = service
        self.guard = guard

    async def dispatch(
        self,
        target: str | None,
        authorization: str | None,
        body: bytes,
        context_extra: dict[str, Any],
        scope: Mapping[str, Any] | None = None,
    ) -> tuple[int, bytes]:
        """Returns ``(status, body)``; never raises. ``scope`` (ASGI's) is what a signature
        is verified against, when the server has access keys."""
        try:
            return 200, await self._call(target, authorization, body, context_extra, scope)
        except faults.SwfError as error:
            return error.status, fault_body(error)
        except UnstorableValue as error:
            return 400, fault_body(faults.ValidationException(str(error)))
        except (StoreUnavailable, VersionConflict) as error:
            # The database is away for now, or other servers kept winning the run this
            # request changes: clients retry a 503 (a replayed write is refused or harmless).
            log.warning("%s failed: %r", target, error)
            self._service.observer.store_error(type(error).__name__)
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
        scope: Mapping[str, Any] | None = None,
    ) -> bytes:
        caller = self._authenticate(authorization, body, scope) if self.guard else None
        operation = operation_of(target)
        handler = self._service.handlers.get(operation or "")
        if handler is None:
            raise faults.UnknownOperationException(
                f"Unknown operation {target!r}" if target else "Missing X-Amz-Target header"
            )
        if caller is not None and not caller.key.may_call(operation or ""):
            raise denied(caller, operation or "", None)
        credential = parse_authorization(authorization) if caller is None else None
        if len(body) > MAX_REQUEST_BYTES:
            raise faults.ValidationException(TOO_LARGE)  # a caller that read it whole
        try:
            decoded = orjson.loads(body) if body else {}
        except orjson.JSONDecodeError as error:
            raise faults.SerializationException(f"Malformed JSON request body: {error}") from None
        assert operation is not None
        request = validate_request(operation, decoded)
        if caller is not None:
            context = await self._caller_context(caller, operation, request, context_extra)
        else:
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

    def _authenticate(
        self, authorization: str | None, body: bytes, scope: Mapping[str, Any] | None
    ) -> Caller:
        assert self.guard is not None
        scope = scope or {}
        return self.guard.authenticate(
            method=scope.get("method", "POST"),
            raw_path=scope.get("raw_path") or scope.get("path", "/").encode(),
            raw_query=scope.get("query_string", b""),
            headers=scope.get("headers", []),
            authorization=authorization,
            body=body,
        )

    async def _caller_context(
        self, caller: Caller, operation: str, request: dict[str, Any], extra: dict[str, Any]
    ) -> RequestContext:
        """The context of a signed request. A key limited to some domains is refused any
        other; its ListDomains shows only the domains it may use."""
        context = RequestContext(region=caller.region, access_key=caller.key.id, **extra)
        if caller.key.domains is None:
            return context
        if operation == "ListDomains":
            return dataclasses.replace(context, may_see_domain=caller.key.may_use_domain)
        kinds = TOKEN_KINDS.get(operation)
        if kinds is not None:
            name = await self._service.task_token_domain(request["taskToken"], *kinds)
        else:
            name = domain_named(operation, request)
        if name is not None and not caller.key.may_use_domain(name):
            account = self._service.settings.account_id
            raise denied(caller, operation, f"arn:aws:swf:{caller.region}:{account}:/domain/{name}")
        return context
