"""Catalog queries the tool runs, kept as .sql files and loaded by name."""

from __future__ import annotations

from importlib import resources


def load(name: str) -> str:
    """The text of ``queries/<name>.sql``."""
    return (resources.files(__package__) / f"{name}.sql").read_text(encoding="utf-8")
