"""LambdaWorker: runs ScheduleLambdaFunction tasks as plain Python callables.

SWF invokes AWS Lambda for these; openswf hands them to workers polling a reserved task
list instead (see ``openswf.protocol.lambdas``). A Lambda worker is an activity worker on
that list whose "activities" are the functions, looked up by the name the decision gave:

    worker = LambdaWorker(Client(), "demo", {"resize": resize_image})
    worker.run()

Each function takes the decoded input and returns a JSON-encodable result; an exception
records LambdaFunctionFailed with its reason and trimmed traceback. The server enforces the
function's startToCloseTimeout: an answer after it is refused and the function times out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from openswf.protocol.lambdas import LAMBDA_TASK_LIST, LAMBDA_VERSION
from openswf.sdk.activities import Activity, Registry, Timeouts
from openswf.sdk.client import AsyncClient, Client
from openswf.sdk.worker import ActivityWorker


def lambda_registry(
    functions: Mapping[str, Callable[..., Any]] | Iterable[Callable[..., Any]],
) -> Registry:
    """Functions by name (a mapping, or callables named by their ``__name__``)."""
    named = (
        functions.items()
        if isinstance(functions, Mapping)
        else ((fn.__name__, fn) for fn in functions)
    )
    return Registry(
        Activity(
            fn,
            name=name,
            version=LAMBDA_VERSION,
            task_list=LAMBDA_TASK_LIST,
            timeouts=Timeouts(),
            description=None,
            priority=None,
        )
        for name, fn in named
    )


class LambdaWorker(ActivityWorker):
    def __init__(
        self,
        client: Client | AsyncClient,
        domain: str,
        functions: Mapping[str, Callable[..., Any]] | Iterable[Callable[..., Any]],
        *,
        concurrency: int = 4,
        identity: str | None = None,
        abort_polls: bool = True,
    ) -> None:
        super().__init__(
            client,
            domain,
            LAMBDA_TASK_LIST,
            lambda_registry(functions),
            concurrency=concurrency,
            heartbeat_interval=0,  # Lambda tasks have no heartbeats in SWF
            identity=identity,
            register=False,  # functions are not activity types
            abort_polls=abort_polls,
        )
