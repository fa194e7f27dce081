"""Hardening, classes 3 and 4: every input bounded, every refusal a domain error; the rows the
database stamps are not the caller's to choose.

The bound rule is checked generically: every text column an API role (authenticated,
service_role) may INSERT or UPDATE is found in the catalog, and an oversize and a blank value are
tried in each, expecting a domain SQLSTATE (never 23514, never success). A new column without a
bound fails here by name. The attacks of the hardening report are replayed as the persona that
found them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from psycopg import sql

from schema_kit.testing import act_as

ESCRITORIO_A = "a0000000-0000-4000-8000-000000000000"
ESCRITORIO_B = "b0000000-0000-4000-8000-000000000000"
CLIENTE_ID_A1 = "c0000000-0000-4000-8000-0000000000a1"
CLIENTE_ID_B1 = "c0000000-0000-4000-8000-0000000000b1"
LOGIN_A1 = "00000000-0000-4000-8000-0000000000a2"
ATENDENTE_A = "00000000-0000-4000-8000-0000000000a1"
INATIVO_A = "00000000-0000-4000-8000-0000000000a6"
ATENDENTE_B = "00000000-0000-4000-8000-0000000000b1"
TICKET_A1 = "70000000-0000-4000-8000-0000000000a1"

# Characters that are not visible text: ASCII and Unicode spaces, zero-width and format marks.
INVISIVEL = " \t\u00a0\u2007\u200b\u200d\u2060\u3000\ufeff"
ENORME = "x" * 100_001

API_WRITABLE_TEXT_COLUMNS = """
select c.table_schema, c.table_name, c.column_name,
       bool_or(has_column_privilege('service_role', format('%I.%I', c.table_schema, c.table_name),
                                    c.column_name, 'UPDATE')) as service_role_updates
from information_schema.columns as c
cross join (values ('anon'), ('authenticated'), ('service_role')) as r (papel)
cross join (values ('INSERT'), ('UPDATE')) as p (privilegio)
where c.table_schema in ('crm', 'tickets', 'balcao_virtual', 'audit', 'private', 'public')
  and c.data_type in ('text', 'character varying', 'character')
  and has_column_privilege(r.papel, format('%I.%I', c.table_schema, c.table_name),
                           c.column_name, p.privilegio)
