"""``openswf worker MODULE ...``: activity workers and deciders for what the modules define.

Each MODULE is a dotted module name (imported with the current directory on the path) or a
``.py`` file. The command finds in them:

* activities: every ``@activity`` (those the modules define or import);
* task-graph workflows: a ``spec`` (``DeciderSpec``) with its ``workflow_type`` (default: the
  module's name, version 1, on the spec's task list), as ``openswf run`` reads a file, and any
  ``workflows = {WorkflowType(...): spec, ...}`` mapping; child graphs (``ChildWorkflow(spec=
  ...)``) get a ``DynamicDecider`` on their task lists, and the ``openswf.dynamic`` type;
* workflows written as code: every ``openswf.sdk.Workflow`` subclass, decided by a
  ``WorkflowDecider``; and any object with an ``__openswf_workflow__()`` hook that returns a
  ``(WorkflowType, Decider)`` pair (or None, for an abstract base class);
* Lambda functions: a ``lambdas = {name: function}`` mapping, run by a ``LambdaWorker``.

It registers the activity and workflow types (once the domain exists: it waits for it),
runs one activity worker per activity task list and one decision worker per decision task
list, and on SIGINT or SIGTERM stops polling, lets running tasks finish and be reported,
and exits; a second signal exits at once.
"""

from __future__ import annotations

import importlib
import inspect
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import ModuleType
from typing import Any

import click

from openswf.cli.run import child_task_lists, load_module
from openswf.sdk import (
    ActivityWorker,
    Client,
    DeciderSpec,
    DecisionWorker,
    DynamicDecider,
    GraphDecider,
    LambdaWorker,
    WorkflowType,
    default_registry,
)
from openswf.sdk.activities import Activity, Registry
from openswf.sdk.credentials import is_aws
from openswf.sdk.deciders.base import Decider
from openswf.sdk.errors import SwfError
from openswf.sdk.graph import DYNAMIC_WORKFLOW_TYPE
from openswf.sdk.polling import PollingWorker

log = logging.getLogger("openswf.worker")

DYNAMIC_TYPE = WorkflowType(*DYNAMIC_WORKFLOW_TYPE, execution_timeout=86400)


@dataclass(frozen=True, kw_only=True)
class Served:
    """One workflow type this process decides, on its decision task list, in its domain."""

    workflow_type: WorkflowType
    decider: Decider
    domain: str | None  # None: the --domain option's
    children: frozenset[str] = field(default_factory=frozenset)  # task lists of child graphs
    activity_task_list: str | None = None  # where its activities without a task list go


def import_target(target: str) -> ModuleType:
    if target.endswith(".py") or os.sep in target:
        path = Path(target)
        if not path.is_file():
            raise click.BadParameter(f"{target}: no such file", param_hint="MODULE")
        return load_module(path)
    if "" not in sys.path and os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        return importlib.import_module(target)
    except ImportError as error:
        raise click.BadParameter(f"cannot import {target}: {error}", param_hint="MODULE") from None


def module_name(module: ModuleType) -> str:
    file = getattr(module, "__file__", None)
    return Path(file).stem if file else module.__name__.rpartition(".")[2]


def graph_workflows(module: ModuleType) -> Iterator[Served]:
    mapping = getattr(module, "workflows", None)
    if isinstance(mapping, dict):
        for kind, spec in mapping.items():
            if isinstance(kind, WorkflowType) and isinstance(spec, DeciderSpec):
                yield served_graph(kind, spec)
    spec = getattr(module, "spec", None)
    if isinstance(spec, DeciderSpec):
        kind = getattr(module, "workflow_type", None)
        if not isinstance(kind, WorkflowType):
            kind = WorkflowType(module_name(module), "1")
        yield served_graph(kind, spec)


def served_graph(kind: WorkflowType, spec: DeciderSpec) -> Served:
    if kind.task_list is None:
        kind = replace(kind, task_list=spec.task_list)
    return Served(
        workflow_type=kind,
        decider=GraphDecider(spec),
        domain=spec.domain,
        children=frozenset(child_task_lists(spec.tasks)),
        activity_task_list=spec.default_activity_task_list,
    )


def code_workflow_class() -> tuple[Any, Any] | None:
    """``(Workflow, WorkflowDecider)`` of ``openswf.sdk.code``, if this version has them."""
    try:
        code = importlib.import_module("openswf.sdk.code")
    except ImportError:
        return None
    base, decider = getattr(code, "Workflow", None), getattr(code, "WorkflowDecider", None)
    return (base, decider) if base is not None and decider is not None else None


