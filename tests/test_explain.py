"""schema-kit explain gives, for each persona on the access matrix's two-office scenario, the
verdict the matrix states, with the policy that grants it (evaluated on the row, as the user)."""

from __future__ import annotations

import pytest

from schema_kit.inspect.explain import Request, explain, render_explanation
from support import cli
from test_access_matrix import IDS, PERSONA_USER, SECTIONS, matrix_db

__all__ = ["matrix_db"]  # the module-scoped scenario fixture, built once for this module too

#: persona -> the --user explain gets (inativo: an inactive atendente of office A).
USERS = {persona: (IDS[user] if user else persona) for persona, user in PERSONA_USER.items()}
PERSONAS = (*PERSONA_USER, "inativo")
#: section -> (table, IDS key of the target row)
ROWS = {"tickets.tickets": "ticket_t1", "tickets.tickets#outro_cliente": "ticket_t2",
        "tickets.ticket_comments#interno": "comentario_interno"}
GRANTING = {"cliente": "clients read their own tickets",
            "equipe": "staff read their office's tickets",
            "supervisor": "staff read their office's tickets"}


def _user(persona: str) -> str:
    return str(IDS["inativo_a"]) if persona == "inativo" else str(USERS[persona])


def _expected(section: str, persona: str, op: str) -> bool:
    return persona != "inativo" and op in SECTIONS[section][persona]


@pytest.mark.parametrize("op", ["select", "update", "delete"])
@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("section", sorted(ROWS))
def test_row_verdict_matches_the_matrix(matrix_db: str, section: str, persona: str,
                                        op: str) -> None:
    table = section.split("#", 1)[0]
    result = explain(matrix_db, Request(_user(persona), table=table,
                                        row_id=str(IDS[ROWS[section]]), op=op))
    text = render_explanation(result)
    assert result.allowed == _expected(section, persona, op), text
    if result.allowed and result.role == "authenticated":
        passing = [v.name for v in result.policies if v.passed]
        assert passing and f'granted by policy "{passing[0]}"' in result.reason, text
    if persona == "inativo":
        assert "INACTIVE" in result.persona, text


@pytest.mark.parametrize("persona", ["cliente", "equipe", "supervisor"])
def test_the_granting_policy_is_named(matrix_db: str, persona: str) -> None:
    result = explain(matrix_db, Request(_user(persona), table="tickets.tickets",
                                        row_id=str(IDS["ticket_t1"])))
    assert result.allowed
    assert result.reason == f'granted by policy "{GRANTING[persona]}"'


@pytest.mark.parametrize("op", ["select", "insert"])
@pytest.mark.parametrize("persona", PERSONAS)
def test_topic_verdict_matches_the_matrix(matrix_db: str, persona: str, op: str) -> None:
    result = explain(matrix_db, Request(_user(persona), topic=f"ticket:{IDS['ticket_t1']}",
                                        op=op))
    assert result.allowed == _expected("realtime.messages", persona, op), \
        render_explanation(result)


def test_cli_shows_persona_helpers_grants_policies_and_answer(matrix_db: str) -> None:
    code, out, _err = cli("explain", "--dsn", matrix_db, "--user", str(IDS["login_c1"]),
                          "--table", "tickets.tickets", "--id", str(IDS["ticket_t2"]))
    assert code == 0
    assert f"persona:  cliente {IDS['cliente_c1']} of office {IDS['escritorio_a']}" in out
    assert f"private.cliente_do_usuario() = {IDS['cliente_c1']}" in out
    assert "yes authenticated: SELECT on tickets.tickets" in out
    assert 'fail "clients read their own tickets"' in out
    assert "answer:   DENIED - no permissive policy passes on this row" in out

    code, out, _err = cli("explain", "--dsn", matrix_db, "--user", "anon",
                          "--table", "tickets.tickets", "--id", str(IDS["ticket_t1"]))
    assert "answer:   DENIED - no privilege: anon lacks USAGE on schema tickets" in out


def test_bad_requests_are_one_line_errors(matrix_db: str) -> None:
    code, _out, err = cli("explain", "--dsn", matrix_db, "--user", "x",
                          "--table", "tickets.tickets", "--id", str(IDS["ticket_t1"]))
    assert code == 1 and err.startswith("error: --user must be")
    code, _out, err = cli("explain", "--dsn", matrix_db, "--user", "anon",
                          "--table", "tickets.nada", "--id", "1")
    assert (code, err.splitlines()[-1]) == (1, "error: no table tickets.nada")
