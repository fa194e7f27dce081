"""Executes policies/access_matrix.toml cell by cell against the real database.

Every (section, persona, operation) of the matrix is one test, e.g. ``tickets.tickets-cliente-
update``: it acts as the persona the way the Data API does (role + JWT claims, transaction-
local), runs the statement the API would send against the section's target row, and checks the
outcome against the cell (allowed / denied) inside a transaction that is always rolled back. The
matrix file is the single source of truth: a wrong cell, a policy or grant that drifted from it,
or a table nobody listed makes a test fail.

The scenario (two offices, staff, a supervisor, two clients with tickets, comments, chat, a
document, a Balcao Virtual session, an audit row and broadcasts) is built once per module in its
own clone of the migrated template, as service_role (the backend's path), and committed.
"""

from __future__ import annotations

import tomllib
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict

from schema_kit.testing import act_as, scratch_database

MATRIX_PATH = Path(__file__).resolve().parents[1] / "policies" / "access_matrix.toml"
PERSONAS = ("anon", "cliente", "equipe", "supervisor", "outro_escritorio", "service_role")
OPERATIONS = ("select", "insert", "update", "delete")
#: Schemas whose every RLS table must appear in the matrix (plus realtime.messages).
DOMAIN_SCHEMAS = ("crm", "tickets", "balcao_virtual", "audit")


def load_matrix() -> dict[str, Any]:
    with MATRIX_PATH.open("rb") as handle:
        return tomllib.load(handle)


MATRIX = load_matrix()
SECTIONS: dict[str, dict[str, Any]] = {
    name: body for name, body in MATRIX.items() if name != "personas"
}


def base_table(section: str) -> str:
    return section.split("#", 1)[0]


# -- scenario -----------------------------------------------------------------------------------

IDS: dict[str, Any] = {
    name: uuid.uuid4()
    for name in (
        "escritorio_a", "escritorio_b", "escritorio_vazio",
        "atendente_a", "supervisor_a", "inativo_a", "admin_b", "login_c1", "login_c2", "login_b1",
        "usuario_livre",
        "cliente_c1", "cliente_c2", "cliente_b1",
        "ticket_t1", "ticket_t2", "ticket_b1",
        "comentario_publico", "comentario_interno", "mensagem_chat", "documento",
        "sessao_s1", "mensagem_ticket", "mensagem_escritorio", "mensagem_malformada",
    )
}

# Logins are created by the migration role: service_role has no privilege on auth.users (as on
# Supabase, where GoTrue creates them).
USERS = """
insert into auth.users (id, email, created_at, updated_at)
select u.id, u.email, now(), now() from (values
    (%(atendente_a)s, 'atendente.a@equipe.test'), (%(supervisor_a)s, 'supervisor.a@equipe.test'),
    (%(inativo_a)s, 'inativo.a@equipe.test'), (%(admin_b)s, 'admin.b@equipe.test'),
    (%(login_c1)s, 'c1@portal.test'), (%(login_c2)s, 'c2@portal.test'),
    (%(login_b1)s, 'b1@portal.test'), (%(usuario_livre)s, 'livre@portal.test')
) as u (id, email);
"""

