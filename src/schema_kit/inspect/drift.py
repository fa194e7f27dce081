"""``schema-kit drift``: the live catalog against what the sources render, normalised by
PostgreSQL itself — the sources are applied to a scratch database on the same server and the
two catalog snapshots are compared object by object."""

from __future__ import annotations

import difflib
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo

from schema_kit.config import Settings
from schema_kit.errors import SchemaKitError
from schema_kit.inspect.snapshot import KINDS, Snapshot, take
from schema_kit.migrate import Migrator
from schema_kit.render import render

#: On Supabase the platform owns these schemas; only our policies on realtime.messages count.
PLATFORM_SCHEMAS = ("auth", "storage", "realtime")
_LABEL = {"schemas": "schema", "types": "type", "tables": "relation", "functions": "function",
          "triggers": "trigger", "policies": "policy", "grants": "grant"}


@dataclass(frozen=True)
class Change:
    """One object that differs: ``missing`` (in the sources only), ``unexpected`` (live only)
    or ``changed`` (with the differing fields)."""

    kind: str
    key: str
    state: str
    fields: dict[str, tuple[Any, Any]]

    @property
    def name(self) -> str:
        return f"{_LABEL[self.kind]} {self.key}"


def _platform(kind: str, key: str, definition: dict[str, Any]) -> bool:
    if kind == "policies":
        return False
    owner = str(definition.get("table") or definition.get("object") or key)
    return owner.split(".", 1)[0].strip('"') in PLATFORM_SCHEMAS


def compare(expected: Snapshot, live: Snapshot, *, ignore_platform: bool = False) -> list[Change]:
    """Every object whose definition differs, in a stable order."""
    changes: list[Change] = []
    for kind in KINDS:
        want, have = expected.of(kind), live.of(kind)
        for key in sorted(set(want) | set(have)):
            definition = want.get(key) or have.get(key) or {}
            if ignore_platform and _platform(kind, key, definition):
                continue
            if key not in have:
                changes.append(Change(kind, key, "missing", {}))
            elif key not in want:
                changes.append(Change(kind, key, "unexpected", {}))
            elif want[key] != have[key]:
                fields = {name: (want[key].get(name), have[key].get(name))
                          for name in sorted(set(want[key]) | set(have[key]))
                          if want[key].get(name) != have[key].get(name)}
                changes.append(Change(kind, key, "changed", fields))
    return changes


def expected_snapshot(admin_dsn: str, settings: Settings,
                      log: Callable[[str], None] = lambda _line: None) -> Snapshot:
    """Apply the sources to a scratch database on the same server, snapshot it, drop it."""
    name = f"schema_kit_drift_{uuid.uuid4().hex[:12]}"
    try:
        with psycopg.connect(admin_dsn, autocommit=True) as conn:
            conn.execute(sql.SQL("create database {}").format(sql.Identifier(name)))
    except psycopg.Error as exc:
        raise SchemaKitError(f"drift needs to create a scratch database on the server: "
                             f"{(exc.diag.message_primary or str(exc)).strip()}") from None
    scratch = make_conninfo(admin_dsn, dbname=name)
    try:
        if settings.target == "supabase":
            # The platform's schemas come from the compatibility layer in the scratch copy.
            compat = [u for u in render(replace(settings, target="postgres"))
                      if u.source.kind == "compat"]
            with Migrator(scratch, compat, "postgres", log) as migrator:
                migrator.apply()
        with Migrator(scratch, render(settings), settings.target, log) as migrator:
            migrator.apply()
        with psycopg.connect(scratch) as conn:
            return take(conn)
    finally:
        with psycopg.connect(admin_dsn, autocommit=True) as conn:
            conn.execute(sql.SQL("drop database if exists {} with (force)")
                         .format(sql.Identifier(name)))


def drift(dsn: str, settings: Settings,
          log: Callable[[str], None] = lambda _line: None) -> list[Change]:
    """Changes between the live database at ``dsn`` and the sources (empty: no drift)."""
    with psycopg.connect(dsn) as conn:
        live = take(conn)
    log("drift: applying the sources to a scratch database")
    expected = expected_snapshot(dsn, settings, log=lambda _line: None)
    return compare(expected, live, ignore_platform=settings.target == "supabase")


# -- output ------------------------------------------------------------------------------------


def _lines(value: Any) -> list[str]:
    if isinstance(value, str):
        return value.splitlines()
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False).splitlines()


def _field_diff(name: str, want: Any, have: Any) -> list[str]:
    diff = difflib.unified_diff(_lines(want), _lines(have), "sources", "database", lineterm="",
                                n=1)
    return [f"  {name}:"] + [f"    {line}" for line in list(diff)[2:]]


def render_drift(changes: list[Change], fmt: str = "text") -> str:
    if fmt == "json":
        return json.dumps([{"kind": c.kind, "object": c.key, "state": c.state,
                            "fields": {k: {"sources": w, "database": h}
                                       for k, (w, h) in c.fields.items()}}
                           for c in changes], indent=2, ensure_ascii=False) + "\n"
    if not changes:
        return "no drift: the database matches the sources\n"
    out: list[str] = []
    for change in changes:
        if change.state == "missing":
            out.append(f"{change.name}: missing (in the sources, not in the database)")
        elif change.state == "unexpected":
            out.append(f"{change.name}: unexpected (in the database, not in the sources)")
        else:
            out.append(f"{change.name}: changed ({', '.join(change.fields)})")
            for name, (want, have) in change.fields.items():
                out += _field_diff(name, want, have)
    out.append(f"{len(changes)} object(s) differ")
    return "\n".join(out) + "\n"
