"""Invariants of the contract under random operations (issue 12).

``test_invariants_hold`` is the short default run inside ``make test``: a fixed seed
(derandomized), a few hundred steps of random personas doing random things, the invariants
checked after every step (tests/invariants/machine.py). ``make fuzz`` runs
``test_invariants_fuzz`` instead: many more steps over several seeds. A violation fails with a
minimal reproducer as psql-pasteable SQL (also written to build/invariants-reproducer.sql).

The regression tests below are reproducers the suite printed, reduced by hand to the statement
that mattered, one per fixed violation.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from hypothesis import HealthCheck, settings
from hypothesis.stateful import run_state_machine_as_test
from psycopg import sql

from invariants import scenario as sc
from invariants.machine import InvariantMachine
from schema_kit.testing import act_as, database_dsn

SCENARIO_TEMPLATE = "schema_kit_invariants"


@pytest.fixture(scope="module")
def scenario_template(template_dsn: str, admin_dsn: str) -> Iterator[str]:
    """A clone of the migrated template with the scenario's people in it; each example clones it."""
    name = sql.Identifier(SCENARIO_TEMPLATE)
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(name))
        conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
            name, sql.Identifier(psycopg.conninfo.conninfo_to_dict(template_dsn)["dbname"])))
    with psycopg.connect(database_dsn(admin_dsn, SCENARIO_TEMPLATE), autocommit=True) as conn:
        conn.execute(sc.setup_sql().encode())
    InvariantMachine.admin_dsn = admin_dsn
    InvariantMachine.template = SCENARIO_TEMPLATE
    yield SCENARIO_TEMPLATE
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(name))


def _settings(examples: int, steps: int, derandomize: bool) -> settings:
    return settings(max_examples=examples, stateful_step_count=steps, derandomize=derandomize,
                    deadline=None, database=None, print_blob=False,
                    suppress_health_check=list(HealthCheck))


def _summary(started: float) -> str:
    stats = InvariantMachine.stats
    return (f"{stats['runs']} runs, {stats['steps']} steps ({stats['accepted']} accepted, "
            f"{stats['refused']} refused, {stats['races']} races of which "
            f"{stats['races that waited']} waited), no violation, "
            f"{time.monotonic() - started:.0f} s")


def test_invariants_hold(scenario_template: str, capsys: pytest.CaptureFixture[str]) -> None:
    """Default run: fixed seed, 6 runs x 40 steps, the invariants after every step."""
    InvariantMachine.stats.clear()
    started = time.monotonic()
    run_state_machine_as_test(InvariantMachine, settings=_settings(6, 40, derandomize=True))
    with capsys.disabled():
        print(f"\ninvariants (default run): {_summary(started)}")


@pytest.mark.skipif(not os.environ.get("SCHEMA_KIT_FUZZ"), reason="long run: make fuzz")
@pytest.mark.parametrize("seed", [int(s) for s in
                                  os.environ.get("SCHEMA_KIT_FUZZ_SEEDS", "1,2,3,4").split(",")])
def test_invariants_fuzz(scenario_template: str, seed: int,
                         capsys: pytest.CaptureFixture[str]) -> None:
    """Long run (make fuzz): SCHEMA_KIT_FUZZ_EXAMPLES runs of up to SCHEMA_KIT_FUZZ_STEPS steps."""
    examples = int(os.environ.get("SCHEMA_KIT_FUZZ_EXAMPLES", "60"))
    steps = int(os.environ.get("SCHEMA_KIT_FUZZ_STEPS", "50"))

    class Seeded(InvariantMachine):
        _hypothesis_internal_use_seed = seed

    InvariantMachine.stats.clear()
    started = time.monotonic()
    run_state_machine_as_test(Seeded, settings=_settings(examples, steps, derandomize=False))
    with capsys.disabled():
        print(f"\ninvariants (fuzz, seed {seed}): {_summary(started)}")


# -- regressions (reduced reproducers) ------------------------------------------------------


