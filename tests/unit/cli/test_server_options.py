"""`openswf server` options that do not need a running server."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from openswf.cli.main import main, parse_limits
from openswf.engine.commands import Limits
from openswf.services.settings import Settings


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


def test_poller_caps_reach_the_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import openswf.server.run

    seen: list[Settings] = []
    monkeypatch.setattr(openswf.server.run, "serve", lambda *args, **kw: seen.append(args[3]))
    db = f"sqlite:///{tmp_path}/caps.db"
    args = ["server", "--db", db, "--max-pollers", "7", "--max-pollers-per-task-list", "3"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert (seen[0].max_pollers, seen[0].max_pollers_per_task_list) == (7, 3)
    monkeypatch.setenv("OPENSWF_MAX_POLLERS", "9")
    assert CliRunner().invoke(main, ["server", "--db", db]).exit_code == 0
    assert (seen[1].max_pollers, seen[1].max_pollers_per_task_list) == (9, 1_000)
    refused = CliRunner().invoke(main, ["server", "--db", db, "--max-pollers", "0"])
    assert refused.exit_code == 2
