"""Upkeep of the Supabase compatibility layer that time makes necessary.

On Supabase, Realtime creates the daily partitions of ``realtime.messages`` (yesterday ..
today+3, UTC) and drops those older than 72 hours. Locally nothing runs in the background, so
the tool does it whenever it touches a database: ``schema-kit apply`` (after its transaction
commits), and ``listen`` / ``realtime serve`` when they start::

    with psycopg.connect(dsn, autocommit=True) as conn:
        for change in maintain_realtime_partitions(conn):
            print(change.action, change.partition)

Without the layer (``--target supabase``: the platform does it), the call is a no-op.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import psycopg

from schema_kit import queries

__all__ = ["PartitionChange", "has_partition_maintenance", "maintain_realtime_partitions"]


@dataclass(frozen=True)
class PartitionChange:
    """One partition of realtime.messages created or dropped."""

    action: str  # "created" | "dropped"
    partition: str


def has_partition_maintenance(conn: psycopg.Connection[Any]) -> bool:
    """True when this database has the compat layer's maintenance function."""
    row = conn.execute(queries.load("has_partition_maintenance")).fetchone()
    return bool(row and row[0])


def maintain_realtime_partitions(conn: psycopg.Connection[Any]) -> list[PartitionChange]:
    """Create the missing daily partitions and drop the expired ones; returns what changed.

    Runs in the connection's current transaction (or its own statement in autocommit). A
    database without the compat layer's function is left alone (empty list).
    """
    if not has_partition_maintenance(conn):
        return []
    rows = conn.execute(queries.load("maintain_realtime_partitions")).fetchall()
    return [PartitionChange(str(action), str(name)) for action, name in rows]
