"""Domains and types through boto3: registration, description, listing, the lifecycle and
every fault of the registry operations (reference §2.3, §2.4, §6.13, §6.14)."""

from __future__ import annotations

import re
import time
from datetime import datetime
from typing import Any

import pytest

from openswf.testing import LocalServer
from tests.conftest import make_client, unique

# Full defaults for each kind of type, as RegisterWorkflowType/RegisterActivityType take them.
DEFAULTS: dict[str, dict[str, Any]] = {
    "workflow": {
        "defaultTaskStartToCloseTimeout": "30",
        "defaultExecutionStartToCloseTimeout": "3600",
        "defaultTaskList": {"name": "wf-list"},
        "defaultTaskPriority": "7",
        "defaultChildPolicy": "ABANDON",
        "defaultLambdaRole": "arn:aws:iam::123456789012:role/swf-lambda",
    },
    "activity": {
        "defaultTaskStartToCloseTimeout": "60",
        "defaultTaskHeartbeatTimeout": "NONE",
        "defaultTaskList": {"name": "act-list"},
        "defaultTaskPriority": "-3",
        "defaultTaskScheduleToStartTimeout": "120",
        "defaultTaskScheduleToCloseTimeout": "180",
    },
}
KINDS = sorted(DEFAULTS)


@pytest.fixture(scope="module")
def swf(server: LocalServer) -> Any:
    """This module's domains live in a region of their own, so the suite as a whole stays
    under SWF's quota of 100 domains per region."""
    return make_client(server.endpoint, region="us-west-1")


@pytest.fixture
def isolated(server: LocalServer) -> Any:
    """A client in a region no other test uses: ListDomains there sees only this test's."""
    return make_client(server.endpoint, region=unique("rg"))


def new_domain(swf: Any, **extra: Any) -> str:
    name = unique("reg")
    swf.register_domain(name=name, workflowExecutionRetentionPeriodInDays="1", **extra)
    return name


def names(infos: list[dict[str, Any]]) -> list[str]:
    return [info["name"] for info in infos]


def list_domain_pages(swf: Any, status: str, **kwargs: Any) -> list[dict[str, Any]]:
    """Every page of ListDomains, following nextPageToken by hand."""
    pages = [swf.list_domains(registrationStatus=status, **kwargs)]
    while "nextPageToken" in pages[-1]:
        assert len(pages) < 20, "paging does not end"
        pages.append(
            swf.list_domains(
                registrationStatus=status, nextPageToken=pages[-1]["nextPageToken"], **kwargs
            )
        )
    return pages


def between(moment: datetime, before: float, after: float) -> bool:
    # The server stores milliseconds; allow for that rounding at both ends.
    return before - 0.002 <= moment.timestamp() <= after + 0.002


# --- type helpers: one set of tests drives both kinds -------------------------------------


def type_ref(kind: str, name: str, version: str) -> dict[str, Any]:
    return {f"{kind}Type": {"name": name, "version": version}}


def register_type(swf: Any, kind: str, domain: str, name: str, version: str, **extra: Any) -> None:
    getattr(swf, f"register_{kind}_type")(domain=domain, name=name, version=version, **extra)


def describe_type(swf: Any, kind: str, domain: str, name: str, version: str) -> dict[str, Any]:
    return getattr(swf, f"describe_{kind}_type")(domain=domain, **type_ref(kind, name, version))


def type_op(swf: Any, op: str, kind: str, domain: str, name: str, version: str) -> None:
    getattr(swf, f"{op}_{kind}_type")(domain=domain, **type_ref(kind, name, version))


def list_types(swf: Any, kind: str, domain: str, status: str, **kwargs: Any) -> dict[str, Any]:
    result: dict[str, Any] = getattr(swf, f"list_{kind}_types")(
        domain=domain, registrationStatus=status, **kwargs
    )
    return result


