"""``openswf``: run the server (and, later, operate executions)."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from typing import Any

import click

from openswf.cli import ops
from openswf.cli.replay import replay
from openswf.cli.run import run
from openswf.cli.security import security_from_options, security_options
from openswf.cli.ui import ui
from openswf.cli.worker import worker
from openswf.engine.commands import Limits
from openswf.services.settings import Settings
from openswf.storage.base import Store

LIMIT_NAMES = tuple(field.name for field in dataclasses.fields(Limits))


@click.group()
@click.version_option(package_name="openswf")
def main() -> None:
    """openswf: a self-hostable, wire-compatible Amazon SWF server."""


@main.command()
@click.option(
    "--host",
    envvar="OPENSWF_HOST",
    default="127.0.0.1",
    show_default=True,
    help="Interface to listen on.",
)
@click.option(
    "--port",
    envvar="OPENSWF_PORT",
    default=8466,
    show_default=True,
    type=int,
    help="Port to listen on.",
)
@click.option(
    "--db",
    "db_url",
    envvar="OPENSWF_DB",
    default="sqlite:///openswf.db",
    show_default=True,
    help="Database URL: sqlite:///path/to/file.db, or postgresql://USER@HOST:PORT/DB to run "
    "one or more servers over PostgreSQL (docs/deploy.md).",
)
@click.option(
    "--poll-timeout",
    envvar="OPENSWF_POLL_TIMEOUT",
    default=60.0,
    show_default=True,
    type=click.FloatRange(min=0),
    help="Seconds a long poll is held before it answers empty.",
)
@click.option(
    "--poll-recheck",
    envvar="OPENSWF_POLL_RECHECK",
    default=5.0,
    show_default=True,
    type=click.FloatRange(min=0.01),
    help="Seconds between a waiting poll's own looks at the store: how soon it finds tasks "
    "that no wake-up announced (other servers' tasks, with PostgreSQL ?notify=off).",
)
@click.option(
    "--max-pollers",
    envvar="OPENSWF_MAX_POLLERS",
    default=Settings.max_pollers,
    show_default=True,
    type=click.IntRange(min=1),
    help="Long polls this server holds at once, on all task lists; more get LimitExceededFault.",
)
@click.option(
    "--max-pollers-per-task-list",
    envvar="OPENSWF_MAX_POLLERS_PER_TASK_LIST",
    default=Settings.max_pollers_per_task_list,
    show_default=True,
    type=click.IntRange(min=1),
    help="Long polls held at once on one task list (SWF's quota); more get LimitExceededFault.",
)
@click.option(
    "--log-level",
    default="info",
    show_default=True,
    type=click.Choice(["debug", "info", "warning", "error"]),
)
@click.option(
    "--limit",
    "limits",
    multiple=True,
    metavar="NAME=VALUE",
    help="Override one of SWF's limits, e.g. --limit max_history_events=5000 "
    f"(names: {', '.join(LIMIT_NAMES)}). Repeatable.",
)
@click.option(
    "--metrics-max-task-lists",
    envvar="OPENSWF_METRICS_MAX_TASK_LISTS",
    default=Settings.metrics_max_task_lists,
    show_default=True,
    type=click.IntRange(min=0),
    help="Task lists with their own /metrics labels; later ones count as 'other'.",
)
@click.option(
    "--metrics-max-domains",
    envvar="OPENSWF_METRICS_MAX_DOMAINS",
    default=Settings.metrics_max_domains,
    show_default=True,
    type=click.IntRange(min=0),
    help="Domains with their own /metrics labels; later ones count as 'other'.",
)
@security_options
def server(
    host: str,
    port: int,
    db_url: str,
    poll_timeout: float,
    poll_recheck: float,
    max_pollers: int,
    max_pollers_per_task_list: int,
    log_level: str,
    limits: tuple[str, ...],
    metrics_max_task_lists: int,
    metrics_max_domains: int,
    **security_args: Any,
) -> None:
    """Start the SWF server."""
    from openswf.server.run import Refused, serve
    from openswf.storage.urls import UnsupportedDatabase, redact, store_from_url

    logging.basicConfig(
        level=log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    security = security_from_options(**security_args)
    try:
        store = store_from_url(db_url)
    except UnsupportedDatabase as error:
        raise click.BadParameter(str(error), param_hint="--db") from error
    try:
        # Open (create or migrate) the database once before uvicorn starts, so a file we
        # cannot use is one clear line, not a traceback from inside the ASGI lifespan.
        asyncio.run(_probe(store))
    except Exception as error:
        raise click.ClickException(f"cannot open database {redact(db_url)}: {error}") from error
    settings = Settings(
        poll_timeout_s=poll_timeout,
        poll_recheck_s=poll_recheck,
        limits=parse_limits(limits),
        metrics_max_task_lists=metrics_max_task_lists,
        metrics_max_domains=metrics_max_domains,
        token_keys=security.token_keys,
        max_pollers=max_pollers,
        max_pollers_per_task_list=max_pollers_per_task_list,
    )
    try:
        serve(host, port, db_url, settings, log_level=log_level, **security.serve_options())
    except Refused as error:
        raise click.ClickException(str(error)) from error


def parse_limits(pairs: tuple[str, ...]) -> Limits:
    """``NAME=VALUE`` overrides of the per-execution limits (SWF's values by default)."""
    values: dict[str, int] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or name not in LIMIT_NAMES or not value.isdigit() or int(value) < 1:
            raise click.BadParameter(
                f"{pair!r}: expected NAME=POSITIVE_INTEGER with NAME one of "
                + ", ".join(LIMIT_NAMES),
                param_hint="--limit",
            )
        values[name] = int(value)
    return Limits(**values)


async def _probe(store: Store) -> None:
    await store.open()
    await store.close()


main.add_command(run)
main.add_command(ui)
ops.register(main)
main.add_command(replay)
main.add_command(worker)

if __name__ == "__main__":
    main()
