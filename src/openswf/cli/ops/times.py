"""Times as people type them: ``2h`` (ago), ``30m``, ``7d``, ``2026-12-01``,
``2026-12-01T10:30``, ``now``, or epoch seconds. Dates without a zone are UTC."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import click

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
_AGO = re.compile(r"^(\d+(?:\.\d+)?)\s*([smhdw])(?:\s*ago)?$")


def parse_when(text: str, now: float) -> float:
    """Epoch seconds of ``text``; ``ValueError`` with a readable message if it is none."""
    value = text.strip().lower()
    if value == "now":
        return now
    ago = _AGO.match(value)
    if ago:
        return now - float(ago.group(1)) * _UNITS[ago.group(2)]
    if re.fullmatch(r"\d{9,}(?:\.\d+)?", value):
        return float(value)
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(
            f"{text!r} is not a time: use 2h, 30m, 7d (ago), 2026-12-01, "
            "2026-12-01T10:30, now, or epoch seconds"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def when_option(text: str | None, now: float, param: str) -> float | None:
    if text is None:
        return None
    try:
        return parse_when(text, now)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint=param) from error


def parse_duration(text: str, param: str) -> float:
    """``90``, ``90s``, ``5m``, ``2h``: seconds."""
    value = text.strip().lower()
    match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([smhdw]?)", value)
    if not match:
        raise click.BadParameter(f"{text!r}: expected seconds or 30s, 5m, 2h", param_hint=param)
    return float(match.group(1)) * _UNITS.get(match.group(2) or "s", 1)