def keys(kind: str, infos: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(i[f"{kind}Type"]["name"], i[f"{kind}Type"]["version"]) for i in infos]


def list_type_pages(
    swf: Any, kind: str, domain: str, status: str, **kwargs: Any
) -> list[dict[str, Any]]:
    pages = [list_types(swf, kind, domain, status, **kwargs)]
    while "nextPageToken" in pages[-1]:
        assert len(pages) < 20, "paging does not end"
        token = pages[-1]["nextPageToken"]
        pages.append(list_types(swf, kind, domain, status, nextPageToken=token, **kwargs))
    return pages


# --- domains ------------------------------------------------------------------------------


def test_register_then_describe_domain(swf: Any) -> None:
    name = unique("reg")
    swf.register_domain(
        name=name, workflowExecutionRetentionPeriodInDays="7", description="orders of the shop"
    )
    detail = swf.describe_domain(name=name)
    info = detail["domainInfo"]
    assert info["name"] == name
    assert info["status"] == "REGISTERED"
    assert info["description"] == "orders of the shop"
    assert re.fullmatch(rf"arn:aws:swf:us-west-1:\d{{12}}:/domain/{name}", info["arn"])
    assert detail["configuration"] == {"workflowExecutionRetentionPeriodInDays": "7"}


def test_domain_arn_names_region_account_and_domain(server: LocalServer) -> None:
    swf = make_client(server.endpoint, region="us-east-1")
    name = unique("arn")
    swf.register_domain(name=name, workflowExecutionRetentionPeriodInDays="NONE")
    detail = swf.describe_domain(name=name)
    assert re.fullmatch(
        rf"arn:aws:swf:us-east-1:\d{{12}}:/domain/{name}", detail["domainInfo"]["arn"]
    )
    assert "description" not in detail["domainInfo"]
    assert detail["configuration"]["workflowExecutionRetentionPeriodInDays"] == "NONE"


def test_list_domains_filters_by_status(isolated: Any) -> None:
    for name in ("alpha", "bravo", "charlie"):
        isolated.register_domain(name=name, workflowExecutionRetentionPeriodInDays="1")
    isolated.deprecate_domain(name="bravo")
    registered = isolated.list_domains(registrationStatus="REGISTERED")
    assert names(registered["domainInfos"]) == ["alpha", "charlie"]
    assert {info["status"] for info in registered["domainInfos"]} == {"REGISTERED"}
    assert "nextPageToken" not in registered
    deprecated = isolated.list_domains(registrationStatus="DEPRECATED")
    assert names(deprecated["domainInfos"]) == ["bravo"]
    assert deprecated["domainInfos"][0]["status"] == "DEPRECATED"
    assert deprecated["domainInfos"][0]["arn"].endswith(":/domain/bravo")


def test_list_domains_sorted_by_name_and_reverse_order(isolated: Any) -> None:
    for name in ("mike", "charlie", "xray", "alpha", "kilo"):
        isolated.register_domain(name=name, workflowExecutionRetentionPeriodInDays="1")
    listed = isolated.list_domains(registrationStatus="REGISTERED")["domainInfos"]
    assert names(listed) == ["alpha", "charlie", "kilo", "mike", "xray"]
    reverse = isolated.list_domains(registrationStatus="REGISTERED", reverseOrder=True)
    assert names(reverse["domainInfos"]) == ["xray", "mike", "kilo", "charlie", "alpha"]


def test_list_domains_pages_with_maximum_page_size(isolated: Any) -> None:
    for name in ("e", "c", "a", "d", "b"):
        isolated.register_domain(name=name, workflowExecutionRetentionPeriodInDays="1")
    pages = list_domain_pages(isolated, "REGISTERED", maximumPageSize=2)
    assert [names(p["domainInfos"]) for p in pages] == [["a", "b"], ["c", "d"], ["e"]]
    assert ["nextPageToken" in p for p in pages] == [True, True, False]
    # A last page that is exactly full carries no token either.
    isolated.deprecate_domain(name="e")
    pages = list_domain_pages(isolated, "REGISTERED", maximumPageSize=2)
    assert [names(p["domainInfos"]) for p in pages] == [["a", "b"], ["c", "d"]]
    assert "nextPageToken" not in pages[-1]