@pytest.fixture
def cenario(scenario_template: str, admin_dsn: str) -> Iterator[psycopg.Connection[Any]]:
    from schema_kit.testing import scratch_database

    with scratch_database(admin_dsn, f"inv_{uuid.uuid4().hex[:12]}", SCENARIO_TEMPLATE) as dsn, \
            psycopg.connect(dsn, autocommit=True) as conn:
        yield conn


def _as(conn: psycopg.Connection[Any], persona: str, query: str,
        params: tuple[Any, ...] | dict[str, Any] = ()) -> list[tuple[Any, ...]]:
    p = sc.PERSONAS[persona]
    with conn.transaction():
        act_as(conn, p.uid, role=p.role)
        cur = conn.execute(query, params)
        return cur.fetchall() if cur.description else []


def test_on_conflict_do_nothing_does_not_consume_a_number(cenario: psycopg.Connection[Any]) -> None:
    """A client's INSERT ... ON CONFLICT DO NOTHING that inserts nothing leaves no gap."""
    first = _as(cenario, "cliente_c2", "SELECT id, numero FROM tickets.abrir_ticket('Um', NULL)")
    assert first[0][1] == 1
    skipped = _as(cenario, "cliente_c2",
                  "INSERT INTO tickets.tickets (id, titulo) VALUES (%s, 'Repetido') "
                  "ON CONFLICT DO NOTHING RETURNING numero", (first[0][0],))
    assert skipped == []
    second = _as(cenario, "cliente_c2", "SELECT numero FROM tickets.abrir_ticket('Dois', NULL)")
    assert second == [(2,)]
    assert cenario.execute("SELECT ultimo_numero FROM tickets.numeracao WHERE escritorio_id = %s",
                           (sc.E1,)).fetchone() == (2,)


def test_multi_row_insert_with_a_skipped_row_numbers_without_gaps(
        cenario: psycopg.Connection[Any]) -> None:
    """One statement, three rows, the middle one skipped by ON CONFLICT: 1, 2, then 3 next."""
    [(existing,)] = _as(cenario, "cliente_c2", "SELECT id FROM tickets.abrir_ticket('Um', NULL)")
    rows = _as(cenario, "service_role",
               "INSERT INTO tickets.tickets (id, cliente_id, titulo) "
               "VALUES (gen_random_uuid(), %(c)s, 'A'), (%(t)s, %(c)s, 'B'), "
               "(gen_random_uuid(), %(c)s, 'C') ON CONFLICT (id) DO NOTHING RETURNING numero",
               {"c": sc.CLIENTS[1][1], "t": existing})
    assert sorted(r[0] for r in rows) == [2, 3]
    assert _as(cenario, "cliente_c2", "SELECT numero FROM tickets.abrir_ticket('Dois', NULL)") \
        == [(4,)]

def test_service_role_cannot_null_criado_por(cenario: psycopg.Connection[Any]) -> None:
    """criado_por never changes (flow 5), service_role included; only a deleted login clears it."""
    [(ticket,)] = _as(cenario, "cliente_c2", "SELECT id FROM tickets.abrir_ticket('Meu', NULL)")
    with pytest.raises(psycopg.Error) as refused:
        _as(cenario, "service_role", "UPDATE tickets.tickets SET criado_por = NULL WHERE id = %s",
            (ticket,))
    assert refused.value.sqlstate == "SK009"
    cenario.execute("UPDATE crm.clientes SET user_id = NULL WHERE id = %s", (sc.CLIENTS[1][1],))
    cenario.execute("DELETE FROM auth.users WHERE id = %s", (sc.PERSONAS["cliente_c2"].uid,))
    assert cenario.execute("SELECT criado_por FROM tickets.tickets WHERE id = %s",
                           (ticket,)).fetchone() == (None,)


def test_client_cannot_set_updated_at(cenario: psycopg.Connection[Any]) -> None:
    """A client changes only status (flow 5): updated_at sent by it is refused, SK010."""
    [(ticket,)] = _as(cenario, "cliente_c2", "SELECT id FROM tickets.abrir_ticket('Meu', NULL)")
    with pytest.raises(psycopg.Error) as refused:
        _as(cenario, "cliente_c2", "UPDATE tickets.tickets "
            "SET updated_at = now() - interval '1 day' WHERE id = %s", (ticket,))
    assert refused.value.sqlstate == "SK010"
    assert _as(cenario, "cliente_c2", "UPDATE tickets.tickets SET status = 'fechado' WHERE id = %s "
               "RETURNING status, updated_at = now()", (ticket,)) == [("fechado", True)]


