"""``schema-kit explain``: why can (or can't) this user see or change this row or topic.

Everything is evaluated on the live database inside a transaction that is rolled back: the
persona the helpers derive for the user, each applicable policy's USING / WITH CHECK on a copy
of the row *as that user* (role + JWT claims, as PostgREST sets them), the grants, and finally
the statement itself run as the user (select / update / delete; an insert is judged by grants
and WITH CHECK on a row like this one, because the row already exists).
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from typing import Any

import psycopg
from psycopg import sql

from schema_kit.errors import SchemaKitError
from schema_kit.inspect.sql import load
from schema_kit.personas import act_as, reset_persona

PERSONA_HELPERS = ("cliente_do_usuario", "escritorio_do_cliente", "escritorios_da_equipe",
                   "escritorios_supervisionados")


@dataclass(frozen=True)
class Request:
    user: str  # an auth.users id, "anon" or "service_role"
    table: str | None = None
    row_id: str | None = None
    topic: str | None = None
    op: str = "select"


@dataclass
class PolicyVerdict:
    name: str
    permissive: bool
    command: str
    expression: str
    passed: bool | None
    error: str | None = None


@dataclass
class Explanation:
    user: str
    role: str
    persona: str
    table: str
    row: str
    op: str
    helpers: dict[str, Any] = field(default_factory=dict)
    grants: dict[str, bool] = field(default_factory=dict)
    bypass_rls: bool = False
    policies: list[PolicyVerdict] = field(default_factory=list)
    policies_allow: bool = False
    statement: str = ""
    allowed: bool = False
    reason: str = ""


def _role_of(user: str) -> tuple[str, str | None]:
    if user in ("anon", "service_role"):
        return user, None
    if not re.fullmatch(r"[0-9a-fA-F-]{32,36}", user):
        raise SchemaKitError(f"--user must be an auth.users id (uuid), anon or service_role, "
                             f"not {user!r}")
    return "authenticated", user


def _table_name(conn: psycopg.Connection[Any], table: str) -> tuple[str, str]:
    row = conn.execute("""select n.nspname::text, c.relname::text from pg_catalog.pg_class c
        join pg_catalog.pg_namespace n on n.oid = c.relnamespace
        where c.oid = pg_catalog.to_regclass(%s)""", (table,)).fetchone()
    if row is None:
        raise SchemaKitError(f"no table {table}")
    return row[0], row[1]


def _message(exc: psycopg.Error) -> str:
    return f"{exc.sqlstate}: {(exc.diag.message_primary or str(exc)).strip()}"


def _persona(conn: psycopg.Connection[Any], role: str, user_id: str | None,
             helpers: dict[str, Any]) -> str:
    if role != "authenticated":
        return {"anon": "anon (public key, no user)",
                "service_role": "service_role (backend key; bypasses RLS)"}[role]
    exists = conn.execute("select 1 from auth.users where id = %s", (user_id,)).fetchone()
    if exists is None:
        return "authenticated, but no such auth.users row (no persona)"
    client = helpers.get("cliente_do_usuario")
    staff = helpers.get("escritorios_da_equipe") or []
    parts = []
    if client:
        parts.append(f"cliente {client} of office {helpers.get('escritorio_do_cliente')}")
    memberships = conn.execute("""select escritorio_id::text, papel::text, ativo
        from crm.equipe where user_id = %s order by 1""", (user_id,)).fetchall()
    for office, papel, active in memberships:
        state = "active" if active and office in [str(s) for s in staff] else "INACTIVE"
        parts.append(f"equipe ({papel}, {state}) of office {office}")
    return "; ".join(parts) or "authenticated with no client record and no staff membership"


def explain(dsn: str, request: Request) -> Explanation:
    """Evaluate the request on the database at ``dsn`` (nothing is kept)."""
    role, user_id = _role_of(request.user)
    op = request.op.lower()
    with psycopg.connect(dsn) as conn, conn.transaction(force_rollback=True):
        if request.topic is not None:
            if op not in ("select", "insert"):
                raise SchemaKitError("a topic is joined (select) or sent on (insert)")
            schema, table = "realtime", "messages"
            label = f"topic {request.topic} (a Realtime join probe: extension broadcast)"
            row_id = None
            if op == "select":  # the read probe: a row on the topic, then SELECT it as the user
                row = conn.execute(load("explain_probe"), (request.topic,)).fetchone()
                assert row is not None
                row_id = row[0]
        else:
            if request.table is None or request.row_id is None:
                raise SchemaKitError("explain needs --table and --id, or --topic")
            schema, table = _table_name(conn, request.table)
            row_id = request.row_id
            label = f"{schema}.{table} id={row_id}"
        qualified = sql.Identifier(schema, table)
        try:
            found = [1] if row_id is None else conn.execute(
                sql.SQL("select count(*) from {} where id::text = %s").format(qualified),
                (row_id,)).fetchone()
        except psycopg.errors.UndefinedColumn:
            raise SchemaKitError(f"{schema}.{table} has no id column") from None
        if not found or found[0] != 1:
            raise SchemaKitError(f"no row {label}")
        result = Explanation(request.user, role, "", f"{schema}.{table}", label, op)

        # The persona: the helpers' answers as the user (role + JWT claims).
        act_as(conn, user_id, role=role)
        for name, returns_set in conn.execute(load("explain_helpers")).fetchall():
            call = sql.SQL("select array(select {}())" if returns_set else "select {}()").format(
                sql.Identifier("private", name))
            try:
                with conn.transaction():
                    value = conn.execute(call).fetchone()
                result.helpers[name] = [str(v) for v in value[0]] if returns_set and value \
                    else (str(value[0]) if value and value[0] is not None else None)
            except psycopg.Error as exc:
                result.helpers[name] = f"raised {_message(exc)}"
        reset_persona(conn)
        result.persona = _persona(conn, role, user_id, result.helpers)

        # Grants and RLS.
        grants = conn.execute(load("explain_grants"), {
            "role": role, "schema": schema, "table": result.table, "op": op.upper()}).fetchone()
        assert grants is not None
        result.grants = {f"USAGE on schema {schema}": bool(grants[0]),
                         f"{op.upper()} on {result.table}": bool(grants[1])}
        result.bypass_rls = bool(grants[2]) or not grants[3]

        # Each applicable policy, evaluated as the user on a copy of the row (for the write probe
        # of a topic: on the row Realtime would insert, which does not exist yet).
        conn.execute(sql.SQL("create temp table schema_kit_explain_row on commit drop as "
                             "select * from {} where id::text = %s").format(qualified),
                     (row_id or "",))
        if row_id is None:
            conn.execute("""insert into pg_temp.schema_kit_explain_row
                (id, topic, extension, private, inserted_at, updated_at)
                values (gen_random_uuid(), %s, 'broadcast', true, now(), now())""",
                         (request.topic,))
        conn.execute(sql.SQL("grant select on pg_temp.schema_kit_explain_row to {}")
                     .format(sql.Identifier(role)))
        policies = conn.execute(load("explain_policies"), {
            "table": result.table, "cmd": op.upper(), "role": role}).fetchall()
        act_as(conn, user_id, role=role)
        for name, permissive, cmd, _roles, qual, with_check in policies:
            # UPDATE: the row must be reachable (USING) and stay valid (WITH CHECK, here on the
            # unchanged row); INSERT: WITH CHECK on a row like this one.
            if op == "insert":
                expression, shown = with_check or qual, f"WITH CHECK {with_check or qual}"
            elif op == "update" and with_check and with_check != qual:
                expression = f"({qual}) AND ({with_check})"
                shown = f"USING {qual} WITH CHECK {with_check}"
            else:
                expression, shown = qual, f"USING {qual}"
            verdict = PolicyVerdict(name, permissive == "PERMISSIVE", cmd, shown, None)
            try:
                with conn.transaction():
                    value = conn.execute(sql.SQL("select ({}) from pg_temp.schema_kit_explain_row "
                                                 "as {}").format(sql.SQL(expression),
                                                                 sql.Identifier(table))).fetchone()
                verdict.passed = bool(value and value[0])
            except psycopg.Error as exc:
                verdict.error = _message(exc)
                verdict.passed = False
            result.policies.append(verdict)
        permissive_ok = any(v.passed for v in result.policies if v.permissive)
        restrictive_ok = all(v.passed for v in result.policies if not v.permissive)
        result.policies_allow = result.bypass_rls or (permissive_ok and restrictive_ok)

        _run_statement(conn, result, qualified, row_id, request.topic)
    return result


def _run_statement(conn: psycopg.Connection[Any], result: Explanation,
                   qualified: sql.Identifier, row_id: str | None, topic: str | None) -> None:
    """The final answer: the statement itself, as the user, rolled back."""
    granted = all(result.grants.values())
    if row_id is None:  # Realtime's write probe: an INSERT as the user (42501 = may not send)
        result.statement = (f"insert into realtime.messages (topic, extension, private) "
                            f"values ({topic!r}, 'broadcast', true)")
        try:
            with conn.transaction(force_rollback=True):
                conn.execute(load("explain_probe"), (topic,))
            result.allowed, outcome = True, "inserted"
        except psycopg.Error as exc:
            result.allowed, outcome = False, f"raised {_message(exc)}"
        result.statement += f" -> {outcome}"
    elif result.op == "insert":
        result.statement = "not run (the row exists): grants and WITH CHECK on a row like it"
        result.allowed = granted and result.policies_allow
    else:
        statements = {
            "select": "select count(*) from {} where id::text = %s",
            "update": "with t as (update {} set id = id where id::text = %s returning 1) "
                      "select count(*) from t",
            "delete": "with t as (delete from {} where id::text = %s returning 1) "
                      "select count(*) from t",
        }
        query = sql.SQL(statements[result.op]).format(qualified)
        result.statement = query.as_string(conn).replace("%s", repr(row_id))
        try:
            with conn.transaction(force_rollback=True):
                row = conn.execute(query, (row_id,)).fetchone()
            touched = int(row[0]) if row else 0
            result.allowed = touched == 1
            outcome = f"{touched} row(s)" + (" (RLS filtered it)" if not touched else "")
        except psycopg.Error as exc:
            result.allowed = False
            outcome = f"raised {_message(exc)}"
        result.statement += f" -> {outcome}"
    reset_persona(conn)
    granting = [v.name for v in result.policies if v.passed and v.permissive]
    if not granted:
        missing = [name for name, ok in result.grants.items() if not ok]
        result.reason = f"no privilege: {result.role} lacks {', '.join(missing)}"
    elif result.bypass_rls:
        result.reason = f"{result.role} bypasses row level security; the grant decides"
    elif not result.policies:
        result.reason = f"no policy for {result.op.upper()} applies to {result.role}"
    elif not result.policies_allow:
        result.reason = "no permissive policy passes on this row" if not granting else \
            "a restrictive policy fails on this row"
    else:
        result.reason = "granted by policy " + ", ".join(f'"{n}"' for n in granting)
    if result.allowed != (granted and result.policies_allow) and (
            result.op != "insert" or row_id is None):
        result.reason += " (but the statement itself decided otherwise: see below)"


def render_explanation(result: Explanation, fmt: str = "text") -> str:
    if fmt == "json":
        return json.dumps(asdict(result), indent=2, ensure_ascii=False) + "\n"
    lines = [f"user:     {result.user} (role {result.role})",
             f"persona:  {result.persona}",
             f"target:   {result.op.upper()} {result.row}"]
    lines.append("helpers (called as the user):")
    lines += [f"  private.{name}() = {value}" for name, value in result.helpers.items()]
    lines.append("grants:")
    lines += [f"  {'yes' if ok else 'NO '} {result.role}: {what}" for what, ok in
              result.grants.items()]
    if result.bypass_rls:
        lines.append("row level security: not applied (role bypasses RLS or table has none)")
    lines.append(f"policies for {result.op.upper()} to {result.role} "
                 "(permissive OR'ed, restrictive AND'ed), evaluated on this row:")
    if not result.policies:
        lines.append("  (none)")
    for verdict in result.policies:
        mark = "PASS" if verdict.passed else "fail"
        kind = "" if verdict.permissive else " [restrictive]"
        lines.append(f"  {mark} \"{verdict.name}\"{kind}: {verdict.expression}")
        if verdict.error:
            lines.append(f"       raised {verdict.error}")
    lines.append(f"statement as the user: {result.statement}")
    lines.append(f"answer:   {'ALLOWED' if result.allowed else 'DENIED'} - {result.reason}")
    return "\n".join(lines) + "\n"
