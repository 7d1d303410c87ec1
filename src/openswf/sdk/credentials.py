"""Where the client's credentials, region and endpoint come from: the standard AWS chain.

Environment variables and the shared ``credentials`` / ``config`` files are read here, which
covers local openswf and most deployments at no import cost. Anything more (SSO, assume-role
profiles, container and instance roles, credential processes) is botocore's job: if no plain
keys are found and botocore is importable, its resolver is asked, lazily, once.
"""

from __future__ import annotations

import configparser
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

DEFAULT_REGION = "us-east-1"
# openswf accepts any key; these sign requests to a local server when nothing is configured.
LOCAL_PLACEHOLDER = ("openswf-local", "openswf-local")


class NoCredentialsError(Exception):
    """No credentials in the environment, the shared files, or botocore's chain."""


@dataclass(frozen=True, slots=True)
class Credentials:
    access_key: str
    secret_key: str
    token: str | None = None


class CredentialSource(Protocol):
    def get(self) -> Credentials: ...


@dataclass(frozen=True, slots=True)
class StaticCredentials:
    credentials: Credentials

    def get(self) -> Credentials:
        return self.credentials


class BotocoreCredentials:
    """botocore's resolver; refreshable credentials are re-read on every call (cheap)."""

    def __init__(self, resolved: Any) -> None:
        self._resolved = resolved

    def get(self) -> Credentials:
        frozen = self._resolved.get_frozen_credentials()
        return Credentials(frozen.access_key, frozen.secret_key, frozen.token or None)


def _profile() -> str:
    return os.environ.get("AWS_PROFILE") or os.environ.get("AWS_DEFAULT_PROFILE") or "default"


def _read_ini(env: str, default: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None)
    path = Path(os.environ.get(env) or default).expanduser()
    try:
        parser.read(path)
    except (configparser.Error, OSError):
        pass
    return parser


def _config_section(profile: str) -> dict[str, str]:
    config = _read_ini("AWS_CONFIG_FILE", "~/.aws/config")
    name = profile if profile == "default" else f"profile {profile}"
    return dict(config[name]) if config.has_section(name) else {}


def _from_files(profile: str) -> Credentials | None:
    shared = _read_ini("AWS_SHARED_CREDENTIALS_FILE", "~/.aws/credentials")
    sections = [dict(shared[profile])] if shared.has_section(profile) else []
    sections.append(_config_section(profile))
    for section in sections:
        key, secret = section.get("aws_access_key_id"), section.get("aws_secret_access_key")
        if key and secret:
            return Credentials(key, secret, section.get("aws_session_token") or None)
    return None


def _from_env() -> Credentials | None:
    key = os.environ.get("AWS_ACCESS_KEY_ID")
    secret = os.environ.get("AWS_SECRET_ACCESS_KEY")
    if key and secret:
        return Credentials(key, secret, os.environ.get("AWS_SESSION_TOKEN") or None)
    return None


class ChainCredentials:
    """The standard chain, resolved on first use (so building a client does no I/O)."""

    def __init__(self, *, allow_placeholder: bool) -> None:
        self._allow_placeholder = allow_placeholder
        self._lock = threading.Lock()
        self._source: CredentialSource | None = None

    def get(self) -> Credentials:
        source = self._source
        if source is None:
            with self._lock:
                if self._source is None:
                    self._source = self._resolve()
                source = self._source
        return source.get()

    def _resolve(self) -> CredentialSource:
        found = _from_env() or _from_files(_profile())
        if found is not None:
            return StaticCredentials(found)
        try:
            import botocore.session  # type: ignore[import-untyped]
        except ImportError:
            resolved = None
        else:
            resolved = botocore.session.Session().get_credentials()
        if resolved is not None:
            return BotocoreCredentials(resolved)
        if self._allow_placeholder:
            return StaticCredentials(Credentials(*LOCAL_PLACEHOLDER))
        raise NoCredentialsError(
            "no AWS credentials: set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or a profile"
        )


def resolve_region(region: str | None = None) -> str:
    return (
        region
        or os.environ.get("AWS_REGION")
        or os.environ.get("AWS_DEFAULT_REGION")
        or _config_section(_profile()).get("region")
        or DEFAULT_REGION
    )


def resolve_endpoint(endpoint: str | None, region: str) -> str:
    """``endpoint`` argument, else ``AWS_ENDPOINT_URL_SWF``, else ``AWS_ENDPOINT_URL``, else
    the regional AWS endpoint, as botocore resolves it."""
    return (
        endpoint
        or os.environ.get("AWS_ENDPOINT_URL_SWF")
        or os.environ.get("AWS_ENDPOINT_URL")
        or f"https://swf.{region}.amazonaws.com"
    ).rstrip("/")


def is_aws(endpoint: str) -> bool:
    host = urlsplit(endpoint).hostname or ""
    return host.endswith(".amazonaws.com") or host.endswith(".amazonaws.com.cn")
