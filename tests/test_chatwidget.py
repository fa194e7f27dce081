"""What a ChatWidget does, as the client: load the ticket's history, then receive a staff
message live - with the staff member's display name, never another client's data.

"Receive" reads the broadcast the way every subscriber does (the realtime.messages row, as the
client, under RLS); the live transport itself is tested with Supabase's official clients in
the realtime suites."""

from __future__ import annotations

from typing import Any

import psycopg

from schema_kit.testing import act_as

ESCRITORIO_A = "a0000000-0000-4000-8000-000000000000"
LOGIN_A1 = "00000000-0000-4000-8000-0000000000a2"   # client A1 ("Cliente A1"), ticket a1
ATENDENTE_A = "00000000-0000-4000-8000-0000000000a1"
TICKET_A1 = "70000000-0000-4000-8000-0000000000a1"
TICKET_A2 = "70000000-0000-4000-8000-0000000000a2"  # client A2's

Conn = psycopg.Connection[Any]


def _como(conn: Conn, user: str, query: str, params: tuple[Any, ...] = ()) -> list[Any]:
    with conn.transaction():
        act_as(conn, user)
        cur = conn.execute(query, params)
        return cur.fetchall() if cur.description else []


def test_the_client_sees_staff_messages_with_the_display_name(admin: Conn, db: str) -> None:
    admin.execute("select tests.cenario_politicas()")
    admin.execute("update crm.equipe set nome_exibicao = 'Ana' where user_id = %s", (ATENDENTE_A,))
    with psycopg.connect(db, autocommit=True) as api:
        _como(api, LOGIN_A1, "select tickets.enviar_mensagem(%s, 'Preciso de ajuda')", (TICKET_A1,))
        # Opening the ticket: the history, oldest first, each message with its author's name.
        historico = _como(api, LOGIN_A1,
                          "select autor_tipo, autor_nome, conteudo "
                          "from tickets.historico_chat(%s)", (TICKET_A1,))
        assert historico[-1] == ("cliente", "Cliente A1", "Preciso de ajuda")

        [(mensagem,)] = _como(api, ATENDENTE_A,
                              "select tickets.enviar_mensagem(%s, 'Olá, aqui é a Ana')",
                              (TICKET_A1,))
        # Live: the broadcast the client's subscription delivers, read as the client.
        [(payload,)] = _como(api, LOGIN_A1,
                             "select payload from realtime.messages where id = %s", (mensagem,))
        assert payload["autor_nome"] == "Ana"
        assert payload["autor_tipo"] == "equipe"
        assert set(payload) == {"id", "ticket_id", "autor_id", "autor_tipo", "autor_nome",
                                "conteudo", "enviado_em"}  # no e-mail, no office internals
        historico = _como(api, LOGIN_A1,
                          "select autor_nome, conteudo from tickets.historico_chat(%s)",
                          (TICKET_A1,))
        assert historico[-1] == ("Ana", "Olá, aqui é a Ana")

        # A member without a display name is "Equipe", never a login or an e-mail.
        admin.execute("update crm.equipe set nome_exibicao = null where user_id = %s",
                      (ATENDENTE_A,))
        assert _como(api, LOGIN_A1, "select autor_nome from tickets.historico_chat(%s)",
                     (TICKET_A1,))[-1] == ("Equipe",)

        # Another client's ticket: no history, no broadcast, no name.
        try:
            _como(api, LOGIN_A1, "select * from tickets.historico_chat(%s)", (TICKET_A2,))
            raise AssertionError("another client's history was readable")
        except psycopg.Error as exc:
            assert exc.sqlstate == "SK004"
        assert _como(api, LOGIN_A1, "select count(*) from realtime.messages where topic = %s",
                     (f"ticket:{TICKET_A2}",)) == [(0,)]
