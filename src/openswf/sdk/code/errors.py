"""What workflow code sees go wrong, and the signals its runtime uses to stop it.

``Suspend``, ``ContinueAsNew`` and ``CloseWorkflow`` are BaseExceptions on purpose: a
workflow's ``except Exception:`` must not swallow the runtime's own control flow.
"""

from __future__ import annotations

from typing import Any

from openswf.sdk.activities import ActivityFailed


class NondeterminismError(Exception):
    """The code asked for something other than what the history recorded.

    ``event`` is the history event in question (None when the history has nothing where the
    code asks for something), ``call`` describes the code's call and where it was made."""

    def __init__(self, message: str, *, event: Any = None, call: str | None = None) -> None:
        super().__init__(message)
        self.event = event
        self.call = call


class ActivityTimedOut(ActivityFailed):
    """An activity (or Lambda function) timed out; ``reason`` is the timeout type."""


class LambdaFailed(ActivityFailed):
    """A Lambda task failed, timed out, or could not be scheduled or started."""


class ChildWorkflowFailed(Exception):
    """A child workflow failed, timed out, was canceled or terminated, or did not start.

    ``outcome`` is one of ``failed``, ``timed_out``, ``canceled``, ``terminated``,
    ``start_failed``."""

    def __init__(self, reason: str, details: Any = None, *, outcome: str = "failed") -> None:
        super().__init__(reason)
        self.reason = reason
        self.details = details
        self.outcome = outcome


class TimerCancelled(Exception):
    """``.result()`` of a timer that the workflow cancelled."""


class SignalFailed(Exception):
    """A signal to another execution could not be delivered (``cause`` says why)."""

    def __init__(self, cause: str) -> None:
        super().__init__(cause)
        self.cause = cause


class WorkflowFailed(Exception):
    """Fails the workflow with ``reason`` and ``details`` (``self.fail`` raises it)."""

    def __init__(self, reason: str, details: Any = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.details = details


class CancelRequested(Exception):
    """Raised at the first wait that would block after someone asked to cancel the
    workflow. Catch it to clean up; left uncaught, the workflow is cancelled."""


class Suspend(BaseException):
    """The code waits for something the history does not hold yet: end this decision."""


class ContinueAsNew(BaseException):
    def __init__(self, payload: Any) -> None:
        super().__init__("continue as new")
        self.payload = payload
