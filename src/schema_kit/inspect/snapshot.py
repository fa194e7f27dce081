"""One read of the catalog: every schema, relation, function, trigger, policy, grant and type.

A snapshot is plain data (``{kind: {key: definition}}``, JSON-ready, sorted), so two of them
can be compared (drift), printed (audit) or checked (lint) the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import psycopg

from schema_kit.inspect.sql import load

#: Kinds of objects, in the order reports show them.
KINDS = ("schemas", "types", "tables", "functions", "triggers", "policies", "grants")
#: Schemas that are not the project's: yoyo's bookkeeping and the test support (pgTAP, helpers).
EXCLUDED_SCHEMAS = ("schema_kit", "extensions", "tests")


@dataclass
class Snapshot:
    """Catalog definitions per kind and key."""

    objects: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    server_version: str = ""

    def of(self, kind: str) -> dict[str, dict[str, Any]]:
        return self.objects.get(kind, {})

    def to_json(self) -> dict[str, Any]:
        return {kind: self.of(kind) for kind in KINDS}


def take(conn: psycopg.Connection[Any],
         excluded: tuple[str, ...] = EXCLUDED_SCHEMAS) -> Snapshot:
    """Read every kind of object from the connection's database (read-only)."""
    snap = Snapshot()
    row = conn.execute("select current_setting('server_version')").fetchone()
    snap.server_version = str(row[0]) if row else ""
    for kind in KINDS:
        rows = conn.execute(load(f"snapshot_{kind}"), {"excluded": list(excluded)}).fetchall()
        snap.objects[kind] = {str(key): dict(definition) for key, definition in rows}
    return snap
