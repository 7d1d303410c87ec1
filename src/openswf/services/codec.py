"""How engine values become stored bytes: state snapshots (msgspec) and wire events (orjson)."""

from __future__ import annotations

import msgspec
import orjson

from openswf.engine.events import HistoryEvent
from openswf.engine.state import ExecutionState

_encoder = msgspec.json.Encoder()
_state_decoder = msgspec.json.Decoder(ExecutionState)


def encode_state(state: ExecutionState) -> bytes:
    return _encoder.encode(state)


def decode_state(data: bytes) -> ExecutionState:
    return _state_decoder.decode(data)


def encode_event(event: HistoryEvent) -> bytes:
    """Events are stored in their wire form, so history pages are served without re-encoding."""
    return orjson.dumps(event.to_wire())


def decode_event(data: bytes) -> HistoryEvent:
    return HistoryEvent.from_wire(orjson.loads(data))
