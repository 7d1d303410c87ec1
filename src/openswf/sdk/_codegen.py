"""Writes ``_api.py``: typed methods and TypedDict shapes for every SWF operation.

Run ``python -m openswf.sdk._codegen`` after a botocore upgrade. The SDK never imports this
module (nor botocore's model) at run time: the generated file is plain Python, so importing
the client costs nothing, and the model stays the one source of names and shapes.
"""

from __future__ import annotations

import keyword
import re
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from openswf.protocol import model

TARGET = Path(__file__).with_name("_api.py")

HEADER = '''"""Typed SWF operations and shapes, generated from botocore's model by ``_codegen.py``.

Do not edit: run ``python -m openswf.sdk._codegen``. Methods take boto3's keyword names
(camelCase) and return the decoded JSON answer; timestamps are epoch seconds (floats).
"""

# ruff: noqa: E501
from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Literal, Required, TypedDict, cast


'''


def snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def py_type(shape_name: str, *, for_input: bool) -> str:
    shape = model.shape(shape_name)
    kind = shape["type"]
    if kind == "string":
        if "enum" in shape:
            return "Literal[" + ", ".join(repr(v) for v in shape["enum"]) + "]"
        return "str"
    if kind == "boolean":
        return "bool"
    if kind in ("long", "integer"):
        return "int"
    if kind == "timestamp":
        return "float | datetime" if for_input else "float"
    if kind == "list":
        return f"list[{py_type(shape['member']['shape'], for_input=for_input)}]"
    if kind == "structure":
        return shape_name
    raise ValueError(f"unexpected shape type {kind} for {shape_name}")


def structures() -> list[str]:
    return sorted(n for n, s in model.SHAPES.items() if s["type"] == "structure" and _is_data(n))


def _is_data(name: str) -> bool:
    shape = model.shape(name)
    return not shape.get("exception") and not name.endswith("Input")


# An empty poll answers these without their "required" members (no taskToken at all).
EMPTY_POLL_SHAPES = frozenset({"DecisionTask", "ActivityTask"})


def typed_dict(name: str) -> str:
    shape = model.shape(name)
    required = set() if name in EMPTY_POLL_SHAPES else set(shape.get("required", ()))
    lines = [f"class {name}(TypedDict, total=False):"]
    members: Mapping[str, Any] = shape.get("members", {})
    if not members:
        lines.append("    pass")
    for member, ref in members.items():
        annotation = py_type(ref["shape"], for_input=True)
        if member in required:
            annotation = f"Required[{annotation}]"
        lines.append(f"    {member}: {annotation}")
    return "\n".join(lines)


def method(op: str, *, is_async: bool) -> str:
    shapes = model.OPERATION_SHAPES[op]
    shape = model.input_shape(op)
    required = set(shape.get("required", ()))
    params: list[str] = []
    names: list[str] = []
    members: Mapping[str, Any] = shape.get("members", {})
    for member, ref in sorted(members.items(), key=lambda kv: kv[0] not in required):
        annotation = py_type(ref["shape"], for_input=True)
        arg = member + "_" if keyword.iskeyword(member) else member
        optional = "" if member in required else " | None = None"
        params.append(f"{arg}: {annotation}{optional}")
        names.append(f'"{member}": {arg}')
    signature = ", ".join(["self", "*", *params]) if params else "self"
    returns = shapes.output or "None"
    body_args = "{" + ", ".join(names) + "}"
    prefix = "async " if is_async else ""
    call = "await self._acall" if is_async else "self._call"
    out = [f"    {prefix}def {snake(op)}({signature}) -> {returns}:"]
    if shapes.output is None:
        out.append(f'        {call}("{op}", {body_args})')
    else:
        out.append(f'        return cast({returns}, {call}("{op}", {body_args}))')
    return "\n".join(out)


def render() -> str:
    parts = [HEADER]
    for name in structures():
        parts.append(typed_dict(name) + "\n\n\n")
    parts.append(
        "class SyncOperations:\n"
        '    """One method per SWF operation; ``_call`` sends it."""\n\n'
        "    def _call(self, operation: str, params: Mapping[str, Any]) -> Any:\n"
        "        raise NotImplementedError\n\n"
    )
    parts.append("\n\n".join(method(op, is_async=False) for op in sorted(model.OPERATIONS)))
    parts.append(
        "\n\n\nclass AsyncOperations:\n"
        '    """One coroutine per SWF operation; ``_acall`` sends it."""\n\n'
        "    async def _acall(self, operation: str, params: Mapping[str, Any]) -> Any:\n"
        "        raise NotImplementedError\n\n"
    )
    parts.append("\n\n".join(method(op, is_async=True) for op in sorted(model.OPERATIONS)))
    parts.append("\n")
    return "".join(parts)


def main() -> int:
    TARGET.write_text(render())
    print(f"wrote {TARGET}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
