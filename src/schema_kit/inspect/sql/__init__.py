"""Catalog queries of schema-kit's inspection commands, one .sql file per question."""

from __future__ import annotations

from importlib import resources


def load(name: str) -> str:
    """The text of ``inspect/sql/<name>.sql``."""
    return (resources.files(__package__) / f"{name}.sql").read_text(encoding="utf-8")
