"""Units marked ``-- transactional: false``: statements that PostgreSQL runs outside a transaction.

``CREATE INDEX CONCURRENTLY`` builds an index without blocking writes, but cannot run inside a
transaction block, and a failed build leaves an INVALID index behind (it still slows writes and
is never used by queries). Such units run after the transactional part of a run commits, one
statement at a time in autocommit, and are recorded only when every statement succeeded. To be
safely re-runnable, each ``CREATE INDEX CONCURRENTLY`` is checked first: a valid index of that
name is kept (the statement is skipped), an invalid one is dropped concurrently and rebuilt.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

import psycopg
from psycopg import sql

from schema_kit import queries

_IDENT = r'(?:"(?:[^"]|"")+"|[A-Za-z_][\w$]*)'
_CREATE_INDEX_CONCURRENTLY = re.compile(
    r"create\s+(?:unique\s+)?index\s+concurrently\s+(?:if\s+not\s+exists\s+)?"
    rf"(?P<name>{_IDENT})\s+on\s+(?:only\s+)?(?P<table>{_IDENT}(?:\s*\.\s*{_IDENT})?)",
    re.IGNORECASE)
_LEADING_COMMENTS = re.compile(r"\A(?:\s*--[^\n]*\n|\s+)*")

IndexState = Literal["missing", "valid", "invalid"]


@dataclass(frozen=True)
class ConcurrentIndex:
    """The index a ``CREATE INDEX CONCURRENTLY`` statement builds, and on which table."""

    name: str
    table: str


def _unquote(identifier: str) -> str:
    if identifier.startswith('"'):
        return identifier[1:-1].replace('""', '"')
    return identifier.lower()


def concurrent_index(statement: str) -> ConcurrentIndex | None:
    """The index built by ``statement`` if it is a CREATE INDEX CONCURRENTLY, else None."""
    body = _LEADING_COMMENTS.sub("", statement, count=1)
    match = _CREATE_INDEX_CONCURRENTLY.match(body)
    if not match:
        return None
    table = re.sub(r"\s*\.\s*", ".", match.group("table"))
    return ConcurrentIndex(_unquote(match.group("name")), table)


def index_state(conn: psycopg.Connection[Any], index: ConcurrentIndex) -> tuple[IndexState, str]:
    """Whether the index exists and is valid, and its schema-qualified name."""
    row = conn.execute(queries.load("index_state"),
                       {"name": index.name, "table": index.table}).fetchone()
    if row is None:
        return "missing", index.name
    return ("valid" if row[1] else "invalid"), str(row[0])


def drop_invalid(conn: psycopg.Connection[Any], qualified: str) -> None:
    """Drop an index left INVALID by a failed concurrent build, without blocking writes."""
    schema, _, name = qualified.partition(".")
    conn.execute(sql.SQL("drop index concurrently if exists {}.{}").format(
        sql.Identifier(_unquote(schema)), sql.Identifier(_unquote(name))))