def test_an_appended_atendente_line_is_broadcast(cenario: psycopg.Connection[Any]) -> None:
    """A Balcão line appended after the opening is announced, even when it is the first answer."""
    [(ticket,)] = _as(cenario, "cliente_c1", "SELECT id FROM tickets.abrir_ticket('Ajuda', NULL)")
    _as(cenario, "service_role",
        "INSERT INTO balcao_virtual.logs_conversas "
        "(sessao_id, escritorio_id, autor_tipo, mensagem) "
        "VALUES (%s, %s, 'atendente', 'Já vou ver')", (sc.session_id(sc.CLIENTS[0][1]), sc.E1))
    assert cenario.execute(
        "SELECT count(*), bool_and(t.primeira_resposta_em IS NOT NULL) FROM realtime.messages AS m "
        "JOIN tickets.tickets AS t ON m.topic = 'ticket:' || t.id "
        "WHERE t.id = %s AND m.event = 'comentario'", (ticket,)).fetchone() == (1, True)

# -- concurrent phase -------------------------------------------------------------------------

CONCURRENT_CHECKS = {
    "numero has a gap or a duplicate in an office":
        "SELECT escritorio_id FROM tickets.tickets GROUP BY escritorio_id "
        "HAVING count(DISTINCT numero) <> count(*) OR max(numero) <> count(*)",
    "an office counter differs from its highest numero":
        "SELECT n.escritorio_id FROM tickets.numeracao AS n LEFT JOIN ("
        " SELECT escritorio_id, max(numero) AS m FROM tickets.tickets GROUP BY escritorio_id) AS t"
        " USING (escritorio_id) WHERE n.ultimo_numero <> coalesce(t.m, 0)",
    "a comment or chat message was written after the ticket was closed":
        "SELECT t.id FROM tickets.tickets AS t WHERE t.status = 'fechado' AND ("
        " EXISTS (SELECT FROM tickets.ticket_comments AS c WHERE c.ticket_id = t.id"
        "  AND c.origem <> 'balcao_virtual' AND c.created_at > t.fechado_em)"
        " OR EXISTS (SELECT FROM tickets.chat_mensagens AS m WHERE m.ticket_id = t.id"
        "  AND m.enviado_em > t.fechado_em))",
    "chat archive and realtime rows differ":
        "SELECT coalesce(c.id, r.id) FROM tickets.chat_mensagens AS c FULL JOIN ("
        " SELECT id, topic FROM realtime.messages WHERE event = 'mensagem') AS r"
        " ON r.id = c.id AND r.topic = 'ticket:' || c.ticket_id WHERE c.id IS NULL OR r.id IS NULL",
    "a ticket without exactly one INSERT audit event by its creator":
        "SELECT t.id FROM tickets.tickets AS t WHERE 1 <> (SELECT count(*) FROM audit.eventos AS e"
        " WHERE e.tabela = 'tickets.tickets' AND e.operacao = 'INSERT'"
        " AND e.registro_id = t.id::text"
        " AND e.ator_id IS NOT DISTINCT FROM t.criado_por)",
    "a portal/staff comment without exactly one INSERT audit event by its author":
        "SELECT c.id FROM tickets.ticket_comments AS c WHERE c.origem IN ('portal', 'equipe')"
        " AND 1 <> (SELECT count(*) FROM audit.eventos AS e"
        " WHERE e.tabela = 'tickets.ticket_comments'"
        " AND e.operacao = 'INSERT' AND e.registro_id = c.id::text AND e.ator_id = c.autor_id)",
    "status changes and their ticket_atualizado broadcasts differ":
        "SELECT t.id FROM tickets.tickets AS t WHERE (SELECT count(*) FROM audit.eventos AS e"
        " WHERE e.tabela = 'tickets.tickets' AND e.operacao = 'UPDATE'"
        " AND e.registro_id = t.id::text"
        " AND e.dados_antes ->> 'status' <> e.dados_depois ->> 'status')"
        " <> (SELECT count(*) FROM realtime.messages AS m"
        " WHERE m.topic = 'ticket:' || t.id AND m.event = 'ticket_atualizado')",
    "a Balcão line is in a ticket more than once or out of its session":
        "SELECT c.ticket_id FROM tickets.ticket_comments AS c JOIN tickets.tickets AS t"
        " ON t.id = c.ticket_id JOIN balcao_virtual.logs_conversas AS l ON l.id = c.balcao_log_id"
        " WHERE l.sessao_id IS DISTINCT FROM t.sessao_balcao_id"
        " UNION ALL SELECT ticket_id FROM tickets.ticket_comments WHERE balcao_log_id IS NOT NULL"
        " GROUP BY ticket_id, balcao_log_id HAVING count(*) > 1",
}


