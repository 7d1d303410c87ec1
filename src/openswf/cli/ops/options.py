"""What every operator command shares: the endpoint, domain and output options, the client
built from them, the JSON and table output, and SWF errors as one clear line.

The commands are clients of the SWF API like any user code (DESIGN.md): they go through
``openswf.sdk.Client`` only, so they work on openswf and on AWS SWF alike.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

import click
import orjson
from rich.console import Console
from rich.table import Table
from rich.text import Text

from openswf.sdk import Client
from openswf.sdk.credentials import NoCredentialsError, resolve_region
from openswf.sdk.errors import SwfError, TransportError

DEFAULT_ENDPOINT = "http://127.0.0.1:8466"
F = TypeVar("F", bound=Callable[..., Any])


def default_endpoint() -> str:
    return (
        os.environ.get("OPENSWF_ENDPOINT")
        or os.environ.get("AWS_ENDPOINT_URL_SWF")
        or DEFAULT_ENDPOINT
    )


@dataclass(frozen=True, kw_only=True)
class Ops:
    """A command's connection and output settings, built from the shared options."""

    client: Client
    domain: str
    output: str  # "table" | "json"
    console: Console

    @property
    def json(self) -> bool:
        return self.output == "json"

    def emit(self, value: Any) -> None:
        """Print ``value`` as stable JSON: sorted keys, the API's own shapes, one document."""
        click.echo(orjson.dumps(value, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS))

    def table(
        self, title: str | None, columns: Sequence[str], rows: Iterator[Sequence[Any]]
    ) -> None:
        table = Table(
            title=None if title is None else Text(title, style="bold"),
            title_justify="left",
            show_edge=False,
            header_style="bold",
        )
        for column in columns:
            table.add_column(column, overflow="fold")
        for row in rows:
            table.add_row(*(cell_text(cell) for cell in row))
        self.console.print(table)

    def fields(self, title: str, pairs: Sequence[tuple[str, Any]]) -> None:
        """A two-column key/value table, for describe commands."""
        table = Table(
            title=Text(title, style="bold"),
            title_justify="left",
            show_header=False,
            show_edge=False,
        )
        table.add_column(style="bold")
        table.add_column(overflow="fold")
        for key, value in pairs:
            if value not in (None, "", [], {}):
                table.add_row(key, cell_text(value))
        self.console.print(table)


def cell_text(value: Any) -> Text:
    """A table cell: styled ``Text`` as it is, anything else as plain text (so data that
    looks like rich markup, ``[bold]``, prints as it is)."""
    if isinstance(value, Text):
        return value
    return Text("" if value is None else str(value))


def _resolve_endpoint(value: str | None, region: str | None) -> str:
    if value is None:
        return default_endpoint()
    if value.lower() == "aws":
        # AWS SWF itself, in the region the SDK resolves (--region, AWS_REGION, profile).
        return f"https://swf.{resolve_region(region)}.amazonaws.com"
    return value


def ops_command(*, domain: bool = True) -> Callable[[F], F]:
    """Adds --endpoint, --region, --output (and --domain) to a command, and turns them into
    an ``Ops`` passed as the command's first argument. SWF faults and connection errors end
    the command with one line and exit code 1."""

    def decorate(fn: F) -> F:
        @functools.wraps(fn)
        def wrapper(
            *args: Any,
            endpoint: str | None,
            region: str | None,
            output: str,
            **kwargs: Any,
        ) -> Any:
            domain_name = kwargs.pop("domain", None) if domain else None
            if domain and not domain_name:
                raise click.UsageError("no domain: give --domain or set OPENSWF_DOMAIN")
            url = _resolve_endpoint(endpoint, region)
            try:
                client = Client(url, region=region)
            except ValueError as error:
                raise click.BadParameter(str(error), param_hint="--endpoint") from error
            console = Console(stderr=False, highlight=False)
            ops = Ops(client=client, domain=domain_name or "", output=output, console=console)
            try:
                return fn(ops, *args, **kwargs)
            except SwfError as error:
                # One line, even when a proxy answered with a page of HTML.
                text = " ".join(str(error.message).split())
                message = f": {text[:300]}" if text else ""
                raise click.ClickException(f"{error.type_name}{message}") from error
            except TransportError as error:
                raise click.ClickException(f"cannot reach {url}: {error}") from error
            except (ConnectionError, OSError) as error:
                raise click.ClickException(f"cannot reach {url}: {error}") from error
            except NoCredentialsError as error:
                raise click.ClickException(str(error)) from error
            finally:
                client.close()

        wrapped: Any = wrapper
        if domain:
            wrapped = click.option(
                "--domain",
                envvar="OPENSWF_DOMAIN",
                metavar="NAME",
                help="SWF domain [env OPENSWF_DOMAIN].",
            )(wrapped)
        wrapped = click.option(
            "--output",
            "-o",
            type=click.Choice(["table", "json"]),
            default="table",
            show_default=True,
            help="table for people, json (stable: the API's shapes, sorted keys) for scripts.",
        )(wrapped)
        wrapped = click.option(
            "--region",
            default=None,
            metavar="REGION",
            help="Region to sign for [env AWS_REGION, else us-east-1].",
        )(wrapped)
        wrapped = click.option(
            "--endpoint",
            default=None,
            metavar="URL",
            help="SWF endpoint [env OPENSWF_ENDPOINT, then AWS_ENDPOINT_URL_SWF, then "
            f"{DEFAULT_ENDPOINT}]; 'aws' for AWS SWF in the region.",
        )(wrapped)
        result: F = wrapped
        return result

    return decorate


def when(value: float | None) -> str:
    """An epoch time for people: UTC, to the second."""
    if value is None:
        return ""
    return datetime.fromtimestamp(float(value), UTC).strftime("%Y-%m-%d %H:%M:%S")


def seconds(value: float | None) -> str:
    """A duration for people: 850ms, 12.3s, 4m05s, 2h03m, 3d04h."""
    if value is None:
        return ""
    if value < 1:
        return f"{value * 1000:.0f}ms"
    if value < 60:
        return f"{value:.1f}s"
    minutes, secs = divmod(int(value), 60)
    if minutes < 60:
        return f"{minutes}m{secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours}h{minutes:02d}m"
    days, hours = divmod(hours, 24)
    return f"{days}d{hours:02d}h"


def type_of(value: Mapping[str, Any] | None) -> str:
    """``name:version`` of a workflow or activity type."""
    if not value:
        return ""
    return f"{value.get('name', '')}:{value.get('version', '')}"


def parse_type(text: str, *, param: str = "--type") -> dict[str, str]:
    """``NAME[:VERSION]`` as a typeFilter / type dict (the version split at the last colon)."""
    name, sep, version = text.rpartition(":")
    if not sep:
        name, version = text, ""
    if not name:
        raise click.BadParameter(f"{text!r}: expected NAME[:VERSION]", param_hint=param)
    return {"name": name, "version": version} if version else {"name": name}


def full_type(text: str, *, param: str = "TYPE") -> dict[str, str]:
    found = parse_type(text, param=param)
    if "version" not in found:
        raise click.BadParameter(f"{text!r}: expected NAME:VERSION", param_hint=param)
    return found
