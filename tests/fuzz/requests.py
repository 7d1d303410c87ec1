"""Requests for the fuzzer, generated from botocore's SWF model, and the check of each answer.

A case is one HTTP request: a valid request of an operation (built from its input shape, with
the names, types, executions and tokens of a real domain set up beforehand), then mutated
member by member (wrong JSON types, boundary and out-of-range numbers, huge and tiny
timestamps, 10,000-digit numbers and numeric strings, deep nesting, NUL, lone surrogates,
bytes that are not UTF-8, duplicate keys); or a garbage body; or a valid body under wrong or
missing headers. Tokens come genuine, forged, truncated, from another domain and from
another operation.

The property: every answer is a 2xx, or a 4xx whose JSON body names an SWF fault in
``__type``; never a 5xx, never a hang (a read timeout fails the case).

Used by tests/fuzz/test_fuzz.py (a bounded, derandomized run in CI) and benchmarks/fuzz.py
(a longer run whose counts go in docs/security.md).
"""

from __future__ import annotations

import http.client
import json
import random
import string
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st

from openswf.protocol import faults
from openswf.protocol.model import OPERATION_SHAPES, SHAPES
from openswf.protocol.validation import validate_request

OPERATIONS = tuple(sorted(OPERATION_SHAPES))
TARGET_PREFIX = "SimpleWorkflowService."
CONTENT_TYPE = "application/x-amz-json-1.0"
READ_TIMEOUT_S = 30  # a poll holds ~poll_timeout; anything near this is a hang
MAX_REQUEST_BYTES = 1024 * 1024
TOO_LARGE_CLOSED = "connection closed: body over 1 MB"

# --- the JSON we send: Python values, plus raw text for what json cannot write -------------


@dataclass(frozen=True)
class Raw:
    """JSON text sent verbatim: number literals, invalid escapes, bytes that are not UTF-8."""

    text: bytes


@dataclass(frozen=True)
class Pairs:
    """An object written from its pairs, so a key may come twice."""

    items: tuple[tuple[str, Any], ...]


def dumps(value: Any) -> bytes:
    if isinstance(value, Raw):
        return value.text
    if isinstance(value, Pairs):
        return b"{" + b",".join(dumps(k) + b":" + dumps(v) for k, v in value.items) + b"}"
    if isinstance(value, dict):
        return b"{" + b",".join(dumps(k) + b":" + dumps(v) for k, v in value.items()) + b"}"
    if isinstance(value, list):
        return b"[" + b",".join(dumps(v) for v in value) + b"]"
    # ensure_ascii: a lone surrogate goes out as its \\udXXX escape, as a client would send it
    return json.dumps(value).encode()


# --- the world a request refers to ----------------------------------------------------------


@dataclass
class World:
    """Real things on the server under test, so valid requests reach past the look-ups."""

    domain: str
    other_domain: str
    workflow_type: dict[str, str]
    activity_type: dict[str, str]
    task_list: str
    execution: dict[str, str]
    closed_execution: dict[str, str]
    task_tokens: list[str] = field(default_factory=list)
    page_tokens: list[str] = field(default_factory=list)
    arn: str = ""
    # A fresh, started task of a kind ("decision" or "activity"): its token.
    fresh_token: Callable[[str], str] | None = None
    live_tokens: dict[str, str] = field(default_factory=dict)