SCENARIO = """
insert into crm.escritorios (id, nome) values
    (%(escritorio_a)s, 'Escritório A'), (%(escritorio_b)s, 'Escritório B'),
    (%(escritorio_vazio)s, 'Escritório sem dados');
insert into crm.equipe (escritorio_id, user_id, papel, ativo) values
    (%(escritorio_a)s, %(atendente_a)s, 'atendente', true),
    (%(escritorio_a)s, %(supervisor_a)s, 'supervisor', true),
    (%(escritorio_a)s, %(inativo_a)s, 'atendente', false),
    (%(escritorio_b)s, %(admin_b)s, 'admin', true);
insert into crm.clientes (id, escritorio_id, user_id, nome, email) values
    (%(cliente_c1)s, %(escritorio_a)s, %(login_c1)s, 'Cliente C1', 'c1@portal.test'),
    (%(cliente_c2)s, %(escritorio_a)s, %(login_c2)s, 'Cliente C2', 'c2@portal.test'),
    (%(cliente_b1)s, %(escritorio_b)s, %(login_b1)s, 'Cliente B1', 'b1@portal.test');
insert into tickets.tickets (id, escritorio_id, cliente_id, numero, titulo) values
    (%(ticket_t1)s, %(escritorio_a)s, %(cliente_c1)s, 1, 'Chamado T1'),
    (%(ticket_t2)s, %(escritorio_a)s, %(cliente_c2)s, 2, 'Chamado T2'),
    (%(ticket_b1)s, %(escritorio_b)s, %(cliente_b1)s, 1, 'Chamado B1');
insert into tickets.numeracao (escritorio_id, ultimo_numero) values (%(escritorio_a)s, 2)
    on conflict (escritorio_id) do nothing;
insert into tickets.ticket_comments
    (id, ticket_id, escritorio_id, autor_id, autor_tipo, conteudo, interno, origem) values
    (%(comentario_publico)s, %(ticket_t1)s, %(escritorio_a)s, %(atendente_a)s, 'equipe',
     'Resposta pública', false, 'equipe'),
    (%(comentario_interno)s, %(ticket_t1)s, %(escritorio_a)s, %(atendente_a)s, 'equipe',
     'Nota interna', true, 'equipe');
insert into tickets.chat_mensagens (id, ticket_id, escritorio_id, autor_id, autor_tipo, conteudo)
    values (%(mensagem_chat)s, %(ticket_t1)s, %(escritorio_a)s, %(login_c1)s, 'cliente', 'Olá');
insert into crm.documentos
    (id, escritorio_id, cliente_id, ticket_id, nome_arquivo, storage_path, enviado_por) values
    (%(documento)s, %(escritorio_a)s, %(cliente_c1)s, %(ticket_t1)s, 'contrato.pdf',
     %(escritorio_a)s || '/' || %(cliente_c1)s || '/contrato.pdf', %(login_c1)s);
insert into balcao_virtual.sessoes_ativas (id, escritorio_id, cliente_id) values
    (%(sessao_s1)s, %(escritorio_a)s, %(cliente_c1)s);
insert into realtime.messages (id, topic, extension, event, payload, private) values
    (%(mensagem_ticket)s, 'ticket:' || %(ticket_t1)s, 'broadcast', 'mensagem', '{}', true),
    (%(mensagem_escritorio)s, 'escritorio:' || %(escritorio_a)s, 'broadcast', 'ticket_criado',
     '{}', true),
    (%(mensagem_malformada)s, 'ticket:not-a-uuid', 'broadcast', 'x', '{}', true);
"""


@pytest.fixture(scope="module")
def matrix_db(template_dsn: str, admin_dsn: str) -> Iterator[str]:
    """One clone of the migrated template with the scenario committed; cells roll back."""
    template = str(conninfo_to_dict(template_dsn)["dbname"])
    name = f"matrix_{uuid.uuid4().hex[:12]}"
    with scratch_database(admin_dsn, name, template, as_applier=True) as dsn:
        with psycopg.connect(dsn) as conn, conn.transaction():
            execute_script(conn, USERS, IDS)
            act_as(conn, role="service_role")
            execute_script(conn, SCENARIO, IDS)
            IDS["log_l1"] = _one(conn, """
                    insert into balcao_virtual.logs_conversas
                        (sessao_id, escritorio_id, autor_tipo, autor_nome, mensagem)
                    values (%(sessao_s1)s, %(escritorio_a)s, 'cliente', 'Cliente C1', 'Bom dia')
                    returning id""")
            IDS["evento_auditoria"] = _one(conn, """
                    insert into audit.eventos
                        (tabela, operacao, registro_id, escritorio_id, dados_depois)
                    values ('tickets.tickets', 'INSERT', %(ticket_t1)s::text, %(escritorio_a)s,
                            '{}') returning id""")
        yield dsn


@pytest.fixture(scope="module")
def matrix_conn(matrix_db: str) -> Iterator[psycopg.Connection[Any]]:
    """One connection for every cell; each cell is a transaction that is always rolled back."""
    with psycopg.connect(matrix_db) as conn:
        yield conn


