"""Ticket + chat (flows 1, 3, 4, 5) end to end, each step committed as the persona that makes it
in the real API: a client opens a ticket, client and staff chat, the history pages in order,
comments and status changes broadcast, a closed ticket refuses messages, the first staff answer
stamps primeira_resposta_em. And 50 concurrent openings in one office number 1..50.

Every test commits, so each runs in its own clone of the template (the ``db`` fixture).
"""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import psycopg
import pytest

from schema_kit.testing import act_as


@dataclass
class Escritorio:
    id: uuid.UUID
    atendente: uuid.UUID
    cliente: uuid.UUID
    login_cliente: uuid.UUID



def _um(conn: psycopg.Connection[Any], query: str, params: tuple[Any, ...] = ()) -> Any:
    row = conn.execute(query, params).fetchone()
    assert row is not None
    return row[0]


def novo_escritorio(admin: psycopg.Connection[Any]) -> Escritorio:
    """An office with one active atendente and one client with a portal login (committed)."""
    escritorio = _um(admin, "select tests.novo_escritorio()")
    atendente = _um(admin, "select tests.novo_membro(%s, 'atendente')", (escritorio,))
    cliente = _um(admin, "select tests.novo_cliente(%s)", (escritorio,))
    login = _um(admin, "select tests.login_do_cliente(%s)", (cliente,))
    return Escritorio(escritorio, atendente, cliente, login)


