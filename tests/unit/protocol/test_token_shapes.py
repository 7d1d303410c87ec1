"""Task tokens, page tokens and run ids as clients see them, over many generated values.

None starts with "-" (the AWS CLI's argparse reads such a value as an option: about one
URL-safe base64 token in 64 did), and each fits its shape in botocore's model (TaskToken 1024,
PageToken 2048, WorkflowRunId 64), even when built from the longest names SWF accepts, in any
script. The page positions are the ones the listings build (services/registry.py,
visibility.py, executions.py, tasks.py).
"""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openswf.protocol.tokens import (
    TaskToken,
    TokenSigner,
    decode_page_token,
    decode_task_token,
    encode_page_token,
    encode_task_token,
)

SIGNER = TokenSigner(b"server-secret")
NOW = 1_700_000_000_000
TASK_TOKEN_MAX, PAGE_TOKEN_MAX, RUN_ID_MAX = 1024, 2048, 64
EXAMPLES = settings(
    max_examples=10_000, deadline=None, suppress_health_check=list(HealthCheck), database=None
)

# Any character SWF accepts in a name: every plane, surrogates excepted.
names = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=256)
versions = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=64)
event_ids = st.integers(min_value=0, max_value=2**31)
times = st.integers(min_value=0, max_value=2**45)
run_ids = st.uuids().map(lambda u: u.hex)  # what the server gives a run (executions.py)
kinds = st.sampled_from(["d", "a", "l"])


def task_tokens() -> st.SearchStrategy[TaskToken]:
    return st.builds(
        TaskToken,
        kind=kinds,
        run_id=run_ids,
        scheduled_event_id=event_ids,
        started_event_id=event_ids,
    )


def decision_cursors() -> st.SearchStrategy[Any]:
    """The decision-task page position (services/tasks.py): the cursor, names left out."""
    return st.builds(
        lambda token, p, s, f, at: [
            {"t": encode_task_token(SIGNER, token), "p": p, "s": s, "f": f},
            at,
        ],
        task_tokens(),
        event_ids,
        event_ids,
        event_ids,
        event_ids,
    )


positions = st.one_of(
    st.tuples(st.just("domains"), names),
    st.tuples(st.sampled_from(["workflow-types", "activity-types"]), st.tuples(names, versions)),
    st.tuples(st.sampled_from(["open", "closed", "closed-by-close"]), st.tuples(times, run_ids)),
    st.tuples(run_ids.map(lambda run: "history:" + run), event_ids),
    st.tuples(st.just("decision-task"), decision_cursors()),
)


def shaped(value: Any) -> Any:
    return json.loads(json.dumps(value))  # tuples come back as lists, as over the wire


@EXAMPLES
@given(token=task_tokens())
def test_task_tokens_fit_and_never_start_with_a_dash(token: TaskToken) -> None:
    raw = encode_task_token(SIGNER, token)
    assert not raw.startswith("-")
    assert 1 <= len(raw) <= TASK_TOKEN_MAX
    assert decode_task_token(SIGNER, raw, token.kind) == token


@EXAMPLES
@given(position=positions)
def test_page_tokens_fit_and_never_start_with_a_dash(position: tuple[str, Any]) -> None:
    scope, where = position
    raw = encode_page_token(SIGNER, scope, where, NOW)
    assert not raw.startswith("-")
    assert len(raw) <= PAGE_TOKEN_MAX
    assert decode_page_token(SIGNER, raw, scope, NOW) == shaped(where)


@EXAMPLES
@given(run_id=run_ids)
def test_run_ids_fit_and_never_start_with_a_dash(run_id: str) -> None:
    assert not run_id.startswith("-")
    assert 1 <= len(run_id) <= RUN_ID_MAX


def test_the_longest_names_in_the_widest_characters_still_fit() -> None:
    """The worst case outright: every character four bytes of UTF-8."""
    widest = "\U0001f600"
    raw = encode_page_token(SIGNER, "activity-types", [widest * 256, widest * 64], NOW)
    assert len(raw) <= PAGE_TOKEN_MAX
    raw = encode_page_token(SIGNER, "domains", widest * 256, NOW)
    assert len(raw) <= PAGE_TOKEN_MAX


def test_tokens_of_the_url_safe_alphabet_still_decode() -> None:
    """Tokens handed out before the standard alphabet keep working until they expire."""
    token = TaskToken(kind="d", run_id=uuid.uuid4().hex, scheduled_event_id=2, started_event_id=3)
    standard = encode_task_token(SIGNER, token)
    for _ in range(64):  # find one whose URL-safe form differs
        raw = base64.b64decode(standard + "=" * (-len(standard) % 4))
        old = base64.urlsafe_b64encode(raw).decode().rstrip("=")
        if old != standard:
            break
        token = TaskToken(
            kind="d", run_id=uuid.uuid4().hex, scheduled_event_id=2, started_event_id=3
        )
        standard = encode_task_token(SIGNER, token)
    assert old != standard
    assert decode_task_token(SIGNER, old, "d") == token