def execute_script(conn: psycopg.Connection[Any], script: str, params: Mapping[str, Any]) -> None:
    """Several statements with parameters (bound client-side: the server refuses them)."""
    with psycopg.ClientCursor(conn) as cur:
        cur.execute(script, params)


def _one(conn: psycopg.Connection[Any], query: str) -> Any:
    row = conn.execute(query, IDS).fetchone()
    assert row is not None
    return row[0]


PERSONA_USER = {
    "anon": None, "cliente": "login_c1", "equipe": "atendente_a", "supervisor": "supervisor_a",
    "outro_escritorio": "admin_b", "service_role": None,
}
PERSONA_ROLE = {"anon": "anon", "service_role": "service_role"}


def become(conn: psycopg.Connection[Any], persona: str) -> None:
    user = PERSONA_USER[persona]
    act_as(conn, IDS[user] if user else None, role=PERSONA_ROLE.get(persona, "authenticated"))


# -- statements per section ---------------------------------------------------------------------
# Each section names its target row (`where`) and the statement the API would send for each
# operation. INSERTs may differ by persona kind ("cliente" sends no tenant values, staff name the
# client, the backend names everything) and say which values the new row must carry: a row
# inserted with other values (e.g. a forged cliente_id replaced by the caller's own) is not the
# requested row, so the cell counts it as denied.


@dataclass(frozen=True)
class Insert:
    sql: str
    expect: Mapping[str, str] = field(default_factory=dict)  # column -> IDS key


@dataclass(frozen=True)
class Spec:
    table: str
    where: str
    insert: Mapping[str, Insert]  # persona kind ("cliente", "equipe", "service_role") -> Insert
    update: str | Mapping[str, str]  # SET clause, or per persona kind
    delete_where: str | None = None  # another target for DELETE, when the row itself can't go
    prepare_delete: str | None = None  # superuser SQL making the target deletable


def kind_of(persona: str) -> str:
    if persona in ("cliente", "service_role"):
        return persona
    return "equipe"  # equipe, supervisor, outro_escritorio and anon send what staff would


def same(insert: Insert) -> dict[str, Insert]:
    return {"cliente": insert, "equipe": insert, "service_role": insert}


_CLIENT_DEPENDENTS = """
    delete from crm.documentos where cliente_id = %(alvo)s;
    delete from tickets.tickets where cliente_id = %(alvo)s;
    delete from balcao_virtual.sessoes_ativas where cliente_id = %(alvo)s;
"""


def _comment(interno: bool) -> dict[str, Insert]:
    # What the portal and the staff app send; office, author and origin are derived.
    return same(Insert(f"""insert into tickets.ticket_comments (ticket_id, conteudo, interno)
        values (%(ticket_t1)s, 'Comentário', {'true' if interno else 'false'})""",
                       {"ticket_id": "ticket_t1"}))


def _ticket(cliente: str) -> dict[str, Insert]:
    expect = {"cliente_id": cliente, "escritorio_id": "escritorio_a"}
    staff = Insert(f"""insert into tickets.tickets (cliente_id, titulo, descricao)
        values (%({cliente})s, 'Novo chamado', 'Aberto pela equipe')""", expect)
    return {
        # A client sends only what it types; the tenant derivation fills the rest. For another
        # client's section the client names that client, which must never be honoured.
        "cliente": (Insert("""insert into tickets.tickets (titulo, descricao)
            values ('Novo chamado', 'Aberto pelo portal')""", expect) if cliente == "cliente_c1"
                    else staff),
        "equipe": staff,
        "service_role": Insert(f"""insert into tickets.tickets
            (escritorio_id, cliente_id, titulo, descricao)
            values (%(escritorio_a)s, %({cliente})s, 'Novo chamado', 'Aberto pelo backend')""",
                               expect),
    }


def _broadcast(topic: str, event: str = "digitando", private: bool = True) -> dict[str, Insert]:
    return same(Insert(f"""insert into realtime.messages (topic, extension, event, payload, private)
        values ({topic}, 'broadcast', '{event}', '{{}}', {str(private).lower()})"""))


