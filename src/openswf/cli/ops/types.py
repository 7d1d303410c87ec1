"""``openswf type list|describe|deprecate|undeprecate``: workflow and activity types."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click
from rich.markup import escape

from openswf.cli.ops.options import Ops, full_type, ops_command, seconds, type_of, when
from openswf.sdk.errors import UnknownResourceFault

KINDS = ("workflow", "activity")
F = TypeVar("F", bound=Callable[..., Any])


@click.group("type")
def type_group() -> None:
    """List, describe and deprecate workflow and activity types."""


def _kind_option(default: str | None) -> Callable[[F], F]:
    return click.option(
        "--kind",
        type=click.Choice([*KINDS, "all"] if default == "all" else list(KINDS)),
        default=default,
        show_default=default is not None,
        help="Workflow or activity types"
        + (" (default: whichever has the type; workflow first)." if default is None else "."),
    )


def _all_types(ops: Ops, kind: str, status: str, name: str | None) -> list[dict[str, Any]]:
    operation = "ListWorkflowTypes" if kind == "workflow" else "ListActivityTypes"
    found: list[dict[str, Any]] = []
    token: str | None = None
    while True:
        page = ops.client.call(
            operation,
            domain=ops.domain,
            registrationStatus=status,
            name=name,
            maximumPageSize=1000,
            nextPageToken=token,
        )
        for info in page.get("typeInfos", []):
            found.append({"kind": kind, **info})
        token = page.get("nextPageToken")
        if not token:
            return found


@type_group.command("list")
@ops_command()
@_kind_option("all")
@click.option("--deprecated", is_flag=True, help="Deprecated types instead of registered ones.")
@click.option("--name", default=None, help="Only types of this name.")
def list_types(ops: Ops, kind: str, deprecated: bool, name: str | None) -> None:
    """List the workflow and activity types of the domain."""
    status = "DEPRECATED" if deprecated else "REGISTERED"
    kinds = KINDS if kind == "all" else (kind,)
    found = [t for k in kinds for t in _all_types(ops, k, status, name)]
    if ops.json:
        ops.emit(found)
        return
    ops.table(
        None,
        ["kind", "type", "status", "registered", "description"],
        (
            (
                t["kind"],
                type_of(t.get("workflowType") or t.get("activityType")),
                t["status"],
                when(t.get("creationDate")),
                t.get("description"),
            )
            for t in found
        ),
    )


def _describe(ops: Ops, kind: str, wanted: dict[str, str]) -> dict[str, Any]:
    if kind == "workflow":
        return dict(ops.client.call("DescribeWorkflowType", domain=ops.domain, workflowType=wanted))
    return dict(ops.client.call("DescribeActivityType", domain=ops.domain, activityType=wanted))


def _find(ops: Ops, kind: str | None, wanted: dict[str, str]) -> tuple[str, dict[str, Any]]:
    if kind is not None:
        return kind, _describe(ops, kind, wanted)
    try:
        return "workflow", _describe(ops, "workflow", wanted)
    except UnknownResourceFault:
        return "activity", _describe(ops, "activity", wanted)


@type_group.command("describe")
@ops_command()
@click.argument("name_version", metavar="NAME:VERSION")
@_kind_option(None)
def describe_type(ops: Ops, name_version: str, kind: str | None) -> None:
    """Describe a workflow or activity type and its defaults."""
    kind, detail = _find(ops, kind, full_type(name_version))
    if ops.json:
        ops.emit({"kind": kind, **detail})
        return
    info, config = detail.get("typeInfo", {}), detail.get("configuration", {})
    pairs: list[tuple[str, Any]] = [
        ("kind", kind),
        ("status", info.get("status")),
        ("description", info.get("description")),
        ("registered", when(info.get("creationDate"))),
        ("deprecated", when(info.get("deprecationDate"))),
    ]
    for key, value in sorted(config.items()):
        if isinstance(value, dict) and "name" in value:
            value = value["name"]
        elif key.endswith("Timeout") and str(value).isdigit():
            value = f"{value} ({seconds(float(value))})"
        pairs.append((key, value))
    ops.fields(f"{kind} type {name_version}", pairs)


def _set_status(ops: Ops, name_version: str, kind: str | None, action: str) -> None:
    wanted = full_type(name_version)
    if kind is None:
        kind, _ = _find(ops, None, wanted)
    member = "workflowType" if kind == "workflow" else "activityType"
    operation = f"{action.capitalize()}{kind.capitalize()}Type"
    ops.client.call(operation, domain=ops.domain, **{member: wanted})
    if ops.json:
        ops.emit({"kind": kind, member: wanted, f"{action}d": True})
    else:
        ops.console.print(f"{action}d {kind} type [bold]{escape(name_version)}[/]")


@type_group.command("deprecate")
@ops_command()
@click.argument("name_version", metavar="NAME:VERSION")
@_kind_option(None)
def deprecate_type(ops: Ops, name_version: str, kind: str | None) -> None:
    """Deprecate a type: runs already started go on, no new ones of it start."""
    _set_status(ops, name_version, kind, "deprecate")


@type_group.command("undeprecate")
@ops_command()
@click.argument("name_version", metavar="NAME:VERSION")
@_kind_option(None)
def undeprecate_type(ops: Ops, name_version: str, kind: str | None) -> None:
    """Undeprecate a type."""
    _set_status(ops, name_version, kind, "undeprecate")
