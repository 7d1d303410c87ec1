"""The operator commands' pure parts: times as people type them, filters as SWF takes them,
durations, types, and the endpoint chosen from the environment."""

from __future__ import annotations

from datetime import UTC, datetime

import click
import pytest

from openswf.cli.ops.filters import build_filter
from openswf.cli.ops.options import (
    DEFAULT_ENDPOINT,
    _resolve_endpoint,
    full_type,
    parse_type,
    seconds,
)
from openswf.cli.ops.times import parse_duration, parse_when

NOW = 1_800_000_000.0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("now", NOW),
        ("2h", NOW - 7200),
        ("30m", NOW - 1800),
        ("90s", NOW - 90),
        ("7d", NOW - 7 * 86400),
        ("1w", NOW - 7 * 86400),
        ("1.5h", NOW - 5400),
        ("2h ago", NOW - 7200),
        ("2026-12-01", datetime(2026, 12, 1, tzinfo=UTC).timestamp()),
        ("2026-12-01T10:30", datetime(2026, 12, 1, 10, 30, tzinfo=UTC).timestamp()),
        ("2026-12-01T10:30:00Z", datetime(2026, 12, 1, 10, 30, tzinfo=UTC).timestamp()),
        ("2026-12-01T12:30+02:00", datetime(2026, 12, 1, 10, 30, tzinfo=UTC).timestamp()),
        ("1700000000", 1_700_000_000.0),
    ],
)
def test_parse_when(text: str, expected: float) -> None:
    assert parse_when(text, NOW) == pytest.approx(expected)


@pytest.mark.parametrize("text", ["yesterday", "2h later", "12", "2026-13-01", ""])
def test_parse_when_refuses(text: str) -> None:
    with pytest.raises(ValueError, match="is not a time"):
        parse_when(text, NOW)


def test_durations() -> None:
    assert parse_duration("90", "--timeout") == 90
    assert parse_duration("5m", "--timeout") == 300
    assert parse_duration("0.3", "--timeout") == pytest.approx(0.3)
    with pytest.raises(click.BadParameter):
        parse_duration("soon", "--timeout")
    assert [seconds(v) for v in (0.0123, 12.34, 245, 7380, 97200)] == [
        "12ms",
        "12.3s",
        "4m05s",
        "2h03m",
        "1d03h",
    ]


def test_types() -> None:
    assert parse_type("order") == {"name": "order"}
    assert parse_type("order:2") == {"name": "order", "version": "2"}
    assert parse_type("ns:order:2") == {"name": "ns:order", "version": "2"}
    with pytest.raises(click.BadParameter):
        full_type("order")


def selection(**given: str | None) -> dict[str, object]:
    args: dict[str, str | None] = dict.fromkeys(
        ("state", "status", "workflow_type", "tag", "workflow_id", "since", "until")
    )
    args.update(given)
    return build_filter(**args).params("d", "closed")  # type: ignore[arg-type]


def test_filters_become_swf_members() -> None:
    assert selection() == {"domain": "d", "startTimeFilter": {"oldestDate": 0.0}}
    assert selection(tag="t")["tagFilter"] == {"tag": "t"}
    assert selection(workflow_type="w:1")["typeFilter"] == {"name": "w", "version": "1"}
    assert selection(workflow_id="x")["executionFilter"] == {"workflowId": "x"}
    assert selection(status="failed")["closeStatusFilter"] == {"status": "FAILED"}
    ranged = selection(since="2026-12-01", until="2026-12-02")["startTimeFilter"]
    assert ranged == {
        "oldestDate": datetime(2026, 12, 1, tzinfo=UTC).timestamp(),
        "latestDate": datetime(2026, 12, 2, tzinfo=UTC).timestamp(),
    }
    by_close = build_filter(
        state=None,
        status=None,
        workflow_type=None,
        tag=None,
        workflow_id=None,
        since="1h",
        until=None,
        by_close_time=True,
    )
    assert by_close.states == ("closed",)
    assert "closeTimeFilter" in by_close.params("d", "closed")
    assert build_filter(
        state=None,
        status="COMPLETED",
        workflow_type=None,
        tag=None,
        workflow_id=None,
        since=None,
        until=None,
    ).states == ("closed",)


def test_exclusive_filters_are_refused_with_the_rule() -> None:
    with pytest.raises(click.UsageError, match="--workflow-id and --status"):
        selection(workflow_id="x", status="FAILED")
    with pytest.raises(click.UsageError, match="excludes --open"):
        selection(state="open", status="FAILED")


def test_endpoint_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENSWF_ENDPOINT", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL_SWF", raising=False)
    assert _resolve_endpoint(None, None) == DEFAULT_ENDPOINT
    monkeypatch.setenv("AWS_ENDPOINT_URL_SWF", "http://b:1")
    assert _resolve_endpoint(None, None) == "http://b:1"
    monkeypatch.setenv("OPENSWF_ENDPOINT", "http://a:1")
    assert _resolve_endpoint(None, None) == "http://a:1"
    assert _resolve_endpoint("http://c:1", None) == "http://c:1"
    assert _resolve_endpoint("aws", "eu-west-1") == "https://swf.eu-west-1.amazonaws.com"