SPECS: dict[str, Spec] = {
    "crm.escritorios": Spec(
        "crm.escritorios", "id = %(escritorio_a)s",
        same(Insert("insert into crm.escritorios (nome) values ('Escritório novo')")),
        "nome = 'Escritório A (editado)'",
        delete_where="id = %(escritorio_vazio)s"),
    "crm.equipe": Spec(
        "crm.equipe", "escritorio_id = %(escritorio_a)s and user_id = %(supervisor_a)s",
        same(Insert("""insert into crm.equipe (escritorio_id, user_id, papel)
            values (%(escritorio_a)s, %(usuario_livre)s, 'atendente')""")),
        "papel = 'admin'"),
    "crm.equipe#inativo": Spec(
        "crm.equipe", "escritorio_id = %(escritorio_a)s and user_id = %(inativo_a)s",
        same(Insert("""insert into crm.equipe (escritorio_id, user_id, papel, ativo)
            values (%(escritorio_a)s, %(usuario_livre)s, 'atendente', false)""")),
        "ativo = true"),
    "crm.clientes": Spec(
        "crm.clientes", "id = %(cliente_c1)s",
        same(Insert("""insert into crm.clientes (escritorio_id, user_id, nome, email)
            values (%(escritorio_a)s, %(usuario_livre)s, 'Cliente novo', 'novo@portal.test')""")),
        "telefone = '+55 11 5555-0101'",
        prepare_delete=_CLIENT_DEPENDENTS.replace("%(alvo)s", "%(cliente_c1)s")),
    "crm.clientes#outro_cliente": Spec(
        "crm.clientes", "id = %(cliente_c2)s",
        same(Insert("""insert into crm.clientes (escritorio_id, nome)
            values (%(escritorio_a)s, 'Cliente sem login')""")),
        "telefone = '+55 11 5555-0202'",
        prepare_delete=_CLIENT_DEPENDENTS.replace("%(alvo)s", "%(cliente_c2)s")),
    "crm.documentos": Spec(
        "crm.documentos", "id = %(documento)s",
        same(Insert("""insert into crm.documentos
            (escritorio_id, cliente_id, ticket_id, nome_arquivo, storage_path, enviado_por)
            values (%(escritorio_a)s, %(cliente_c1)s, %(ticket_t1)s, 'rg.pdf',
                    %(escritorio_a)s || '/' || %(cliente_c1)s || '/rg.pdf', (select auth.uid()))""",
                    {"cliente_id": "cliente_c1"})),
        "nome_arquivo = 'contrato-assinado.pdf'"),
    "tickets.tickets": Spec(
        "tickets.tickets", "id = %(ticket_t1)s", _ticket("cliente_c1"),
        {"cliente": "status = 'fechado'", "equipe": "status = 'em_atendimento'",
         "service_role": "status = 'em_atendimento'"}),
    "tickets.tickets#outro_cliente": Spec(
        "tickets.tickets", "id = %(ticket_t2)s", _ticket("cliente_c2"),
        {"cliente": "status = 'fechado'", "equipe": "status = 'em_atendimento'",
         "service_role": "status = 'em_atendimento'"}),
    "tickets.ticket_comments": Spec(
        "tickets.ticket_comments", "id = %(comentario_publico)s", _comment(interno=False),
        "conteudo = 'Resposta editada'"),
    "tickets.ticket_comments#interno": Spec(
        "tickets.ticket_comments", "id = %(comentario_interno)s", _comment(interno=True),
        "conteudo = 'Nota editada'"),
    "tickets.chat_mensagens": Spec(
        "tickets.chat_mensagens", "id = %(mensagem_chat)s",
        same(Insert("""insert into tickets.chat_mensagens
            (ticket_id, escritorio_id, autor_id, autor_tipo, conteudo)
            values (%(ticket_t1)s, %(escritorio_a)s, (select auth.uid()), 'cliente', 'Oi')""")),
        "conteudo = 'Editada'"),
    "tickets.numeracao": Spec(
        "tickets.numeracao", "escritorio_id = %(escritorio_a)s",
        same(Insert("""insert into tickets.numeracao (escritorio_id, ultimo_numero)
            values (%(escritorio_vazio)s, 0)""")),
        "ultimo_numero = ultimo_numero + 1"),
    "balcao_virtual.sessoes_ativas": Spec(
        "balcao_virtual.sessoes_ativas", "id = %(sessao_s1)s",
        same(Insert("""insert into balcao_virtual.sessoes_ativas (escritorio_id, cliente_id, canal)
            values (%(escritorio_a)s, %(cliente_c2)s, 'whatsapp')""",
                    {"cliente_id": "cliente_c2"})),
        "canal = 'telefone'"),
    "balcao_virtual.logs_conversas": Spec(
        "balcao_virtual.logs_conversas", "id = %(log_l1)s",
        same(Insert("""insert into balcao_virtual.logs_conversas
            (sessao_id, escritorio_id, autor_tipo, autor_nome, mensagem)
            values (%(sessao_s1)s, %(escritorio_a)s, 'bot', 'Assistente', 'Posso ajudar?')""")),
        "mensagem = 'Bom dia (editado)'"),
    "audit.eventos": Spec(
        "audit.eventos", "id = %(evento_auditoria)s",
        same(Insert("""insert into audit.eventos (tabela, operacao, registro_id, dados_depois)
            values ('teste.matriz', 'INSERT', 'x', '{}')""")),
        "tabela = 'adulterada'"),
    "realtime.messages": Spec(
        "realtime.messages", "id = %(mensagem_ticket)s",
        _broadcast("'ticket:' || %(ticket_t1)s"), "payload = '{\"editado\": true}'"),
    "realtime.messages#escritorio": Spec(
        "realtime.messages", "id = %(mensagem_escritorio)s",
        _broadcast("'escritorio:' || %(escritorio_a)s"), "payload = '{\"editado\": true}'"),
    "realtime.messages#fora_do_contrato": Spec(
        "realtime.messages", "id = %(mensagem_ticket)s",
        _broadcast("'ticket:' || %(ticket_t1)s", event="Mensagem "),
        "payload = '{\"editado\": true}'"),
    "realtime.messages#copia_publica": Spec(
        "realtime.messages", "id = %(mensagem_ticket)s",
        _broadcast("'ticket:' || %(ticket_t1)s", private=False),
        "payload = '{\"editado\": true}'"),
    "realtime.messages#topico_malformado": Spec(
        "realtime.messages", "id = %(mensagem_malformada)s",
        _broadcast("'ticket:not-a-uuid'"), "payload = '{\"editado\": true}'"),
}


