"""The compat layer behaves like the platform where code can notice (issue 8 §1).

What pgTAP cannot show: a session logged in as ``authenticator`` (role settings, role
switching), the WARNING text of ``realtime.send``, the 72-hour purge of realtime.messages with
the chat and CRM history still complete from the archive, the maintenance the tool runs on
apply, and a unit that needs ownership of a platform object failing for the migration role.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from schema_kit.compat_maintenance import PartitionChange, maintain_realtime_partitions
from schema_kit.testing import act_as
from support import cli

ROOT = Path(__file__).resolve().parents[1]


def _one(conn: psycopg.Connection[Any], query: str, params: tuple[Any, ...] = ()) -> Any:
    row = conn.execute(query, params).fetchone()
    assert row is not None
    return row[0]


def test_the_suite_applies_the_domain_as_a_nosuperuser_migration_role(
        admin: psycopg.Connection[Any]) -> None:
    assert _one(admin, "select rolsuper from pg_roles where rolname = current_user") is False
    owners = admin.execute("""
        select n.nspname, r.rolname, r.rolsuper
        from pg_namespace as n join pg_roles as r on r.oid = n.nspowner
        where n.nspname in ('crm', 'tickets', 'balcao_virtual', 'audit', 'auth', 'realtime')
        order by 1""").fetchall()
    assert owners == [
        ("audit", "postgres", False), ("auth", "supabase_auth_admin", False),
        ("balcao_virtual", "postgres", False), ("crm", "postgres", False),
        ("realtime", "supabase_realtime_admin", False), ("tickets", "postgres", False)]


def test_authenticator_logs_in_with_the_platform_timeouts_and_switches_roles(db: str) -> None:
    with psycopg.connect(make_conninfo(db, user="authenticator"), autocommit=True) as conn:
        assert _one(conn, "show statement_timeout") == "8s"
        assert _one(conn, "show lock_timeout") == "8s"
        for role in ("anon", "authenticated", "service_role"):
            conn.execute(f"set role {role}")
            assert _one(conn, "select current_user") == role
            conn.execute("reset role")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("set role postgres")


def test_send_warns_and_writes_nothing_for_an_array_or_scalar_payload(
        admin: psycopg.Connection[Any]) -> None:
    notices: list[str] = []
    admin.add_notice_handler(lambda diag: notices.append(
        f"{diag.severity_nonlocalized}: {diag.message_primary}"))
    admin.execute("select realtime.send('[1]', 'e', 'room:array')")
    admin.execute("select realtime.send('7', 'e', 'room:scalar')")
    admin.execute("select realtime.send('{\"a\": 1}', 'e', 'room:object')")
    assert len(notices) == 2
    assert all(n.startswith("WARNING: WarnSendingBroadcastMessage: ") for n in notices), notices
    rows = admin.execute("select topic, payload ->> 'id' = id::text from realtime.messages "
                         "where topic like 'room:%' order by topic").fetchall()
    assert rows == [("room:object", True)]


def _chat(admin: psycopg.Connection[Any], db: str, count: int) -> tuple[uuid.UUID, uuid.UUID,
                                                                          uuid.UUID]:
    escritorio = _one(admin, "select tests.novo_escritorio()")
    atendente = _one(admin, "select tests.novo_membro(%s, 'atendente')", (escritorio,))
    cliente = _one(admin, "select tests.novo_cliente(%s)", (escritorio,))
    login = _one(admin, "select tests.login_do_cliente(%s)", (cliente,))
    with psycopg.connect(db, autocommit=True) as api:
        with api.transaction():
            act_as(api, login)
            ticket = _one(api, "select id from tickets.abrir_ticket('Contrato', 'Ajuda')")
        for index in range(count):
            with api.transaction():
                act_as(api, login if index % 2 == 0 else atendente)
                api.execute("select tickets.enviar_mensagem(%s, %s)", (ticket, f"mensagem {index}"))
    return ticket, cliente, login


def test_purge_after_72_hours_leaves_chat_crm_history_and_catch_up_complete(
        admin: psycopg.Connection[Any], db: str) -> None:
    ticket, cliente, login = _chat(admin, db, 7)
    topic = f"ticket:{ticket}"
    assert _one(admin, "select count(*) from realtime.messages where topic = %s "
                       "and event = 'mensagem'", (topic,)) == 7

    # Four days later, Realtime's janitor runs: today's partition is older than 72 hours.
    changes = admin.execute("select action, partition_name from realtime.maintain_partitions("
                            "now() + interval '4 days') order by 1, 2").fetchall()
    today = _one(admin, "select 'messages_' || to_char(now() at time zone 'UTC', 'YYYY_MM_DD')")
    assert ("dropped", today) in changes
    assert _one(admin, "select count(*) from realtime.messages where topic = %s", (topic,)) == 0

    with psycopg.connect(db, autocommit=True) as api, api.transaction():
        act_as(api, login)
        history = api.execute("select conteudo from tickets.historico_chat(%s)",
                              (ticket,)).fetchall()
        assert [h[0] for h in history] == [f"mensagem {i}" for i in range(7)]

        # Catch-up after a long disconnection: page backwards from the newest, 3 at a time.
        pages: list[str] = []
        antes: datetime | None = None
        while True:
            page = api.execute("select conteudo, enviado_em from tickets.historico_chat(%s, %s, 3)",
                               (ticket, antes)).fetchall()
            if not page:
                break
            pages = [p[0] for p in page] + pages
            antes = page[0][1]
        assert pages == [f"mensagem {i}" for i in range(7)]

        crm = api.execute("select tipo, count(*) from crm.historico_cliente(%s) group by tipo "
                          "order by tipo", (cliente,)).fetchall()
        assert crm == [("mensagem", 7), ("ticket", 1)]


def test_maintenance_recreates_a_missing_partition_and_apply_runs_it(
        admin_dsn: str, db: str) -> None:
    platform = make_conninfo(admin_dsn, dbname=conninfo_to_dict(db)["dbname"])
    with psycopg.connect(db, autocommit=True) as conn:
        tomorrow = _one(conn, "select 'messages_' || to_char((now() at time zone 'UTC') "
                              "+ interval '1 day', 'YYYY_MM_DD')")
        assert maintain_realtime_partitions(conn) == []
    with psycopg.connect(platform, autocommit=True) as conn:
        conn.execute(f"drop table realtime.{tomorrow}")
    with psycopg.connect(db, autocommit=True) as conn:
        assert maintain_realtime_partitions(conn) == [PartitionChange("created", tomorrow)]
        conn.execute(f"select 1 from realtime.{tomorrow}")
    with psycopg.connect(platform, autocommit=True) as conn:
        conn.execute(f"drop table realtime.{tomorrow}")
    code, _, err = cli("apply", "--dsn", db)
    assert code == 0, err
    assert "nothing to do" in err
    assert f"created      realtime.{tomorrow}" in err


@pytest.mark.parametrize("statement", [
    "create index messages_topic on realtime.messages (topic);",
    "alter table auth.users add column apelido text;",
    "create function realtime.minha() returns int language sql as 'select 1';",
])
def test_a_unit_needing_ownership_of_a_platform_object_fails_as_on_supabase(
        db: str, sources: Path, statement: str) -> None:
    (sources / "migrations" / "9999_platform.sql").write_text(statement + "\n")
    (sources / "migrations" / "9999_platform.rollback.sql").write_text("select 1;\n")
    code, _, err = cli("apply", "--dsn", db, "--sources", str(sources))
    assert code == 1
    assert "42501" in err
    assert "nothing was changed" in err
