"""Partition upkeep while ``listen`` and ``realtime serve`` run on the compat layer.

On Supabase, Realtime itself creates the daily partitions of ``realtime.messages`` and drops
the expired ones. A long-running local stand-in must do the same or, after a few days, every
insert fails (no partition for today). :func:`keep_partitions` runs
:func:`schema_kit.compat_maintenance.maintain_realtime_partitions` at start and then every
``interval`` seconds; on a database without the compat layer's function (a real Supabase
project) each run is a no-op. A failed run is logged and retried at the next interval: it
never stops delivery.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import psycopg

from schema_kit.compat_maintenance import maintain_realtime_partitions

INTERVAL = 3600.0  # seconds between runs (partitions are daily, created 3 days ahead)


def maintain_once(dsn: str, log: Callable[[str], None]) -> None:
    """One run on its own connection; each change (or the failure) is one log line."""
    try:
        with psycopg.connect(dsn, autocommit=True) as conn:
            changes = maintain_realtime_partitions(conn)
    except psycopg.Error as exc:
        log(f"realtime: partition upkeep failed (retried in {INTERVAL / 60:.0f} min): "
            f"{' '.join(str(exc).split())}")
        return
    for change in changes:
        log(f"realtime: {change.action} realtime.{change.partition}")


async def keep_partitions(dsn: str, log: Callable[[str], None], stop: asyncio.Event,
                          interval: float = INTERVAL, *, first: bool = True) -> None:
    """Run the upkeep (now when ``first``, then every ``interval`` s) until ``stop`` is set."""
    if first:
        await asyncio.to_thread(maintain_once, dsn, log)
    while True:
        try:
            await asyncio.wait_for(stop.wait(), interval)
            return
        except TimeoutError:
            await asyncio.to_thread(maintain_once, dsn, log)
