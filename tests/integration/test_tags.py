"""Domain resource tags: TagResource, UntagResource, ListTagsForResource."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import unique


def test_tags_round_trip_on_the_domain_arn(swf: Any) -> None:
    name = unique("tagged")
    swf.register_domain(
        name=name,
        workflowExecutionRetentionPeriodInDays="1",
        tags=[{"key": "team", "value": "payments"}],
    )
    arn = swf.describe_domain(name=name)["domainInfo"]["arn"]
    assert arn == f"arn:aws:swf:us-east-1:123456789012:/domain/{name}"
    swf.tag_resource(resourceArn=arn, tags=[{"key": "env", "value": "prod"}, {"key": "empty"}])
    tags = swf.list_tags_for_resource(resourceArn=arn)["tags"]
    assert tags == [
        {"key": "empty", "value": ""},
        {"key": "env", "value": "prod"},
        {"key": "team", "value": "payments"},
    ]
    swf.tag_resource(resourceArn=arn, tags=[{"key": "env", "value": "staging"}])
    swf.untag_resource(resourceArn=arn, tagKeys=["team", "empty", "never-set"])
    assert swf.list_tags_for_resource(resourceArn=arn)["tags"] == [
        {"key": "env", "value": "staging"}
    ]


def test_a_51st_tag_is_refused_and_changes_nothing(swf: Any) -> None:
    name = unique("many-tags")
    swf.register_domain(name=name, workflowExecutionRetentionPeriodInDays="1")
    arn = swf.describe_domain(name=name)["domainInfo"]["arn"]
    swf.tag_resource(resourceArn=arn, tags=[{"key": f"k{i}", "value": "v"} for i in range(50)])
    with pytest.raises(swf.exceptions.TooManyTagsFault):
        swf.tag_resource(resourceArn=arn, tags=[{"key": "one-more", "value": "v"}])
    assert len(swf.list_tags_for_resource(resourceArn=arn)["tags"]) == 50
    with pytest.raises(swf.exceptions.TooManyTagsFault):
        swf.register_domain(
            name=unique("too-many"),
            workflowExecutionRetentionPeriodInDays="1",
            tags=[{"key": f"k{i}"} for i in range(51)],
        )


@pytest.mark.parametrize(
    "arn",
    [
        "arn:aws:swf:us-east-1:123456789012:/domain/no-such-domain",
        "arn:aws:swf:us-east-1:999999999999:/domain/{name}",
        "arn:aws:swf:eu-west-1:123456789012:/domain/{name}",
        "arn:aws:s3:::bucket",
        "not-an-arn",
    ],
)
def test_unknown_arns_are_unknown_resources(swf: Any, arn: str) -> None:
    name = unique("arn")
    swf.register_domain(name=name, workflowExecutionRetentionPeriodInDays="1")
    with pytest.raises(swf.exceptions.UnknownResourceFault):
        swf.list_tags_for_resource(resourceArn=arn.format(name=name))
