"""``schema-kit seed --demo``: two offices, staff, clients and tickets made through the real flows.

Part 1 (offices, logins, staff, clients, an active Balcão session) is plain SQL as the owner;
part 2 opens tickets, comments and chats *as the personas*, so triggers and policies decide
everything exactly as in production. One transaction; a second run changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import psycopg

from schema_kit import queries
from schema_kit.errors import SchemaKitError
from schema_kit.personas import act_as, psql_snippet, reset_persona

OFFICE_A = "0f000000-0000-4000-8000-000000000001"
ANA, BRUNO, CARLA = (f"0a000000-0000-4000-8000-00000000000{i}" for i in (1, 2, 3))
JOAO, MARIA, PEDRO = (f"0c000000-0000-4000-8000-00000000000{i}" for i in (1, 2, 3))


@dataclass(frozen=True)
class Persona:
    label: str
    email: str
    user_id: str
    office: str
    cliente_id: str | None = None  # crm.clientes.id (the id staff pass to abrir_ticket)
    balcao_ativo: bool = False  # the client has an ativa Balcão Virtual session


def _open(conn: psycopg.Connection[Any], user: str, titulo: str, descricao: str,
          prioridade: str = "media", cliente_id: str | None = None) -> str:
    act_as(conn, user)
    row = conn.execute("select id from tickets.abrir_ticket(%s, %s, %s, null, %s)",
                       (titulo, descricao, prioridade, cliente_id)).fetchone()
    assert row is not None
    return str(row[0])


def _say(conn: psycopg.Connection[Any], user: str, ticket: str, text: str) -> None:
    act_as(conn, user)
    conn.execute("select tickets.enviar_mensagem(%s, %s)", (ticket, text))


def _comment(conn: psycopg.Connection[Any], user: str, ticket: str, text: str,
             interno: bool = False) -> None:
    act_as(conn, user)
    conn.execute("select tickets.comentar(%s, %s, %s)", (ticket, text, interno))


def _flows(conn: psycopg.Connection[Any]) -> None:
    """Part 2: what the portal and the office would do, each as itself."""
    contrato = _open(conn, JOAO, "Notificação do contrato de aluguel",
                     "Recebi uma notificação e preciso de orientação.", "alta")
    _say(conn, ANA, contrato, "Olá João, já estou com o seu caso. Pode enviar a notificação?")
    _say(conn, JOAO, contrato, "Claro, envio ainda hoje.")
    _comment(conn, BRUNO, contrato, "Prazo de resposta: 15 dias. Prioridade alta.", interno=True)

    irpf = _open(conn, MARIA, "Declaração de IRPF", "Quais documentos preciso separar?")
    _comment(conn, ANA, irpf, "Informes de rendimento, recibos médicos e escritura do imóvel.")
    act_as(conn, ANA)
    conn.execute("update tickets.tickets set status = 'resolvido' where id = %s", (irpf,))

    _open(conn, CARLA, "Revisão de contrato social", "Cliente pediu revisão por telefone.",
          cliente_id="0d000000-0000-4000-8000-000000000003")
    reset_persona(conn)


def personas(conn: psycopg.Connection[Any]) -> list[Persona]:
    rows = conn.execute("""
        select coalesce(e.papel, 'cliente'), u.email, u.id::text, o.nome, c.id::text,
               exists (select from balcao_virtual.sessoes_ativas as s
                       where s.cliente_id = c.id and s.status = 'ativa')
        from auth.users as u
        left join crm.equipe as e on e.user_id = u.id
        left join crm.clientes as c on c.user_id = u.id
        join crm.escritorios as o on o.id = coalesce(e.escritorio_id, c.escritorio_id)
        where u.email like '%%.demo'
        order by o.nome, e.papel nulls last, u.email""").fetchall()
    return [Persona(*row) for row in rows]


def seed_demo(dsn: str, log: Callable[[str], None]) -> list[Persona]:
    """Load the demo data unless it is already there; returns the personas."""
    with psycopg.connect(dsn) as conn:
        if conn.execute("select to_regclass('crm.escritorios')").fetchone() == (None,):
            raise SchemaKitError("the schema is not applied: run `schema-kit apply` first")
        present = conn.execute("select 1 from crm.escritorios where id = %s",
                               (OFFICE_A,)).fetchone()
        if present:
            log("demo data already present: nothing to do")
        else:
            try:
                with conn.transaction():
                    conn.execute(queries.load("seed_demo").encode("utf-8"))
                    _flows(conn)
            except psycopg.Error as exc:
                raise SchemaKitError(f"demo seed failed, nothing was written: "
                                     f"{exc.sqlstate}: {' '.join(str(exc).split())}") from None
            counts = conn.execute("""
                select (select count(*) from tickets.tickets),
                       (select count(*) from tickets.ticket_comments),
                       (select count(*) from tickets.chat_mensagens)""").fetchone()
            assert counts is not None
            log(f"demo data loaded: 2 offices, 3 staff, 3 clients, {counts[0]} tickets, "
                f"{counts[1]} comments, {counts[2]} chat messages")
        return personas(conn)


def describe(dsn: str, people: list[Persona]) -> str:
    """Persona table (with clients' crm.clientes ids) and psql snippets for a client and staff."""
    lines = ["personas (auth.users ids; put one in request.jwt.claims 'sub'):"]
    for p in people:
        extra = ""
        if p.cliente_id is not None:
            extra = f"  cliente_id {p.cliente_id}"
            if p.balcao_ativo:
                extra += "  (ativa Balcão Virtual session: its next ticket imports the chat)"
        lines.append(f"  {p.label:<10} {p.email:<30} {p.user_id}  {p.office}{extra}")
    lines += ["", "act as João (client) in psql:", psql_snippet(
        dsn, JOAO, "select numero, titulo, status, sessao_balcao_id is not null as balcao\n"
        "from tickets.tickets;\n"
        "select autor_tipo, conteudo from tickets.ticket_comments order by created_at;")]
    lines += ["", "act as Ana (staff of Silva & Associados) in psql:", psql_snippet(
        dsn, ANA, "select numero, titulo, status, cliente_id from tickets.tickets\n"
        "order by numero;\n"
        "select * from tickets.abrir_ticket('Pedido da equipe', null, 'media', null,\n"
        "    '0d000000-0000-4000-8000-000000000002');  -- staff name the client (crm.clientes.id)")]
    lines += ["", "what the portal and the backend may call: docs/backend.md "
              "(functions, events, the Balcão writer, a ChatWidget walkthrough)"]
    return "\n".join(lines)
