"""One unit's SQL: its directives, its statements, and running it whole in one round trip.

A transactional unit is sent as one simple-protocol query (as ``psql -f`` would run it, but
without a round trip per statement); the server runs its statements in order inside the run's
transaction and stops at the first error. Only then is the text split into statements (with
sqlparse, as yoyo does) to say which statement failed and on which line: by the error's
character position when the server gives one (a syntax error is raised before any statement
runs), else by how many statements had succeeded. Non-transactional units are still split and
run one statement at a time (see :mod:`schema_kit.online`).
"""

from __future__ import annotations

import re
from typing import Any

import psycopg
from psycopg import errors as pg_errors
from psycopg import generators
from psycopg.pq import ExecStatus

#: yoyo's directive comments (``-- transactional: false``) in a unit's leading comment block.
_DIRECTIVE = re.compile(r"^\s*--\s*(transactional|depends)\s*:\s*(.*)$")
_COMMENT_OR_EMPTY = re.compile(r"^(\s*|\s*--.*)$")
_ONLY_COMMENTS = re.compile(r"\A(?:\s+|--[^\n]*(?:\n|\Z)|/\*.*?\*/)*\Z", re.DOTALL)


def directives(text: str) -> dict[str, str]:
    """The directives of the leading comment block, as yoyo reads them (no SQL parsing)."""
    found: dict[str, str] = {}
    for line in text.splitlines():
        match = _DIRECTIVE.match(line)
        if match:
            key, value = match.groups()
            found[key] = f"{found[key]} {value}" if key in found else value
        elif not _COMMENT_OR_EMPTY.match(line):
            break
    return found


def is_transactional(text: str) -> bool:
    """False for a unit marked ``-- transactional: false``."""
    return directives(text).get("transactional", "true").lower() != "false"


def statements(text: str) -> list[tuple[int, int, str]]:
    """yoyo's split of a unit: (offset, line, statement) for each statement, in order."""
    import sqlparse
    from yoyo.migrations import parse_metadata_from_sql_comments

    parts = sqlparse.split(text)
    if parts:
        parts[0] = parse_metadata_from_sql_comments(parts[0])[2]
    located, offset = [], 0
    for statement in (s for s in parts if s.strip()):
        head = statement.strip()[:40]
        found = text.find(head, offset) if head else -1
        if found >= 0:
            offset = found
        located.append((offset, text.count("\n", 0, offset) + 1, statement))
    return located


def locate(text: str, error: psycopg.Error, succeeded: int) -> tuple[int, int, str]:
    """(index from 1, line, statement) of the statement of ``text`` that raised ``error``."""
    located = [s for s in statements(text) if not _ONLY_COMMENTS.match(s[2])] or [(0, 1, text)]
    position = error.diag.statement_position
    if position and position.isdigit():
        at = int(position) - 1  # characters from the start of the whole query text
        index = max((i for i, (offset, _l, _s) in enumerate(located) if offset <= at),
                    default=0)
    else:
        index = min(succeeded, len(located) - 1)
    _offset, line, statement = located[index]
    return index + 1, line, statement


def run(conn: psycopg.Connection[Any], text: str) -> tuple[int, psycopg.Error | None]:
    """Send ``text`` as one query; (statements that succeeded, the error or None)."""
    pgconn = conn.pgconn
    with conn.lock:
        pgconn.send_query(text.encode("utf-8"))
        results = conn.wait(generators.execute(pgconn))
    for done, result in enumerate(results):
        if result.status == ExecStatus.FATAL_ERROR:
            return done, pg_errors.error_from_result(result, encoding=conn.info.encoding)
    return len(results), None
