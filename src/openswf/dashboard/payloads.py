"""Inputs, results and details as people read them: decoded by the SDK's converter (which
also resolves large payloads kept outside SWF's 32 KB fields) and pretty-printed."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson

from openswf.sdk.converter import loads

# Event attribute members that carry user data (SWF Data strings).
PAYLOAD_FIELDS = frozenset({"input", "result", "details", "control", "executionContext"})
MAX_SHOWN = 200_000


def pretty(text: str | None) -> str | None:
    """The value of a Data string, indented if it is JSON; None stays None."""
    if text is None or text == "":
        return None
    try:
        value = loads(text)
    except Exception as error:  # a payload reference that cannot be resolved, say
        return f"{text}\n\n(could not decode: {error})"
    if isinstance(value, str):
        shown = value
    else:
        shown = orjson.dumps(value, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS).decode()
    if len(shown) > MAX_SHOWN:
        shown = shown[:MAX_SHOWN] + f"\n... ({len(shown) - MAX_SHOWN:,} more characters)"
    return shown


def preview(text: str | None, limit: int = 80) -> str:
    """One line of a Data string, for summaries."""
    if not text:
        return ""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _decoded(value: Any, name: str | None) -> Any:
    if name in PAYLOAD_FIELDS and isinstance(value, str):
        try:
            return loads(value)
        except Exception:
            return value
    if isinstance(value, Mapping):
        return {k: _decoded(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_decoded(v, None) for v in value]
    return value


def attributes_text(attributes: Mapping[str, Any]) -> str:
    """An event's attributes as indented JSON, with its payload members decoded."""
    shown = orjson.dumps(
        _decoded(attributes, None), option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS
    ).decode()
    if len(shown) > MAX_SHOWN:
        shown = shown[:MAX_SHOWN] + f"\n... ({len(shown) - MAX_SHOWN:,} more characters)"
    return shown
