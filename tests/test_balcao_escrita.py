"""The Balcão Virtual writer's contract (functions/22_balcao_escrita.sql): service_role starts a
session, registers lines (idempotent by the Balcão system's id, so a retried webhook never
duplicates a line) and ends it; the database links and fills the tickets opened meanwhile.
Only the backend key may call these functions."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import psycopg
import pytest

from schema_kit.testing import act_as

ESCRITORIO_A = "a0000000-0000-4000-8000-000000000000"
CLIENTE_ID_A2 = "c0000000-0000-4000-8000-0000000000a2"  # no Balcão session in the scenario
LOGIN_A2 = "00000000-0000-4000-8000-0000000000a3"
ATENDENTE_A = "00000000-0000-4000-8000-0000000000a1"

Conn = psycopg.Connection[Any]


@pytest.fixture
def api(admin: Conn, db: str) -> Iterator[Conn]:
    admin.execute("select tests.cenario_politicas()")
    with psycopg.connect(db, autocommit=True) as conn:
        yield conn


def _como(conn: Conn, user: str | None, query: str, params: tuple[Any, ...] = ()) -> Any:
    """One committed request as ``user`` (service_role when None); the first column of row 1."""
    with conn.transaction():
        if user is None:
            act_as(conn, None, role="service_role")
        else:
            act_as(conn, user)
        row = conn.execute(query, params).fetchone()
        return row[0] if row else None


def _erro(conn: Conn, user: str | None, query: str, params: tuple[Any, ...] = ()) -> str:
    try:
        _como(conn, user, query, params)
    except psycopg.Error as exc:
        return exc.sqlstate or "?"
    return "accepted"


INICIAR = "select (balcao_virtual.iniciar_sessao(%s, 'whatsapp')).id"
LINHA = "select balcao_virtual.registrar_linha(%s, %s, %s, %s, %s)"
ENCERRAR = "select (balcao_virtual.encerrar_sessao(%s)).status"


def test_a_conversation_through_the_writer_api_reaches_the_ticket_once(api: Conn) -> None:
    sessao = _como(api, None, INICIAR, (CLIENTE_ID_A2,))
    assert _como(api, None, INICIAR, (CLIENTE_ID_A2,)) == sessao  # starting again: same session
    primeira = _como(api, None, LINHA, (sessao, "cliente", "Bom dia", "Cliente A2", "wa-1"))
    # The webhook is retried: the same line id comes back, nothing is added.
    assert _como(api, None, LINHA, (sessao, "cliente", "Bom dia", "Cliente A2", "wa-1")) == primeira
    _como(api, None, LINHA, (sessao, "bot", "Em que posso ajudar?", "Assistente", "wa-2"))
    linhas = _como(api, None,
                   "select count(*) from balcao_virtual.logs_conversas where sessao_id = %s",
                   (sessao,))
    assert linhas == 2

    # The client opens a ticket during the session: linked, whole conversation imported.
    ticket = _como(api, LOGIN_A2, "select (tickets.abrir_ticket('Dúvida', null)).id")
    _como(api, None, LINHA, (sessao, "atendente", "Vou abrir seu chamado.", "Ana", "wa-3"))
    _como(api, None, LINHA, (sessao, "atendente", "Vou abrir seu chamado.", "Ana", "wa-3"))  # retry
    comentarios = api.execute(
        "select autor_tipo, conteudo from tickets.ticket_comments "
        "where ticket_id = %s and origem = 'balcao_virtual' order by created_at, balcao_log_id",
        (ticket,)).fetchall()
    assert comentarios == [("cliente", "Bom dia"), ("sistema", "Em que posso ajudar?"),
                           ("equipe", "Vou abrir seu chamado.")]

    assert _como(api, None, ENCERRAR, (sessao,)) == "encerrada"
    assert _como(api, None, ENCERRAR, (sessao,)) == "encerrada"  # idempotent
    assert _erro(api, None, LINHA, (sessao, "cliente", "Ainda aí?", None, "wa-4")) == "SK032"
    # A retried delivery of a line registered before the end still answers with its id.
    assert _como(api, None, LINHA, (sessao, "cliente", "Bom dia", None, "wa-1")) == primeira


def test_the_writer_api_refuses_bad_input_with_domain_errors(api: Conn) -> None:
    desconhecido = "99999999-0000-4000-8000-000000000000"
    assert _erro(api, None, INICIAR, (desconhecido,)) == "SK030"
    assert _erro(api, None, INICIAR, (LOGIN_A2,)) == "SK030"  # a login id is not a client id
    assert _erro(api, None, LINHA, (desconhecido, "cliente", "x", None, None)) == "SK031"
    assert _erro(api, None, ENCERRAR, (desconhecido,)) == "SK031"
    sessao = _como(api, None, INICIAR, (CLIENTE_ID_A2,))
    assert _erro(api, None, LINHA, (sessao, "robo", "x", None, None)) == "SK013"
    assert _erro(api, None, LINHA, (sessao, "bot", "\u200b ", None, None)) == "SK006"
    assert _erro(api, None, LINHA, (sessao, "bot", "x" * 100_000, None, None)) == "SK007"
    assert _erro(api, None, LINHA, (sessao, "bot", "x", "n" * 1000, None)) == "SK017"
    assert _erro(api, None,
                 "select balcao_virtual.registrar_linha(%s, 'bot', 'x', null, null, "
                 "now() + interval '1 day')", (sessao,)) == "SK013"
    # A blank channel is bad input even when the ativa session exists already.
    assert _erro(api, None, "select balcao_virtual.iniciar_sessao(%s, ' ')",
                 (CLIENTE_ID_A2,)) == "SK016"


@pytest.mark.parametrize("persona", [LOGIN_A2, ATENDENTE_A, "anon"])
def test_only_the_backend_key_writes_conversations(api: Conn, persona: str) -> None:
    sessao = "50000000-0000-4000-8000-0000000000a1"
    chamadas = [(INICIAR, (CLIENTE_ID_A2,)),
                (LINHA, (sessao, "cliente", "forjada", None, None)),
                (ENCERRAR, (sessao,))]
    for query, params in chamadas:
        with pytest.raises(psycopg.errors.InsufficientPrivilege), api.transaction():
            if persona == "anon":
                act_as(api, None, role="anon")
            else:
                act_as(api, persona)
            api.execute(query, params)
