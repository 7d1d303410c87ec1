"""Futures of workflow code: what ``submit``, ``child``, ``timer``... return.

``future.result()`` returns the value once the history holds it, raises the failure
(``ActivityFailed``, ``ChildWorkflowFailed``...) the code may catch, or, when the history
does not say yet, suspends the decision: the runtime unwinds ``run`` and answers with what
the code asked for so far. The same code runs again, from the start, on the next decision
task, and finds the result. ``wait(*fs)`` waits for all and returns their results;
``first(*fs)`` returns the first one done.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

T = TypeVar("T")

if TYPE_CHECKING:
    pass


class Runtime(Protocol):
    def wait(self, futures: Sequence[Future[Any]], *, first: bool) -> None: ...

    def cancel(self, future: Future[Any]) -> bool: ...


class Future(Generic[T]):
    """The eventual outcome of one call made by workflow code."""

    __slots__ = ("_runtime", "_done", "_value", "_error", "_callbacks", "what", "seq", "state")

    def __init__(self, runtime: Runtime, what: str = "", seq: int = 0) -> None:
        self._runtime = runtime
        self._done = False
        self._value: Any = None
        self._error: BaseException | None = None
        self._callbacks: list[Callable[[Future[T]], None]] | None = None
        self.what = what  # "activity charge/1", for messages
        self.seq = seq
        self.state: Any = None  # the runtime's own bookkeeping

    def done(self) -> bool:
        """Whether the outcome is known at this point of the workflow's history."""
        return self._done

    def result(self) -> T:
        if not self._done:
            self._runtime.wait([self], first=False)
        if self._error is not None:
            raise self._error
        return self._value  # type: ignore[no-any-return]

    def exception(self) -> BaseException | None:
        if not self._done:
            self._runtime.wait([self], first=False)
        return self._error

    def cancel(self) -> bool:
        """Ask to cancel (activities and timers); False if it is done already."""
        if self._done:
            return False
        return self._runtime.cancel(self)

    def add_done_callback(self, fn: Callable[[Future[T]], None]) -> None:
        """Call ``fn(self)`` when the outcome is known (at once if it is)."""
        if self._done:
            fn(self)
        elif self._callbacks is None:
            self._callbacks = [fn]
        else:
            self._callbacks.append(fn)

    def set_result(self, value: Any) -> None:
        self._settle(value, None)

    def set_exception(self, error: BaseException) -> None:
        self._settle(None, error)

    def _settle(self, value: Any, error: BaseException | None) -> None:
        if self._done:
            return
        self._done, self._value, self._error = True, value, error
        callbacks, self._callbacks = self._callbacks, None
        for fn in callbacks or ():
            fn(self)

    def __repr__(self) -> str:
        status = "done" if self._done else "pending"
        return f"<Future {self.what} #{self.seq} {status}>"


def wait(*futures: Future[Any]) -> list[Any]:
    """Wait until every future is done; their results, in order (the first failure raises)."""
    pending = [f for f in futures if not f.done()]
    if pending:
        pending[0]._runtime.wait(pending, first=False)
    return [f.result() for f in futures]


def first(*futures: Future[Any]) -> Future[Any]:
    """The first of ``futures`` to be done (the earliest given, when several are)."""
    if not futures:
        raise ValueError("first() needs at least one future")
    for future in futures:
        if future.done():
            return future
    futures[0]._runtime.wait(list(futures), first=True)
    for future in futures:
        if future.done():
            return future
    raise AssertionError("wait(first=True) returned with nothing done")


def gather(runtime: Runtime, futures: Sequence[Future[Any]], what: str = "group") -> Future[Any]:
    """One future for many: their results as a list, or the first failure (in order)."""
    combined: Future[Any] = Future(runtime, what)
    items = list(futures)
    if not items:
        combined.set_result([])
        return combined

    def check(_: Future[Any]) -> None:
        if all(f.done() for f in items):
            for f in items:
                if f._error is not None:
                    combined.set_exception(f._error)
                    return
            combined.set_result([f._value for f in items])

    for item in items:
        item.add_done_callback(check)
    return combined
