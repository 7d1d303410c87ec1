"""The operator's commands: ``openswf domain``, ``openswf type``, ``openswf workflow``.

They speak the SWF API through ``openswf.sdk.Client`` only, so they work against openswf and
against AWS SWF alike. See docs/operations.md.
"""

from __future__ import annotations

import click

from openswf.cli.ops import actions, show  # noqa: F401  (they add their commands to the group)
from openswf.cli.ops.domain import domain_group
from openswf.cli.ops.types import type_group
from openswf.cli.ops.workflow import workflow_group

GROUPS = (domain_group, type_group, workflow_group)


def register(main: click.Group) -> None:
    for group in GROUPS:
        main.add_command(group)
