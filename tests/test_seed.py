"""`schema-kit seed --demo` builds its data through the real flows and is idempotent."""

from __future__ import annotations

import psycopg

from schema_kit.personas import act_as
from schema_kit.seed import JOAO, MARIA
from support import cli


def _counts(dsn: str) -> tuple[int, ...]:
    with psycopg.connect(dsn) as conn:
        row = conn.execute("""
            select (select count(*) from tickets.tickets),
                   (select count(*) from tickets.ticket_comments),
                   (select count(*) from tickets.chat_mensagens),
                   (select count(*) from realtime.messages),
                   (select count(*) from audit.eventos)""").fetchone()
    assert row is not None
    return tuple(row)


def test_seed_demo_loads_personas_and_flows_once(db: str) -> None:
    code, out, err = cli("seed", "--demo", "--dsn", db)
    assert code == 0, err
    assert "demo data loaded" in err
    assert "joao@cliente.demo" in out
    assert "set_config('request.jwt.claims'" in out
    # What a new backend team needs from `make up`: clients' crm.clientes ids, who is in a
    # Balcão session, a staff snippet, where the docs are.
    assert "cliente_id 0d000000-0000-4000-8000-000000000001  (ativa Balcão Virtual" in out
    assert "act as Ana (staff" in out and "docs/backend.md" in out
    first = _counts(db)
    assert first[0] == 3 and first[2] == 2  # three tickets, two chat messages

    code, out, err = cli("seed", "--demo", "--dsn", db)
    assert code == 0
    assert "already present" in err
    assert _counts(db) == first

    with psycopg.connect(db) as conn, conn.transaction():
        act_as(conn, JOAO)  # the Balcão client: one ticket, imported lines, no internal note
        tickets = conn.execute("select numero, sessao_balcao_id is not null "
                               "from tickets.tickets").fetchall()
        assert tickets == [(1, True)]
        origins = conn.execute("select origem, interno from tickets.ticket_comments").fetchall()
        assert origins == [("balcao_virtual", False)] * 3
        act_as(conn, MARIA)
        assert conn.execute("select status from tickets.tickets").fetchall() == [("resolvido",)]


def test_seed_refuses_an_unmigrated_database(empty_db: str) -> None:
    code, _, err = cli("seed", "--demo", "--dsn", empty_db)
    assert code == 1
    assert "run `schema-kit apply` first" in err
