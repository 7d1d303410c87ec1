"""How values cross the wire: JSON, through one place.

Inputs and results of workflows and activities are SWF ``Data`` strings (at most 32,768
characters). The framework writes JSON; on the way in, a string that is not JSON is taken
as it is, so workflows started by other tools (plain strings as input) still work.

Values longer than a field allows go to the payload store (``openswf.sdk.payloads``) and
the field carries a reference to them; ``loads`` fetches them back. Everything in the SDK
(deciders of every style, workers, client helpers) encodes and decodes here, so offloading
is transparent to all of it.
"""

from __future__ import annotations

from typing import Any

import orjson

from openswf.sdk import payloads

# SWF's limit on input, result and details fields (the Data shape), in characters.
MAX_DATA = 32_768
MAX_REASON = 256
MAX_LIMITED_DATA = 2_048


def _default(value: Any) -> Any:
    to_dict = getattr(value, "to_dict", None)
    if callable(to_dict):
        return to_dict()
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def dumps(value: Any, *, limit: int = MAX_DATA) -> str | None:
    """JSON text of ``value`` (``None`` stays absent on the wire); text longer than
    ``limit`` (or the payload threshold) is stored and replaced by a reference."""
    if value is None:
        return None
    text = orjson.dumps(value, default=_default, option=orjson.OPT_NON_STR_KEYS).decode()
    return payloads.current().offload(text, limit)


def loads(text: str | None) -> Any:
    if text is None or text == "":
        return None
    if text.startswith(payloads.REFERENCE_PREFIX):
        text = payloads.current().resolve(text)
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return text


def truncate(text: str | None, limit: int) -> str | None:
    """Cut ``text`` to ``limit`` characters, keeping its end (where a traceback's cause is)."""
    if text is None or len(text) <= limit:
        return text
    marker = "...[truncated]...\n"
    keep = limit - len(marker)
    head = keep // 4
    return text[:head] + marker + text[len(text) - (keep - head) :]
