"""A delivered broadcast: one ``realtime.messages`` row (or its archived chat equivalent)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID


@dataclass(frozen=True)
class Message:
    """What subscribers receive; ``(inserted_at, id)`` is its place in the topic's order."""

    id: UUID
    topic: str
    event: str | None
    payload: Any
    inserted_at: datetime

    @classmethod
    def from_row(cls, row: tuple[Any, ...]) -> Message:
        return cls(row[0], row[1], row[2], row[3], row[4])

    def as_dict(self) -> dict[str, Any]:
        return {"id": str(self.id), "topic": self.topic, "event": self.event,
                "payload": self.payload, "inserted_at": self.inserted_at.isoformat()}

    def to_json(self) -> str:
        """One JSON line (as ``schema-kit listen`` prints)."""
        return json.dumps(self.as_dict(), ensure_ascii=False, default=str)
