"""Access keys: who may call, on which domains, and whether only to read.

``openswf server --access-keys keys.toml`` reads a TOML file of keys::

    [[keys]]
    id = "AKIDORDERS"
    secret = "..."
    domains = ["orders-*", "billing"]   # glob patterns; omitted: every domain
    read_only = false                    # true: Describe*, List*, Count*, Get* only

With keys, every SWF request must be signed (SigV4, server/sigv4.py) by one of them, and may
touch only the domains its key allows. The domain of a request is its ``domain`` member, the
``name`` of a domain operation, the domain of a ``resourceArn``, or, for the calls that carry a
task token, the domain of the token's run. ListDomains shows only the domains the key may see.
The file is reread on SIGHUP (server/run.py); a file that does not load keeps the keys in use.
"""

from __future__ import annotations

import fnmatch
import logging
import time
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openswf.protocol import faults
from openswf.server.sigv4 import SigningKeyCache, parse_signature, verify

log = logging.getLogger("openswf.server")

READ_PREFIXES = ("Describe", "List", "Count", "Get")
# The kinds of task token each operation accepts (protocol/tokens.py).
TOKEN_KINDS: Mapping[str, tuple[str, ...]] = {
    "RespondDecisionTaskCompleted": ("d",),
    "RespondActivityTaskCompleted": ("a", "l"),
    "RespondActivityTaskFailed": ("a", "l"),
    "RespondActivityTaskCanceled": ("a", "l"),
    "RecordActivityTaskHeartbeat": ("a",),
}
_KEY_FIELDS = {"id", "secret", "domains", "read_only"}


class AccessKeyError(ValueError):
    """An access-keys file that cannot be used; the message says where and why."""


@dataclass(frozen=True, kw_only=True, slots=True)
class AccessKey:
    id: str
    secret: str
    domains: tuple[str, ...] | None = None  # glob patterns; None: every domain
    read_only: bool = False

    def may_use_domain(self, name: str) -> bool:
        if self.domains is None:
            return True
        return any(fnmatch.fnmatchcase(name, pattern) for pattern in self.domains)

    def may_call(self, operation: str) -> bool:
        return not self.read_only or operation.startswith(READ_PREFIXES)


def parse_access_keys(data: Mapping[str, Any], source: str = "access keys") -> list[AccessKey]:
    unknown = set(data) - {"keys"}
    if unknown:
        raise AccessKeyError(f"{source}: unknown top-level entries {sorted(unknown)}")
    entries = data.get("keys")
    if not isinstance(entries, list) or not entries:
        raise AccessKeyError(f"{source}: no keys (expected one or more [[keys]] tables)")
    keys: list[AccessKey] = []
    seen: set[str] = set()
    for number, entry in enumerate(entries, 1):
        where = f"{source}: key {number}"
        if not isinstance(entry, dict):
            raise AccessKeyError(f"{where}: expected a [[keys]] table")
        extra = set(entry) - _KEY_FIELDS
        if extra:
            raise AccessKeyError(f"{where}: unknown fields {sorted(extra)}")
        key_id, secret = entry.get("id"), entry.get("secret")
        if not isinstance(key_id, str) or not key_id or "/" in key_id:
            raise AccessKeyError(f"{where}: 'id' must be a non-empty string without '/'")
        if key_id in seen:
            raise AccessKeyError(f"{where}: id {key_id!r} appears twice")
        if not isinstance(secret, str) or not secret:
            raise AccessKeyError(f"{where} ({key_id}): 'secret' must be a non-empty string")
        domains = entry.get("domains")
        if domains is not None and (
            not isinstance(domains, list) or not all(isinstance(d, str) and d for d in domains)
        ):
            raise AccessKeyError(f"{where} ({key_id}): 'domains' must be a list of patterns")
        read_only = entry.get("read_only", False)
        if not isinstance(read_only, bool):
            raise AccessKeyError(f"{where} ({key_id}): 'read_only' must be true or false")
        seen.add(key_id)
        keys.append(
            AccessKey(
                id=key_id,
                secret=secret,
                domains=tuple(domains) if domains is not None else None,
                read_only=read_only,
            )
        )
    return keys


def load_access_keys(path: str | Path) -> list[AccessKey]:
    try:
        with open(path, "rb") as file:
            data = tomllib.load(file)
    except OSError as error:
        raise AccessKeyError(f"cannot read access keys {path}: {error.strerror}") from error
    except tomllib.TOMLDecodeError as error:
        raise AccessKeyError(f"{path}: not valid TOML: {error}") from error
    return parse_access_keys(data, str(path))


@dataclass(frozen=True, slots=True)
class Caller:
    """Who signed a request, and where it came from."""

    key: AccessKey
    region: str


class AccessGuard:
    """Authenticates and authorizes SWF requests against a set of access keys."""

    def __init__(
        self,
        keys: list[AccessKey],
        *,
        path: str | Path | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._keys = {key.id: key for key in keys}
        self.path = path
        self._clock = clock
        self._signing_keys = SigningKeyCache()

    @classmethod
    def from_file(cls, path: str | Path) -> AccessGuard:
        return cls(load_access_keys(path), path=path)

    @property
    def key_ids(self) -> list[str]:
        return sorted(self._keys)

    def replace_keys(self, keys: list[AccessKey]) -> None:
        self._keys = {key.id: key for key in keys}

    def reload(self) -> bool:
        """Reread the keys file; on any problem keep the keys in use and log why."""
        if self.path is None:
            return False
        try:
            keys = load_access_keys(self.path)
        except AccessKeyError as error:
            log.error("access keys not reloaded, keeping the %d in use: %s", len(self._keys), error)
            return False
        self.replace_keys(keys)
        log.info("access keys reloaded from %s: %d key(s)", self.path, len(keys))
        return True

    def authenticate(
        self,
        *,
        method: str,
        raw_path: bytes,
        raw_query: bytes,
        headers: list[tuple[bytes, bytes]],
        authorization: str | None,
        body: bytes,
    ) -> Caller:
        if not authorization:
            raise faults.MissingAuthenticationTokenException(
                "Request is missing Authentication Token"
            )
        parsed = parse_signature(authorization)
        key = self._keys.get(parsed.credential.access_key)
        if key is None:
            raise faults.UnrecognizedClientException(
                "The security token included in the request is invalid."
            )
        verify(
            parsed,
            key.secret,
            method=method,
            raw_path=raw_path,
            raw_query=raw_query,
            headers=headers,
            body=body,
            now_s=self._clock(),
            keys=self._signing_keys,
        )
        return Caller(key=key, region=parsed.credential.region)


def denied(caller: Caller, operation: str, resource: str | None) -> faults.AccessDeniedException:
    """In IAM's words; ``resource`` None: the key is read-only."""
    action = f"User: {caller.key.id} is not authorized to perform: swf:{operation}"
    if resource is None:
        return faults.AccessDeniedException(f"{action} because the key is read-only")
    return faults.AccessDeniedException(
        f"{action} on resource: {resource} because the key does not allow this domain"
    )


def domain_named(operation: str, request: Mapping[str, Any]) -> str | None:
    """The domain a request names (not the task-token operations; ListDomains has none)."""
    if "domain" in request:
        return str(request["domain"])
    if "resourceArn" in request:
        # As the registry reads it: arn:aws:swf:REGION:ACCOUNT:/domain/NAME.
        _, sep, name = str(request["resourceArn"]).partition(":/domain/")
        return name if sep else None
    if operation.endswith("Domain") and "name" in request:
        return str(request["name"])
    return None
