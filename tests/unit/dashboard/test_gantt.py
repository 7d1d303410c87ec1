"""The Gantt layout: rows by kind and key, attempts on one row, paging, merging."""

from __future__ import annotations

from openswf.dashboard.gantt import LABEL_WIDTH, PLOT_WIDTH, build_chart, duration_text
from openswf.sdk.timeline import Span


def span(
    kind: str,
    key: str,
    scheduled: float,
    started: float | None,
    closed: float | None,
    status: str,
    attempt: int = 1,
) -> Span:
    return Span(
        kind=kind,
        key=key,
        label=f"{key}:1",
        attempt=attempt,
        scheduled=scheduled,
        started=started,
        closed=closed,
        status=status,
        detail=None,
        event_ids=(1,),
    )


SPANS = [
    span("workflow", "workflow", 0, 0, 100, "completed"),
    span("decision", "decision-1", 0, 1, 2, "completed"),
    span("activity", "a", 2, 3, 10, "failed"),
    span("decision", "decision-2", 10, 10, 11, "completed"),
    span("activity", "a", 11, 12, 20, "completed", attempt=2),
    span("timer", "t", 2, 2, 50, "fired"),
    span("activity", "b", 30, None, None, "scheduled"),
]


def test_rows_by_kind_and_key_with_attempts_on_one_row() -> None:
    chart = build_chart(SPANS, now=100)
    assert [(r.kind, r.label) for r in chart.rows] == [
        ("workflow", "workflow:1"), ("decision", "decision tasks"),
        ("activity", "a"), ("timer", "t"), ("activity", "b"),
    ]  # fmt: skip
    a = chart.rows[2]
    assert [b.status for b in a.bars] == ["failed", "completed"] and "×2" in a.note
    assert len(chart.rows[1].bars) == 2


def test_geometry_waits_and_open_spans_run_to_now() -> None:
    chart = build_chart(SPANS, now=100)
    scale = PLOT_WIDTH / 100
    failed = chart.rows[2].bars[0]
    assert failed.x == LABEL_WIDTH + 2 * scale
    assert failed.width == 8 * scale and failed.wait == 1 * scale
    waiting = chart.rows[4].bars[0]  # never started: all of it is waiting, up to now
    assert waiting.width == 70 * scale and waiting.wait == waiting.width
    assert chart.ticks[0].label == "0" and chart.ticks[-1].x <= LABEL_WIDTH + PLOT_WIDTH


def test_rows_page_but_workflow_and_decisions_stay() -> None:
    many = [SPANS[0]] + [span("activity", f"x{i}", i, i, i + 1, "completed") for i in range(250)]
    first = build_chart(many, now=300, limit=100)
    assert first.total_rows == 250 and first.next_offset == 100 and first.previous_offset is None
    last = build_chart(many, now=300, offset=200, limit=100)
    assert [r.label for r in last.rows][:2] == ["workflow:1", "x200"]
    assert len(last.rows) == 51 and last.next_offset is None and last.previous_offset == 100


def test_bars_closer_than_a_pixel_merge() -> None:
    tiny = [SPANS[0]] + [
        span("decision", f"decision-{i}", i * 0.001, i * 0.001, i * 0.001 + 0.0005, "completed")
        for i in range(5000)
    ]
    chart = build_chart(tiny, now=100)
    bars = chart.rows[1].bars
    assert len(bars) < 10 and sum(b.count for b in bars) == 5000


def test_durations() -> None:
    assert duration_text(0.25) == "250 ms"
    assert duration_text(3.25) == "3.2 s"
    assert duration_text(42) == "42 s"
    assert duration_text(200) == "3m 20s"
    assert duration_text(7500) == "2h 05m"
    assert duration_text(3 * 86400 + 4 * 3600) == "3d 4h"
