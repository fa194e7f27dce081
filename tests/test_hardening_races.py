"""Hardening, class 2: no write lands on a ticket after it is closed, under concurrency.

Every path that writes under a ticket is raced against a staff member closing it, with two real
connections and both orderings forced (the first transaction is held open while the second
runs; the test waits until the second is blocked on a lock - or has finished - before letting
the first commit):

* close first: the write waits for the close and then refuses (SK005), or - for a Balcão line,
  which belongs to the session - lands in the log but not in the closed ticket;
* write first: the close waits for the write; every row under the ticket is dated no later
  than fechado_em.

``WRITE_PATHS`` must cover every table with a ``ticket_id`` that an API role may insert into:
``test_every_ticket_gated_table_has_a_raced_write_path`` checks that against the catalog.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import psycopg
import pytest

from schema_kit.testing import act_as

ESCRITORIO_A = "a0000000-0000-4000-8000-000000000000"
CLIENTE_ID_A1 = "c0000000-0000-4000-8000-0000000000a1"
LOGIN_A1 = "00000000-0000-4000-8000-0000000000a2"
ATENDENTE_A = "00000000-0000-4000-8000-0000000000a1"
SUPERVISOR_A = "00000000-0000-4000-8000-0000000000a5"
TICKET = "70000000-0000-4000-8000-0000000000a1"  # client A1's, linked to its ativa Balcão session
SESSAO = "50000000-0000-4000-8000-0000000000a1"

Conn = psycopg.Connection[Any]


@dataclass(frozen=True)
class Caminho:
    """One way of writing under the ticket; ``escrever`` runs inside an open transaction."""

    nome: str
    tabela: str
    escrever: Callable[[Conn], object]
    recusa: str | None = "SK005"  # None: the write itself succeeds, only the ticket is spared


def _como(conn: Conn, user: str | None) -> None:
    if user is None:
        act_as(conn, None, role="service_role")
    else:
        act_as(conn, user)


def _sql(user: str | None, query: str, params: tuple[Any, ...] = ()) -> Callable[[Conn], object]:
    def escrever(conn: Conn) -> object:
        _como(conn, user)
        return conn.execute(query, params)
    return escrever


WRITE_PATHS = [
    Caminho("chat: enviar_mensagem as the client", "tickets.chat_mensagens",
            _sql(LOGIN_A1, "select tickets.enviar_mensagem(%s, 'mensagem')", (TICKET,))),
    Caminho("chat: plain INSERT as service_role", "tickets.chat_mensagens",
            _sql(None, "insert into tickets.chat_mensagens "
                       "(ticket_id, escritorio_id, autor_id, autor_tipo, conteudo) "
                       "values (%s, %s, %s, 'cliente', 'mensagem')",
                 (TICKET, ESCRITORIO_A, LOGIN_A1))),
    Caminho("comment: comentar as a supervisor", "tickets.ticket_comments",
            _sql(SUPERVISOR_A, "select tickets.comentar(%s, 'comentário')", (TICKET,))),
    Caminho("comment: plain INSERT as the client", "tickets.ticket_comments",
            _sql(LOGIN_A1, "insert into tickets.ticket_comments (ticket_id, conteudo) "
                           "values (%s, 'comentário')", (TICKET,))),
    Caminho("comment: plain INSERT as service_role", "tickets.ticket_comments",
            _sql(None, "insert into tickets.ticket_comments (ticket_id, conteudo) "
                       "values (%s, 'comentário')", (TICKET,))),
    Caminho("comment: importar_balcao re-sync as staff", "tickets.ticket_comments",
            _sql(ATENDENTE_A, "select tickets.importar_balcao(%s)", (TICKET,))),
    Caminho("comment: Balcão line appended by service_role", "tickets.ticket_comments",
            _sql(None, "insert into balcao_virtual.logs_conversas "
                       "(sessao_id, escritorio_id, autor_tipo, mensagem) "
                       "values (%s, %s, 'cliente', 'linha nova')", (SESSAO, ESCRITORIO_A)),
            recusa=None),
    Caminho("document attached by the client", "crm.documentos",
            _sql(LOGIN_A1, "insert into crm.documentos "
                           "(escritorio_id, cliente_id, ticket_id, nome_arquivo, storage_path, "
                           "enviado_por) values (%s, %s, %s, 'f.pdf', %s, %s)",
                 (ESCRITORIO_A, CLIENTE_ID_A1, TICKET,
                  f"{ESCRITORIO_A}/{CLIENTE_ID_A1}/f.pdf", LOGIN_A1))),
]

# What "dated" means per table, to compare with fechado_em.
_MOMENTO = {"tickets.chat_mensagens": "enviado_em", "tickets.ticket_comments": "created_at",
            "crm.documentos": "created_at"}


@pytest.fixture
def cenario(admin: Conn) -> Conn:
    admin.execute("select tests.cenario_politicas()")
    # The scenario opens the tickets before the sessions: link ticket a1 to its client's ativa
    # session as an opening during the session would have (the link is fixed after insert).
    fixa = "alter table tickets.tickets {} trigger tickets_21_sessao_balcao_fixa"
    admin.execute(fixa.format("disable"))
    admin.execute("update tickets.tickets set sessao_balcao_id = %s where id = %s",
                  (SESSAO, TICKET))
    admin.execute(fixa.format("enable"))
    # A line logged while the append was off: importar_balcao has something to re-sync.
    anexar = "alter table balcao_virtual.logs_conversas {} trigger logs_conversas_50_anexar"
    admin.execute(anexar.format("disable"))
    admin.execute("insert into balcao_virtual.logs_conversas (sessao_id, escritorio_id, "
                  "autor_tipo, mensagem) values (%s, %s, 'atendente', 'linha perdida')",
                  (SESSAO, ESCRITORIO_A))
    admin.execute(anexar.format("enable"))
    return admin


class Em2oPlano(threading.Thread):
    """Runs ``corpo`` on its own connection in a transaction, then commits; keeps the outcome."""

    def __init__(self, db: str, corpo: Callable[[Conn], object]) -> None:
        super().__init__(daemon=True)
        self.conn = psycopg.connect(db)
        self.pid = self.conn.info.backend_pid
        self.corpo = corpo
        self.erro: psycopg.Error | None = None

    def run(self) -> None:
        try:
            self.corpo(self.conn)
            self.conn.commit()
        except psycopg.Error as exc:
            self.erro = exc
            self.conn.rollback()
        finally:
            self.conn.close()


def _bloqueado_ou_pronto(admin: Conn, outro: Em2oPlano) -> str:
    """Wait until the other transaction waits on a lock ('waits') or has finished ('done')."""
    limite = time.monotonic() + 30
    while time.monotonic() < limite:
        if not outro.is_alive():
            return "done"
        linha = admin.execute("select wait_event_type from pg_stat_activity where pid = %s",
                              (outro.pid,)).fetchone()
        if linha is not None and linha[0] == "Lock":
            return "waits"
        time.sleep(0.01)
    raise AssertionError("the second transaction neither finished nor waited within 30 s")


def _fechar(conn: Conn) -> object:
    _como(conn, ATENDENTE_A)
    return conn.execute("update tickets.tickets set status = 'fechado' where id = %s", (TICKET,))


def _depois_do_fechamento(admin: Conn) -> list[str]:
    """Rows under the ticket dated after its fechado_em (must be none)."""
    tardios = []
    for tabela, momento in _MOMENTO.items():
        linhas = admin.execute(
            f"select x.id::text from {tabela} as x join tickets.tickets as t on t.id = x.ticket_id "
            f"where t.id = %s and x.{momento} > t.fechado_em", (TICKET,)).fetchall()
        tardios += [f"{tabela} {linha[0]}" for linha in linhas]
    return tardios


def _contar(admin: Conn, tabela: str) -> int:
    linha = admin.execute(f"select count(*) from {tabela} where ticket_id = %s",
                          (TICKET,)).fetchone()
    assert linha is not None
    return int(linha[0])


@pytest.mark.parametrize("caminho", WRITE_PATHS, ids=lambda c: c.nome)
def test_a_write_racing_a_close_that_commits_first_is_refused(cenario: Conn, db: str,
                                                               caminho: Caminho) -> None:
    antes = _contar(cenario, caminho.tabela)
    with psycopg.connect(db) as fechador:
        _fechar(fechador)                          # holds the close open
        escritor = Em2oPlano(db, caminho.escrever)
        escritor.start()
        estado = _bloqueado_ou_pronto(cenario, escritor)
        fechador.commit()
    escritor.join(30)
    assert estado == "waits", "the write did not wait for the close in flight"
    if caminho.recusa is None:
        assert escritor.erro is None, escritor.erro
    else:
        assert escritor.erro is not None and escritor.erro.sqlstate == caminho.recusa, escritor.erro
    assert _contar(cenario, caminho.tabela) == antes, "a row landed on the closed ticket"
    assert _depois_do_fechamento(cenario) == []


@pytest.mark.parametrize("caminho", WRITE_PATHS, ids=lambda c: c.nome)
def test_a_close_racing_a_write_in_flight_waits_for_it(cenario: Conn, db: str,
                                                        caminho: Caminho) -> None:
    antes = _contar(cenario, caminho.tabela)
    with psycopg.connect(db) as escritor:
        caminho.escrever(escritor)                 # holds the write open
        fechador = Em2oPlano(db, _fechar)
        fechador.start()
        estado = _bloqueado_ou_pronto(cenario, fechador)
        escritor.commit()
    fechador.join(30)
    assert estado == "waits", "the close did not wait for the write in flight"
    assert fechador.erro is None, fechador.erro
    assert _contar(cenario, caminho.tabela) > antes  # the write landed (a re-sync may add several)
    assert _depois_do_fechamento(cenario) == []


def test_every_ticket_gated_table_has_a_raced_write_path(admin: Conn) -> None:
    tabelas = {linha[0] for linha in admin.execute("""
        select format('%s.%s', c.table_schema, c.table_name)
        from information_schema.columns as c
        where c.column_name = 'ticket_id'
          and c.table_schema in ('crm', 'tickets', 'balcao_virtual')
          and exists (select from (values ('authenticated'), ('service_role')) as r (papel)
                      where has_table_privilege(r.papel, format('%I.%I', c.table_schema,
                                                                c.table_name), 'INSERT'))
    """).fetchall()}
    assert tabelas, "sanity: the catalog query finds the ticket-gated tables"
    assert tabelas <= {c.tabela for c in WRITE_PATHS}, tabelas - {c.tabela for c in WRITE_PATHS}


def _reabrir(conn: Conn) -> object:
    _como(conn, LOGIN_A1)
    return conn.execute("update tickets.tickets set status = 'aberto' where id = %s", (TICKET,))


@pytest.mark.parametrize("primeiro", ["close", "reopen"])
def test_a_client_reopen_racing_a_close(cenario: Conn, db: str, primeiro: str) -> None:
    cenario.execute("update tickets.tickets set status = 'resolvido' where id = %s", (TICKET,))
    antes, depois = (_fechar, _reabrir) if primeiro == "close" else (_reabrir, _fechar)
    with psycopg.connect(db) as conn:
        antes(conn)
        segundo = Em2oPlano(db, depois)
        segundo.start()
        estado = _bloqueado_ou_pronto(cenario, segundo)
        conn.commit()
    segundo.join(30)
    assert estado == "waits"
    status = cenario.execute("select status from tickets.tickets where id = %s",
                             (TICKET,)).fetchone()
    if primeiro == "close":
        # The reopen re-reads the closed row: a client may not reopen a fechado ticket.
        assert segundo.erro is not None and segundo.erro.sqlstate == "SK008", segundo.erro
        assert status == ("fechado",)
    else:
        assert segundo.erro is None, segundo.erro  # staff close the reopened ticket
        assert status == ("fechado",)
