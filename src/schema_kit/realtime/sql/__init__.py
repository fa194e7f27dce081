"""The realtime queries, kept as .sql files and loaded by name."""

from __future__ import annotations

from functools import cache
from importlib import resources


@cache
def load(name: str) -> str:
    """The text of ``realtime/sql/<name>.sql``."""
    return (resources.files(__package__) / f"{name}.sql").read_text(encoding="utf-8")
