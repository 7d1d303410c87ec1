"""How a call's arguments travel: one positional argument as itself, else an envelope.

An activity, a child workflow or a continued run gets ``args``/``kwargs`` as they were
passed. A call with exactly one positional argument to a callee that takes one sends the
value itself (what any SWF worker expects); anything else is sent as
``{"__openswf__": 1, "args": [...], "kwargs": {...}}``, which the framework's activity
worker and workflow runtime unpack. Retries add ``"attempt"`` so activities can see it.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from openswf.sdk.activities import ENVELOPE_KEY, Activity, Timeouts
from openswf.sdk.retry import Retry


@functools.lru_cache(maxsize=4096)
def arity(fn: Callable[..., Any], skip: tuple[str, ...] = ()) -> int:
    """Parameters a caller may fill, ``self``/context aside (-1 with ``*args``); cached:
    signatures are slow to read, and every decision task asks."""
    count = 0
    for param in inspect.signature(fn).parameters.values():
        if param.name in skip:
            continue
        if param.kind is param.VAR_POSITIONAL:
            return -1
        if param.kind in (param.POSITIONAL_ONLY, param.POSITIONAL_OR_KEYWORD, param.KEYWORD_ONLY):
            count += 1
    return count


def encode_call(
    args: tuple[Any, ...], kwargs: Mapping[str, Any], callee_arity: int, attempt: int = 1
) -> Any:
    """The value sent as input for ``callee(*args, **kwargs)``."""
    if len(args) == 1 and not kwargs and callee_arity == 1 and attempt == 1:
        return args[0]
    if not args and not kwargs and attempt == 1:
        return None
    envelope: dict[str, Any] = {ENVELOPE_KEY: 1}
    if len(args) == 1 and not kwargs and callee_arity == 1:
        envelope["input"] = args[0]
    else:
        envelope["args"] = list(args)
        if kwargs:
            envelope["kwargs"] = dict(kwargs)
    if attempt > 1:
        envelope["attempt"] = attempt
    return envelope


def decode_call(value: Any, callee_arity: int) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """The ``(args, kwargs)`` a callee taking ``callee_arity`` parameters gets from an input."""
    if isinstance(value, dict) and value.get(ENVELOPE_KEY) == 1:
        if "args" in value or "kwargs" in value:
            return tuple(value.get("args") or ()), dict(value.get("kwargs") or {})
        value = value.get("input")
    if callee_arity == 0 or (value is None and callee_arity != 1):
        return (), {}
    if callee_arity == 1:
        return (value,), {}
    if isinstance(value, Mapping):
        return (), dict(value)
    if isinstance(value, (list, tuple)):
        return tuple(value), {}
    return (value,), {}


@dataclass(frozen=True, kw_only=True)  # not slots: ``arity`` is cached on the instance
class ActivityRef:
    """An activity type with per-call options (``options(activity, ...)`` makes one)."""

    name: str
    version: str
    activity: Activity[Any, Any] | None = None
    task_list: str | None = None
    timeouts: Timeouts | None = None
    priority: int | None = None
    retry: Retry | None = None

    @functools.cached_property
    def what(self) -> str:
        return f"activity {self.name}/{self.version}"

    @functools.cached_property
    def arity(self) -> int:
        if self.activity is None:
            return 1
        return arity(self.activity.fn, (self.activity.context_parameter or "",))


def options(
    target: Activity[Any, Any] | ActivityRef | str,
    *,
    version: str | None = None,
    task_list: str | None = None,
    timeouts: Timeouts | None = None,
    priority: int | None = None,
    retry: Retry | None = None,
) -> ActivityRef:
    """``target`` with per-call options: ``self.submit(options(charge, retry=...), order)``."""
    base = activity_ref(target)
    return ActivityRef(
        name=base.name,
        version=version or base.version,
        activity=base.activity,
        task_list=task_list or base.task_list,
        timeouts=timeouts or base.timeouts,
        priority=priority if priority is not None else base.priority,
        retry=retry or base.retry,
    )


def activity_ref(target: Activity[Any, Any] | ActivityRef | str) -> ActivityRef:
    if isinstance(target, ActivityRef):
        return target
    if isinstance(target, Activity):
        return ActivityRef(
            name=target.name,
            version=target.version,
            activity=target,
            task_list=target.task_list,
        )
    if isinstance(target, str):
        return ActivityRef(name=target, version="1")
    raise TypeError(f"not an activity: {target!r}")
