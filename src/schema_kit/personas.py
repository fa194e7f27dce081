"""Act as a persona inside a transaction, exactly as PostgREST does per request.

PostgREST sets, transaction-locally, ``role`` (SET LOCAL ROLE) and ``request.jwt.claims`` (the
JWT payload); ``auth.uid()`` and RLS read them. ``act_as`` does the same on a psycopg
connection, so tests, the demo seed and ad-hoc scripts see what the API would::

    with conn.transaction():
        act_as(conn, user_id)                      # authenticated, sub = user_id
        conn.execute("select * from tickets.tickets")
"""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

import psycopg

API_ROLES = ("anon", "authenticated", "service_role")


def act_as(conn: psycopg.Connection[Any], user_id: UUID | str | None = None, *,
           role: str = "authenticated", claims: dict[str, Any] | None = None) -> None:
    """Become ``role`` with JWT claims ``{sub: user_id, role}`` until the transaction ends."""
    if role not in API_ROLES:
        raise ValueError(f"role must be one of {', '.join(API_ROLES)}, not {role!r}")
    if conn.autocommit and conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE:
        raise RuntimeError("act_as needs an open transaction (use conn.transaction())")
    payload: dict[str, Any] = {"role": role, **(claims or {})}
    if user_id is not None:
        payload["sub"] = str(user_id)
    conn.execute("select set_config('request.jwt.claims', %s, true), "
                 "set_config('role', %s, true)", (json.dumps(payload), role))


def reset_persona(conn: psycopg.Connection[Any]) -> None:
    """Back to the connection's own user, with no JWT claims, for the rest of the transaction."""
    conn.execute("select set_config('role', 'none', true), "
                 "set_config('request.jwt.claims', '', true)")


def psql_snippet(dsn: str, user_id: UUID | str, query: str) -> str:
    """A copy-paste psql session that runs ``query`` as an authenticated user."""
    claims = json.dumps({"sub": str(user_id), "role": "authenticated"})
    return (f'psql "{dsn}" <<\'SQL\'\n'
            "begin;\n"
            "select set_config('role', 'authenticated', true),\n"
            f"       set_config('request.jwt.claims', '{claims}', true);\n"
            f"{query.rstrip()}\n"
            "rollback;\n"
            "SQL")
