"""Hardening, class 1: code that runs with another role's rights never runs the caller's objects,
and "trusted caller" is a positive rule that fails closed.

Both attacks are tried for real, as the hostile persona would, against the applied schema:

* temp-schema shadowing: a client (authenticated, plain SQL) creates ``pg_temp.uuid`` as a domain
  whose CHECK calls its own ``pg_temp`` function, then uses the API. Any ``::uuid`` resolved
  inside a SECURITY DEFINER function whose search_path does not name pg_temp *last* would run
  that function as the owner. The function records ``current_user`` and what it could count.
* a login that inherits ``authenticated`` (no SET ROLE) used to be "trusted backend" because
  its name is neither anon nor authenticated: it read another client's CRM history with the
  internal notes, and opened tickets with forged tenant columns.

The catalog-wide rule (every definer/domain function pins ``pg_catalog, pg_temp``) is
tests/pgtap/12-function-security.sql.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from psycopg import sql
from psycopg.conninfo import make_conninfo

from schema_kit.testing import act_as

# login of client A1 (ticket a1, which has an internal note)
CLIENTE_A1 = "00000000-0000-4000-8000-0000000000a2"
CLIENTE_A2 = "00000000-0000-4000-8000-0000000000a3"  # login of client A2
CLIENTE_ID_A1 = "c0000000-0000-4000-8000-0000000000a1"
CLIENTE_ID_B1 = "c0000000-0000-4000-8000-0000000000b1"
ESCRITORIO_B = "b0000000-0000-4000-8000-000000000000"
TICKET_A1 = "70000000-0000-4000-8000-0000000000a1"


@pytest.fixture
def cenario(admin: psycopg.Connection[Any]) -> psycopg.Connection[Any]:
    admin.execute("select tests.cenario_politicas()")
    return admin


# The client's payload: a domain named like the built-in type, whose CHECK calls the client's
# own function. Whoever evaluates a cast to pg_temp.uuid runs espiao() with its own rights.
_SHADOW = [
    "create temp table espionagem (quem text, tickets_vistos bigint)",
    """create function pg_temp.espiao(v pg_catalog.uuid) returns boolean
       language plpgsql as $$
       begin
           insert into pg_temp.espionagem
           select current_user, (select count(*) from tickets.tickets);
           return true;
       end $$""",
    "create domain pg_temp.uuid as pg_catalog.uuid check (pg_temp.espiao(value))",
]

# What a portal client does through the API; each of these reaches SECURITY DEFINER code.
_API_CALLS = [
    "select count(*) from tickets.tickets",
    "select count(*) from tickets.ticket_comments",
    "select count(*) from realtime.messages where topic = 'ticket:" + TICKET_A1 + "'",
    "select count(*) from tickets.historico_chat('" + TICKET_A1 + "')",
    "select count(*) from crm.historico_cliente('" + CLIENTE_ID_A1 + "')",
    "select tickets.comentar('" + TICKET_A1 + "', 'comentário do cliente')",
    "select tickets.enviar_mensagem('" + TICKET_A1 + "', 'mensagem do cliente')",
    "select tickets.importar_balcao('" + TICKET_A1 + "')",
    "select (tickets.abrir_ticket('Novo', 'via API')).numero",
]


def test_a_clients_temp_domain_never_runs_as_the_owner(cenario: psycopg.Connection[Any],
                                                         db: str) -> None:
    with psycopg.connect(db) as conn:
        act_as(conn, CLIENTE_A1)
        for statement in _SHADOW:
            conn.execute(statement)
        # Sanity: the payload is live (the client's own cast resolves to its domain).
        conn.execute("select '" + TICKET_A1 + "'::uuid")
        for call in _API_CALLS:
            conn.execute(call)
        quem = conn.execute(
            "select quem, tickets_vistos from pg_temp.espionagem").fetchall()
        conn.rollback()
    # The client's own cast ran the spy (its own business: the client's rights, what RLS shows
    # it)...
    assert quem, "the shadowing domain was never used: the attack did not exercise anything"
    # ...but nothing ran it as anyone else, and it never saw more than the client's tickets.
    assert {papel for papel, _ in quem} == {"authenticated"}, quem
    assert max(vistos for _, vistos in quem) <= 2, quem  # its ticket a1 + the one it opened


@pytest.fixture
def login_que_herda_authenticated(admin: psycopg.Connection[Any]) -> Iterator[str]:
    """A LOGIN role granted ``authenticated`` (INHERIT), as a careless backend would create."""
    nome = f"portal_app_{uuid.uuid4().hex[:8]}"
    admin.execute(sql.SQL("create role {} login inherit in role authenticated")
                  .format(sql.Identifier(nome)))
    try:
        yield nome
    finally:
        admin.execute(sql.SQL("drop role {}").format(sql.Identifier(nome)))


def _como_login(conn: psycopg.Connection[Any], login: str, user_id: str) -> None:
    """On a connection logged in as the login itself (no SET ROLE), take a user's JWT claims.

    (The login connects directly: the tests' migration role is not a superuser, so it cannot
    SET SESSION AUTHORIZATION, as on Supabase.)"""
    assert conn.info.user == login
    conn.execute("select set_config('request.jwt.claims', %s, false)",
                 ('{"sub": "' + user_id + '", "role": "authenticated"}',))


def test_a_login_inheriting_authenticated_is_an_api_user(cenario: psycopg.Connection[Any],
                                                          login_que_herda_authenticated: str,
                                                          db: str) -> None:
    login = login_que_herda_authenticated
    with psycopg.connect(make_conninfo(db, user=login)) as conn:
        _como_login(conn, login, CLIENTE_A2)
        # Another client's CRM history (with its internal note): nothing, as for any client.
        alheio = conn.execute(
            "select tipo, resumo from crm.historico_cliente(%s)", (CLIENTE_ID_A1,)).fetchall()
        assert alheio == []
        # Another ticket's chat: refused like any client's request.
        with pytest.raises(psycopg.Error, match="Chamado não encontrado"):
            conn.execute("select * from tickets.historico_chat(%s)", (TICKET_A1,))
        conn.rollback()

        _como_login(conn, login, CLIENTE_A1)
        proprio = conn.execute(
            "select tipo from crm.historico_cliente(%s)", (CLIENTE_ID_A1,)).fetchall()
        assert proprio, "the client's own history is still there"
        assert ("nota_interna",) not in proprio
        conn.rollback()

        # Writes: tenant columns forged as another office's are refused (SK014), not "as supplied".
        _como_login(conn, login, CLIENTE_A2)
        with pytest.raises(psycopg.Error, match="não confere") as erro:
            conn.execute(
                "insert into tickets.tickets (titulo, escritorio_id, cliente_id)"
                " values (%s, %s, %s)",
                ("forjado", ESCRITORIO_B, CLIENTE_ID_B1))
        assert erro.value.sqlstate == "SK014"
        conn.rollback()


def test_trusted_is_a_positive_rule(cenario: psycopg.Connection[Any],
                                    login_que_herda_authenticated: str) -> None:
    manutencao = f"manutencao_{uuid.uuid4().hex[:8]}"
    linha = cenario.execute("select current_user::text").fetchone()
    assert linha is not None
    superusuario = linha[0]
    cenario.execute(sql.SQL("create role {} login").format(sql.Identifier(manutencao)))
    try:
        veredito = dict(cenario.execute(
            "select p, private.papel_confiavel(p) from unnest(%s::text[]) as p",
            (["service_role", superusuario, manutencao, "anon", "authenticated",
              "authenticator", login_que_herda_authenticated, "no_such_role"],)).fetchall())
    finally:
        cenario.execute(sql.SQL("drop role {}").format(sql.Identifier(manutencao)))
    assert veredito == {
        "service_role": True,
        superusuario: True,          # the applier / a superuser
        manutencao: True,            # a login outside every API role: maintenance
        "anon": False,
        "authenticated": False,
        "authenticator": False,      # may SET ROLE to the API roles
        login_que_herda_authenticated: False,
        "no_such_role": False,       # unknown: fails closed
    }
