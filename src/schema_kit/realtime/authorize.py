"""Join and send authorization exactly as Supabase Realtime runs it against the database.

Read (at join): in one transaction, insert one probe row per extension for the topic as the
server's own role, become the subscriber (role, ``realtime.topic``, ``request.jwt.claims``,
``request.jwt.claim.sub`` / ``.role``, ``request.headers``), SELECT the probes back under RLS,
roll back. Write (at the first client broadcast): the same settings, an INSERT under a
savepoint; ``insufficient_privilege`` means it may not send. Any database error is a refusal.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import psycopg

from schema_kit.realtime.sql import load


class _Rollback(Exception):
    """Ends the probe transaction: it always rolls back."""


def settings(topic: str, claims: Mapping[str, Any],
             headers: Mapping[str, str] | None = None) -> dict[str, str]:
    """Realtime's settings for a subscriber: role, topic, claims (whole, and sub), headers."""
    return {
        "role": str(claims.get("role") or "anon"),
        "topic": topic,
        "claims": json.dumps(dict(claims)),
        "sub": str(claims.get("sub") or ""),
        "headers": json.dumps(dict(headers or {})),
    }


async def become(conn: psycopg.AsyncConnection[Any], topic: str, claims: Mapping[str, Any],
                 headers: Mapping[str, str] | None = None) -> None:
    """Act as the JWT's role and claims until the transaction ends (Realtime's settings)."""
    await conn.execute(load("act_as"), settings(topic, claims, headers))


async def can_read(conn: psycopg.AsyncConnection[Any], topic: str, claims: Mapping[str, Any],
                   headers: Mapping[str, str] | None = None,
                   extensions: tuple[str, ...] = ("broadcast",)) -> set[str]:
    """The extensions the subscriber may receive on ``topic`` (empty set: refused)."""
    seen: set[str] = set()
    try:
        async with conn.transaction():
            cur = await conn.execute(load("probe_insert"),
                                     {"topic": topic, "extensions": list(extensions)})
            ids = [row[0] for row in await cur.fetchall()]
            await become(conn, topic, claims, headers)
            cur = await conn.execute(load("probe_read"), {"ids": ids})
            seen = {row[0] for row in await cur.fetchall()}
            raise _Rollback
    except _Rollback:
        return seen
    except psycopg.Error:
        return set()


async def can_write(conn: psycopg.AsyncConnection[Any], topic: str, claims: Mapping[str, Any],
                    headers: Mapping[str, str] | None = None) -> bool:
    """Whether the subscriber may send on ``topic`` (Realtime's INSERT probe)."""
    allowed = False
    try:
        async with conn.transaction():
            await become(conn, topic, claims, headers)
            try:
                async with conn.transaction():  # the savepoint Realtime uses
                    await conn.execute(load("probe_write"), {"topic": topic})
                    allowed = True
                    raise _Rollback
            except psycopg.errors.InsufficientPrivilege:
                allowed = False
            raise _Rollback
    except _Rollback:
        return allowed
    except psycopg.Error:
        return False