def test_list_domains_reverse_order_flips_the_whole_set_before_paging(isolated: Any) -> None:
    for name in ("a", "b", "c", "d", "e"):
        isolated.register_domain(name=name, workflowExecutionRetentionPeriodInDays="1")
    pages = list_domain_pages(isolated, "REGISTERED", maximumPageSize=2, reverseOrder=True)
    assert [names(p["domainInfos"]) for p in pages] == [["e", "d"], ["c", "b"], ["a"]]
    assert "nextPageToken" not in pages[-1]


def test_deprecate_and_undeprecate_domain(swf: Any) -> None:
    name = new_domain(swf)
    swf.deprecate_domain(name=name)
    assert swf.describe_domain(name=name)["domainInfo"]["status"] == "DEPRECATED"
    with pytest.raises(swf.exceptions.DomainDeprecatedFault):
        swf.deprecate_domain(name=name)
    swf.undeprecate_domain(name=name)
    assert swf.describe_domain(name=name)["domainInfo"]["status"] == "REGISTERED"
    with pytest.raises(swf.exceptions.DomainAlreadyExistsFault):
        swf.undeprecate_domain(name=name)


def test_register_existing_domain_fails_whether_registered_or_deprecated(swf: Any) -> None:
    name = new_domain(swf, description="first")
    with pytest.raises(swf.exceptions.DomainAlreadyExistsFault):
        swf.register_domain(name=name, workflowExecutionRetentionPeriodInDays="2")
    swf.deprecate_domain(name=name)
    with pytest.raises(swf.exceptions.DomainAlreadyExistsFault):
        swf.register_domain(name=name, workflowExecutionRetentionPeriodInDays="2")
    # The first registration is untouched.
    detail = swf.describe_domain(name=name)
    assert detail["domainInfo"]["description"] == "first"
    assert detail["configuration"]["workflowExecutionRetentionPeriodInDays"] == "1"


def test_unknown_domain_is_an_unknown_resource(swf: Any) -> None:
    name = unique("nope")
    with pytest.raises(swf.exceptions.UnknownResourceFault) as caught:
        swf.describe_domain(name=name)
    assert caught.value.response["Error"]["Message"] == f"Unknown domain: {name}"
    for call in (swf.deprecate_domain, swf.undeprecate_domain):
        with pytest.raises(swf.exceptions.UnknownResourceFault):
            call(name=name)


def test_more_than_fifty_domain_tags_is_too_many(swf: Any) -> None:
    tags = [{"key": f"k{i}", "value": f"v{i}"} for i in range(51)]
    name = unique("tags")
    with pytest.raises(swf.exceptions.TooManyTagsFault):
        swf.register_domain(name=name, workflowExecutionRetentionPeriodInDays="1", tags=tags)
    with pytest.raises(swf.exceptions.UnknownResourceFault):
        swf.describe_domain(name=name)
    swf.register_domain(name=name, workflowExecutionRetentionPeriodInDays="1", tags=tags[:50])
    assert swf.describe_domain(name=name)["domainInfo"]["status"] == "REGISTERED"


def test_deprecating_a_domain_deprecates_its_types(swf: Any, domain: str) -> None:
    before = time.time()
    swf.deprecate_domain(name=domain)
    after = time.time()
    for kind, name in (("workflow", "wf"), ("activity", "act")):
        info = describe_type(swf, kind, domain, name, "1")["typeInfo"]
        assert info["status"] == "DEPRECATED"
        assert between(info["deprecationDate"], before, after)


