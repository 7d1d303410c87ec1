"""botocore's SWF model, loaded once: the single source of truth for operations and shapes.

Nothing in openswf writes an SWF shape out by hand. Validation, serialization and the
action table all read the shapes from here, so they cannot drift from what clients send.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from botocore.loaders import Loader  # type: ignore[import-untyped]

SERVICE_NAME = "swf"


@dataclass(frozen=True, kw_only=True, slots=True)
class OperationShapes:
    """One operation's input and output shape names; ``output`` is None for void operations."""

    name: str
    input: str
    output: str | None


def _load() -> dict[str, Any]:
    # The loader finds the newest API version and handles the .json.gz botocore ships.
    model: dict[str, Any] = Loader().load_service_model(SERVICE_NAME, "service-2")
    return model


def _strip_docs(value: Any) -> Any:
    """Drop the embedded API documentation: megabytes of HTML no request ever needs."""
    if isinstance(value, Mapping):
        return {k: _strip_docs(v) for k, v in value.items() if k != "documentation"}
    if isinstance(value, list):
        return [_strip_docs(v) for v in value]
    return value


_MODEL = _load()

METADATA: Mapping[str, Any] = MappingProxyType(dict(_MODEL["metadata"]))

SHAPES: Mapping[str, Mapping[str, Any]] = MappingProxyType(
    {name: _strip_docs(shape) for name, shape in _MODEL["shapes"].items()}
)

OPERATION_SHAPES: Mapping[str, OperationShapes] = MappingProxyType(
    {
        name: OperationShapes(
            name=name,
            input=op["input"]["shape"],
            output=op["output"]["shape"] if "output" in op else None,
        )
        for name, op in _MODEL["operations"].items()
    }
)

OPERATIONS: frozenset[str] = frozenset(OPERATION_SHAPES)
VOID_OPERATIONS: frozenset[str] = frozenset(
    name for name, op in OPERATION_SHAPES.items() if op.output is None
)

del _MODEL  # keep only the stripped copies alive


def shape(name: str) -> Mapping[str, Any]:
    """The model's definition of shape ``name`` (KeyError if the model has no such shape)."""
    return SHAPES[name]


def input_shape(operation: str) -> Mapping[str, Any]:
    """The input structure of ``operation`` (KeyError for an unknown operation)."""
    return SHAPES[OPERATION_SHAPES[operation].input]