def como(conn: psycopg.Connection[Any], user: uuid.UUID, query: str,
         params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Run one statement as ``user`` in its own committed transaction (one API request)."""
    with conn.transaction():
        act_as(conn, user)
        return conn.execute(query, params).fetchall()


def test_ticket_and_chat_flow(admin: psycopg.Connection[Any], db: str) -> None:
    esc = novo_escritorio(admin)
    with psycopg.connect(db, autocommit=True) as api:
        # Flow 1: the client opens a ticket for itself.
        [(ticket, numero, cliente, escritorio, status)] = como(
            api, esc.login_cliente,
            "select id, numero, cliente_id, escritorio_id, status "
            "from tickets.abrir_ticket('Notificação do contrato', 'Recebi uma notificação', "
            "'alta')")
        assert (numero, cliente, escritorio, status) == (1, esc.cliente, esc.id, "aberto")
        assert _um(admin, "select count(*) from realtime.messages where topic = %s "
                   "and event = 'ticket_criado' and (payload ->> 'ticket_id')::uuid = %s",
                   (f"escritorio:{esc.id}", ticket)) == 1

        # Flow 3: client and staff chat; each message twice, same id.
        enviadas = []
        for n, autor in enumerate([esc.login_cliente, esc.atendente, esc.login_cliente,
                                   esc.atendente, esc.login_cliente]):
            [(mensagem,)] = como(api, autor, "select tickets.enviar_mensagem(%s, %s)",
                                 (ticket, f"mensagem {n}"))
            enviadas.append(mensagem)
        linhas = admin.execute(
            "select m.id, m.topic, m.event, m.extension, m.private, c.autor_tipo, c.conteudo "
            "from tickets.chat_mensagens as c join realtime.messages as m on m.id = c.id "
            "where c.ticket_id = %s order by c.enviado_em", (ticket,)).fetchall()
        assert [r[0] for r in linhas] == enviadas
        assert {r[1:5] for r in linhas} == {(f"ticket:{ticket}", "mensagem", "broadcast", True)}
        assert [r[5] for r in linhas] == ["cliente", "equipe", "cliente", "equipe", "cliente"]
        assert _um(admin, "select count(*) from realtime.messages where event = 'mensagem'") == 5

        # The first staff message stamped primeira_resposta_em, with its own enviado_em.
        assert _um(admin, "select primeira_resposta_em = (select enviado_em from "
                   "tickets.chat_mensagens where id = %s) from tickets.tickets where id = %s",
                   (enviadas[1], ticket)) is True

        # historico_chat pages the archive: newest page first, oldest first within a page.
        paginas: list[list[uuid.UUID]] = []
        antes = None
        while True:
            pagina = como(api, esc.login_cliente,
                          "select id, enviado_em from tickets.historico_chat(%s, %s, 2)",
                          (ticket, antes))
            if not pagina:
                break
            paginas.append([r[0] for r in pagina])
            antes = pagina[0][1]
        assert paginas == [enviadas[3:5], enviadas[1:3], enviadas[0:1]]

        # Flow 4: a public staff comment broadcasts comentario on the ticket topic; an internal
        # note goes to the office topic and the client never reads it.
        [(comentario,)] = como(api, esc.atendente,
                               "select id from tickets.comentar(%s, 'Documentos recebidos')",
                               (ticket,))
        [(nota,)] = como(api, esc.atendente,
                         "select id from tickets.comentar(%s, 'Verificar prazo', true)", (ticket,))
        assert admin.execute("select id, topic, event from realtime.messages where id in (%s, %s) "
                             "order by event", (comentario, nota)).fetchall() == [
            (comentario, f"ticket:{ticket}", "comentario"),
            (nota, f"escritorio:{esc.id}", "nota_interna")]
        visiveis = como(api, esc.login_cliente,
                        "select id from tickets.ticket_comments where ticket_id = %s", (ticket,))
        assert visiveis == [(comentario,)]

        # Flow 5: staff resolve, the client closes; each change broadcasts ticket_atualizado.
        assert como(api, esc.atendente, "update tickets.tickets set status = 'resolvido' "
                    "where id = %s returning status", (ticket,)) == [("resolvido",)]
        assert como(api, esc.login_cliente, "update tickets.tickets set status = 'fechado' "
                    "where id = %s returning status", (ticket,)) == [("fechado",)]
        mudancas = admin.execute(
            "select payload ->> 'status_anterior', payload ->> 'status' from realtime.messages "
            "where topic = %s and event = 'ticket_atualizado' order by inserted_at, "
            "payload ->> 'status'", (f"ticket:{ticket}",)).fetchall()
        assert mudancas == [("aberto", "resolvido"), ("resolvido", "fechado")]

        # A fechado ticket takes no new messages nor comments, and nothing is left behind.
        for autor in (esc.login_cliente, esc.atendente):
            with pytest.raises(psycopg.Error) as erro:
                como(api, autor, "select tickets.enviar_mensagem(%s, 'ainda aí?')", (ticket,))
            assert erro.value.sqlstate == "SK005"
        with pytest.raises(psycopg.Error) as erro:
            como(api, esc.login_cliente, "select tickets.comentar(%s, 'ainda aí?')", (ticket,))
        assert erro.value.sqlstate == "SK005"
        assert _um(admin, "select count(*) from tickets.chat_mensagens") == 5
        assert _um(admin, "select count(*) from realtime.messages where event = 'mensagem'") == 5


def test_client_of_another_ticket_cannot_chat_nor_read(admin: psycopg.Connection[Any],
                                                       db: str) -> None:
    esc = novo_escritorio(admin)
    outro_cliente = _um(admin, "select tests.novo_cliente(%s)", (esc.id,))
    intruso = _um(admin, "select tests.login_do_cliente(%s)", (outro_cliente,))
    outro = novo_escritorio(admin)
    with psycopg.connect(db, autocommit=True) as api:
        [(ticket,)] = como(api, esc.login_cliente,
                           "select id from tickets.abrir_ticket('Oi', null)")
        como(api, esc.login_cliente, "select tickets.enviar_mensagem(%s, 'privado')", (ticket,))
        for user in (intruso, outro.atendente):
            for query in ("select tickets.enviar_mensagem(%s, 'intruso')",
                          "select * from tickets.historico_chat(%s)"):
                with pytest.raises(psycopg.Error) as erro:
                    como(api, user, query, (ticket,))
                assert erro.value.sqlstate == "SK004"
            assert como(api, user, "select id from tickets.chat_mensagens") == []
    assert _um(admin, "select count(*) from tickets.chat_mensagens") == 1


def test_fifty_concurrent_openings_number_one_to_fifty(admin: psycopg.Connection[Any],
                                                       db: str) -> None:
    """50 connections open a ticket in the same office at the same moment (half as the client,
    half as staff for that client), each committing; 10 more open one and roll back. The
    committed numbers are exactly 1..50: no gap, no duplicate."""
    esc = novo_escritorio(admin)
    commits, rollbacks = 50, 10
    largada = threading.Barrier(commits + rollbacks)

    def abrir(n: int) -> int | None:
        autor = esc.login_cliente if n % 2 else esc.atendente
        with psycopg.connect(db) as conn:
            act_as(conn, autor)  # the implicit transaction: commit/rollback below ends it
            largada.wait(timeout=60)
            numero: int = _um(conn, "select numero from tickets.abrir_ticket(%s, null, 'media', "
                              "null, %s)", (f"Chamado {n}", esc.cliente))
            if n >= commits:
                conn.rollback()
                return None
            conn.commit()
            return numero

    with ThreadPoolExecutor(max_workers=commits + rollbacks) as pool:
        resultados = list(pool.map(abrir, range(commits + rollbacks)))

    numeros = [r[0] for r in admin.execute(
        "select numero from tickets.tickets where escritorio_id = %s order by numero", (esc.id,))]
    assert numeros == list(range(1, commits + 1))
    assert sorted(r for r in resultados if r is not None) == numeros
    assert _um(admin, "select ultimo_numero from tickets.numeracao where escritorio_id = %s",
               (esc.id,)) == commits
    assert _um(admin, "select count(*) from realtime.messages where event = 'ticket_criado' "
               "and topic = %s", (f"escritorio:{esc.id}",)) == commits