# -- running one cell ---------------------------------------------------------------------------

#: SQLSTATEs that mean "refused": privilege / RLS, a row pointing into another office, and the
#: domain's own refusals (class SK). Anything else means the statement itself is broken.
DENIAL_STATES = {"42501": "42501", "23503": "23503 foreign key (another office)"}


@dataclass(frozen=True)
class Outcome:
    allowed: bool
    how: str


def _refusal(exc: psycopg.Error) -> Outcome:
    state = exc.sqlstate or ""
    message = (exc.diag.message_primary or str(exc)).strip()
    if state == "42501":
        kind = "row-level security" if "row-level security" in message else "no privilege"
        return Outcome(False, f"raised 42501 ({kind}: {message})")
    if state in DENIAL_STATES or state.startswith("SK"):
        return Outcome(False, f"raised {state} ({message})")
    raise AssertionError(f"statement failed for another reason: {state} {message}") from exc


def run_cell(conn: psycopg.Connection[Any], section: str, persona: str,
             operation: str) -> Outcome:
    """Run one cell in a transaction that is rolled back whatever happens."""
    spec = SPECS[section]
    params = dict(IDS)
    try:
        with conn.transaction():
            if operation == "delete" and spec.prepare_delete:
                execute_script(conn, spec.prepare_delete, params)  # as the superuser
            become(conn, persona)
            outcome = _execute(conn, spec, kind_of(persona), operation, params)
            raise psycopg.Rollback()
    except psycopg.Error as exc:
        return _refusal(exc)
    return outcome


