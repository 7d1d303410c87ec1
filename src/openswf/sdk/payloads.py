"""Large payloads: values too big for an SWF field go to a blob store, history keeps a reference.

SWF caps inputs, results, details and signal inputs at 32,768 characters. ``dumps`` in
``openswf.sdk.converter`` hands every encoded value to ``current().offload(text, limit)``:
text over the limit (or over a lower ``threshold``) is written to the store under its
SHA-256 and replaced by a small reference,

    {"openswf:payload":1,"sha256":"<64 hex>","size":<bytes>}

and ``loads`` fetches a reference's text back (checking its hash). So graph deciders,
workflows written as code, activity workers and the client helpers all offload and load
without knowing it. Stores: ``FileStore`` (a local directory, the default) and ``S3Store``
(any S3-compatible service, through boto3: ``pip install 'openswf[s3]'``).

Configure by code (``configure(store="s3://bucket/prefix", threshold=8192)``) or by
environment: ``OPENSWF_PAYLOAD_STORE`` (``file:///path``, a path, ``s3://bucket/prefix`` or
``off``), ``OPENSWF_PAYLOAD_THRESHOLD`` (characters), ``OPENSWF_PAYLOAD_S3_ENDPOINT``.
Every process of a workflow (starters, deciders, workers) must see the same store.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import unquote, urlsplit

import orjson

REFERENCE_KEY = "openswf:payload"
REFERENCE_PREFIX = '{"' + REFERENCE_KEY + '":'
# A reference is ~110 characters: it must fit even the smallest field that may carry one.
MIN_THRESHOLD = 256
DEFAULT_CACHE_BYTES = 64 * 1024 * 1024


class PayloadError(Exception):
    """A payload cannot be stored or loaded (no store, missing blob, corrupt blob)."""


class PayloadNotFound(PayloadError):
    pass


class PayloadStore(Protocol):
    """Where offloaded payloads live, by content hash. ``put`` is idempotent."""

    @property
    def url(self) -> str: ...

    def put(self, key: str, data: bytes) -> None: ...

    def get(self, key: str) -> bytes: ...


def default_directory() -> Path:
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "openswf" / "payloads"


class FileStore:
    """A directory: ``<root>/<first 2 hex>/<sha256>``, written atomically (temp + rename)."""

    def __init__(self, root: str | Path | None = None) -> None:
        self.root = Path(root) if root is not None else default_directory()

    @property
    def url(self) -> str:
        return self.root.resolve().as_uri()

    def _path(self, key: str) -> Path:
        return self.root / key[:2] / key

    def put(self, key: str, data: bytes) -> None:
        path = self._path(key)
        if path.exists():  # content-addressed: same key, same bytes
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def get(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            raise PayloadNotFound(f"payload {key} not found in {self.url}") from None


class S3Store:
    """A bucket of any S3-compatible service: objects ``<prefix>/<sha256>``. boto3 is
    imported on first use (``pip install 'openswf[s3]'``)."""

    def __init__(
        self,
        bucket: str,
        prefix: str = "",
        *,
        endpoint_url: str | None = None,
        region: str | None = None,
        client: Any = None,
    ) -> None:
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.endpoint_url = endpoint_url
        self.region = region
        self._client = client
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}" if self.prefix else f"s3://{self.bucket}"

    def client(self) -> Any:
        with self._lock:
            if self._client is None:
                try:
                    import boto3  # type: ignore[import-untyped, import-not-found, unused-ignore]
                except ImportError:
                    raise PayloadError(
                        f"{self.url} needs boto3: pip install 'openswf[s3]'"
                    ) from None
                self._client = boto3.client(
                    "s3", endpoint_url=self.endpoint_url, region_name=self.region
                )
            return self._client

    def _key(self, key: str) -> str:
        return f"{self.prefix}/{key}" if self.prefix else key

    def put(self, key: str, data: bytes) -> None:
        self.client().put_object(Bucket=self.bucket, Key=self._key(key), Body=data)

    def get(self, key: str) -> bytes:
        client = self.client()
        try:
            answer = client.get_object(Bucket=self.bucket, Key=self._key(key))
        except client.exceptions.NoSuchKey:
            raise PayloadNotFound(f"payload {key} not found in {self.url}") from None
        data: bytes = answer["Body"].read()
        return data


def store_from_url(url: str) -> PayloadStore | None:
    """``file:///path``, a plain path, ``s3://bucket/prefix``, or ``off`` (None)."""
    if url.strip().lower() in ("", "off", "none"):
        return None
    parts = urlsplit(url)
    if parts.scheme == "s3":
        if not parts.netloc:
            raise ValueError(f"{url!r}: expected s3://BUCKET[/PREFIX]")
        return S3Store(
            parts.netloc,
            parts.path,
            endpoint_url=os.environ.get("OPENSWF_PAYLOAD_S3_ENDPOINT") or None,
        )
    if parts.scheme == "file":
        return FileStore(unquote(parts.path))
    if parts.scheme == "":
        return FileStore(url)
    raise ValueError(f"{url!r}: a payload store is file:///PATH, s3://BUCKET/PREFIX or off")


