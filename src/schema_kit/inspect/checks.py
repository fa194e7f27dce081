"""The project's own checks: what splinter does not cover here.

Catalog checks are one query each (``inspect/sql/check_<rule>.sql``) returning the object and a
message; :func:`platform_owned_ddl` reads the rendered sources instead, because what matters is
what a unit would *try* on Supabase, where the platform owns ``auth``, ``storage`` and
``realtime``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import psycopg

from schema_kit.inspect.findings import Finding
from schema_kit.inspect.snapshot import EXCLUDED_SCHEMAS
from schema_kit.inspect.sql import load
from schema_kit.render import Unit


@dataclass(frozen=True)
class CatalogRule:
    name: str
    level: str
    title: str


CATALOG_RULES = (
    CatalogRule("rls_disabled_in_api_schema", "ERROR",
                "RLS disabled on a table in a schema the API roles can reach"),
    CatalogRule("api_grant_without_policy", "WARN",
                "an API role holds privileges on a table without RLS or without a policy for it"),
    CatalogRule("definer_unsafe_search_path", "ERROR",
                "SECURITY DEFINER function without search_path = pg_catalog, pg_temp"),
    CatalogRule("definer_executable_by_anon", "ERROR",
                "SECURITY DEFINER function executable by anon"),
    CatalogRule("view_without_security_invoker", "ERROR",
                "view over RLS tables without security_invoker"),
    CatalogRule("policy_per_row_call", "WARN",
                "policy calls auth.uid() / current_setting() per row"),
    CatalogRule("policy_true_on_write", "ERROR", "USING (true) / WITH CHECK (true) on writes"),
    CatalogRule("policy_reads_user_metadata", "ERROR", "policy reads raw_user_meta_data"),
    CatalogRule("unindexed_foreign_key", "WARN", "foreign key without an index"),
    CatalogRule("policy_column_unindexed", "WARN", "policy filters on no indexed column"),
    CatalogRule("policy_row_subquery", "WARN",
                "policy holds a sub-select that refers to the row (costed on every row scanned)"),
)
PLATFORM_RULE = CatalogRule("platform_owned_ddl", "ERROR",
                            "a unit touches objects the platform owns on Supabase")


def catalog_findings(conn: psycopg.Connection[Any],
                     excluded: Sequence[str] = EXCLUDED_SCHEMAS) -> list[Finding]:
    """Run every catalog rule (read-only)."""
    found: list[Finding] = []
    for rule in CATALOG_RULES:
        rows = conn.execute(load(f"check_{rule.name}"), {"excluded": list(excluded)}).fetchall()
        found += [Finding(rule.name, rule.level, str(obj), str(message), "catalog")
                  for obj, message in rows]
    return found


# -- sources: DDL on platform-owned schemas -----------------------------------------------------

PLATFORM_SCHEMAS = ("auth", "storage", "realtime")
_DOLLAR_BODY = re.compile(r"(\$[A-Za-z_0-9]*\$).*?\1", re.S)
_LINE_COMMENT = re.compile(r"--[^\n]*")
_BLOCK_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_STRING = re.compile(r"'(?:[^']|'')*'")
_NAME = r'(?:"[^"]+"|[\w$]+)'
_QUALIFIED = re.compile(rf"({_NAME})\s*\.\s*({_NAME})")
_HEAD = re.compile(r"^\s*(create|alter|drop|comment|grant|revoke|security\s+label)\b", re.I)
#: Kinds whose object lives ON a table: the table is what the statement touches.
_ON_KINDS = re.compile(r"^\s*(create|alter|drop|comment\s+on)\s+(or\s+replace\s+)?"
                       r"(unique\s+|constraint\s+)?(trigger|index|policy|rule|constraint)\b", re.I)
_SCHEMA_KIND = re.compile(rf"^\s*(create|alter|drop|comment\s+on)\s+schema\s+"
                          rf"(if\s+(not\s+)?exists\s+)?({_NAME})", re.I)
_GRANT_ON = re.compile(r"\bon\b(.*?)\b(to|from)\b", re.I | re.S)
_ON_TARGET = re.compile(r"\bon\s+(only\s+)?(.*)", re.I | re.S)


def _unquote(name: str) -> str:
    return name[1:-1] if name.startswith('"') else name.lower()


def _statements(sql: str) -> Iterable[tuple[int, str]]:
    """(line, statement) with bodies, comments and literals blanked (line numbers kept)."""
    def blank(match: re.Match[str]) -> str:
        return re.sub(r"[^\n]", " ", match.group(0))

    text = _DOLLAR_BODY.sub(blank, sql)
    text = _BLOCK_COMMENT.sub(blank, text)
    text = _LINE_COMMENT.sub(blank, text)
    text = _STRING.sub(blank, text)
    start = 0
    for index, char in enumerate(text):
        if char == ";":
            statement = text[start:index]
            leading = statement[:len(statement) - len(statement.lstrip())]
            yield text.count("\n", 0, start) + 1 + leading.count("\n"), statement
            start = index + 1


def ddl_target(statement: str) -> tuple[str, str] | None:
    """(kind of statement, schema.object) a DDL statement changes, or None when not DDL."""
    head = _HEAD.match(statement)
    if head is None:
        return None
    words = []
    for word in statement.split()[:3]:
        if "." in word or '"' in word or word.upper() in ("IF", "ALL"):
            break
        words.append(word.upper())
    verb = " ".join(words)
    schema = _SCHEMA_KIND.match(statement)
    if schema:
        return verb, _unquote(schema.group(4))
    where = statement
    if head.group(1).lower() in ("grant", "revoke"):
        on = _GRANT_ON.search(statement)
        if on is None:
            return None  # GRANT role TO role: no object
        where = on.group(1)
        in_schema = re.search(rf"\bin\s+schema\s+({_NAME})", where, re.I)
        if in_schema:
            return verb, _unquote(in_schema.group(1)) + ".*"
    elif _ON_KINDS.match(statement):
        on = _ON_TARGET.search(statement[_ON_KINDS.match(statement).end():])  # type: ignore[union-attr]
        if on is None:
            return None
        where = on.group(2)
    elif head.group(1).lower() == "comment":
        where = statement[head.end():]
    found = _QUALIFIED.search(where)
    if found is None:
        return None
    return verb, f"{_unquote(found.group(1))}.{_unquote(found.group(2))}"


def platform_owned_ddl(units: Sequence[Unit]) -> list[Finding]:
    """DDL of the domain units on auth/storage/realtime objects, except CREATE/DROP POLICY on
    realtime.messages (the only thing supautils lets a project do there). Render the units for
    the ``supabase`` target: that is where the platform owns those schemas."""
    found: list[Finding] = []
    for unit in units:
        if unit.source.kind == "compat":
            continue  # the compatibility layer *is* the platform on the postgres target
        for line, statement in _statements(unit.sql):
            target = ddl_target(statement)
            if target is None:
                continue
            verb, obj = target
            if obj.split(".", 1)[0] not in PLATFORM_SCHEMAS:
                continue
            if obj == "realtime.messages" and re.match(r"(CREATE|DROP) POLICY", verb):
                continue
            found.append(Finding(
                PLATFORM_RULE.name, PLATFORM_RULE.level, f"{unit.label}:{line}",
                f"{verb} ... on {obj}, which the platform owns on Supabase (only CREATE/DROP "
                "POLICY on realtime.messages is allowed there)", "sources",
                file=unit.label, line=line))
    return found