group by 1, 2, 3
order by 1, 2, 3
"""

# Domain codes for "too long" and for "blank" (content rule, named field, enumerated value);
# a column whose layout is checked first answers with its layout code.
TOO_LONG = {"SK007", "SK017", "SK013"}
BLANK = {"SK006", "SK016", "SK013"}
LAYOUT = {"crm.documentos.storage_path": {"SK018"}}


@pytest.fixture
def cenario(admin: psycopg.Connection[Any]) -> psycopg.Connection[Any]:
    admin.execute("select tests.cenario_politicas()")
    return admin


def _colunas(conn: psycopg.Connection[Any]) -> list[tuple[str, str, str, bool]]:
    return [tuple(r) for r in conn.execute(API_WRITABLE_TEXT_COLUMNS).fetchall()]  # type: ignore[misc]


def _tentar(conn: psycopg.Connection[Any], schema: str, tabela: str, coluna: str,
            atualiza: bool, valor: str) -> str:
    """Write ``valor`` into the column as service_role; the SQLSTATE, or 'accepted'."""
    alvo = sql.Identifier(schema, tabela)
    with conn.transaction(force_rollback=True):
        act_as(conn, None, role="service_role")
        try:
            with conn.transaction():
                if atualiza:
                    conn.execute(sql.SQL(
                        "update {t} set {c} = %s where ctid = (select ctid from {t} limit 1)"
                    ).format(t=alvo, c=sql.Identifier(coluna)), (valor,))
                else:  # audit.eventos: append-only, INSERT is the only write
                    base = {"tabela": "jobs.backup", "operacao": "INSERT", "registro_id": "1",
                            "ator_papel": "service_role"}
                    base[coluna] = valor
                    conn.execute(sql.SQL("insert into {t} ({cols}) values ({vals})").format(
                        t=alvo, cols=sql.SQL(", ").join(map(sql.Identifier, base)),
                        vals=sql.SQL(", ").join(sql.Placeholder() * len(base))),
                        tuple(base.values()))
        except psycopg.Error as exc:
            return exc.sqlstate or "?"
    return "accepted"


def test_every_api_writable_text_column_is_bounded_with_a_domain_error(
        cenario: psycopg.Connection[Any], db: str) -> None:
    with psycopg.connect(db) as conn:
        colunas = _colunas(conn)
        assert len(colunas) >= 25, colunas  # sanity: the catalog query sees the domain
        tabelas_vazias = [f"{s}.{t}" for s, t, _, atualiza in colunas if atualiza and not
                          conn.execute(sql.SQL("select exists (select from {})").format(
                              sql.Identifier(s, t))).fetchone()[0]]  # type: ignore[index]
        assert tabelas_vazias == [], "the scenario must give every table a row to update"
        conn.rollback()
        falhas = []
        for schema, tabela, coluna, atualiza in colunas:
            longo = _tentar(conn, schema, tabela, coluna, atualiza, ENORME)
            branco = _tentar(conn, schema, tabela, coluna, atualiza, INVISIVEL)
            nome = f"{schema}.{tabela}.{coluna}"
            if (longo not in TOO_LONG | LAYOUT.get(nome, set())
                    or branco not in BLANK | LAYOUT.get(nome, set())):
                falhas.append(f"{nome}: oversize -> {longo}, blank -> {branco}")
    assert falhas == [], "\n".join(falhas)


def _como(conn: psycopg.Connection[Any], user: str | None, query: str,
          params: dict[str, Any] | tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """One API request as ``user`` (service_role when None); rolled back."""
    with conn.transaction(force_rollback=True):
        if user is None:
            act_as(conn, None, role="service_role")
        else:
            act_as(conn, user)
        cur = conn.execute(query, params)
        return cur.fetchall() if cur.description else []


def _codigo(conn: psycopg.Connection[Any], user: str | None, query: str,
            params: dict[str, Any] | tuple[Any, ...] = ()) -> str:
    try:
        _como(conn, user, query, params)
    except psycopg.Error as exc:
        return exc.sqlstate or "?"
    return "accepted"


@pytest.fixture
def api(cenario: psycopg.Connection[Any], db: str) -> Iterator[psycopg.Connection[Any]]:
    with psycopg.connect(db, autocommit=True) as conn:
        yield conn


def test_the_reported_oversize_and_blank_inputs_are_domain_errors(
        api: psycopg.Connection[Any]) -> None:
    abrir = "select tickets.abrir_ticket('Título', null, 'media', %s)"
    assert _codigo(api, LOGIN_A1, abrir, ("   ",)) == "SK016"           # was a raw 23514
    assert _codigo(api, LOGIN_A1, abrir, ("\u200b\u00a0",)) == "SK016"
    assert _codigo(api, LOGIN_A1, abrir, ("c" * 10_000_000,)) == "SK017"  # was stored
    assert _codigo(api, ATENDENTE_A,
                   "update tickets.tickets set categoria = %s where id = %s",
                   ("c" * 10_000_000, TICKET_A1)) == "SK017"             # was copied into audit
    documento = """insert into crm.documentos
        (escritorio_id, cliente_id, nome_arquivo, storage_path, tamanho_bytes, enviado_por)
        values (%(e)s, %(c)s, %(nome)s, %(caminho)s, %(tamanho)s, %(u)s)"""
    base = {"e": ESCRITORIO_A, "c": CLIENTE_ID_A1, "nome": "f.pdf", "tamanho": 10, "u": LOGIN_A1,
            "caminho": f"{ESCRITORIO_A}/{CLIENTE_ID_A1}/f.pdf"}
    assert _codigo(api, LOGIN_A1, documento, {**base, "nome": "n" * 10_000_000}) == "SK017"
    assert _codigo(api, LOGIN_A1, documento, {**base, "nome": " \u200b"}) == "SK016"
    assert _codigo(api, LOGIN_A1, documento, {**base, "tamanho": -1}) == "SK013"
    assert _codigo(api, LOGIN_A1, documento, base) == "accepted"
    assert _codigo(api, LOGIN_A1, "update crm.clientes set email = %s where id = %s",
                   ("e" * 1_000_000 + "@x.test", CLIENTE_ID_A1)) == "SK017"
    # "Blank" content is no visible character: no-break and zero-width spaces included.
    for invisivel in ("\u00a0", "\u200b\u200c\u200d", "\u3000\ufeff", "\u2060 \t"):
        assert _codigo(api, LOGIN_A1, "select tickets.comentar(%s, %s)",
                       (TICKET_A1, invisivel)) == "SK006", repr(invisivel)
        assert _codigo(api, LOGIN_A1, "select tickets.enviar_mensagem(%s, %s)",
                       (TICKET_A1, invisivel)) == "SK006", repr(invisivel)
    assert _codigo(api, LOGIN_A1, "select tickets.comentar(%s, %s)",
                   (TICKET_A1, "\u200bok")) == "accepted"


def test_a_document_is_dated_by_the_database_and_filed_in_its_own_folder(
        api: psycopg.Connection[Any]) -> None:
    documento = """insert into crm.documentos
        (escritorio_id, cliente_id, nome_arquivo, storage_path, enviado_por, created_at)
        values (%(e)s, %(c)s, 'f.pdf', %(caminho)s, %(u)s, %(quando)s)
        returning created_at = now()"""
    proprio = f"{ESCRITORIO_A}/{CLIENTE_ID_A1}/f.pdf"
    base = {"e": ESCRITORIO_A, "c": CLIENTE_ID_A1, "u": LOGIN_A1, "caminho": proprio,
            "quando": "2999-01-01"}
    assert _como(api, LOGIN_A1, documento, base) == [(True,)]  # not pinned to 2999
    for caminho in (f"{ESCRITORIO_B}/{CLIENTE_ID_B1}/f.pdf",        # another office's folder
                    f"{ESCRITORIO_A}/{CLIENTE_ID_A1}/../../{ESCRITORIO_B}/f.pdf",
                    f"{ESCRITORIO_A}/{CLIENTE_ID_A1}/..",
                    f"/{ESCRITORIO_A}/{CLIENTE_ID_A1}/f.pdf",
                    f"{ESCRITORIO_A}/{CLIENTE_ID_A1}/sub/f.pdf",
                    f"{ESCRITORIO_A}/{CLIENTE_ID_A1}/a\\b.pdf",
                    "f.pdf"):
        assert _codigo(api, LOGIN_A1, documento, {**base, "caminho": caminho}) == "SK018", caminho
    # The rule is structural: the backend key files documents by the same layout.
    assert _codigo(api, None, documento, {**base, "caminho": "a/f.pdf"}) == "SK018"


def test_only_active_staff_of_the_office_can_be_assigned(api: psycopg.Connection[Any]) -> None:
    atribuir = "update tickets.tickets set responsavel_id = %s where id = %s"
    assert _codigo(api, ATENDENTE_A, atribuir, (INATIVO_A, TICKET_A1)) == "SK019"
    assert _codigo(api, None, atribuir, (INATIVO_A, TICKET_A1)) == "SK019"
    assert _codigo(api, ATENDENTE_A, atribuir, (ATENDENTE_B, TICKET_A1)) == "SK019"
    assert _codigo(api, ATENDENTE_A, atribuir, (ATENDENTE_A, TICKET_A1)) == "accepted"