def code_workflows(module: ModuleType) -> Iterator[Served]:
    """Workflow subclasses, and objects with the ``__openswf_workflow__`` hook."""
    code = code_workflow_class()
    seen: set[int] = set()
    for value in list(vars(module).values()):
        if id(value) in seen:  # e.g. ``workflow = Checkout``: one class, two names
            continue
        seen.add(id(value))
        hook = getattr(value, "__openswf_workflow__", None)
        if callable(hook):
            found = hook()
            if found is None:
                continue
            kind, decider = found
        elif code is not None and _is_workflow_class(value, code[0]):
            kind = value.workflow_type()
            if getattr(value, "lambda_role", None):
                kind = replace(kind, lambda_role=value.lambda_role)
            decider = code[1](value)
        else:
            continue
        if not isinstance(kind, WorkflowType) or kind.task_list is None:
            raise click.ClickException(f"{value!r}: its WorkflowType must have a task list")
        yield Served(
            workflow_type=kind,
            decider=decider,
            domain=getattr(value, "domain", None),
            activity_task_list=getattr(value, "activity_task_list", None),
        )


def _is_workflow_class(value: Any, base: Any) -> bool:
    return (
        inspect.isclass(value)
        and issubclass(value, base)
        and value is not base
        and "run" in {name for cls in value.__mro__ if cls is not base for name in vars(cls)}
    )


def lambdas_of(modules: Iterable[ModuleType]) -> dict[str, Callable[..., Any]]:
    found: dict[str, Callable[..., Any]] = {}
    for module in modules:
        mapping = getattr(module, "lambdas", None)
        if isinstance(mapping, Mapping):
            found.update({str(k): v for k, v in mapping.items() if callable(v)})
    return found


def activities_of(modules: Iterable[ModuleType]) -> Registry:
    registry = Registry(default_registry)
    for module in modules:
        for value in vars(module).values():
            if isinstance(value, Activity) and registry.get(value.name, value.version) is None:
                registry.add(value)
    return registry


@dataclass(kw_only=True)
class Plan:
    """What to run: activity task lists per domain, deciders per (domain, task list)."""

    activity_lists: dict[str, set[str]] = field(default_factory=dict)
    deciders: dict[tuple[str, str], dict[tuple[str, str], Decider]] = field(default_factory=dict)
    types: dict[tuple[str, str], list[WorkflowType]] = field(default_factory=dict)
    # Lists that activities naming no task list of their own are scheduled on.
    default_lists: set[str] = field(default_factory=set)
    domains: set[str] = field(default_factory=set)

    def activities_on(self, registry: Registry, task_list: str) -> Registry:
        untargeted = task_list in self.default_lists
        return Registry(
            a for a in registry if a.task_list == task_list or (untargeted and not a.task_list)
        )

    def decide(self, domain: str, kind: WorkflowType, decider: Decider) -> None:
        assert kind.task_list is not None
        where = (domain, kind.task_list)
        existing = self.deciders.setdefault(where, {})
        if kind.key in existing and existing[kind.key] is not decider:
            raise click.ClickException(f"workflow type {kind.name}/{kind.version} found twice")
        existing[kind.key] = decider
        if all(t.key != kind.key for t in self.types.setdefault(where, [])):
            self.types[where].append(kind)


def make_plan(
    served: list[Served], registry: Registry, domain: str | None, task_lists: tuple[str, ...]
) -> Plan:
    plan = Plan()
    dynamic = DynamicDecider()  # one for every child graph: it reads the graph from the input
    domains: set[str] = set()
    for item in served:
        where = domain or item.domain
        if where is None:
            raise click.UsageError(
                f"{item.workflow_type.name} names no domain: give --domain", ctx=None
            )
        domains.add(where)
        plan.decide(where, item.workflow_type, item.decider)
        for child_list in item.children:
            plan.decide(where, replace(DYNAMIC_TYPE, task_list=child_list), dynamic)
    if domain:
        domains.add(domain)
    lists = {t for t in registry.task_lists() if t}
    plan.default_lists = {item.activity_task_list for item in served if item.activity_task_list}
    lists |= plan.default_lists
    if task_lists:
        lists &= set(task_lists)
    if lists and not domains:
        raise click.UsageError("no workflow names a domain for the activities: give --domain")
    plan.domains = domains
    for where in domains if lists else ():
        plan.activity_lists[where] = set(lists)
    return plan