def forgeries(token: str) -> list[str]:
    """A genuine token changed the ways an attacker (or a bug) would change it."""
    flipped = token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]
    return [
        flipped,
        token[: len(token) // 2],
        token + "A",
        token[::-1],
        "AAAAKgAAAAEAAAAAAAAAA" + token[:10],
        "!!not-base64!!",
        "eyJub3QiOiJzaWduZWQifQ",  # base64 of a JSON object, no signature
    ]


# --- valid values, from the model ------------------------------------------------------------

_SAFE = string.ascii_letters + string.digits + "-_."
_NAMEISH = {
    "ActivityId",
    "DomainName",
    "FunctionId",
    "FunctionName",
    "Identity",
    "MarkerName",
    "Name",
    "SignalName",
    "TimerId",
    "Version",
    "VersionOptional",
    "WorkflowId",
    "ResourceTagKey",
    "ResourceTagValue",
    "Tag",
}
_DURATIONS = ("0", "1", "5", "60", "3600", "NONE")


def _short_text(lo: int, hi: int, alphabet: str = _SAFE) -> st.SearchStrategy[str]:
    return st.text(alphabet=alphabet, min_size=max(lo, 1 if lo else 0), max_size=min(hi, 12))


def _string(shape_name: str, member: str, world: World) -> st.SearchStrategy[Any]:
    shape = SHAPES[shape_name]
    if "enum" in shape:
        return st.sampled_from(shape["enum"])
    lo, hi = shape.get("min", 0), shape.get("max", 256)
    if member == "domain" or shape_name == "DomainName":
        return st.sampled_from([world.domain] * 6 + [world.other_domain, "no-such"])
    if shape_name == "TaskToken":
        return st.sampled_from(world.task_tokens)
    if shape_name == "PageToken":
        return st.sampled_from(world.page_tokens) | st.just("")
    if shape_name == "Arn":
        return st.sampled_from([world.arn, world.arn + "x", "arn:aws:swf:::/domain/none"])
    if shape_name == "WorkflowRunId" or shape_name == "WorkflowRunIdOptional":
        return st.sampled_from(
            [world.execution["runId"], world.closed_execution["runId"], "no-such-run"]
        )
    if shape_name == "WorkflowId":
        return st.sampled_from(
            [world.execution["workflowId"], world.closed_execution["workflowId"]]
        ) | _short_text(lo, hi)
    if shape_name.startswith("Duration"):
        return st.sampled_from(_DURATIONS[:-1] if member.startswith("execution") else _DURATIONS)
    if shape_name == "TaskPriority":
        return st.integers(-(2**31), 2**31 - 1).map(str)
    if member == "name" and shape_name == "Name":
        return st.sampled_from([world.task_list, world.workflow_type["name"]]) | _short_text(1, 64)
    if shape_name in _NAMEISH:
        return _short_text(lo, hi)
    return st.text(max_size=min(hi, 40))


def _structure(shape_name: str, world: World, depth: int) -> st.SearchStrategy[Any]:
    shape = SHAPES[shape_name]
    members: dict[str, Any] = shape["members"]
    if shape_name == "WorkflowType":
        return st.sampled_from([world.workflow_type, {"name": "nope", "version": "1"}])
    if shape_name == "ActivityType":
        return st.sampled_from([world.activity_type, {"name": "nope", "version": "1"}])
    if shape_name == "WorkflowExecution":
        return st.sampled_from([world.execution, world.closed_execution])
    if shape_name == "Decision":
        return st.sampled_from(SHAPES["DecisionType"]["enum"]).flatmap(
            lambda kind: _decision(kind, world, depth)
        )
    required = set(shape.get("required", ()))
    fixed = {name: valid(ref["shape"], name, world, depth + 1) for name, ref in members.items()}
    optional = [name for name in members if name not in required]
    # A few optional members, not half of them: the fewer there are, the likelier a request
    # is valid but for the one member a mutation then changes.
    chosen = (
        st.lists(st.sampled_from(optional), max_size=3, unique=True) if optional else st.just([])
    )
    return st.tuples(
        st.fixed_dictionaries({name: fixed[name] for name in members if name in required}),
        chosen.flatmap(lambda names: st.fixed_dictionaries({n: fixed[n] for n in names})),
    ).map(lambda parts: {**parts[0], **parts[1]})


def _decision(kind: str, world: World, depth: int) -> st.SearchStrategy[dict[str, Any]]:
    attributes = kind[0].lower() + kind[1:] + "DecisionAttributes"
    shape = SHAPES["Decision"]["members"][attributes]["shape"]
    return st.fixed_dictionaries(
        {"decisionType": st.just(kind), attributes: valid(shape, attributes, world, depth + 1)}
    )


def valid(shape_name: str, member: str, world: World, depth: int = 0) -> st.SearchStrategy[Any]:
    """A value of ``shape_name`` that the model accepts (mostly: documented-only rules and
    cross-member rules are sometimes broken, which is fine: the answer is then a 400)."""
    shape = SHAPES[shape_name]
    kind = shape["type"]
    if kind == "structure":
        return _structure(shape_name, world, depth)
    if kind == "list":
        element = valid(shape["member"]["shape"], member, world, depth + 1)
        return st.lists(element, min_size=shape.get("min", 0), max_size=min(shape.get("max", 3), 3))
    if kind == "string":
        return _string(shape_name, member, world)
    if kind in ("integer", "long"):
        return st.integers(shape.get("min", -(2**31)), min(shape.get("max", 2**31 - 1), 2**31 - 1))
    if kind == "timestamp":
        return st.floats(0, 4e9, allow_nan=False).map(lambda t: round(t, 3)) | st.integers(0, 4e9)
    if kind == "boolean":
        return st.booleans()
    raise TypeError(kind)


def input_shape(operation: str) -> str:
    return OPERATION_SHAPES[operation].input


def valid_request(operation: str, world: World) -> st.SearchStrategy[dict[str, Any]]:
    return valid(input_shape(operation), "", world)


def request_body(operation: str, world: World) -> st.SearchStrategy[Any]:
    """A valid request, one mutated in a member or three, or one mutated in many members
    with values of their own types (validation then runs every member's checks at once)."""
    base = valid_request(operation, world)
    shape = input_shape(operation)
    few = base.flatmap(lambda body: mutated(body, shape))
    many = base.flatmap(lambda body: storm(body, shape))
    return st.one_of(base, few, few, few, few, few, many)


@st.composite
def storm(draw: st.DrawFn, base: dict[str, Any], shape_name: str) -> Any:
    rnd = draw(st.randoms(use_true_random=True))
    value: Any = base
    for path, member_shape, _present in list(slots(shape_name, base)):
        if rnd.random() < 0.5:
            mutant = typed_mutant(member_shape, rnd)
            value = replace_at(value, path, lambda _old, m=mutant: m)
    return value


# --- mutations -------------------------------------------------------------------------------


def _nested(depth: int, open_: bytes = b"[", close: bytes = b"]") -> Raw:
    return Raw(open_ * depth + close * depth)


_HUGE = "9" * 10_000
BOUNDARY_NUMBERS: tuple[Any, ...] = (
    0,
    -1,
    1,
    2**31 - 1,
    2**31,
    -(2**31),
    -(2**31) - 1,
    2**63 - 1,
    2**63,
    -(2**63) - 1,
    18446744073709551615,
    1.5,
    -0.0,
    1e308,
    -1e308,
    5e-324,
    1e15,
    9.3e15,
    -9.3e15,
)
RAW_NUMBERS = (
    Raw(_HUGE.encode()),
    Raw(b"-" + _HUGE.encode()),
    Raw(b"1e400"),
    Raw(b"-1e400"),
    Raw(b"1E-400"),
    Raw(b"0." + b"0" * 5000 + b"1"),
    Raw(b"1" + b"0" * 400 + b".5"),
    Raw(b"NaN"),
    Raw(b"Infinity"),
    Raw(b"-0"),
    Raw(b"01"),
    Raw(b"0x10"),
)
WEIRD_STRINGS = (
    "",
    " ",
    "\x00",
    "a\x00b",
    "\x01\x1f\x7f\x9f",
    "arn",
    ":",
    "/",
    "|",
    "NONE",
    _HUGE,
    "-" + _HUGE,
    "0" * 10_000 + "1",
    "2147483648",
    "-2147483649",
    "99999999",
    "1e3",
    " 5",
    "\u00b2",  # a digit to str.isdigit, not to Java
    "\u0661",  # ARABIC-INDIC DIGIT ONE
    "x" * 40_000,
    "\ufeff",
    "\U0001f600",
    "\u202e",
)
RAW_STRINGS = (
    Raw(b'"\\ud800"'),
    Raw(b'"a\\udfffb"'),
    Raw(b'"\\ud83d\\ud83d"'),
    Raw(b'"\xff\xfe"'),
    Raw(b'"\xc3\x28"'),
    Raw(b'"\xed\xa0\x80"'),  # a surrogate encoded as UTF-8 (CESU)
    Raw(b'"\\u0000"'),
    Raw(b'"\\x41"'),
    Raw(b'"unterminated'),
    Raw(b"'single'"),
)
DEEP = (
    _nested(600),
    _nested(1100),
    Raw(b'{"a":' * 600 + b"1" + b"}" * 600),
    Raw(b'{"a":' * 1100 + b"1" + b"}" * 1100),
    Raw(b"[" * 100_000),
)


def mutants() -> st.SearchStrategy[Any]:
    """What a member may be replaced with."""
    scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
    return st.one_of(
        scalars,
        st.sampled_from(BOUNDARY_NUMBERS),
        st.sampled_from(RAW_NUMBERS),
        st.text(max_size=20),
        st.sampled_from(WEIRD_STRINGS),
        st.sampled_from(RAW_STRINGS),
        st.sampled_from(DEEP),
        st.lists(scalars | st.text(max_size=5), max_size=4),
        st.dictionaries(st.text(max_size=5), scalars, max_size=3),
        st.lists(st.sampled_from(WEIRD_STRINGS), min_size=6, max_size=60),
    )


Path = tuple[str | int, ...]


def typed_mutant(shape_name: str, rnd: random.Random) -> Any:
    """A value of the member's own JSON type that a model-following client would never send."""
    kind = SHAPES[shape_name]["type"]
    # Mostly values that parse, so the member's own checks (not the JSON decoder) see them.
    if kind == "string":
        return rnd.choice(WEIRD_STRINGS if rnd.random() < 0.8 else RAW_STRINGS)
    if kind in ("integer", "long", "timestamp"):
        return rnd.choice(BOUNDARY_NUMBERS if rnd.random() < 0.8 else RAW_NUMBERS)
    if kind == "list":
        if rnd.random() < 0.5:
            return rnd.choice(DEEP)
        element = SHAPES[shape_name]["member"]["shape"]
        return [typed_mutant(element, rnd) for _ in range(rnd.choice((1, 2, 6, 60)))]
    if kind == "structure":
        return rnd.choice((*DEEP, {}, Pairs((("a", 1), ("a", 2)))))
    return rnd.choice((0, 1, "true", Raw(b"tru")))  # boolean


def slots(shape_name: str, value: Any, prefix: Path = ()) -> Iterator[tuple[Path, str, bool]]:
    """``(path, shape, present)`` of every member the model declares where ``value`` has a
    structure (present or not), and of every list element, outermost first."""
    shape = SHAPES[shape_name]
    if shape["type"] == "structure" and isinstance(value, dict):
        for name, ref in shape["members"].items():
            present = name in value
            yield (*prefix, name), ref["shape"], present
            if present:
                yield from slots(ref["shape"], value[name], (*prefix, name))
    elif shape["type"] == "list" and isinstance(value, list):
        for index, item in enumerate(value):
            yield (*prefix, index), shape["member"]["shape"], True
            yield from slots(shape["member"]["shape"], item, (*prefix, index))


def paths(value: Any, prefix: Path = ()) -> Iterator[Path]:
    """Every member and list element of ``value``, outermost first."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield (*prefix, key)
            yield from paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield (*prefix, index)
            yield from paths(item, (*prefix, index))


def replace_at(value: Any, path: Path, new: Callable[[Any], Any]) -> Any:
    if not path:
        return new(value)
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        if head not in value and not rest:
            return {**value, head: new(None)}
        return {k: replace_at(v, rest, new) if k == head else v for k, v in value.items()}
    if isinstance(value, list):
        return [replace_at(v, rest, new) if i == head else v for i, v in enumerate(value)]
    return value


@st.composite
def mutated(draw: st.DrawFn, base: dict[str, Any], shape_name: str) -> Any:
    """``base`` with one to three members changed (set to an extreme value of their own type,
    or to anything), added, removed or duplicated. One member at a time, in the model's
    terms: the rest of the request stays valid, so the changed member is what is tested.

    Slots and extreme values are picked uniformly (a seeded ``Random``, so derandomized runs
    repeat): Hypothesis's own choices lean to the first of a list, which here would be the
    first member of every request and the first value of every catalogue."""
    rnd = draw(st.randoms(use_true_random=True))
    value: Any = base
    for _ in range(rnd.choice((1, 1, 1, 1, 2, 3))):
        if not isinstance(value, dict):
            break
        places = list(slots(shape_name, value))
        how = rnd.choice(("typed",) * 8 + ("any", "any", "drop", "duplicate", "new"))
        if how == "new" or not places:
            key = rnd.choice((*SHAPE_MEMBER_NAMES, "", "__proto__", "\x00"))
            value = {**value, key: draw(mutants())}
            continue
        path, member_shape, present = rnd.choice(places)
        if how == "typed" or (how != "any" and not present):
            mutant = typed_mutant(member_shape, rnd)
            value = replace_at(value, path, lambda _old, m=mutant: m)
        elif how == "any":
            mutant = draw(mutants())
            value = replace_at(value, path, lambda _old, m=mutant: m)
        elif how == "drop":
            value = replace_at(value, path[:-1], lambda parent, k=path[-1]: _without(parent, k))
        else:  # the same key twice, the second with another value
            mutant = draw(mutants())
            value = replace_at(
                value, path[:-1], lambda parent, k=path[-1], m=mutant: _duplicated(parent, k, m)
            )
    return value


def _without(parent: Any, key: str | int) -> Any:
    if isinstance(parent, dict):
        return {k: v for k, v in parent.items() if k != key}
    if isinstance(parent, list):
        return [v for i, v in enumerate(parent) if i != key]
    return parent


def _duplicated(parent: Any, key: str | int, mutant: Any) -> Any:
    if isinstance(parent, dict) and isinstance(key, str):
        return Pairs((*parent.items(), (key, mutant)))
    if isinstance(parent, list):
        return [*parent, mutant]
    return parent


SHAPE_MEMBER_NAMES = sorted(
    {name for shape in SHAPES.values() for name in shape.get("members", {})}
)

# --- garbage and headers ----------------------------------------------------------------------

GARBAGE_BODIES = (
    b"",
    b"null",
    b"[]",
    b'"string"',
    b"42",
    b"{",
    b"}",
    b'{"domain": ',
    b'{"domain": "d"',
    b"\xef\xbb\xbf{}",  # a UTF-8 byte-order mark
    '{"a": "b"}'.encode("utf-16"),
    b"\x00" * 16,
    b"\xff" * 64,
    b"{}" * 1000,
    b'{"a":1}{"b":2}',
    b"<xml/>",
    b"Action=ListDomains&Version=2012-01-25",
)


def garbage_bodies() -> st.SearchStrategy[bytes]:
    return st.sampled_from(GARBAGE_BODIES) | st.binary(max_size=200)


def targets() -> st.SearchStrategy[str | None]:
    ops = st.sampled_from(OPERATIONS)
    return st.one_of(
        st.none(),
        st.sampled_from(
            ["", "SimpleWorkflowService.", "SimpleWorkflowService.Nope", "ListDomains"]
        ),
        ops.map(lambda op: "SimpleWorkflowService." + op.lower()),
        ops.map(lambda op: "AmazonSWF." + op),
        ops.map(lambda op: "SimpleWorkflowService." + op + " "),
        ops.map(lambda op: "SimpleWorkflowService." + op + "\t"),
        ops.map(lambda op: "com.amazonaws.swf.service.model.SimpleWorkflowService." + op),
        st.text(alphabet=string.printable.strip() + " ", max_size=30),
    )


def content_types() -> st.SearchStrategy[str | None]:
    return st.sampled_from(
        [
            None,
            "",
            "text/plain",
            "application/json",
            "application/json; charset=UTF-8",
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=x",
            "application/x-amz-json-1.1",
            CONTENT_TYPE + "; charset=latin-1",
        ]
    )


def authorizations() -> st.SearchStrategy[str | None]:
    return st.sampled_from(
        [
            None,
            "",
            "AWS4-HMAC-SHA256",
            "AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/swf/aws4_request, "
            "SignedHeaders=host, Signature=00",
            "AWS4-HMAC-SHA256 Credential=/////, SignedHeaders=, Signature=",
            "Bearer x",
            "AWS3 AWSAccessKeyId=x,Algorithm=HmacSHA256,Signature=y",
        ]
    )


# --- sending and checking ----------------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    target: str | None
    body: bytes
    content_type: str | None = CONTENT_TYPE
    authorization: str | None = None

    def describe(self) -> str:
        shown = self.body[:300] + (b"..." if len(self.body) > 300 else b"")
        return f"target={self.target!r} content-type={self.content_type!r} body={shown!r}"


def fault_names() -> frozenset[str]:
    names = {n for n, s in SHAPES.items() if s.get("exception")}
    stack: list[type[faults.SwfError]] = [faults.SwfError]
    while stack:
        cls = stack.pop()
        names.add(cls.type_name)
        stack.extend(cls.__subclasses__())
    names.discard("InternalFailure")  # a 500's fault is a failure of this test
    return frozenset(names)


FAULTS = fault_names()


class BadAnswer(AssertionError):
    pass


def send(port: int, request: Request) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=READ_TIMEOUT_S)
    try:
        conn.putrequest("POST", "/", skip_accept_encoding=True)
        if request.target is not None:
            conn.putheader("X-Amz-Target", request.target.encode("utf-8", "surrogateescape"))
        if request.content_type is not None:
            conn.putheader("Content-Type", request.content_type)
        if request.authorization is not None:
            conn.putheader("Authorization", request.authorization)
        conn.putheader("Content-Length", str(len(request.body)))
        try:
            conn.endheaders(request.body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # refused before it was all sent (too large): the answer may still be there
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def check(port: int, request: Request) -> tuple[int, str | None]:
    """Send ``request``; raise ``BadAnswer`` unless the answer is a 2xx or an SWF 4xx.
    Returns the status and the fault's name, if any."""
    try:
        status, body = send(port, request)
    except TimeoutError as error:
        raise BadAnswer(f"no answer within {READ_TIMEOUT_S} s to {request.describe()}") from error
    except (ConnectionError, http.client.HTTPException) as error:
        if len(request.body) > MAX_REQUEST_BYTES and isinstance(error, ConnectionError):
            # Refused by its size while it was still being sent: the server answered and
            # closed at once, and the kernel may drop that answer for the reset.
            return 400, TOO_LARGE_CLOSED
        raise BadAnswer(f"connection failed ({error!r}) on {request.describe()}") from error
    if 200 <= status < 300:
        if body:
            json.loads(body)  # a 2xx body is JSON
        return status, None
    if not 400 <= status < 500:
        raise BadAnswer(f"HTTP {status} {body[:500]!r} for {request.describe()}")
    try:
        answer = json.loads(body)
        name = str(answer["__type"]).rpartition("#")[2]
    except (ValueError, KeyError, TypeError) as error:
        raise BadAnswer(f"HTTP {status} without an SWF fault: {body[:300]!r}") from error
    if name not in FAULTS:
        raise BadAnswer(f"HTTP {status} with unknown fault {name!r} for {request.describe()}")
    return status, name


_TOKEN_KINDS = {
    "RespondDecisionTaskCompleted": "decision",
    "RespondActivityTaskCompleted": "activity",
    "RespondActivityTaskFailed": "activity",
    "RespondActivityTaskCanceled": "activity",
    "RecordActivityTaskHeartbeat": "activity",
}


def exchange(port: int, operation: str, body: Any, world: World) -> tuple[int, str | None]:
    """``check`` one request of ``operation``. A request that passes validation and carries
    one of the world's genuine task tokens is sent with the token of a live task instead: the
    first good answer would otherwise spend the token, and every later request would stop at
    "unknown token", before the engine. A 2xx spends the live token; the next gets a new one."""
    kind = _TOKEN_KINDS.get(operation)
    if (
        kind is not None
        and world.fresh_token is not None
        and isinstance(body, dict)
        and body.get("taskToken") in world.task_tokens[:2]
        and _passes_validation(operation, body)
    ):
        token = world.live_tokens.get(kind) or world.fresh_token(kind)
        world.live_tokens[kind] = token
        status, name = check(port, swf_request(operation, {**body, "taskToken": token}))
        if status < 300:
            world.live_tokens.pop(kind, None)
        return status, name
    return check(port, swf_request(operation, body))


def _passes_validation(operation: str, body: dict[str, Any]) -> bool:
    try:
        validate_request(operation, body)
    except faults.SwfError:
        return False
    return True


def swf_request(operation: str, body: Any, **headers: Any) -> Request:
    raw = body if isinstance(body, bytes) else dumps(body)
    return Request(target=TARGET_PREFIX + operation, body=raw, **headers)


# --- the sweep: every member of every operation, one extreme value at a time -------------------

SWEEP_VALUES: dict[str, tuple[Any, ...]] = {
    "string": (
        _HUGE,
        "-" + _HUGE,
        "0" * 10_000 + "1",
        "a\x00b",
        "",
        "2147483648",
        "\u00b2",
        Raw(b'"\\ud800"'),
        Raw(b'"\xff\xfe"'),
    ),
    "number": (
        2**31,
        -(2**31) - 1,
        2**63,
        18446744073709551615,
        1e308,
        -1e308,
        9.3e15,
        5e-324,
        -1,
        Raw(_HUGE.encode()),
    ),
    "list": (
        [Raw(b"[" * 600 + b"]" * 600)],
        [Raw(b"[" * 600 + b"]" * 600), "a", "b", "c", "d", "e"],
        [_HUGE] * 6,
        Raw(b"[" * 1100 + b"]" * 1100),
    ),
    "structure": (Raw(b"[" * 600 + b"]" * 600), {}, Pairs((("a", 1), ("a", 2))), "x"),
    "boolean": (0, "true", None),
}
_SWEEP_KIND = {"integer": "number", "long": "number", "timestamp": "number"}


def minimal(shape_name: str, member: str, world: World, decision: str | None = None) -> Any:
    """The smallest valid value of a shape: required members only, names of ``world``."""
    shape = SHAPES[shape_name]
    kind = shape["type"]
    if kind == "structure":
        if shape_name == "WorkflowType":
            return dict(world.workflow_type)
        if shape_name == "ActivityType":
            return dict(world.activity_type)
        if shape_name == "WorkflowExecution":
            return dict(world.execution)
        if shape_name == "Decision":
            kind_ = decision or "CompleteWorkflowExecution"
            attributes = kind_[0].lower() + kind_[1:] + "DecisionAttributes"
            attributes_shape = shape["members"][attributes]["shape"]
            return {
                "decisionType": kind_,
                attributes: minimal(attributes_shape, attributes, world),
            }
        return {
            name: minimal(ref["shape"], name, world, decision)
            for name, ref in shape["members"].items()
            if name in shape.get("required", ())
        }
    if kind == "list":
        count = shape.get("min", 0)
        return [minimal(shape["member"]["shape"], member, world, decision) for _ in range(count)]
    if kind == "string":
        return _minimal_string(shape_name, member, world)
    if kind in ("integer", "long"):
        return max(shape.get("min", 0), 1)
    if kind == "timestamp":
        return 1_700_000_000.5
    return False


def _minimal_string(shape_name: str, member: str, world: World) -> str:
    shape = SHAPES[shape_name]
    if "enum" in shape:
        return str(shape["enum"][0])
    if member == "domain" or shape_name == "DomainName":
        return world.domain
    if shape_name == "TaskToken":
        return world.task_tokens[0]
    if shape_name == "Arn":
        return world.arn
    if shape_name.startswith("Duration"):
        return "60"
    if shape_name == "WorkflowRunId":
        return world.execution["runId"]
    if shape_name == "WorkflowId":
        return world.execution["workflowId"]
    if shape_name == "TaskPriority":
        return "0"
    if member == "name" and shape_name == "Name":
        return world.task_list
    return "x" if shape.get("min", 0) else ""


def _sweep_paths(
    shape_name: str, world: World, prefix: Path, value: Any, decision: str | None
) -> Iterator[tuple[Path, str, Any]]:
    """``(path, member shape, the request's value at the path's parent made whole)``: every
    member the model declares under ``shape_name``, required or not, with optional structures
    filled minimally so their own members are reached too."""
    shape = SHAPES[shape_name]
    if shape["type"] == "structure":
        for name, ref in shape["members"].items():
            if shape_name == "Decision" and name != "decisionType" and decision is not None:
                if name != decision[0].lower() + decision[1:] + "DecisionAttributes":
                    continue
            yield (*prefix, name), ref["shape"], value
            child = minimal(ref["shape"], name, world, decision)
            yield from _sweep_paths(ref["shape"], world, (*prefix, name), child, decision)
    elif shape["type"] == "list":
        element = shape["member"]["shape"]
        yield (*prefix, 0), element, value
        child = minimal(element, "", world, decision)
        yield from _sweep_paths(element, world, (*prefix, 0), child, decision)


def _set_path(
    base: Any, path: Path, leaf: Any, shape_name: str, world: World, decision: str | None
) -> Any:
    """``base`` with ``leaf`` at ``path``, building each missing ancestor minimally."""
    if not path:
        return leaf
    head, rest = path[0], path[1:]
    shape = SHAPES[shape_name]
    if shape["type"] == "structure":
        node = dict(base) if isinstance(base, dict) else {}
        child_shape = shape["members"][str(head)]["shape"]
        child = node.get(str(head))
        if child is None:
            child = minimal(child_shape, str(head), world, decision)
        node[str(head)] = _set_path(child, rest, leaf, child_shape, world, decision)
        return node
    element = shape["member"]["shape"]
    items = list(base) if isinstance(base, list) else []
    if not items:
        items = [minimal(element, "", world, decision)]
    items[0] = _set_path(items[0], rest, leaf, element, world, decision)
    return items


def sweep(operation: str, world: World) -> Iterator[Any]:
    """Every member of ``operation`` (decision attributes: of each decision type) set, one at
    a time, to each extreme value of its kind, in an otherwise minimal valid request."""
    shape = input_shape(operation)
    decisions: tuple[str | None, ...] = (None,)
    if operation == "RespondDecisionTaskCompleted":
        decisions = tuple(SHAPES["DecisionType"]["enum"])
    seen: set[bytes] = set()
    for decision in decisions:
        base = minimal(shape, "", world, decision)
        for path, member_shape, _parent in _sweep_paths(shape, world, (), base, decision):
            kind = SHAPES[member_shape]["type"]
            for leaf in SWEEP_VALUES[_SWEEP_KIND.get(kind, kind)]:
                body = _set_path(base, path, leaf, shape, world, decision)
                raw = dumps(body)
                if raw not in seen:
                    seen.add(raw)
                    yield body