# --- types --------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_register_type_and_describe_echoes_every_default(swf: Any, kind: str) -> None:
    domain = new_domain(swf)
    before = time.time()
    register_type(swf, kind, domain, "t", "1.0", description="a type", **DEFAULTS[kind])
    after = time.time()
    detail = describe_type(swf, kind, domain, "t", "1.0")
    assert detail["configuration"] == DEFAULTS[kind]
    info = detail["typeInfo"]
    assert info[f"{kind}Type"] == {"name": "t", "version": "1.0"}
    assert info["status"] == "REGISTERED"
    assert info["description"] == "a type"
    assert between(info["creationDate"], before, after)
    assert "deprecationDate" not in info


@pytest.mark.parametrize("kind", KINDS)
def test_register_type_without_defaults_has_an_empty_configuration(swf: Any, kind: str) -> None:
    domain = new_domain(swf)
    register_type(swf, kind, domain, "bare", "1")
    detail = describe_type(swf, kind, domain, "bare", "1")
    assert detail["configuration"] == {}
    assert "description" not in detail["typeInfo"]


@pytest.mark.parametrize("kind", KINDS)
def test_register_existing_type_fails_whether_registered_or_deprecated(swf: Any, kind: str) -> None:
    domain = new_domain(swf)
    register_type(swf, kind, domain, "t", "1", **DEFAULTS[kind])
    with pytest.raises(swf.exceptions.TypeAlreadyExistsFault):
        register_type(swf, kind, domain, "t", "1")
    type_op(swf, "deprecate", kind, domain, "t", "1")
    with pytest.raises(swf.exceptions.TypeAlreadyExistsFault):
        register_type(swf, kind, domain, "t", "1")
    # Another version of the same name is a different type.
    register_type(swf, kind, domain, "t", "2")
    assert describe_type(swf, kind, domain, "t", "1")["configuration"] == DEFAULTS[kind]


@pytest.mark.parametrize("kind", KINDS)
def test_type_lifecycle_deprecate_undeprecate_delete(swf: Any, kind: str) -> None:
    domain = new_domain(swf)
    register_type(swf, kind, domain, "t", "1")
    created = describe_type(swf, kind, domain, "t", "1")["typeInfo"]["creationDate"]

    with pytest.raises(swf.exceptions.TypeAlreadyExistsFault):
        type_op(swf, "undeprecate", kind, domain, "t", "1")
    with pytest.raises(swf.exceptions.TypeNotDeprecatedFault):
        type_op(swf, "delete", kind, domain, "t", "1")

    before = time.time()
    type_op(swf, "deprecate", kind, domain, "t", "1")
    after = time.time()
    info = describe_type(swf, kind, domain, "t", "1")["typeInfo"]
    assert info["status"] == "DEPRECATED"
    assert info["creationDate"] == created
    assert between(info["deprecationDate"], before, after)
    with pytest.raises(swf.exceptions.TypeDeprecatedFault):
        type_op(swf, "deprecate", kind, domain, "t", "1")

    type_op(swf, "undeprecate", kind, domain, "t", "1")
    info = describe_type(swf, kind, domain, "t", "1")["typeInfo"]
    assert info["status"] == "REGISTERED"
    assert "deprecationDate" not in info

    type_op(swf, "deprecate", kind, domain, "t", "1")
    type_op(swf, "delete", kind, domain, "t", "1")
    with pytest.raises(swf.exceptions.UnknownResourceFault):
        describe_type(swf, kind, domain, "t", "1")
    with pytest.raises(swf.exceptions.UnknownResourceFault):
        type_op(swf, "delete", kind, domain, "t", "1")


@pytest.mark.parametrize("kind", KINDS)
def test_unknown_type_is_an_unknown_resource(swf: Any, kind: str) -> None:
    domain = new_domain(swf)
    register_type(swf, kind, domain, "t", "1")
    for op in ("deprecate", "undeprecate", "delete"):
        with pytest.raises(swf.exceptions.UnknownResourceFault):
            type_op(swf, op, kind, domain, "t", "2")
    with pytest.raises(swf.exceptions.UnknownResourceFault):
        describe_type(swf, kind, domain, "other", "1")


