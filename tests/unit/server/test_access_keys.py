"""The access-keys file and the rules of access: what a key may call and on which domains."""

from __future__ import annotations

from pathlib import Path

import pytest

from openswf.protocol.model import OPERATION_SHAPES, SHAPES
from openswf.server.access import (
    TOKEN_KINDS,
    AccessGuard,
    AccessKey,
    AccessKeyError,
    domain_named,
    load_access_keys,
)

GOOD = """
[[keys]]
id = "AKIDADMIN"
secret = "admin-secret"

[[keys]]
id = "AKIDORDERS"
secret = "orders-secret"
domains = ["orders-*", "billing"]
read_only = true
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "keys.toml"
    path.write_text(text)
    return path


def test_keys_file_is_read(tmp_path: Path) -> None:
    admin, orders = load_access_keys(write(tmp_path, GOOD))
    assert admin == AccessKey(id="AKIDADMIN", secret="admin-secret")
    assert orders.domains == ("orders-*", "billing") and orders.read_only


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "no keys"),
        ("[[keys]]\nsecret = 's'\n", "'id'"),
        ("[[keys]]\nid = 'a'\n", "'secret'"),
        ("[[keys]]\nid = 'a'\nsecret = 's'\ndomain = ['x']\n", "unknown fields ['domain']"),
        ("[[keys]]\nid = 'a'\nsecret = 's'\ndomains = 'x'\n", "'domains'"),
        ("[[keys]]\nid = 'a'\nsecret = 's'\nread_only = 'yes'\n", "'read_only'"),
        ("[[keys]]\nid = 'a'\nsecret = 's'\n[[keys]]\nid = 'a'\nsecret = 't'\n", "twice"),
        ("keys = 3\n", "no keys"),
        ("[[keys]\n", "not valid TOML"),
        ("[[key]]\nid = 'a'\nsecret = 's'\n", "unknown top-level"),
    ],
)
def test_bad_keys_files_are_refused_with_the_reason(tmp_path: Path, text: str, says: str) -> None:
    with pytest.raises(AccessKeyError) as caught:
        load_access_keys(write(tmp_path, text))
    assert says in str(caught.value)


def test_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(AccessKeyError, match="cannot read"):
        load_access_keys(tmp_path / "nope.toml")


def test_domain_patterns_are_globs_matched_exactly() -> None:
    key = AccessKey(id="k", secret="s", domains=("orders-*", "billing"))
    assert key.may_use_domain("orders-eu")
    assert key.may_use_domain("billing")
    assert not key.may_use_domain("billing-2")
    assert not key.may_use_domain("Orders-eu")  # case matters, as in SWF's names
    assert AccessKey(id="k", secret="s").may_use_domain("anything")
    assert not AccessKey(id="k", secret="s", domains=()).may_use_domain("anything")


def test_read_only_keys_may_call_only_describe_list_count_get() -> None:
    key = AccessKey(id="k", secret="s", read_only=True)
    allowed = sorted(op for op in OPERATION_SHAPES if key.may_call(op))
    assert all(op.startswith(("Describe", "List", "Count", "Get")) for op in allowed)
    assert "GetWorkflowExecutionHistory" in allowed and "ListTagsForResource" in allowed
    for writer in ("PollForDecisionTask", "StartWorkflowExecution", "TagResource"):
        assert not key.may_call(writer)


def test_every_operation_but_list_domains_has_a_domain() -> None:
    """All 39 operations: a domain member, a domain name, an ARN, or a task token."""
    sample = {
        "domain": "d",
        "name": "d",
        "resourceArn": "arn:aws:swf:us-east-1:123456789012:/domain/d",
        "taskToken": "t",
    }
    assert len(OPERATION_SHAPES) == 39
    for operation, shapes in OPERATION_SHAPES.items():
        members = SHAPES[shapes.input].get("members", {})
        request = {k: v for k, v in sample.items() if k in members}
        if operation == "ListDomains":
            assert domain_named(operation, request) is None
        elif operation in TOKEN_KINDS:
            assert "taskToken" in request, operation
        else:
            assert domain_named(operation, request) == "d", operation
    # A type's name is not a domain.
    assert domain_named("RegisterActivityType", {"domain": "d", "name": "x"}) == "d"


def test_reload_keeps_the_old_keys_when_the_file_breaks(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD)
    guard = AccessGuard.from_file(path)
    path.write_text("[[keys]]\nid = 'AKIDNEW'\nsecret = 'n'\n")
    assert guard.reload() and guard.key_ids == ["AKIDNEW"]
    path.write_text("not toml [")
    assert not guard.reload() and guard.key_ids == ["AKIDNEW"]
    path.unlink()
    assert not guard.reload() and guard.key_ids == ["AKIDNEW"]
