"""Request validation for all 39 operations, compiled from botocore's model.

``validate_request`` checks one decoded request body against its operation's input shape and
answers the way SWF (coral) does:

- a JSON value of the wrong type anywhere -> ``SerializationException`` (deserialization fails
  before any constraint is looked at, so this wins over constraint problems);
- constraint problems (required, length, range, enum, list size, and the rules SWF documents
  only in prose) -> one ``ValidationException`` listing *every* problem of the request, in
  coral's words, with dotted, 1-based paths such as ``decisions.1.member.startTimer...``;
- ``null`` members count as absent and, like unknown members, are dropped from the result.

Each operation's input shape is compiled once, lazily, into nested closures. A validator knows
its path relative to the innermost list element at compile time, so outside lists the happy
path builds no path string: full paths are only assembled when a problem is reported.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from openswf.protocol.faults import SerializationException, ValidationException
from openswf.protocol.model import OPERATION_SHAPES, SHAPES

# (value, base path, problems) -> value with nulls and unknown members removed. ``base`` is
# the path of the innermost enclosing list element ("" outside lists); each validator adds
# its own compile-time relative path to it when it reports a problem.
Validator = Callable[[Any, str, list[str]], Any]

# A rule the model states only in documentation: returns coral-style constraint text when
# the (already length-checked) string breaks it, else None.
Rule = Callable[[str], str | None]

# --- rules documented outside the model (reference section 8.2) -------------------------

_FORBIDDEN = re.compile("[:/|\x00-\x1f\x7f-\x9f]").search
_TAG_CHARS = re.compile(r"[\w\s.:/=+@-]*").fullmatch  # \w: unicode letters, digits and _
_PRIORITY = re.compile(r"[+-]?[0-9]+").fullmatch  # what Java's Integer.parseInt accepts

ONE_YEAR_SECONDS = 31_536_000
_INT_MIN, _INT_MAX = -(2**31), 2**31 - 1
_LONG_MIN, _LONG_MAX = -(2**63), 2**63 - 1
# What SWF's Java side can hold: an ``integer`` member is a Java int, a ``long`` a Java long,
# a timestamp a java.util.Date (epoch milliseconds in a long). A JSON number beyond these does
# not deserialize, so it is a SerializationException, not a constraint problem. The timestamp
# bound keeps ``seconds * 1000`` inside a signed 64-bit column after float rounding, too.
_JAVA_RANGES = {"integer": (_INT_MIN, _INT_MAX), "long": (_LONG_MIN, _LONG_MAX)}
_TIMESTAMP_LIMIT_S = 9_223_372_036_854_775


def _no_forbidden_chars(value: str) -> str | None:
    if _FORBIDDEN(value) is None:
        return None
    return "Member must not contain ':' '/' '|' or control characters"


def _not_arn(value: str) -> str | None:
    return "Member must not be the literal string 'arn'" if value == "arn" else None


def _no_edge_whitespace(value: str) -> str | None:
    if value[:1].isspace() or value[-1:].isspace():
        return "Member must not start or end with whitespace"
    return None


def _tag_chars(value: str) -> str | None:
    if _TAG_CHARS(value) is not None:
        return None
    return (
        "Member must contain only unicode letters, digits, whitespace, "
        "or these symbols: _ . : / = + - @"
    )


def _is_digits(value: str) -> bool:
    # str.isdigit alone would accept non-ASCII digits such as '²'.
    return value.isascii() and value.isdigit()


def _small_int(digits: str, sign: str = "") -> int | None:
    """``int(sign + digits)`` for a string of at most 20 digits, else None (out of range).

    Python refuses to convert strings of more than 4,300 digits, and a client may send
    10,000. Java would read "000...07" as 7 whatever its length, but the value is passed on
    as the string it came as, and every later reader must be able to convert it: a bound on
    the length keeps them safe."""
    if len(digits) > 20:
        return None
    return int(sign + digits)


def _integer_string(lo: int, hi: int | None, *, none_ok: bool, unit: str) -> Rule:
    """A duration-like string: decimal digits within [lo, hi], or ``NONE`` if allowed."""
    bound = f"greater than or equal to {lo}" if hi is None else f"between {lo} and {hi}"
    text = f"Member must be a whole number of {unit} {bound}"
    text = f"{text}, or NONE" if none_ok else f"{text} (NONE is not allowed)"

    def rule(value: str) -> str | None:
        if none_ok and value == "NONE":
            return None
        number = _small_int(value) if _is_digits(value) else None
        if number is not None and number >= lo and (hi is None or number <= hi):
            return None
        return text

    return rule


def _task_priority(value: str) -> str | None:
    sign = "-" if value.startswith("-") else ""
    number = _small_int(value.lstrip("+-"), sign) if _PRIORITY(value) else None
    if number is not None and _INT_MIN <= number <= _INT_MAX:
        return None
    return f"Member must be a whole number between {_INT_MIN} and {_INT_MAX}"


_NAME = (_no_forbidden_chars, _not_arn)
_TRIMMED_NAME = (*_NAME, _no_edge_whitespace)
_DURATION = _integer_string(0, None, none_ok=True, unit="seconds")
_EXECUTION_TIMEOUT = _integer_string(0, ONE_YEAR_SECONDS, none_ok=False, unit="seconds")

# Rules that hold wherever a shape is used.
_SHAPE_RULES: dict[str, tuple[Rule, ...]] = {
    "DurationInSeconds": (_DURATION,),
    "DurationInSecondsOptional": (_DURATION,),
    "DurationInDays": (_integer_string(0, 90, none_ok=True, unit="days"),),
    "TaskPriority": (_task_priority,),
    "ResourceTagKey": (_tag_chars,),
    "ResourceTagValue": (_tag_chars,),
}

# Rules for one member path inside one structure; they replace the shape's rules at that path.
# Names are checked where SWF's docs say so: where they are created, not where they are looked
# up (a lookup of an impossible name is simply unknown).
_PATH_RULES: dict[str, dict[str, tuple[Rule, ...]]] = {
    "RegisterDomainInput": {"name": _TRIMMED_NAME},
    "RegisterActivityTypeInput": {"name": _NAME, "version": _NAME, "defaultTaskList.name": _NAME},
    "RegisterWorkflowTypeInput": {
        "name": _NAME,
        "version": _NAME,
        "defaultTaskList.name": _NAME,
        "defaultExecutionStartToCloseTimeout": (_EXECUTION_TIMEOUT,),
    },
    "StartWorkflowExecutionInput": {
        "domain": _NAME,
        "workflowId": _NAME,
        "taskList.name": _NAME,
        "executionStartToCloseTimeout": (_EXECUTION_TIMEOUT,),
    },
    "PollForActivityTaskInput": {"taskList.name": _TRIMMED_NAME},
    "PollForDecisionTaskInput": {"taskList.name": _TRIMMED_NAME},
    "RespondDecisionTaskCompletedInput": {"taskList.name": _NAME},
    "ScheduleActivityTaskDecisionAttributes": {"activityId": _NAME, "taskList.name": _NAME},
    "StartTimerDecisionAttributes": {
        "timerId": _NAME,
        "startToFireTimeout": (_integer_string(0, None, none_ok=False, unit="seconds"),),
    },
    "StartChildWorkflowExecutionDecisionAttributes": {
        "workflowId": _NAME,
        "taskList.name": _TRIMMED_NAME,
    },
    "ScheduleLambdaFunctionDecisionAttributes": {
        "id": _NAME,
        "startToCloseTimeout": (_integer_string(1, 900, none_ok=False, unit="seconds"),),
    },
    "TagFilter": {"tag": (_tag_chars,)},
}

# --- coral's wording ----------------------------------------------------------------------


def _java_scalar(value: Any) -> str:
    if isinstance(value, str):
        return value
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _java_text(value: Any) -> str:
    """A value as Java's toString renders it in coral messages: [a, b], {k=v}, true.

    Iterative, not recursive: a reported list may hold values nested as deep as the JSON
    decoder allows (1,024 levels), deeper than Python's recursion limit once doubled by
    generator frames."""
    out: list[str] = []
    # A stack of pending pieces: a value to render, or literal text (wrapped in a 1-tuple).
    stack: list[Any] = [value]
    while stack:
        item = stack.pop()
        if type(item) is tuple:
            out.append(item[0])
        elif isinstance(item, list):
            pieces: list[Any] = [("[",)]
            for i, element in enumerate(item):
                pieces += [(", ",), element] if i else [element]
            stack.extend(reversed([*pieces, ("]",)]))
        elif isinstance(item, dict):
            pieces = [("{",)]
            for i, (key, element) in enumerate(item.items()):
                pieces += [(f", {key}=" if i else f"{key}=",), element]
            stack.extend(reversed([*pieces, ("}",)]))
        else:
            out.append(_java_scalar(item))
    return "".join(out)


def _problem(value: Any, path: str, constraint: str) -> str:
    shown = "null" if value is None else f"'{_java_text(value)}'"
    return f"Value {shown} at '{path}' failed to satisfy constraint: {constraint}"


def _length_problem(value: str | list[Any], path: str, lo: int, hi: int) -> str:
    bound = f"greater than or equal to {lo}" if len(value) < lo else f"less than or equal to {hi}"
    return _problem(value, path, f"Member must have length {bound}")


_JSON_KINDS = {str: "a string", bool: "a boolean", int: "a number", float: "a number"}
_JSON_KINDS.update({list: "a list", dict: "an object", type(None): "null"})


def _wrong_type(value: Any, expected: str, path: str) -> SerializationException:
    got = _JSON_KINDS.get(type(value), type(value).__name__)
    return SerializationException(f"Expected {expected} at '{path}', got {got}")


# --- compiling shapes into validators -----------------------------------------------------


def _string(rel: str, shape: Mapping[str, Any], rules: tuple[Rule, ...]) -> Validator:
    lo: int = shape.get("min", 0)
    hi: int = shape.get("max", 1 << 62)
    enum: list[str] | None = shape.get("enum")
    allowed = frozenset(enum or ())
    enum_text = "Member must satisfy enum value set: [" + ", ".join(enum or ()) + "]"

    def validate(value: Any, base: str, problems: list[str]) -> Any:
        if type(value) is not str:
            raise _wrong_type(value, "a string", base + rel)
        if not lo <= len(value) <= hi:
            problems.append(_length_problem(value, base + rel, lo, hi))
        elif enum is not None and value not in allowed:
            problems.append(_problem(value, base + rel, enum_text))
        else:
            for rule in rules:
                broken = rule(value)
                if broken is not None:
                    problems.append(_problem(value, base + rel, broken))
        return value

    return validate


def _number(
    rel: str,
    shape: Mapping[str, Any],
    kinds: tuple[type, ...],
    name: str,
    java_range: tuple[int, int],
) -> Validator:
    lo: float = shape.get("min", float("-inf"))
    hi: float = shape.get("max", float("inf"))
    java_lo, java_hi = java_range

    def validate(value: Any, base: str, problems: list[str]) -> Any:
        # type() rather than isinstance: JSON true/false must not pass as 1/0.
        if type(value) not in kinds:
            raise _wrong_type(value, name, base + rel)
        if not java_lo <= value <= java_hi:
            raise SerializationException(
                f"Expected {name} at '{base + rel}', got a number out of range"
            )
        if value < lo:
            text = f"Member must have value greater than or equal to {lo}"
            problems.append(_problem(value, base + rel, text))
        elif value > hi:
            text = f"Member must have value less than or equal to {hi}"
            problems.append(_problem(value, base + rel, text))
        return value

    return validate


def _boolean(rel: str) -> Validator:
    def validate(value: Any, base: str, problems: list[str]) -> Any:
        if type(value) is not bool:
            raise _wrong_type(value, "a boolean", base + rel)
        return value

    return validate


def _list(rel: str, shape: Mapping[str, Any], element: Validator) -> Validator:
    lo: int = shape.get("min", 0)
    hi: int = shape.get("max", 1 << 62)

    def validate(value: Any, base: str, problems: list[str]) -> Any:
        if type(value) is not list:
            raise _wrong_type(value, "a list", base + rel)
        path = base + rel
        if not lo <= len(value) <= hi:
            problems.append(_length_problem(value, path, lo, hi))
        cleaned: list[Any] | None = None
        for i, item in enumerate(value):
            where = f"{path}.{i + 1}.member"
            if item is None:  # a hole in a list is not an absent member: coral rejects it
                problems.append(_problem(None, where, "Member must not be null"))
                continue
            new = element(item, where, problems)
            if new is not item:
                if cleaned is None:
                    cleaned = list(value)
                cleaned[i] = new
        return value if cleaned is None else cleaned

    return validate


def _structure(rel: str, members: tuple[tuple[str, Validator, bool, str], ...]) -> Validator:
    """``members`` holds (name, validator, required, relative path) in model order."""
    by_name = {name: check for name, check, _, _ in members}
    required = tuple((name, member_rel) for name, _, needed, member_rel in members if needed)

    def in_model_order(value: dict[str, Any], base: str, problems: list[str]) -> None:
        for name, check, needed, member_rel in members:
            item = value.get(name)
            if item is not None:
                check(item, base, problems)
            elif needed:
                problems.append(_problem(None, base + member_rel, "Member must not be null"))

    def validate(value: Any, base: str, problems: list[str]) -> Any:
        if type(value) is not dict:
            raise _wrong_type(value, "an object", base + rel)
        # Walk the members the body has, not all the model declares: a Decision declares 14
        # members and carries 2.
        before = len(problems)
        present = 0
        changed: dict[str, Any] | None = None
        for name, item in value.items():
            check = by_name.get(name)
            if check is None or item is None:
                continue  # unknown or null: dropped below
            present += 1
            new = check(item, base, problems)
            if new is not item:
                changed = {} if changed is None else changed
                changed[name] = new
        for name, member_rel in required:
            if value.get(name) is None:
                problems.append(_problem(None, base + member_rel, "Member must not be null"))
        if len(problems) != before:
            # Rare path: list the problems in model order, whatever the body's key order.
            del problems[before:]
            in_model_order(value, base, problems)
            return value
        if changed is None and present == len(value):
            return value  # the common case: nothing null, nothing unknown, no copy
        changed = changed or {}
        return {
            name: changed.get(name, item)
            for name, item in value.items()
            if item is not None and name in by_name
        }

    return validate


def _rules_below(rules: Mapping[str, tuple[Rule, ...]], member: str) -> dict[str, tuple[Rule, ...]]:
    """The path rules that reach into ``member``, re-rooted at it."""
    below: dict[str, tuple[Rule, ...]] = {}
    for path, checks in rules.items():
        if path == member:
            below[""] = checks
        elif path.startswith(member + "."):
            below[path[len(member) + 1 :]] = checks
    return below


def _compile(
    shape_name: str, rel: str, root: bool, rules: Mapping[str, tuple[Rule, ...]]
) -> Validator:
    """Compile ``shape_name`` found at ``rel`` (relative to the innermost list element).

    ``rules`` are path rules inherited from enclosing structures, keyed relative to this shape.
    """
    shape = SHAPES[shape_name]
    kind = shape["type"]
    if kind == "structure":
        scoped = dict(rules)
        for path, checks in _PATH_RULES.get(shape_name, {}).items():
            scoped[path] = scoped.get(path, ()) + checks
        required = set(shape.get("required", ()))
        members = []
        for name, ref in shape["members"].items():
            member_rel = name if root else f"{rel}.{name}"
            check = _compile(ref["shape"], member_rel, False, _rules_below(scoped, name))
            members.append((name, check, name in required, member_rel))
        return _structure(rel, tuple(members))
    if kind == "list":
        # Elements start a new base path (``<list>.<n>.member``); their own rel is empty.
        return _list(rel, shape, _compile(shape["member"]["shape"], "", False, {}))
    if kind == "string":
        return _string(rel, shape, rules.get("", _SHAPE_RULES.get(shape_name, ())))
    if kind in ("integer", "long"):
        return _number(rel, shape, (int,), "an integer", _JAVA_RANGES[kind])
    if kind == "timestamp":  # epoch seconds; SDKs send ints, floats or 1.7E9-style doubles
        limit = (-_TIMESTAMP_LIMIT_S, _TIMESTAMP_LIMIT_S)
        return _number(rel, shape, (int, float), "a number (epoch seconds)", limit)
    if kind == "boolean":
        return _boolean(rel)
    raise TypeError(f"shape {shape_name} has unsupported type {kind!r}")  # pragma: no cover


# --- decisions: rules the model cannot express --------------------------------------------

_CLOSING_DECISIONS = frozenset(
    {
        "CompleteWorkflowExecution",
        "FailWorkflowExecution",
        "CancelWorkflowExecution",
        "ContinueAsNewWorkflowExecution",
    }
)


def _attributes_needed() -> dict[str, str]:
    """decisionType -> the attributes member a decision of that type must carry.

    Only types whose attributes have required members are listed: clients (floto, seddy)
    send a bare ``{"decisionType": "CompleteWorkflowExecution"}`` to real SWF, so an
    all-optional attributes structure may be left out.
    """
    decision = SHAPES["Decision"]["members"]
    needed = {}
    for decision_type in SHAPES["DecisionType"]["enum"]:
        member = decision_type[0].lower() + decision_type[1:] + "DecisionAttributes"
        if SHAPES[decision[member]["shape"]].get("required"):
            needed[decision_type] = member
    return needed


_ATTRIBUTES_NEEDED = _attributes_needed()


def _check_decisions(body: dict[str, Any]) -> None:
    decisions: list[dict[str, Any]] = body.get("decisions") or []
    last = len(decisions) - 1
    for i, decision in enumerate(decisions):
        decision_type: str = decision["decisionType"]
        member = _ATTRIBUTES_NEEDED.get(decision_type)
        if member is not None and member not in decision:
            raise ValidationException(
                f"{decision_type}DecisionAttributes must be specified "
                f"for decision of type {decision_type}"
            )
        if decision_type in _CLOSING_DECISIONS and i != last:
            raise ValidationException("Close must be last decision in list")


# Checks that run once the whole request satisfies the model.
_AFTER_MODEL: dict[str, Callable[[dict[str, Any]], None]] = {
    "RespondDecisionTaskCompleted": _check_decisions,
}

# --- public API ---------------------------------------------------------------------------

_compiled: dict[str, Validator] = {}


def request_validator(operation: str) -> Validator:
    """The compiled validator of ``operation``'s input (KeyError for an unknown operation)."""
    validator = _compiled.get(operation)
    if validator is None:
        shape_name = OPERATION_SHAPES[operation].input
        validator = _compiled[operation] = _compile(shape_name, "", True, {})
    return validator


def compile_all(operations: Iterable[str] = OPERATION_SHAPES) -> None:
    """Compile validators ahead of the first request (e.g. at server start)."""
    for operation in operations:
        request_validator(operation)


def validate_request(operation: str, body: object) -> dict[str, Any]:
    """Validate a decoded request body; return it without null or unknown members.

    Raises ``SerializationException`` for a non-object body or a wrongly typed member, and
    ``ValidationException`` for broken constraints. ``operation`` must be one of the 39.
    """
    if type(body) is not dict:
        raise SerializationException("The request body must be a JSON object")
    problems: list[str] = []
    cleaned: dict[str, Any] = request_validator(operation)(body, "", problems)
    if problems:
        raise ValidationException.from_problems(problems)
    after = _AFTER_MODEL.get(operation)
    if after is not None:
        after(cleaned)
    return cleaned
