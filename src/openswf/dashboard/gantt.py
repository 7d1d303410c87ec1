"""The execution's timeline as a Gantt chart: spans laid out as SVG rows, on the server.

One row for the workflow, one for all its decision tasks, then one row per activity,
Lambda function, timer and child workflow (by id): retries are further bars on the same row,
so a flaky activity reads as a row of red bars ending in a green one. A bar's pale head is
the time it waited to start (schedule to start), its solid body the time it ran. Rows are
paged (the workflow and decision rows stay on every page), and bars closer than a pixel are
merged, so a 25,000-event history draws as a few hundred shapes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from openswf.sdk.timeline import Span

LABEL_WIDTH = 330
PLOT_WIDTH = 800
ROW_HEIGHT = 22
BAR_HEIGHT = 14
AXIS_HEIGHT = 26
ROWS_PER_PAGE = 100
_STEPS = [
    0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5,
    1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200,
    86400, 172800, 604800, 1209600, 2592000, 7776000, 31536000,
]  # fmt: skip
_KIND_ORDER = {"workflow": 0, "decision": 1}


def duration_text(seconds: float | None) -> str:
    """``850 ms``, ``12.5 s``, ``3m 20s``, ``2h 05m``, ``3d 4h``."""
    if seconds is None:
        return ""
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    if seconds < 60:
        return f"{seconds:.1f} s" if seconds < 10 else f"{seconds:.0f} s"
    minutes, secs = divmod(int(seconds), 60)
    if minutes < 60:
        return f"{minutes}m {secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours}h {minutes:02d}m"
    days, hours = divmod(hours, 24)
    return f"{days}d {hours}h"


def _clock(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).strftime("%H:%M:%S.%f")[:-3]


@dataclass(frozen=True, kw_only=True)
class Bar:
    x: float
    width: float
    wait: float  # width of the pale part: scheduled to started
    status: str
    title: str
    count: int = 1  # spans merged into this bar


@dataclass(frozen=True, kw_only=True)
class Row:
    y: float
    kind: str
    label: str
    note: str  # e.g. "3 attempts", "child run"
    href: str | None
    bars: tuple[Bar, ...]


@dataclass(frozen=True, kw_only=True)
class Tick:
    x: float
    label: str


@dataclass(frozen=True, kw_only=True)
class Chart:
    width: int
    height: int
    plot_left: int
    plot_width: int
    axis_height: int
    rows: tuple[Row, ...]
    ticks: tuple[Tick, ...]
    start: float
    end: float
    total_rows: int  # rows of activities, timers, children (paged)
    offset: int
    limit: int

    @property
    def next_offset(self) -> int | None:
        following = self.offset + self.limit
        return following if following < self.total_rows else None

    @property
    def previous_offset(self) -> int | None:
        return max(0, self.offset - self.limit) if self.offset > 0 else None


def _title(span: Span, now: float) -> str:
    lines = [f"{span.kind} {span.key}" if span.kind != "decision" else "decision task"]
    if span.label and span.kind not in ("decision", "workflow"):
        lines[0] += f" ({span.label})"
    if span.attempt > 1:
        lines[0] += f", attempt {span.attempt}"
    lines.append(f"{span.status.replace('_', ' ')}; scheduled {_clock(span.scheduled)} UTC")
    waited = span.queued()
    if waited is not None and span.kind not in ("timer", "workflow"):
        lines.append(f"waited {duration_text(waited)} to start")
    if span.started is not None:
        end = span.closed if span.closed is not None else now
        verb = "ran" if span.closed is not None else "running for"
        lines.append(f"{verb} {duration_text(max(0.0, end - span.started))}")
    elif span.closed is not None and span.closed > span.scheduled:
        lines.append(f"closed after {duration_text(span.closed - span.scheduled)}")
    if span.detail:
        lines.append(str(span.detail)[:300])
    return "\n".join(lines)


def _ticks(start: float, end: float) -> tuple[Tick, ...]:
    total = max(end - start, 1e-3)
    step = next((s for s in _STEPS if total / s <= 8), _STEPS[-1])
    ticks = []
    value = 0.0
    while value <= total + 1e-9:
        x = LABEL_WIDTH + value / total * PLOT_WIDTH
        ticks.append(Tick(x=round(x, 1), label="0" if value == 0 else "+" + duration_text(value)))
        value += step
    return tuple(ticks)


def _rows_of(spans: Sequence[Span]) -> list[list[Span]]:
    """Spans grouped into rows: workflow, decisions, then by (kind, key) in start order."""
    groups: dict[tuple[str, str], list[Span]] = {}
    for span in spans:
        key = ("decision", "") if span.kind == "decision" else (span.kind, span.key)
        groups.setdefault(key, []).append(span)
    return sorted(groups.values(), key=lambda g: (_KIND_ORDER.get(g[0].kind, 2), g[0].scheduled))


def _merge(bars: list[Bar]) -> tuple[Bar, ...]:
    """Bars of one status that touch within a pixel become one bar (with a count)."""
    groups: list[tuple[list[Bar], float]] = []
    for bar in sorted(bars, key=lambda b: b.x):
        if groups and groups[-1][0][0].status == bar.status and bar.x <= groups[-1][1] + 1:
            members, right = groups[-1]
            members.append(bar)
            groups[-1] = (members, max(right, bar.x + bar.width))
        else:
            groups.append(([bar], bar.x + bar.width))
    merged = []
    for members, right in groups:
        first = members[0]
        if len(members) == 1:
            merged.append(first)
            continue
        merged.append(
            Bar(
                x=first.x,
                width=round(right - first.x, 2),
                wait=0.0,
                status=first.status,
                title=f"{len(members)} spans, {first.status.replace('_', ' ')}, drawn as one; "
                f"the first:\n{first.title}",
                count=len(members),
            )
        )
    return tuple(merged)


def build_chart(
    spans: Sequence[Span],
    *,
    now: float,
    offset: int = 0,
    limit: int = ROWS_PER_PAGE,
    child_href: Callable[[Span], str | None] | None = None,
) -> Chart:
    """Lay out ``spans`` (from ``build_timeline``); open spans run to ``now``."""
    rows = _rows_of(spans)
    fixed = [r for r in rows if r[0].kind in _KIND_ORDER]
    paged = [r for r in rows if r[0].kind not in _KIND_ORDER]
    start = min((s.scheduled for s in spans), default=now)
    end = max((s.closed if s.closed is not None else now for s in spans), default=now)
    end = max(end, start + 1e-3)
    scale = PLOT_WIDTH / (end - start)

    def x_of(at: float) -> float:
        return LABEL_WIDTH + (at - start) * scale

    shown = fixed + paged[offset : offset + limit]
    laid: list[Row] = []
    for index, group in enumerate(shown):
        bars = []
        for span in group:
            left = x_of(span.scheduled)
            right = x_of(span.closed if span.closed is not None else now)
            begun = x_of(span.started) if span.started is not None else right
            width = max(right - left, 2.0)
            bars.append(
                Bar(
                    x=round(left, 2),
                    width=round(width, 2),
                    wait=round(min(max(begun - left, 0.0), width), 2),
                    status=span.status,
                    title=_title(span, now),
                )
            )
        first = group[0]
        if first.kind == "decision":
            label, note = "decision tasks", f"{len(group)}"
        elif first.kind == "workflow":
            label, note = first.label or "workflow", "workflow"
        else:
            label = first.key
            note = first.label + (f" ×{len(group)}" if len(group) > 1 else "")
        laid.append(
            Row(
                y=AXIS_HEIGHT + index * ROW_HEIGHT,
                kind=first.kind,
                label=label,
                note=note,
                href=child_href(group[-1]) if child_href and first.kind == "child" else None,
                bars=_merge(bars) if len(bars) > 50 else tuple(bars),
            )
        )
    return Chart(
        width=LABEL_WIDTH + PLOT_WIDTH + 16,
        height=AXIS_HEIGHT + len(laid) * ROW_HEIGHT + 6,
        plot_left=LABEL_WIDTH,
        plot_width=PLOT_WIDTH,
        axis_height=AXIS_HEIGHT,
        rows=tuple(laid),
        ticks=_ticks(start, end),
        start=start,
        end=end,
        total_rows=len(paged),
        offset=offset,
        limit=limit,
    )
