"""What ``openswf worker`` finds in a module: activities, graph specs (with their child
graphs' dynamic type), ``workflows`` mappings, and code workflows through their hook."""

from __future__ import annotations

import sys
import types
from typing import Any

import click
import pytest

from openswf.cli.worker import (
    activities_of,
    code_workflows,
    graph_workflows,
    lambdas_of,
    make_plan,
)
from openswf.sdk import (
    ActivityTask,
    ChildWorkflow,
    DeciderSpec,
    Decisions,
    DynamicDecider,
    GraphDecider,
    WorkflowType,
    activity,
)
from openswf.sdk.activities import Registry
from openswf.sdk.history import DecisionTask


@activity(name="disc.a", version="1", task_list="disc-work")
def work(context: Any) -> None:
    return None


CHILD = DeciderSpec(domain="d", task_list="child-decisions", tasks=[ActivityTask(work, id="w")])
SPEC = DeciderSpec(
    domain="d", task_list="main-decisions", tasks=[ChildWorkflow(spec=CHILD, id="child")]
)


class NoDecisions:
    def decide(self, task: DecisionTask) -> Decisions:
        return Decisions()


class CodeWorkflowBase:
    @classmethod
    def __openswf_workflow__(cls) -> tuple[WorkflowType, Any] | None:
        if cls is CodeWorkflowBase:
            return None  # the abstract base is not a workflow
        return WorkflowType(cls.__name__.lower(), "2", task_list="code-decisions"), NoDecisions()


class Order(CodeWorkflowBase):
    domain = "d"


def module(**values: Any) -> types.ModuleType:
    made = types.ModuleType("disc_module")
    made.__dict__.update(values)
    return made


def test_a_graph_module_and_its_child_graph() -> None:
    (served,) = graph_workflows(module(spec=SPEC, work=work))
    assert served.workflow_type.key == ("disc_module", "1")
    assert served.workflow_type.task_list == "main-decisions"  # defaulted to the spec's
    assert served.children == {"child-decisions"}
    plan = make_plan([served], Registry([work]), None, ())
    assert set(plan.deciders) == {("d", "main-decisions"), ("d", "child-decisions")}
    (dynamic,) = plan.deciders[("d", "child-decisions")].values()
    assert isinstance(dynamic, DynamicDecider)
    assert [t.key for t in plan.types[("d", "child-decisions")]] == [("openswf.dynamic", "1")]
    assert plan.activity_lists == {"d": {"disc-work"}}


def test_a_workflows_mapping_and_the_domain_option() -> None:
    kind = WorkflowType("mapped", "3")
    (served,) = graph_workflows(module(workflows={kind: SPEC}))
    assert isinstance(served.decider, GraphDecider) and served.workflow_type.version == "3"
    plan = make_plan([served], Registry([work]), "other", ("disc-work", "absent"))
    assert set(plan.deciders) == {("other", "main-decisions"), ("other", "child-decisions")}
    assert plan.activity_lists == {"other": {"disc-work"}}


def test_code_workflows_by_their_hook() -> None:
    found = list(code_workflows(module(CodeWorkflowBase=CodeWorkflowBase, Order=Order)))
    assert [s.workflow_type.key for s in found] == [("order", "2")]
    assert found[0].domain == "d"
    plan = make_plan(found, Registry(), None, ())
    assert list(plan.deciders) == [("d", "code-decisions")]


def test_activities_without_a_domain_need_the_option() -> None:
    registry = activities_of([module(work=work)])
    assert registry.get("disc.a", "1") is work
    with pytest.raises(click.UsageError, match="--domain"):
        make_plan([], registry, None, ())


def fake_code_module() -> types.ModuleType:
    """The shape of ``openswf.sdk.code``: Workflow subclasses name their type by class
    attributes and are decided by ``WorkflowDecider(cls)``."""

    class Workflow:
        name = ""
        version = "1"
        task_list: str | None = None
        activity_task_list: str | None = None
        lambda_role: str | None = None
        domain: str | None = None

        @classmethod
        def workflow_type(cls) -> WorkflowType:
            return WorkflowType(cls.name, cls.version, task_list=cls.task_list or cls.name)

    class WorkflowDecider:
        def __init__(self, *workflows: type) -> None:
            self.workflows = workflows

        def decide(self, task: DecisionTask) -> Decisions:
            return Decisions()

    code = types.ModuleType("openswf.sdk.code")
    code.__dict__.update(Workflow=Workflow, WorkflowDecider=WorkflowDecider)
    return code


@activity(name="disc.untargeted", version="1")
def untargeted(context: Any) -> None:
    return None


def test_workflow_subclasses_of_the_code_style(monkeypatch: pytest.MonkeyPatch) -> None:
    code = fake_code_module()
    monkeypatch.setitem(sys.modules, "openswf.sdk.code", code)
    base = code.Workflow

    class Mixin(base):  # type: ignore[misc, valid-type]
        """No run: a base class of the user's own, not a workflow."""

    class Checkout(Mixin):  # type: ignore[misc, valid-type]
        name = "checkout"
        task_list = "checkout-decisions"
        activity_task_list = "checkout-work"
        lambda_role = "arn:aws:iam::123456789012:role/lambda"
        domain = "shop"

        def run(self, order: Any) -> Any:
            return order

    found = list(code_workflows(module(Workflow=base, Mixin=Mixin, Checkout=Checkout)))
    assert [s.workflow_type.key for s in found] == [("checkout", "1")]
    (served,) = found
    assert served.workflow_type.lambda_role == "arn:aws:iam::123456789012:role/lambda"
    assert isinstance(served.decider, code.WorkflowDecider)
    assert served.decider.workflows == (Checkout,)
    plan = make_plan(found, Registry([work, untargeted]), None, ())
    assert plan.activity_lists == {"shop": {"disc-work", "checkout-work"}}
    on_default = plan.activities_on(Registry([work, untargeted]), "checkout-work")
    assert [a.name for a in on_default] == ["disc.untargeted"]


def test_lambdas_are_found() -> None:
    def tax(amount: float) -> float:
        return amount * 0.2

    assert lambdas_of([module(lambdas={"tax": tax, "not": 3})]) == {"tax": tax}


def test_a_class_under_two_names_is_one_workflow() -> None:
    found = list(code_workflows(module(Order=Order, workflow=Order)))
    assert len(found) == 1
    make_plan(found, Registry(), None, ())  # no "found twice"