def _worker(dsn: str, seed: int, operations: int, errors: list[str]) -> None:
    """One API client doing random things on office E1 (and a Balcão line now and then)."""
    import random

    rnd = random.Random(seed)
    clients = ["cliente_c1", "cliente_c2"]
    staff = ["atendente_e1", "supervisor_e1", "admin_e1"]
    with psycopg.connect(dsn, autocommit=True) as conn:
        for _ in range(operations):
            kind = rnd.choice(["abrir", "repetir", "comentar", "chat", "fechar", "reabrir",
                               "linha"])
            persona = rnd.choice(clients if kind in ("abrir", "repetir", "fechar") else
                                 staff + clients)
            row = conn.execute("SELECT id FROM tickets.tickets WHERE escritorio_id = %s "
                               "ORDER BY random() LIMIT 1", (sc.E1,)).fetchone()
            ticket = row[0] if row else uuid.uuid4()
            statements = {
                "abrir": ("SELECT tickets.abrir_ticket('Concorrente', NULL)", ()),
                "repetir": ("INSERT INTO tickets.tickets (id, titulo) VALUES (%s, 'De novo') "
                            "ON CONFLICT DO NOTHING", (ticket,)),
                "comentar": ("SELECT tickets.comentar(%s, 'Resposta')", (ticket,)),
                "chat": ("SELECT tickets.enviar_mensagem(%s, 'Oi')", (ticket,)),
                "fechar": ("UPDATE tickets.tickets SET status = 'fechado' WHERE id = %s",
                           (ticket,)),
                "reabrir": ("UPDATE tickets.tickets SET status = 'aberto' WHERE id = %s",
                            (ticket,)),
                "linha": ("INSERT INTO balcao_virtual.logs_conversas (sessao_id, escritorio_id, "
                          "autor_tipo, mensagem) VALUES (%s, %s, 'atendente', 'Linha')",
                          (sc.session_id(sc.CLIENTS[0][1]), sc.E1)),
            }
            query, params = statements[kind]
            if kind == "linha":
                persona = "service_role"
            try:
                _as(conn, persona, query, params)
            except psycopg.errors.DeadlockDetected as exc:  # pragma: no cover - reported below
                errors.append(f"{kind} as {persona}: deadlock: {exc}")
            except psycopg.Error:
                pass  # refusals are expected; what they leave behind is checked after


def test_concurrent_phase(cenario: psycopg.Connection[Any]) -> None:
    """Several API connections at once on one office; the contract's invariants afterwards."""
    import threading

    fuzz = bool(os.environ.get("SCHEMA_KIT_FUZZ"))
    workers, operations = (8, 60) if fuzz else (4, 15)
    dsn = cenario.info.dsn
    errors: list[str] = []
    threads = [threading.Thread(target=_worker, args=(dsn, seed, operations, errors))
               for seed in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    found = {what: cenario.execute(query).fetchall() for what, query in CONCURRENT_CHECKS.items()}
    assert {what: rows for what, rows in found.items() if rows} == {}
    total = cenario.execute("SELECT count(*) FROM tickets.tickets").fetchone()
    assert total is not None and total[0] > 0
