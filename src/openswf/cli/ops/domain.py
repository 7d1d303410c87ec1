"""``openswf domain list|register|describe|deprecate|undeprecate``."""

from __future__ import annotations

from typing import Any

import click
from rich.markup import escape

from openswf.cli.ops.options import Ops, ops_command
from openswf.sdk.errors import SwfError


@click.group("domain")
def domain_group() -> None:
    """List, register, describe and deprecate domains."""


def _all_domains(ops: Ops, status: str) -> list[dict[str, Any]]:
    domains: list[dict[str, Any]] = []
    token: str | None = None
    while True:
        page = ops.client.call(
            "ListDomains", registrationStatus=status, maximumPageSize=1000, nextPageToken=token
        )
        domains.extend(page.get("domainInfos", []))
        token = page.get("nextPageToken")
        if not token:
            return domains


@domain_group.command("list")
@ops_command(domain=False)
@click.option(
    "--deprecated", is_flag=True, help="List deprecated domains instead of registered ones."
)
def list_domains(ops: Ops, deprecated: bool) -> None:
    """List the registered (or deprecated) domains."""
    domains = _all_domains(ops, "DEPRECATED" if deprecated else "REGISTERED")
    if ops.json:
        ops.emit(domains)
        return
    ops.table(
        None,
        ["name", "status", "description"],
        ((d["name"], d["status"], d.get("description")) for d in domains),
    )


@domain_group.command("register")
@ops_command(domain=False)
@click.argument("name")
@click.option(
    "--retention",
    default="30",
    show_default=True,
    metavar="DAYS",
    help="Days closed executions are kept (0 to 90, or NONE where the endpoint allows it).",
)
@click.option("--description", default=None)
def register_domain(ops: Ops, name: str, retention: str, description: str | None) -> None:
    """Register the domain NAME."""
    ops.client.register_domain(
        name=name, workflowExecutionRetentionPeriodInDays=retention, description=description
    )
    if ops.json:
        ops.emit({"name": name, "registered": True})
    else:
        ops.console.print(f"registered domain [bold]{escape(name)}[/] (retention {retention} days)")


@domain_group.command("describe")
@ops_command(domain=False)
@click.argument("name")
def describe_domain(ops: Ops, name: str) -> None:
    """Describe the domain NAME, with its count of open executions."""
    detail: dict[str, Any] = dict(ops.client.describe_domain(name=name))
    try:
        open_count = ops.client.call(
            "CountOpenWorkflowExecutions", domain=name, startTimeFilter={"oldestDate": 0}
        )
    except SwfError:
        # Not allowed to count (an IAM policy), or an endpoint without the operation: the
        # domain's own description still stands.
        open_count = None
    if open_count is not None:
        detail["openExecutions"] = {
            "count": int(open_count.get("count", 0)),
            "truncated": bool(open_count.get("truncated", False)),
        }
    if ops.json:
        ops.emit(detail)
        return
    info, config = detail.get("domainInfo", {}), detail.get("configuration", {})
    count = detail.get("openExecutions")
    opened = f"{count['count']}{'+' if count['truncated'] else ''}" if count else None
    ops.fields(
        f"domain {name}",
        [
            ("status", info.get("status")),
            ("description", info.get("description")),
            ("arn", info.get("arn")),
            ("retention", f"{config.get('workflowExecutionRetentionPeriodInDays')} days"),
            ("open executions", opened),
        ],
    )


@domain_group.command("deprecate")
@ops_command(domain=False)
@click.argument("name")
def deprecate_domain(ops: Ops, name: str) -> None:
    """Deprecate the domain NAME (its open executions go on; no new ones start)."""
    ops.client.deprecate_domain(name=name)
    _done(ops, name, "deprecated")


@domain_group.command("undeprecate")
@ops_command(domain=False)
@click.argument("name")
def undeprecate_domain(ops: Ops, name: str) -> None:
    """Undeprecate the domain NAME."""
    ops.client.undeprecate_domain(name=name)
    _done(ops, name, "undeprecated")


def _done(ops: Ops, name: str, what: str) -> None:
    if ops.json:
        ops.emit({"name": name, what: True})
    else:
        ops.console.print(f"{what} domain [bold]{escape(name)}[/]")