@click.command("worker")
@click.argument("modules", nargs=-1, required=True)
@click.option(
    "--endpoint", default=None, help="SWF endpoint; default: AWS_ENDPOINT_URL_SWF, else AWS."
)
@click.option("--domain", default=None, help="Domain of everything (default: each spec's).")
@click.option(
    "--concurrency", default=4, show_default=True, help="Activities run at once per task list."
)
@click.option(
    "--decider-concurrency",
    default=2,
    show_default=True,
    help="Decision tasks handled at once per decision task list.",
)
@click.option(
    "--task-list", "task_lists", multiple=True, help="Only these activity task lists (repeat)."
)
@click.option("--activities/--no-activities", default=True, help="Run activity workers.")
@click.option("--deciders/--no-deciders", default=True, help="Run deciders.")
@click.option("--register/--no-register", default=True, help="Register the types on start.")
@click.option(
    "--log-level",
    default="info",
    show_default=True,
    type=click.Choice(["debug", "info", "warning", "error"]),
)
def worker(
    modules: tuple[str, ...],
    endpoint: str | None,
    domain: str | None,
    concurrency: int,
    decider_concurrency: int,
    task_lists: tuple[str, ...],
    activities: bool,
    deciders: bool,
    register: bool,
    log_level: str,
) -> None:
    """Run activity workers and deciders for the workflows and activities in MODULES."""
    logging.basicConfig(
        level=log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    loaded = [import_target(target) for target in modules]
    served: list[Served] = []
    for module in loaded:
        served += graph_workflows(module)
        served += code_workflows(module)
    registry = activities_of(loaded)
    plan = make_plan(served if deciders else [], registry, domain, task_lists)
    try:
        client = Client(endpoint)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--endpoint") from None
    # Real SWF may hand a task to a poll whose connection a stop closed: let polls end there.
    abort_polls = not is_aws(client.endpoint)
    workers: list[PollingWorker[Any]] = []
    if activities:
        for where, lists in sorted(plan.activity_lists.items()):
            for task_list in sorted(lists):
                workers.append(
                    ActivityWorker(
                        client,
                        where,
                        task_list,
                        plan.activities_on(registry, task_list),
                        concurrency=concurrency,
                        register=register,
                        abort_polls=abort_polls,
                    )
                )
    functions = lambdas_of(loaded)
    if activities and functions:
        if not plan.domains:
            raise click.UsageError(
                "no workflow names a domain for the Lambda functions: give --domain"
            )
        for where in sorted(plan.domains):
            workers.append(
                LambdaWorker(
                    client, where, functions, concurrency=concurrency, abort_polls=abort_polls
                )
            )
    for (where, task_list), by_type in sorted(plan.deciders.items()):
        workers.append(
            DecisionWorker(
                client,
                where,
                task_list,
                by_type,
                concurrency=decider_concurrency,
                abort_polls=abort_polls,
                workflow_types=plan.types[(where, task_list)] if register else (),
            )
        )
    if not workers:
        raise click.UsageError("nothing to run: the modules define no activity or workflow")
    serve(workers, client.endpoint)
    client.close()


def serve(workers: list[PollingWorker[Any]], endpoint: str) -> None:
    stopping = threading.Event()

    def on_signal(signum: int, frame: Any) -> None:
        if stopping.is_set():
            log.warning("second signal: exiting without waiting for running tasks")
            os._exit(1)
        stopping.set()
        log.info("signal %d: stopping; running tasks finish and are reported", signum)
        for item in workers:
            item.stop(wait=False)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    # Activity workers first, and deciders once the activity types are registered: a
    # decision that schedules an unregistered type would fail the workflow.
    activity_workers = [w for w in workers if isinstance(w, ActivityWorker)]
    others = [w for w in workers if not isinstance(w, ActivityWorker)]
    started: list[PollingWorker[Any]] = []
    for group in (activity_workers, others):
        for item in group:
            if stopping.is_set():
                break
            try:
                started.append(item.start())
            except SwfError as error:  # e.g. a type the server refuses to register
                for other in started:
                    other.stop()
                raise click.ClickException(f"{item.describe()}: {error}") from None
            log.info("%s started (%s) on %s", type(item).__name__, item.describe(), endpoint)
        for item in group:
            while item in started and not item.wait_ready(0.5) and not stopping.is_set():
                pass
    for item in started:
        while not item.join(0.5):
            pass
    log.info("stopped")