def _execute(conn: psycopg.Connection[Any], spec: Spec, kind: str, operation: str,
             params: dict[str, Any]) -> Outcome:
    if operation == "select":
        row = conn.execute(f"select count(*) from {spec.table} where {spec.where}",
                           params).fetchone()
        count = row[0] if row else 0
        return Outcome(count == 1, "the row is visible" if count else "zero rows (RLS)")
    if operation == "insert":
        insert = spec.insert[kind]
        columns = list(insert.expect)
        returning = ", ".join(columns) if columns else "1"
        row = conn.execute(f"{insert.sql} returning {returning}", params).fetchone()
        assert row is not None
        wrong = {col: value for col, value in zip(columns, row[:len(columns)], strict=True)
                 if value != params[insert.expect[col]]}
        if wrong:
            return Outcome(False, f"inserted, but not as requested (values replaced: {wrong})")
        return Outcome(True, "inserted")
    if operation == "update":
        assignment = spec.update if isinstance(spec.update, str) else spec.update[kind]
        cur = conn.execute(f"update {spec.table} set {assignment} where {spec.where}", params)
    else:
        where = spec.delete_where or spec.where
        cur = conn.execute(f"delete from {spec.table} where {where}", params)
    touched = cur.rowcount
    return Outcome(touched >= 1, f"{touched} row(s) {operation}d" if touched else "zero rows")


# -- the cells ----------------------------------------------------------------------------------


def _cells() -> list[Any]:
    cells = []
    for section, body in SECTIONS.items():
        for persona in PERSONAS:
            allowed = set(body.get(persona, ()))
            for operation in OPERATIONS:
                cells.append(pytest.param(section, persona, operation, operation in allowed,
                                          id=f"{section}-{persona}-{operation}"))
    return cells


@pytest.mark.parametrize(("section", "persona", "operation", "expected"), _cells())
def test_cell(matrix_conn: psycopg.Connection[Any], section: str, persona: str, operation: str,
              expected: bool) -> None:
    outcome = run_cell(matrix_conn, section, persona, operation)
    verdict = "allowed" if expected else "denied"
    assert outcome.allowed == expected, (
        f"access_matrix.toml says {persona} {operation} on {section} is {verdict} "
        f"({SECTIONS[section]['target']}), but: {outcome.how}")


# -- the matrix itself --------------------------------------------------------------------------


def test_matrix_is_well_formed() -> None:
    assert set(MATRIX["personas"]) == set(PERSONAS)
    for section, body in SECTIONS.items():
        assert body.get("comment") and body.get("target"), f"{section}: comment and target"
        assert set(body) == {"comment", "target", *PERSONAS}, f"{section}: keys {sorted(body)}"
        for persona in PERSONAS:
            operations = body[persona]
            assert set(operations) <= set(OPERATIONS), f"{section}.{persona}: {operations}"
            assert len(set(operations)) == len(operations), f"{section}.{persona}: duplicates"


def test_every_section_has_its_statements() -> None:
    assert set(SPECS) == set(SECTIONS)
    for section, spec in SPECS.items():
        assert spec.table == base_table(section)


def test_every_table_with_row_level_security_is_in_the_matrix(template_dsn: str) -> None:
    """A new table (in a domain schema) cannot ship without its row in the matrix."""
    with psycopg.connect(template_dsn) as conn:
        rows = conn.execute("""
            select n.nspname || '.' || c.relname, c.relrowsecurity
            from pg_catalog.pg_class as c
            join pg_catalog.pg_namespace as n on n.oid = c.relnamespace
            where c.relkind in ('r', 'p') and not c.relispartition
              and (n.nspname = any(%s) or (n.nspname, c.relname) = ('realtime', 'messages'))
        """, (list(DOMAIN_SCHEMAS),)).fetchall()
    tables: dict[str, bool] = dict(rows)
    assert all(tables.values()), f"RLS disabled: {[t for t, on in tables.items() if not on]}"
    listed = {base_table(section) for section in SECTIONS}
    assert sorted(set(tables) - listed) == [], "tables missing from policies/access_matrix.toml"
    assert sorted(listed - set(tables)) == [], "matrix sections naming no table"
