"""The security options of ``openswf server``: access keys, TLS, the token key, --insecure.

They are declared here, as one decorator, to keep the server command short; docs/security.md
explains them for operators.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import click

from openswf.server.access import AccessGuard, AccessKeyError

F = TypeVar("F", bound=Callable[..., Any])

MIN_TOKEN_KEY_CHARS = 16


@dataclass(frozen=True, kw_only=True)
class Security:
    guard: AccessGuard | None
    insecure: bool
    tls_cert: str | None
    tls_key: str | None
    token_keys: tuple[str, ...]

    def serve_options(self) -> dict[str, Any]:
        return {
            "guard": self.guard,
            "insecure": self.insecure,
            "tls_cert": self.tls_cert,
            "tls_key": self.tls_key,
        }


def security_options(command: F) -> F:
    options = [
        click.option(
            "--access-keys",
            envvar="OPENSWF_ACCESS_KEYS",
            type=click.Path(dir_okay=False),
            help="TOML file of access keys ([[keys]] id, secret, domains, read_only): every "
            "request must then be SigV4-signed by one of them. Reread on SIGHUP.",
        ),
        click.option(
            "--insecure",
            envvar="OPENSWF_INSECURE",
            is_flag=True,
            help="Allow listening on a non-loopback address without --access-keys.",
        ),
        click.option(
            "--tls-cert",
            envvar="OPENSWF_TLS_CERT",
            type=click.Path(exists=True, dir_okay=False),
            help="PEM certificate (chain) to serve HTTPS with; needs --tls-key.",
        ),
        click.option(
            "--tls-key",
            envvar="OPENSWF_TLS_KEY",
            type=click.Path(exists=True, dir_okay=False),
            help="PEM private key of --tls-cert.",
        ),
        click.option(
            "--token-key-file",
            envvar="OPENSWF_TOKEN_KEY_FILE",
            type=click.Path(exists=True, dir_okay=False),
            help="File of task/page token signing keys, one a line: the first signs, all "
            "verify. Default: a key kept in the database.",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def security_from_options(
    access_keys: str | None,
    insecure: bool,
    tls_cert: str | None,
    tls_key: str | None,
    token_key_file: str | None,
) -> Security:
    guard = None
    if access_keys:
        try:
            guard = AccessGuard.from_file(access_keys)
        except AccessKeyError as error:
            raise click.BadParameter(str(error), param_hint="--access-keys") from error
    if bool(tls_cert) != bool(tls_key):
        raise click.BadParameter(
            "--tls-cert and --tls-key go together", param_hint="--tls-cert/--tls-key"
        )
    return Security(
        guard=guard,
        insecure=insecure,
        tls_cert=tls_cert,
        tls_key=tls_key,
        token_keys=read_token_keys(token_key_file) if token_key_file else (),
    )


def read_token_keys(path: str) -> tuple[str, ...]:
    """One key a line; blank lines and ``#`` comments are skipped."""
    try:
        text = Path(path).read_text()
    except (OSError, UnicodeDecodeError) as error:
        raise click.BadParameter(
            f"cannot read {path}: {error}", param_hint="--token-key-file"
        ) from error
    keys = tuple(
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )
    if not keys:
        raise click.BadParameter(f"{path} holds no key", param_hint="--token-key-file")
    short = [number for number, key in enumerate(keys, 1) if len(key) < MIN_TOKEN_KEY_CHARS]
    if short:
        raise click.BadParameter(
            f"{path}: key {short[0]} is shorter than {MIN_TOKEN_KEY_CHARS} characters "
            "(make one with: openssl rand -hex 32)",
            param_hint="--token-key-file",
        )
    return keys
