"""The SWF client: every operation typed (``_api.py``), sync (``Client``) and async
(``AsyncClient``), signed with SigV4, over a few keep-alive connections.

    client = Client()                      # endpoint: AWS_ENDPOINT_URL_SWF, else AWS
    client = Client("http://127.0.0.1:8466")
    client.register_domain(name="demo", workflowExecutionRetentionPeriodInDays="1")

Calls take boto3's keyword names and return the decoded JSON answer (dicts, with timestamps
as epoch seconds). Errors raise the fault classes of ``openswf.sdk.errors``. Nothing is
retried behind your back: a retried poll whose first answer was lost would strand a task.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Protocol

import orjson

from openswf.sdk._api import AsyncOperations, SyncOperations
from openswf.sdk.credentials import (
    ChainCredentials,
    Credentials,
    CredentialSource,
    StaticCredentials,
    is_aws,
    resolve_endpoint,
    resolve_region,
)
from openswf.sdk.errors import error_from_response
from openswf.sdk.signing import Signer
from openswf.sdk.transport import AsyncTransport, Endpoint, SyncTransport

# SWF holds a long poll for 60 s: the read timeout must be above it (AWS says at least 70 s).
DEFAULT_READ_TIMEOUT = 70.0
_DUMPS_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME


def _encode_extra(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.timestamp()
    raise TypeError(f"cannot send {type(value).__name__} to SWF")


class _Config:
    """What both clients share: endpoint, region, credentials and the request encoder."""

    def __init__(
        self,
        endpoint: str | None,
        region: str | None,
        credentials: Credentials | CredentialSource | None,
    ) -> None:
        self.region = resolve_region(region)
        self.endpoint = resolve_endpoint(endpoint, self.region)
        if isinstance(credentials, Credentials):
            credentials = StaticCredentials(credentials)
        self.credentials: CredentialSource = credentials or ChainCredentials(
            allow_placeholder=not is_aws(self.endpoint)
        )
        self.signer = Signer(Endpoint.parse(self.endpoint).host_header, self.region)

    def encode(self, operation: str, params: Mapping[str, Any]) -> tuple[list[Any], bytes]:
        body = orjson.dumps(
            {k: v for k, v in params.items() if v is not None},
            default=_encode_extra,
            option=_DUMPS_OPTIONS,
        )
        return self.signer.headers(operation, body, self.credentials.get()), body


def _decode(status: int, data: bytes) -> Any:
    if status == 200:
        return orjson.loads(data) if data else None
    raise error_from_response(status, data)


class Client(SyncOperations):
    """Thread-safe synchronous client; share one per process."""

    def __init__(
        self,
        endpoint: str | None = None,
        *,
        region: str | None = None,
        credentials: Credentials | CredentialSource | None = None,
        read_timeout: float = DEFAULT_READ_TIMEOUT,
        connect_timeout: float = 10.0,
    ) -> None:
        self._config = _Config(endpoint, region, credentials)
        self._transport = SyncTransport(
            self._config.endpoint, connect_timeout=connect_timeout, read_timeout=read_timeout
        )

    @property
    def endpoint(self) -> str:
        return self._config.endpoint

    @property
    def region(self) -> str:
        return self._config.region

    def _call(self, operation: str, params: Mapping[str, Any]) -> Any:
        headers, body = self._config.encode(operation, params)
        status, data = self._transport.post(headers, body)
        return _decode(status, data)

    def call(self, operation: str, **params: Any) -> Any:
        """Any operation by its wire name, e.g. ``call("ListDomains", registrationStatus=...)``."""
        return self._call(operation, params)

    def clone(self) -> Client:
        """A client with the same settings and connections of its own."""
        twin = Client.__new__(Client)
        twin._config = self._config
        transport = self._transport
        twin._transport = SyncTransport(
            self._config.endpoint,
            connect_timeout=transport.connect_timeout,
            read_timeout=transport.read_timeout,
        )
        return twin

    def abort_requests(self) -> None:
        """Close the connections of requests in flight (their callers get ConnectionAborted)."""
        self._transport.abort_all()

    def close(self) -> None:
        self._transport.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AsyncPoster(Protocol):
    """What AsyncClient sends its signed requests through (``AsyncTransport`` by default)."""

    async def post(self, headers: list[tuple[str, str]], body: bytes) -> tuple[int, bytes]: ...

    def abort_all(self) -> None: ...

    async def close(self) -> None: ...


class AsyncClient(AsyncOperations):
    """asyncio client: use it from one event loop.

    ``transport`` replaces the HTTP connection pool, e.g. with one that hands the signed
    request to an ASGI app in the same process (the dashboard inside ``openswf server``).
    """

    def __init__(
        self,
        endpoint: str | None = None,
        *,
        region: str | None = None,
        credentials: Credentials | CredentialSource | None = None,
        read_timeout: float = DEFAULT_READ_TIMEOUT,
        connect_timeout: float = 10.0,
        transport: AsyncPoster | None = None,
    ) -> None:
        self._config = _Config(endpoint, region, credentials)
        self._transport: AsyncPoster = transport or AsyncTransport(
            self._config.endpoint, connect_timeout=connect_timeout, read_timeout=read_timeout
        )

    @property
    def endpoint(self) -> str:
        return self._config.endpoint

    @property
    def region(self) -> str:
        return self._config.region

    async def _acall(self, operation: str, params: Mapping[str, Any]) -> Any:
        headers, body = self._config.encode(operation, params)
        status, data = await self._transport.post(headers, body)
        return _decode(status, data)

    async def call(self, operation: str, **params: Any) -> Any:
        return await self._acall(operation, params)

    def abort_requests(self) -> None:
        self._transport.abort_all()

    async def close(self) -> None:
        await self._transport.close()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()