def reference(text: str) -> dict[str, Any] | None:
    """The reference ``text`` holds (``{"sha256", "size"}``), or None if it is a value."""
    if not text.startswith(REFERENCE_PREFIX):
        return None
    try:
        data = orjson.loads(text)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(data, dict) or set(data) != {REFERENCE_KEY, "sha256", "size"}:
        return None
    return data


class Payloads:
    """Offloads text over the limit to ``store`` and resolves references, with an LRU cache
    of resolved text (deciders replay the same history on every decision task)."""

    def __init__(
        self,
        store: PayloadStore | None,
        *,
        threshold: int | None = None,
        cache_bytes: int = DEFAULT_CACHE_BYTES,
    ) -> None:
        if threshold is not None and threshold < MIN_THRESHOLD:
            raise ValueError(f"payload threshold must be at least {MIN_THRESHOLD} characters")
        self.store = store
        self.threshold = threshold
        self.cache_bytes = cache_bytes
        self._cache: OrderedDict[str, str] = OrderedDict()
        self._cached = 0
        self._lock = threading.Lock()

    def offload(self, text: str, limit: int) -> str:
        """``text``, or a reference to it once stored if it is longer than the limit."""
        bound = limit if self.threshold is None else min(limit, self.threshold)
        if len(text) <= bound or self.store is None:
            return text
        data = text.encode()
        key = hashlib.sha256(data).hexdigest()
        self.store.put(key, data)
        self._remember(key, text)
        return orjson.dumps({REFERENCE_KEY: 1, "sha256": key, "size": len(data)}).decode()

    def resolve(self, text: str) -> str:
        """The stored text of a reference; any other text as it is."""
        ref = reference(text)
        if ref is None:
            return text
        key = str(ref["sha256"])
        with self._lock:
            hit = self._cache.get(key)
            if hit is not None:
                self._cache.move_to_end(key)
                return hit
        if self.store is None:
            raise PayloadError(
                f"payload {key} is in a blob store, but none is configured "
                "(set OPENSWF_PAYLOAD_STORE to the store its writer used)"
            )
        data = self.store.get(key)
        if hashlib.sha256(data).hexdigest() != key:
            raise PayloadError(f"payload {key} in {self.store.url} is corrupt (hash mismatch)")
        value = data.decode()
        self._remember(key, value)
        return value

    def _remember(self, key: str, text: str) -> None:
        size = len(text)
        if size > self.cache_bytes:
            return
        with self._lock:
            if key in self._cache:
                return
            self._cache[key] = text
            self._cached += size
            while self._cached > self.cache_bytes:
                _, dropped = self._cache.popitem(last=False)
                self._cached -= len(dropped)


_current: Payloads | None = None
_current_lock = threading.Lock()


def from_environment() -> Payloads:
    url = os.environ.get("OPENSWF_PAYLOAD_STORE")
    store = FileStore() if url is None else store_from_url(url)
    threshold = os.environ.get("OPENSWF_PAYLOAD_THRESHOLD")
    return Payloads(store, threshold=int(threshold) if threshold else None)


def current() -> Payloads:
    """The process's payload settings: what ``configure`` set, else the environment's."""
    global _current
    if _current is None:
        with _current_lock:
            if _current is None:
                _current = from_environment()
    return _current


def configure(
    store: PayloadStore | str | None,
    *,
    threshold: int | None = None,
    cache_bytes: int = DEFAULT_CACHE_BYTES,
) -> Payloads:
    """Set the process's payload store (a store, a URL, or None for off) and threshold."""
    global _current
    if isinstance(store, str):
        store = store_from_url(store)
    payloads = Payloads(store, threshold=threshold, cache_bytes=cache_bytes)
    with _current_lock:
        _current = payloads
    return payloads


def reset() -> None:
    """Forget the configuration: the next use reads the environment again (tests)."""
    global _current
    with _current_lock:
        _current = None