@pytest.mark.parametrize("kind", KINDS)
def test_type_operations_in_an_unknown_domain(swf: Any, kind: str) -> None:
    name = unique("nope")
    with pytest.raises(swf.exceptions.UnknownResourceFault) as caught:
        register_type(swf, kind, name, "t", "1", **DEFAULTS[kind])
    assert caught.value.response["Error"]["Message"] == f"Unknown domain: {name}"
    with pytest.raises(swf.exceptions.UnknownResourceFault):
        describe_type(swf, kind, name, "t", "1")
    with pytest.raises(swf.exceptions.UnknownResourceFault):
        list_types(swf, kind, name, "REGISTERED")


@pytest.mark.parametrize("kind", KINDS)
def test_list_types_by_status_and_name(swf: Any, kind: str) -> None:
    domain = new_domain(swf)
    for name, version in (("bravo", "1"), ("alpha", "2"), ("charlie", "1"), ("alpha", "1")):
        register_type(swf, kind, domain, name, version, description=f"{name}/{version}")
    type_op(swf, "deprecate", kind, domain, "charlie", "1")

    registered = list_types(swf, kind, domain, "REGISTERED")
    assert keys(kind, registered["typeInfos"]) == [("alpha", "1"), ("alpha", "2"), ("bravo", "1")]
    assert {i["status"] for i in registered["typeInfos"]} == {"REGISTERED"}
    assert all(isinstance(i["creationDate"], datetime) for i in registered["typeInfos"])
    assert registered["typeInfos"][0]["description"] == "alpha/1"
    assert "nextPageToken" not in registered

    deprecated = list_types(swf, kind, domain, "DEPRECATED")["typeInfos"]
    assert keys(kind, deprecated) == [("charlie", "1")]
    assert deprecated[0]["status"] == "DEPRECATED"
    assert isinstance(deprecated[0]["deprecationDate"], datetime)

    by_name = list_types(swf, kind, domain, "REGISTERED", name="alpha")["typeInfos"]
    assert keys(kind, by_name) == [("alpha", "1"), ("alpha", "2")]
    assert list_types(swf, kind, domain, "DEPRECATED", name="alpha")["typeInfos"] == []
    assert list_types(swf, kind, domain, "REGISTERED", name="zulu")["typeInfos"] == []


@pytest.mark.parametrize("kind", KINDS)
def test_list_types_pages_and_reverse_order(swf: Any, kind: str) -> None:
    domain = new_domain(swf)
    for name in ("d", "b", "e", "a", "c"):
        register_type(swf, kind, domain, name, "1")

    pages = list_type_pages(swf, kind, domain, "REGISTERED", maximumPageSize=2)
    assert [[n for n, _ in keys(kind, p["typeInfos"])] for p in pages] == [
        ["a", "b"],
        ["c", "d"],
        ["e"],
    ]
    assert ["nextPageToken" in p for p in pages] == [True, True, False]

    pages = list_type_pages(swf, kind, domain, "REGISTERED", maximumPageSize=2, reverseOrder=True)
    assert [[n for n, _ in keys(kind, p["typeInfos"])] for p in pages] == [
        ["e", "d"],
        ["c", "b"],
        ["a"],
    ]
    assert "nextPageToken" not in pages[-1]

    # A by-name listing pages through the versions of that name.
    for version in ("2", "3"):
        register_type(swf, kind, domain, "c", version)
    pages = list_type_pages(swf, kind, domain, "REGISTERED", name="c", maximumPageSize=2)
    assert [keys(kind, p["typeInfos"]) for p in pages] == [[("c", "1"), ("c", "2")], [("c", "3")]]
