"""Phoenix frames as Supabase Realtime's clients speak them.

``1.0.0`` (realtime-py): JSON objects ``{topic, event, payload, ref, join_ref}``; the server
omits ``join_ref``. ``2.0.0`` (realtime-js, every browser by default): JSON arrays
``[join_ref, ref, topic, event, payload]``, and broadcasts as binary frames: kind 3 (client
push) and kind 4 (server broadcast), each field preceded by its byte length.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

V1, V2 = "1.0.0", "2.0.0"
VERSIONS = (V1, V2)
KIND_PUSH, KIND_BROADCAST = 3, 4
ENCODING_BINARY, ENCODING_JSON = 0, 1


class FrameError(ValueError):
    """A frame this endpoint cannot read."""


@dataclass(frozen=True)
class Frame:
    join_ref: str | None
    ref: str | None
    topic: str
    event: str
    payload: Any


def decode(data: str | bytes, vsn: str) -> Frame:
    """One client frame (text in either version, binary kind 3 in 2.0.0)."""
    if isinstance(data, bytes):
        return _decode_push(data)
    try:
        parsed = json.loads(data)
    except ValueError:
        raise FrameError("not JSON") from None
    if vsn == V2 and isinstance(parsed, list) and len(parsed) == 5:
        join_ref, ref, topic, event, payload = parsed
    elif vsn == V1 and isinstance(parsed, dict):
        join_ref, ref = parsed.get("join_ref"), parsed.get("ref")
        topic, event, payload = parsed.get("topic"), parsed.get("event"), parsed.get("payload")
    else:
        raise FrameError(f"not a protocol {vsn} frame")
    if not isinstance(topic, str) or not isinstance(event, str):
        raise FrameError("topic and event must be strings")
    return Frame(_ref(join_ref), _ref(ref), topic, event, payload if payload is not None else {})


def _ref(value: Any) -> str | None:
    return None if value is None else str(value)


def _decode_push(data: bytes) -> Frame:
    """Binary kind 3: a client broadcast pushed on a 2.0.0 socket."""
    if len(data) < 7 or data[0] != KIND_PUSH:
        raise FrameError("unknown binary frame kind")
    sizes = list(data[1:6])
    encoding = data[6]
    fields, offset = [], 7
    for size in sizes:
        fields.append(data[offset:offset + size].decode("utf-8"))
        offset += size
    join_ref, ref, topic, event, metadata = fields
    raw = data[offset:]
    body: Any = json.loads(raw.decode("utf-8")) if encoding == ENCODING_JSON else raw
    payload: dict[str, Any] = {"type": "broadcast", "event": event, "payload": body}
    if metadata:
        payload.update(json.loads(metadata))
    return Frame(join_ref or None, ref or None, topic, "broadcast", payload)


def encode(frame: Frame, vsn: str) -> str:
    """A server text frame (reply, system, close, heartbeat reply)."""
    if vsn == V2:
        return json.dumps([frame.join_ref, frame.ref, frame.topic, frame.event, frame.payload])
    return json.dumps({"topic": frame.topic, "event": frame.event, "payload": frame.payload,
                       "ref": frame.ref})


def encode_broadcast(topic: str, event: str, payload: Any, meta: dict[str, Any] | None,
                     vsn: str) -> str | bytes:
    """A broadcast to a client: V1 JSON with ``"ref": null`` (realtime-py drops it otherwise),
    V2 binary kind 4 (topic, event, metadata, encoding, payload)."""
    if vsn == V2:
        head = [part.encode("utf-8") for part in
                (topic, event, json.dumps(meta) if meta else "")]
        if any(len(part) > 255 for part in head):
            raise FrameError("topic, event and metadata must be at most 255 bytes")
        binary = isinstance(payload, bytes | bytearray)
        body = bytes(payload) if binary else json.dumps(payload).encode("utf-8")
        encoding = ENCODING_BINARY if binary else ENCODING_JSON
        return (bytes([KIND_BROADCAST, len(head[0]), len(head[1]), len(head[2]), encoding])
                + b"".join(head) + body)
    inner: dict[str, Any] = {"event": event, "payload": payload, "type": "broadcast"}
    if meta:
        inner["meta"] = meta
    return json.dumps({"topic": topic, "event": "broadcast", "payload": inner, "ref": None})


def ws_frame(data: str | bytes) -> bytes:
    """One unfragmented, unmasked server-to-client websocket frame (RFC 6455, section 5.2):
    text for ``str``, binary for ``bytes``; no extension bits (the endpoint negotiates none)."""
    if isinstance(data, str):
        opcode, body = 0x1, data.encode("utf-8")
    else:
        opcode, body = 0x2, data
    size = len(body)
    if size < 126:
        header = bytes((0x80 | opcode, size))
    elif size < 1 << 16:
        header = bytes((0x80 | opcode, 126)) + size.to_bytes(2, "big")
    else:
        header = bytes((0x80 | opcode, 127)) + size.to_bytes(8, "big")
    return header + body

