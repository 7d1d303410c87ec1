"""Who is looking: the SWF client each browser session uses, and what its key may do.

Without access keys on the server, every session uses the dashboard's own credentials (the
standard AWS chain, or openswf's local placeholder). When the endpoint refuses those (an
openswf server with ``--access-keys``, or AWS without credentials), the dashboard asks for
an access key id and secret at /login and keeps them in server memory under a random session
id; the browser holds only that id, in an HttpOnly cookie. Every call of that session is
signed with its key, so the API decides what it sees and does. Whether a key may write in a
domain is learnt by a harmless probe (a cancel request for a random workflow id that exists nowhere:
UnknownResourceFault means allowed, AccessDeniedException means read-only).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import secrets
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

from openswf.sdk import AsyncClient, Credentials
from openswf.sdk.errors import SwfError

COOKIE = "openswf_ui"
SESSION_TTL_S = 12 * 3600
MAX_SESSIONS = 1000
WRITE_PROBE_TTL_S = 60.0
PROBE_PREFIX = "openswf-dashboard-probe-"

# Answers meaning "these credentials are not accepted here": ask for (other) keys.
AUTH_FAULTS = frozenset(
    {
        "MissingAuthenticationTokenException",
        "UnrecognizedClientException",
        "InvalidSignatureException",
        "IncompleteSignatureException",
        "InvalidClientTokenId",
        "SignatureDoesNotMatch",
        "ExpiredTokenException",
    }
)
ACCESS_DENIED = "AccessDeniedException"


def fault_name(error: BaseException) -> str:
    return error.type_name if isinstance(error, SwfError) else ""


def is_auth_fault(error: BaseException) -> bool:
    return fault_name(error) in AUTH_FAULTS


def is_access_denied(error: BaseException) -> bool:
    return fault_name(error) == ACCESS_DENIED


@dataclass(kw_only=True)
class Login:
    access_key: str
    client: AsyncClient
    last_seen: float = field(default_factory=time.monotonic)


@dataclass(frozen=True, kw_only=True)
class Viewer:
    """This request's session: its id, CSRF token, client, and key (None: the default)."""

    session_id: str
    new_session: bool
    csrf: str
    client: AsyncClient
    access_key: str | None


class Access:
    def __init__(
        self, default_client: AsyncClient, make_client: Callable[[Credentials], AsyncClient]
    ) -> None:
        self.default_client = default_client
        self._make_client = make_client
        self._secret = secrets.token_bytes(32)
        self._logins: OrderedDict[str, Login] = OrderedDict()
        self._writable: dict[tuple[str, str], tuple[bool, float]] = {}
        self._closing: set[asyncio.Task[None]] = set()

    def csrf_token(self, session_id: str) -> str:
        return hmac.new(self._secret, session_id.encode(), hashlib.sha256).hexdigest()[:32]

    def check_csrf(self, session_id: str, token: str) -> bool:
        return hmac.compare_digest(self.csrf_token(session_id), token)

    def viewer(self, session_id: str | None) -> Viewer:
        new = not session_id or len(session_id) > 64
        sid = secrets.token_urlsafe(24) if new or session_id is None else session_id
        login = self._logins.get(sid)
        now = time.monotonic()
        if login is not None and now - login.last_seen > SESSION_TTL_S:
            self._drop(sid)
            login = None
        if login is not None:
            login.last_seen = now
            self._logins.move_to_end(sid)
        return Viewer(
            session_id=sid,
            new_session=new,
            csrf=self.csrf_token(sid),
            client=login.client if login else self.default_client,
            access_key=login.access_key if login else None,
        )

    async def log_in(self, credentials: Credentials) -> str:
        """Checks the key with a read (ListDomains); returns the new session's id.

        Raises the API's fault when the key is refused."""
        client = self._make_client(credentials)
        try:
            await client.list_domains(registrationStatus="REGISTERED", maximumPageSize=1)
        except BaseException:
            await client.close()
            raise
        sid = secrets.token_urlsafe(24)  # a new id at login: no session fixation
        self._logins[sid] = Login(access_key=credentials.access_key, client=client)
        while len(self._logins) > MAX_SESSIONS:
            oldest = next(iter(self._logins))
            self._drop(oldest)
        return sid

    def log_out(self, session_id: str) -> None:
        self._drop(session_id)

    def _drop(self, session_id: str) -> None:
        login = self._logins.pop(session_id, None)
        for key in [k for k in self._writable if k[0] == session_id]:
            del self._writable[key]
        if login is not None:
            login.client.abort_requests()
            try:  # close its idle connections too (an HTTP pool; nothing in-process)
                task = asyncio.get_running_loop().create_task(login.client.close())
            except RuntimeError:  # no loop running: nothing holds connections either
                return
            self._closing.add(task)
            task.add_done_callback(self._closing.discard)

    async def can_write(self, viewer: Viewer, domain: str) -> bool:
        """Whether this session's key may act in ``domain`` (cached for a minute)."""
        key = (viewer.session_id if viewer.access_key else "", domain)
        cached = self._writable.get(key)
        now = time.monotonic()
        if cached is not None and now - cached[1] < WRITE_PROBE_TTL_S:
            return cached[0]
        try:
            await viewer.client.request_cancel_workflow_execution(
                domain=domain, workflowId=PROBE_PREFIX + secrets.token_hex(16)
            )
            allowed = True
        except SwfError as error:
            allowed = not (is_access_denied(error) or is_auth_fault(error))
        self._writable[key] = (allowed, now)
        return allowed

    def forget_write(self, viewer: Viewer, domain: str) -> None:
        """An action was refused: probe again next time instead of trusting the cache."""
        self._writable.pop((viewer.session_id if viewer.access_key else "", domain), None)

    async def close(self) -> None:
        for task in list(self._closing):
            await task
        for sid in list(self._logins):
            login = self._logins.pop(sid)
            await login.client.close()
        await self.default_client.close()
