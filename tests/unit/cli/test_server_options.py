"""`openswf server` options that do not need a running server."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from openswf.cli.main import main, parse_limits
from openswf.engine.commands import Limits


def test_limits_default_to_swf_values_and_can_be_overridden() -> None:
    assert parse_limits(()) == Limits()
    limits = parse_limits(("max_history_events=500", "max_open_children=3"))
    assert (limits.max_history_events, limits.max_open_children) == (500, 3)
    assert limits.max_open_timers == Limits().max_open_timers


@pytest.mark.parametrize(
    "bad",
    ["bogus=1", "max_open_timers", "max_open_timers=-1", "max_open_timers=0", "max_open_timers=x"],
)
def test_bad_limits_are_refused(bad: str) -> None:
    with pytest.raises(click.BadParameter):
        parse_limits((bad,))
    result = CliRunner().invoke(main, ["server", "--limit", bad])
    assert result.exit_code == 2
    assert "--limit" in result.output
