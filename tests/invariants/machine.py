"""The hypothesis RuleBasedStateMachine: random API operations, invariants after every step.

Each example runs on a fresh clone of a template that holds the migrated schema and the
scenario (tests/invariants/scenario.py). Rules cover every contract function and direct
API-role SQL on every table and topic (forged columns, ON CONFLICT, RETURNING) and two
connections racing on one ticket. After each step the database is compared with the model:
rows, numbering, broadcasts, audit events and actors, Balcão lines, what every persona sees and
what crm.historico_cliente lists. A violation raises ``AssertionError`` whose message ends with
the steps so far as SQL (hypothesis shrinks the run first, so it is a minimal reproducer).
"""

from __future__ import annotations

import json
import uuid
from collections import Counter
from contextlib import ExitStack
from pathlib import Path
from typing import Any, ClassVar
from uuid import UUID

import psycopg
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule
from psycopg import sql

from invariants import scenario as sc
from invariants.driver import Driver, Op
from invariants.model import STATUSES, Model, Outcome, Refused
from schema_kit.personas import act_as
from schema_kit.testing import scratch_database

REPRODUCER = Path(__file__).resolve().parents[2] / "build" / "invariants-reproducer.sql"

RACE_KINDS = ["fechar", "status", "comentar", "chat", "abrir", "linha"]
TEXTS = {"curto": "Preciso de ajuda", "vazio": "   ", "longo": "x" * 4001}
# Mostly valid input, so that most steps change something; the rest probes the refusals.
TEXT = st.sampled_from(["curto", "curto", "curto", "vazio", "longo"])
PERSONA = st.sampled_from(sc.PERSONA_NAMES)
# On a ticket: mostly its own client or active staff of its office, else anyone at all.
ON_TICKET = st.sampled_from(["@cliente", "@equipe", "@cliente", "@equipe", *sc.PERSONA_NAMES])
API_PERSONA = st.sampled_from([n for n in sc.PERSONA_NAMES if n != "service_role"])
CLIENT_IDS = [c for _n, c, *_ in sc.CLIENTS]
STAFF_UIDS = [uid for _n, uid, *_ in sc.STAFF]
ANY_UID = STAFF_UIDS + [login for *_x, login, _s in sc.CLIENTS if login is not None]
INDEX = st.integers(min_value=0, max_value=15)
UPDATES: list[tuple[str, Any]] = (
    [("status", s) for s in (*STATUSES, "invalido")]
    + [("titulo", "Título revisto"), ("titulo", " "), ("prioridade", "alta"),
       ("prioridade", "maxima"), ("updated_at", "<ontem>"), ("fechado_em", "<agora>"),
       ("escritorio_id", sc.E2), ("cliente_id", CLIENT_IDS[1]), ("numero", 99),
       ("criado_por", None)]
    + [("responsavel_id", uid) for uid in (STAFF_UIDS[0], STAFF_UIDS[4])])
EXPRESSIONS = {"<ontem>": sql.SQL("now() - interval '1 day'"), "<agora>": sql.SQL("now()")}


def _value(valor: Any) -> sql.Composable:
    if isinstance(valor, str) and valor in EXPRESSIONS:
        return EXPRESSIONS[valor]
    return sql.Literal(valor)


class Violation(AssertionError):
    pass


class InvariantMachine(RuleBasedStateMachine):
    """Random personas doing random things; the contract's invariants after each step."""

    admin_dsn: ClassVar[str] = ""
    template: ClassVar[str] = ""
    #: what a whole run did: steps, refusals, races (and how many waited), runs
    stats: ClassVar[Counter[str]] = Counter()

    def __init__(self) -> None:
        super().__init__()
        self.stack = ExitStack()
        dsn = self.stack.enter_context(scratch_database(
            self.admin_dsn, f"inv_{uuid.uuid4().hex[:12]}", self.template))
        self.driver = Driver(dsn)
        self.stack.callback(self.driver.close)
        lines: dict[UUID, list[int]] = {}
        for sessao, line in self.driver.admin.execute(
                "SELECT sessao_id, id FROM balcao_virtual.logs_conversas ORDER BY id"):
            lines.setdefault(sessao, []).append(line)
        self.model = Model(lines)
        self.audit_seen = self._audit_max()
        self.seq = 0
        self.actors: list[str] = []
        self.rotation = 0
        self.failed = False
        self.comment_ids: dict[tuple[Any, ...], UUID] = {}
        self.stats["runs"] += 1

    def teardown(self) -> None:
        try:
            if not self.failed:  # the end state, as every persona sees it
                self.check_personas(self.comment_ids, list(sc.PERSONAS.values()))
        finally:
            self.stack.close()

    # -- helpers -----------------------------------------------------------------------------

    def _audit_max(self) -> int:
        row = self.driver.admin.execute("SELECT coalesce(max(id), 0) FROM audit.eventos").fetchone()
        return int(row[0]) if row else 0

    def fail(self, message: str) -> None:
        self.failed = True
        text = ("-- schema_kit invariants reproducer: paste into psql on a freshly migrated "
                "database\n"
                + sc.setup_sql() + "\n".join(self.driver.log) + "\n")
        REPRODUCER.parent.mkdir(parents=True, exist_ok=True)
        REPRODUCER.write_text(text, encoding="utf-8")
        raise Violation(f"{message}\n\n{text}")

    def who(self, token: str, ticket: UUID, index: int = 0) -> sc.Persona:
        """A persona name, or @cliente / @equipe (the ticket's client / active office staff)."""
        t = self.model.tickets[ticket]
        if token == "@cliente":
            login = self.model.clientes[t.cliente].user
            token = next((n for n, q in sc.PERSONAS.items() if login and q.uid == login), "@equipe")
        if token == "@equipe":
            staff = sorted(n for n, q in sc.PERSONAS.items()
                           if self.model.equipe.get((t.office, q.uid), ("", False))[1])
            token = staff[index % len(staff)] if staff else "service_role"
        return sc.PERSONAS[token]

    def ticket(self, index: int) -> UUID:
        ids = list(self.model.tickets)
        return ids[index % len(ids)]

    def _compare(self, label: str, expected: Outcome, got: Outcome, fetch: str) -> None:
        if expected.code != got.code:
            answer = f"refusal {got.code} ({got.value})" if got.code else "success"
            self.fail(f"{label}: the contract expects "
                      f"{'refusal ' + expected.code if expected.code else 'success'}, the database "
                      f"answered {answer}")
        if expected.ok and expected.rows is not None and expected.rows != got.rows:
            self.fail(f"{label}: expected {expected.rows} row(s), the database touched {got.rows}")
        if expected.ok and fetch in ("value", "set") and expected.value is not None \
                and expected.value != got.value:
            self.fail(f"{label}: expected {expected.value!r}, the database returned {got.value!r}")

    @staticmethod
    def _predict(model: Model, op: Op, got: Outcome) -> tuple[Model, Outcome]:
        trial = model.copy()
        try:
            return trial, op.predict(trial, got)
        except Refused as refused:
            clean = model.copy()
            return clean, Outcome(code=refused.code)

    def do(self, op: Op) -> Outcome:
        self.seq += 1
        self.actors.append(op.persona.name)
        got = self.driver.execute(op)
        self.stats["steps"] += 1
        self.stats["refused" if got.code else "accepted"] += 1
        model, expected = self._predict(self.model, op, got)
        self._compare(op.label, expected, got, op.fetch)
        self.model = model
        return got

    # -- operations (each builds the SQL and the model's prediction) ---------------------------

    def op_open(self, p: sc.Persona, *, cliente: UUID | None, titulo: str, prioridade: str | None,
                forged: dict[str, Any], reuse: int, conflict: str | None,
                via_function: bool) -> Op:
        seq = self.seq + 1
        if via_function:
            query: Any = sql.SQL(
                "SELECT (t).id FROM tickets.abrir_ticket({}, NULL, {}, NULL, {}) AS t").format(
                sql.Literal(titulo), sql.Literal(prioridade), sql.Literal(cliente))

            def predict(m: Model, got: Outcome) -> Outcome:
                tid = got.value if got.ok else uuid.uuid4()
                out = m.open_ticket(p, id=tid, titulo=titulo, prioridade=prioridade,
                                    cliente_id=cliente, forged={}, on_conflict=None, seq=seq,
                                    via_function=True)
                return Outcome(value=out.value)
            return Op("abrir_ticket", p, query, fetch="value", predict=predict)
        tid = self.ticket(reuse) if reuse and self.model.tickets else uuid.uuid4()
        cols: dict[str, Any] = {"id": tid, "titulo": titulo}
        if prioridade is not None:
            cols["prioridade"] = prioridade
        if cliente is not None:
            cols["cliente_id"] = cliente
        cols.update(forged)
        suffix = {None: sql.SQL(""),
                  "nothing": sql.SQL(" ON CONFLICT (id) DO NOTHING"),
                  "update": sql.SQL(" ON CONFLICT (id) DO UPDATE SET titulo = EXCLUDED.titulo")}
        query = sql.SQL(
            "INSERT INTO tickets.tickets ({}) VALUES ({}){} RETURNING id, numero").format(
            sql.SQL(", ").join(map(sql.Identifier, cols)),
            sql.SQL(", ").join(map(sql.Literal, cols.values())), suffix[conflict])

        def predict_insert(m: Model, got: Outcome) -> Outcome:
            return m.open_ticket(p, id=tid, titulo=titulo, prioridade=prioridade,
                                 cliente_id=cliente,
                                 forged={k: v for k, v in forged.items()
                                         if k in ("escritorio_id", "criado_por")},
                                 on_conflict=conflict, seq=seq, via_function=False)
        conflito = f" ON CONFLICT {conflict}" if conflict else ""
        return Op(f"INSERT tickets ({', '.join(cols)}){conflito}",
                  p, query, predict=predict_insert)

    def op_update(self, p: sc.Persona, ticket: UUID, coluna: str, valor: Any) -> Op:
        query = sql.SQL("UPDATE tickets.tickets SET {} = {} WHERE id = {} RETURNING id").format(
            sql.Identifier(coluna), _value(valor), sql.Literal(ticket))
        return Op(f"UPDATE tickets SET {coluna}", p, query,
                  predict=lambda m, _g: m.update_ticket(p, ticket, coluna, valor))

    def op_comment(self, p: sc.Persona, ticket: UUID, conteudo: str, interno: bool,
                   forged: dict[str, Any], reuse: UUID | None, via_function: bool) -> Op:
        if via_function:
            query: Any = sql.SQL("SELECT (c).id FROM tickets.comentar({}, {}, {}) AS c").format(
                sql.Literal(ticket), sql.Literal(conteudo), sql.Literal(interno))

            def predict(m: Model, got: Outcome) -> Outcome:
                cid = got.value if got.ok else uuid.uuid4()
                out = m.comment(p, id=cid, ticket=ticket, conteudo=conteudo, interno=interno,
                                forged={}, on_conflict=False)
                return Outcome(value=out.value)
            return Op("comentar", p, query, fetch="value", predict=predict)
        cid = reuse or uuid.uuid4()
        cols: dict[str, Any] = {"id": cid, "ticket_id": ticket, "conteudo": conteudo,
                                "interno": interno, **forged}
        query = sql.SQL(
            "INSERT INTO tickets.ticket_comments ({}) VALUES ({}){} RETURNING id").format(
            sql.SQL(", ").join(map(sql.Identifier, cols)),
            sql.SQL(", ").join(map(sql.Literal, cols.values())),
            sql.SQL(" ON CONFLICT (id) DO NOTHING" if reuse else ""))
        return Op(f"INSERT ticket_comments ({', '.join(cols)})", p, query,
                  predict=lambda m, _g: m.comment(p, id=cid, ticket=ticket, conteudo=conteudo,
                                                  interno=interno, forged=forged,
                                                  on_conflict=reuse is not None))

    def op_chat(self, p: sc.Persona, ticket: UUID, conteudo: str) -> Op:
        query = sql.SQL("SELECT tickets.enviar_mensagem({}, {})").format(
            sql.Literal(ticket), sql.Literal(conteudo))

        def predict(m: Model, got: Outcome) -> Outcome:
            out = m.chat(p, ticket, conteudo)
            m.chats[got.value if got.ok else uuid.uuid4()] = out.value
            return Outcome()
        return Op("enviar_mensagem", p, query, fetch="value", predict=predict)

    def op_log_line(self, p: sc.Persona, sessao: UUID, autor: str, mensagem: str) -> Op:
        office = self.model.sessions[sessao].office
        seq = self.seq + 1
        query = sql.SQL(
            "INSERT INTO balcao_virtual.logs_conversas (sessao_id, escritorio_id, autor_tipo, "
            "autor_nome, mensagem) VALUES ({}, {}, {}, 'Balcão', {}) RETURNING id").format(
            sql.Literal(sessao), sql.Literal(office), sql.Literal(autor), sql.Literal(mensagem))
        return Op("INSERT logs_conversas", p, query, fetch="value",
                  predict=lambda m, g: m.log_line(p, sessao, autor, mensagem, g.value, seq))

    # -- rules -------------------------------------------------------------------------------

    @initialize()
    def first_tickets(self) -> None:
        """Every run starts with a ticket in a Balcão session (C1), one opened by staff (C4) and
        one opened by service_role (no criado_por) for the client without a login (C6)."""
        for persona, cliente, titulo in (("cliente_c1", None, "Primeiro"),
                                         ("atendente_e2", CLIENT_IDS[3], "Segundo"),
                                         ("service_role", CLIENT_IDS[5], "Terceiro")):
            self.do(self.op_open(sc.PERSONAS[persona], cliente=cliente, titulo=titulo,
                                 prioridade=None, forged={}, reuse=0, conflict=None,
                                 via_function=True))

    @rule(persona=PERSONA, cliente=st.sampled_from([None, *CLIENT_IDS]),
          texto=TEXT, prioridade=st.sampled_from([None, "alta", "maxima"]),
          via_function=st.booleans())
    def open_ticket(self, persona: str, cliente: UUID | None, texto: str, prioridade: str | None,
                    via_function: bool) -> None:
        self.do(self.op_open(sc.PERSONAS[persona], cliente=cliente, titulo=TEXTS[texto],
                             prioridade=prioridade, forged={}, reuse=0, conflict=None,
                             via_function=via_function))

    @rule(persona=PERSONA, cliente=st.sampled_from([None, *CLIENT_IDS]),
          forged=st.sampled_from(["", "escritorio_id", "criado_por", "numero", "status"]),
          forged_value=INDEX, reuse=INDEX, conflict=st.sampled_from([None, "nothing", "update"]))
    def insert_ticket_forged(self, persona: str, cliente: UUID | None, forged: str,
                             forged_value: int, reuse: int, conflict: str | None) -> None:
        """Plain INSERT with forged columns, id conflicts and ON CONFLICT variants."""
        p = sc.PERSONAS[persona]
        values = {"escritorio_id": sc.OFFICES[forged_value % 3],
                  "criado_por": ANY_UID[forged_value % len(ANY_UID)],
                  "numero": 42, "status": "fechado"}
        if forged == "status" and p.role == "service_role":
            forged = "numero"  # trusted code may import closed tickets; not what this rule tests
        self.do(self.op_open(p, cliente=cliente, titulo="Forjado", prioridade=None,
                             forged={forged: values[forged]} if forged else {},
                             reuse=reuse if self.model.tickets else 0, conflict=conflict,
                             via_function=False))

    @precondition(lambda self: self.model.tickets)
    @rule(persona=ON_TICKET, index=INDEX, change=st.sampled_from(range(len(UPDATES))))
    def update_ticket(self, persona: str, index: int, change: int) -> None:
        coluna, valor = UPDATES[change]
        p = self.who(persona, self.ticket(index), index)
        if p.role == "service_role" and coluna == "fechado_em":
            coluna, valor = "status", "fechado"
        self.do(self.op_update(p, self.ticket(index), coluna, valor))

    @precondition(lambda self: self.model.tickets)
    @rule(persona=ON_TICKET, index=INDEX, texto=TEXT,
          interno=st.booleans(), via_function=st.booleans(),
          forged=st.sampled_from(["", "", "", "", "escritorio_id", "autor_id", "autor_tipo",
                                  "origem", "balcao_log_id"]),
          reuse=st.sampled_from([False, False, False, True]))
    def comment(self, persona: str, index: int, texto: str, interno: bool, via_function: bool,
                forged: str, reuse: bool) -> None:
        ticket = self.ticket(index)
        p = self.who(persona, ticket, index)
        values = {"escritorio_id": sc.E3, "autor_id": STAFF_UIDS[1], "autor_tipo": "equipe",
                  "origem": "balcao_virtual", "balcao_log_id": 1}
        if p.role == "service_role" and forged not in ("", "escritorio_id"):
            forged = ""
        known = [k[1] for k in self.model.comments if k[0] == "id"]
        self.do(self.op_comment(p, ticket, TEXTS[texto], interno,
                                {forged: values[forged]} if forged else {},
                                known[index % len(known)] if reuse and known else None,
                                via_function and not forged))

    @precondition(lambda self: self.model.tickets)
    @rule(persona=ON_TICKET, index=INDEX, texto=TEXT)
    def chat(self, persona: str, index: int, texto: str) -> None:
        ticket = self.ticket(index)
        self.do(self.op_chat(self.who(persona, ticket, index), ticket, TEXTS[texto]))

    @precondition(lambda self: self.model.tickets)
    @rule(persona=ON_TICKET, index=INDEX)
    def chat_history(self, persona: str, index: int) -> None:
        ticket = self.ticket(index)
        p = self.who(persona, ticket, index)
        query = sql.SQL("SELECT h.id FROM tickets.historico_chat({}, NULL, 500) AS h").format(
            sql.Literal(ticket))
        self.do(Op("historico_chat", p, query, fetch="set",
                   predict=lambda m, _g: m.chat_history(p, ticket)))

    @precondition(lambda self: self.model.tickets)
    @rule(persona=ON_TICKET, index=INDEX)
    def import_balcao(self, persona: str, index: int) -> None:
        ticket = self.ticket(index)
        p = self.who(persona, ticket, index)
        query = sql.SQL("SELECT tickets.importar_balcao({})").format(sql.Literal(ticket))
        self.do(Op("importar_balcao", p, query, fetch="value",
                   predict=lambda m, _g: m.import_balcao(p, ticket)))

    @rule(persona=PERSONA, index=INDEX, autor=st.sampled_from(["cliente", "atendente", "bot"]),
          longo=st.booleans())
    def log_line(self, persona: str, index: int, autor: str, longo: bool) -> None:
        """The Balcão Virtual backend (service_role) logs a line; API roles may not."""
        sessions = list(self.model.sessions)
        self.do(self.op_log_line(sc.PERSONAS[persona], sessions[index % len(sessions)], autor,
                                 TEXTS["longo" if longo else "curto"]))

    @rule(index=INDEX, start=st.booleans())
    def session_lifecycle(self, index: int, start: bool) -> None:
        p = sc.PERSONAS["service_role"]
        if start:
            cliente, sid = CLIENT_IDS[index % len(CLIENT_IDS)], uuid.uuid4()
            office = self.model.clientes[cliente].office
            query = sql.SQL("INSERT INTO balcao_virtual.sessoes_ativas "
                            "(id, escritorio_id, cliente_id) "
                            "VALUES ({}, {}, {})").format(*map(sql.Literal, (sid, office, cliente)))
            self.do(Op("INSERT sessoes_ativas", p, query,
                       predict=lambda m, _g: m.start_session(p, sid, cliente)))
        else:
            sessions = list(self.model.sessions)
            sid = sessions[index % len(sessions)]
            query = sql.SQL("UPDATE balcao_virtual.sessoes_ativas SET status = 'encerrada', "
                            "encerrada_em = now() WHERE id = {} AND status = 'ativa'").format(
                sql.Literal(sid))
            self.do(Op("encerrar sessão", p, query,
                       predict=lambda m, _g: m.close_session(p, sid)))

    @rule(index=INDEX)
    def toggle_staff(self, index: int) -> None:
        """The back-office (de)activates a member: visibility follows at the next statement."""
        _n, uid, office, _papel, _a = sc.STAFF[index % len(sc.STAFF)]
        ativo = not self.model.equipe[(office, uid)][1]
        p = sc.PERSONAS["service_role"]
        query = sql.SQL(
            "UPDATE crm.equipe SET ativo = {} WHERE escritorio_id = {} AND user_id = {}").format(
            sql.Literal(ativo), sql.Literal(office), sql.Literal(uid))
        self.do(Op("UPDATE equipe SET ativo", p, query,
                   predict=lambda m, _g: m.set_staff_active(office, uid, ativo)))

    @rule(persona=PERSONA, cliente=st.sampled_from(CLIENT_IDS), index=INDEX,
          attach=st.booleans(), office=st.sampled_from([None, *sc.OFFICES]),
          forge_sender=st.booleans())
    def upload(self, persona: str, cliente: UUID, index: int, attach: bool, office: UUID | None,
               forge_sender: bool) -> None:
        p = sc.PERSONAS[persona]
        did = uuid.uuid4()
        escritorio = office or self.model.clientes[cliente].office
        ticket = self.ticket(index) if attach and self.model.tickets else None
        sender = STAFF_UIDS[1] if forge_sender or p.uid is None else p.uid
        query = sql.SQL(
            "INSERT INTO crm.documentos (id, escritorio_id, cliente_id, ticket_id, nome_arquivo, "
            "storage_path, enviado_por) VALUES ({}, {}, {}, {}, 'doc.pdf', {}, {})").format(
            *map(sql.Literal, (did, escritorio, cliente, ticket, f"{escritorio}/{cliente}/doc.pdf",
                               sender)))
        self.do(Op("INSERT documentos", p, query,
                   predict=lambda m, _g: m.upload(p, id=did, office=escritorio, cliente=cliente,
                                                  ticket=ticket, enviado_por=sender)))

    @rule(persona=PERSONA, cliente=st.sampled_from(CLIENT_IDS),
          change=st.sampled_from([("email", "novo@cliente.test"), ("nome", "Outro nome"),
                                  ("escritorio_id", sc.E3), ("user_id", sc.LIVRE)]))
    def update_client(self, persona: str, cliente: UUID, change: tuple[str, Any]) -> None:
        p = sc.PERSONAS[persona]
        coluna, valor = change
        if p.role == "service_role" and coluna in ("escritorio_id", "user_id"):
            coluna, valor = "email", "backoffice@cliente.test"
        query = sql.SQL("UPDATE crm.clientes SET {} = {} WHERE id = {}").format(
            sql.Identifier(coluna), sql.Literal(valor), sql.Literal(cliente))
        self.do(Op(f"UPDATE clientes SET {coluna}", p, query,
                   predict=lambda m, _g: m.update_client(p, cliente, coluna, valor)))

    @rule(persona=PERSONA, index=INDEX,
          topic=st.sampled_from(["ticket", "escritorio", "malformado"]),
          event=st.sampled_from(["digitando", "lido", "mensagem", "nota_interna",
                                 "ticket_atualizado"]))
    def send_realtime(self, persona: str, index: int, topic: str, event: str) -> None:
        """Direct INSERT into realtime.messages with forged topics and domain events."""
        p = sc.PERSONAS[persona]
        if p.role == "service_role":
            event = "digitando"  # trusted code may post anything; domain events are its own
        if topic == "ticket":
            name = f"ticket:{self.ticket(index)}" if self.model.tickets else "ticket:"
        elif topic == "escritorio":
            name = f"escritorio:{sc.OFFICES[index % 3]}"
        else:
            name = "ticket:não-é-uuid"
        query = sql.SQL("INSERT INTO realtime.messages (topic, extension, event, payload, private) "
                        "VALUES ({}, 'broadcast', {}, '{{}}', true)").format(
            sql.Literal(name), sql.Literal(event))
        self.do(Op("INSERT realtime.messages", p, query,
                   predict=lambda m, _g: m.send_realtime(p, name, event)))

    @precondition(lambda self: self.model.tickets)
    @rule(persona=API_PERSONA, index=INDEX,
          table=st.sampled_from(["tickets.tickets", "tickets.ticket_comments",
                                 "tickets.chat_mensagens", "crm.clientes", "crm.documentos",
                                 "balcao_virtual.sessoes_ativas", "realtime.messages",
                                 "audit.eventos"]))
    def delete(self, persona: str, index: int, table: str) -> None:
        """Nobody but service_role deletes anything (section 7)."""
        schema, name = table.split(".")
        query = sql.SQL("DELETE FROM {}.{} WHERE true").format(sql.Identifier(schema),
                                                               sql.Identifier(name))

        def predict(_m: Model, _g: Outcome) -> Outcome:
            raise Refused("42501")
        self.do(Op(f"DELETE FROM {table}", sc.PERSONAS[persona], query, predict=predict))

    @precondition(lambda self: self.model.tickets)
    @rule(index=INDEX, first=st.sampled_from(RACE_KINDS), second=st.sampled_from(RACE_KINDS),
          p1=ON_TICKET, p2=ON_TICKET)
    def race(self, index: int, first: str, second: str, p1: str, p2: str) -> None:
        """Two connections on one ticket: the second runs while the first is uncommitted."""
        ticket = self.ticket(index)
        ops = []
        for n, (kind, name) in enumerate(((first, p1), (second, p2))):
            persona = self.who(name, ticket, index + n)
            ops.append(self._race_op(kind, persona, ticket))
            self.seq += 1  # session 1 began first: its now() is earlier
        self.actors += [op.persona.name for op in ops]
        got1, got2, waited = self.driver.race(ops[0], ops[1])
        self.stats["steps"] += 1
        self.stats["races"] += 1
        self.stats["races that waited"] += waited
        orders = [(0, 1)] if waited else [(1, 0), (0, 1)]
        gots = (got1, got2)
        problems = []
        for order in orders:
            model = self.model
            try:
                for i in order:
                    model, expected = self._predict(model, ops[i], gots[i])
                    self._check_same(ops[i].label, expected, gots[i], ops[i].fetch)
            except Violation as exc:
                problems.append(f"order {order}: {exc.args[0]}")
                continue
            self.model = model
            return
        self.fail("race with no serial explanation:\n" + "\n".join(problems))

    @precondition(lambda self: self.model.tickets)
    @rule(index=INDEX, first=st.sampled_from(["fechar", "status"]),
          second=st.sampled_from(["comentar", "chat", "linha", "fechar", "status"]),
          p1=ON_TICKET, p2=ON_TICKET)
    def race_closing(self, index: int, first: str, second: str, p1: str, p2: str) -> None:
        """Writes racing a status change or a close of the ticket (nothing after fechado_em)."""
        self.race(index, first, second, p1, p2)

    @precondition(lambda self: self.model.tickets)
    @rule(index=INDEX, first=st.sampled_from(["abrir", "linha", "comentar", "chat"]),
          second=st.sampled_from(["abrir", "linha", "comentar", "chat"]), p1=ON_TICKET,
          p2=ON_TICKET)
    def race_opening(self, index: int, first: str, second: str, p1: str, p2: str) -> None:
        """Numbering, Balcão import vs append, first answer and audit actors under concurrency."""
        self.race(index, first, second, p1, p2)

    def _check_same(self, label: str, expected: Outcome, got: Outcome, fetch: str) -> None:
        if expected.code != got.code or (
                expected.ok and expected.rows is not None and expected.rows != got.rows):
            detail = got.value if got.code else ""
            raise Violation(f"{label}: expected {expected.code or 'success'}/{expected.rows}, "
                            f"got {got.code or 'success'}/{got.rows} {detail}")

    def _race_op(self, kind: str, p: sc.Persona, ticket: UUID) -> Op:
        t = self.model.tickets[ticket]
        if kind == "fechar":
            return self.op_update(p, ticket, "status", "fechado")
        if kind == "status":
            return self.op_update(p, ticket, "status", "em_atendimento")
        if kind == "comentar":
            return self.op_comment(p, ticket, "Comentário concorrente", False, {}, None, True)
        if kind == "chat":
            return self.op_chat(p, ticket, "Mensagem concorrente")
        if kind == "linha":
            sessions = [s.id for s in self.model.sessions.values() if s.cliente == t.cliente]
            sessao = sessions[-1] if sessions else next(iter(self.model.sessions))
            return self.op_log_line(sc.PERSONAS["service_role"], sessao, "atendente", "Linha")
        cliente = None if p.role != "service_role" and self.model.own_client(p) else t.cliente
        return self.op_open(p, cliente=cliente, titulo="Concorrente", prioridade=None, forged={},
                            reuse=0, conflict=None, via_function=True)

    # -- invariants --------------------------------------------------------------------------

    @invariant()
    def contract_holds(self) -> None:
        admin = self.driver.admin
        m = self.model

        def rows(query: str) -> list[tuple[Any, ...]]:
            return admin.execute(query).fetchall()

        # Ids the database generated for Balcão imports: model key -> comment id.
        comment_ids: dict[tuple[Any, ...], UUID] = {}
        db_comments: Counter[tuple[Any, ...]] = Counter()
        for cid, ticket, office, interno, autor_tipo, origem, autor, linha in rows(
                "SELECT id, ticket_id, escritorio_id, interno, autor_tipo, origem, autor_id, "
                "balcao_log_id FROM tickets.ticket_comments"):
            key = ("balcao", ticket, linha) if origem == "balcao_virtual" else ("id", cid)
            comment_ids[key] = cid
            db_comments[(key, ticket, office, interno, autor_tipo, origem, autor, linha)] += 1
        expected_comments = Counter(
            (c.key, c.ticket, c.office, c.interno, c.autor_tipo, c.origem, c.autor_id,
             c.balcao_log_id) for c in m.comments.values())
        self.same("comments (ticket, author, interno, origin, Balcão line)",
                  expected_comments, db_comments)

        # Tickets: identity columns, numbering, status, first answer, Balcão link.
        db_tickets = {r[0]: r[1:] for r in rows(
            "SELECT id, escritorio_id, cliente_id, numero, criado_por, sessao_balcao_id, titulo, "
            "prioridade, status, responsavel_id, primeira_resposta_em IS NOT NULL "
            "FROM tickets.tickets")}
        expected_tickets = {t.id: (t.office, t.cliente, t.numero, t.criado_por, t.sessao, t.titulo,
                                   t.prioridade, t.status, t.responsavel, t.primeira)
                            for t in m.tickets.values()}
        self.same("tickets (office, client, numero, criado_por, session, titulo, prioridade, "
                  "status, responsavel, primeira_resposta)", expected_tickets, db_tickets)
        for office in sc.OFFICES:
            numbers = sorted(v[2] for v in db_tickets.values() if v[0] == office)
            if numbers != list(range(1, len(numbers) + 1)):
                self.fail(f"numero of office {office} is not gap-free: {numbers}")
        counters = dict(rows("SELECT escritorio_id, ultimo_numero FROM tickets.numeracao"))
        self.same("per-office counters (tickets.numeracao)",
                  {o: n for o, n in m.counters.items()}, {o: n for o, n in counters.items() if n})

        # Chat archive <-> realtime rows (same id, topic, event).
        db_chats = {r[0]: (r[1], r[2], r[3]) for r in rows(
            "SELECT id, ticket_id, autor_id, autor_tipo FROM tickets.chat_mensagens")}
        self.same("chat archive", dict(m.chats), db_chats)
        orphans = rows(
            "SELECT coalesce(c.id, r.id) FROM tickets.chat_mensagens AS c "
            "FULL JOIN (SELECT * FROM realtime.messages WHERE event = 'mensagem') AS r "
            "ON r.id = c.id AND r.topic = 'ticket:' || c.ticket_id "
            "WHERE c.id IS NULL OR r.id IS NULL")
        if orphans:
            self.fail(f"chat archive and realtime rows differ: {orphans}")

        # Nothing after fechado_em.
        late = rows(
            "SELECT t.id, x.kind FROM tickets.tickets AS t CROSS JOIN LATERAL ("
            " SELECT 'comment' AS kind FROM tickets.ticket_comments AS c"
            "  WHERE c.ticket_id = t.id AND c.origem <> 'balcao_virtual'"
            "   AND c.created_at > t.fechado_em"
            " UNION ALL SELECT 'chat' FROM tickets.chat_mensagens AS h"
            "  WHERE h.ticket_id = t.id AND h.enviado_em > t.fechado_em) AS x "
            "WHERE t.status = 'fechado'")
        if late:
            self.fail(f"rows written after the ticket was closed: {late}")

        # Balcão lines: exactly once, in log order. Lines logged in one transaction share their
        # enviado_em (= the comments' created_at), so among equal times the log order is the
        # line id: a thread read ORDER BY created_at, balcao_log_id must be the log order.
        for ticket, linhas in rows(
                "SELECT ticket_id, array_agg(balcao_log_id ORDER BY created_at, balcao_log_id) "
                "FROM tickets.ticket_comments WHERE balcao_log_id IS NOT NULL GROUP BY ticket_id"):
            if linhas != sorted(linhas) or set(linhas) != m.tickets[ticket].lines:
                self.fail(f"Balcão lines of ticket {ticket}: {linhas}, expected "
                          f"{sorted(m.tickets[ticket].lines)} once each, in log order")

        # Other tables.
        self.same("documents", {k: v for k, v in m.documents.items()}, {r[0]: r[1:] for r in rows(
            "SELECT id, escritorio_id, cliente_id, ticket_id, enviado_por FROM crm.documentos")})
        self.same("sessions", {s.id: (s.cliente, s.status) for s in m.sessions.values()},
                  {r[0]: r[1:] for r in rows(
                      "SELECT id, cliente_id, status FROM balcao_virtual.sessoes_ativas")})
        self.same("client records", {c.id: (c.office, c.user, c.nome, c.email)
                                     for c in m.clientes.values()},
                  {r[0]: r[1:] for r in rows(
                      "SELECT id, escritorio_id, user_id, nome, email FROM crm.clientes")})
        self.same("broadcasts (topic, event)", +m.realtime, Counter(
            dict(((t, e), n) for t, e, n in rows(
                "SELECT topic, event, count(*) FROM realtime.messages GROUP BY 1, 2"))))

        # Audit: one event per change, with the right actor.
        ids_by_comment = {v: k for k, v in comment_ids.items()}
        got_audit: Counter[Any] = Counter()
        for tabela, operacao, registro, ator, papel, eid in rows(
                f"SELECT tabela, operacao, registro_id, ator_id, ator_papel, id FROM audit.eventos "
                f"WHERE id > {self.audit_seen} ORDER BY id"):
            key: Any = UUID(registro)
            if tabela == "tickets.ticket_comments":
                key = ids_by_comment.get(key, key)
            got_audit[(tabela, operacao, key, ator, papel)] += 1
            self.audit_seen = max(self.audit_seen, eid)
        expected_audit = Counter((e.tabela, e.operacao, e.key, e.ator_id, e.ator_papel)
                                 for e in m.audit)
        m.audit = []
        self.same("audit events of the last step (table, operation, row, actor, papel)",
                  expected_audit, got_audit)

        # What personas see, and the CRM history they get: after every step the personas that
        # acted and two more in rotation (every persona at least every 8 steps), and all of them
        # at the end of the run (teardown). Every persona every step would cost ~1 s per step.
        names = set(self.actors)
        for _ in range(2):
            names.add(sc.PERSONA_NAMES[self.rotation % len(sc.PERSONA_NAMES)])
            self.rotation += 1
        self.actors = []
        self.check_personas(comment_ids, [sc.PERSONAS[n] for n in sorted(names)])
        self.comment_ids = comment_ids

    def same(self, what: str, expected: Any, got: Any) -> None:
        if expected != got:
            if isinstance(expected, dict) and isinstance(got, dict):
                diff = {k: (expected.get(k), got.get(k)) for k in set(expected) | set(got)
                        if expected.get(k) != got.get(k)}
                self.fail(f"{what}: model != database (key: (model, database)): {diff}")
            self.fail(f"{what}: model {expected} != database {got}")

    VISIBILITY: ClassVar[dict[str, str]] = {
        "escritorios": "SELECT id::text FROM crm.escritorios",
        "equipe": "SELECT escritorio_id || '/' || user_id FROM crm.equipe",
        "clientes": "SELECT id::text FROM crm.clientes",
        "tickets": "SELECT id::text FROM tickets.tickets",
        "comments": "SELECT id::text FROM tickets.ticket_comments",
        "chat": "SELECT id::text FROM tickets.chat_mensagens",
        "documentos": "SELECT id::text FROM crm.documentos",
        "sessoes": "SELECT id::text FROM balcao_virtual.sessoes_ativas",
        "logs": "SELECT id::text FROM balcao_virtual.logs_conversas",
        "realtime": "SELECT topic || '|' || event FROM realtime.messages",
    }

    def check_personas(self, comment_ids: dict[tuple[Any, ...], UUID],
                       personas: list[sc.Persona]) -> None:
        """Every persona's view of every table and of crm.historico_cliente, against the model.

        One transaction, pipelined (one round trip for all personas): switch persona, read.
        """
        conn = self.driver.conns[0]
        union = " UNION ALL ".join(f"SELECT '{table}', x.* FROM ({query}) AS x"
                                   for table, query in self.VISIBILITY.items())
        history = ("SELECT x, h.tipo, h.referencia_id FROM unnest(%s::uuid[]) AS x "
                   "CROSS JOIN LATERAL crm.historico_cliente(x, NULL, 1000) AS h")
        reads = []
        with conn.transaction(force_rollback=True):
            with conn.pipeline():
                for p in personas:
                    if p.role == "anon":
                        continue
                    conn.execute("SELECT set_config('role', %s, true), "
                                 "set_config('request.jwt.claims', %s, true)",
                                 (p.role, json.dumps({"role": p.role, "sub": str(p.uid)}
                                                     if p.uid else {"role": p.role})))
                    reads.append((p, conn.execute(union), conn.execute(history, (CLIENT_IDS,))))
            anon: dict[str, Counter[str]] = {table: Counter() for table in self.VISIBILITY}
            if sc.PERSONAS["anon"] in personas:
                act_as(conn, None, role="anon")
                for table, query in self.VISIBILITY.items():
                    try:
                        with conn.transaction():
                            anon[table].update(r[0] for r in conn.execute(query))
                    except psycopg.errors.InsufficientPrivilege:
                        pass
        if sc.PERSONAS["anon"] in personas:
            self.compare_view(sc.PERSONAS["anon"], anon, None, comment_ids)
        for p, seen_cur, history_cur in reads:
            seen: dict[str, Counter[str]] = {table: Counter() for table in self.VISIBILITY}
            for table, value in seen_cur.fetchall():
                seen[table][value] += 1
            histories: dict[UUID, Counter[str]] = {c: Counter() for c in CLIENT_IDS}
            for cliente, tipo, ref in history_cur.fetchall():
                histories[cliente][f"{tipo}/{ref}"] += 1
            self.compare_view(p, seen, histories, comment_ids)

    def compare_view(self, p: sc.Persona, seen: dict[str, Counter[str]],
                     histories: dict[UUID, Counter[str]] | None,
                     comment_ids: dict[tuple[Any, ...], UUID]) -> None:
        expected = self.model.visible(p, comment_ids, set(), {})
        for table in self.VISIBILITY:
            got = seen[table]
            if got != expected[table]:
                self.fail(f"tenant isolation: {p.name} sees in {table} "
                          f"{sorted(set(got) - set(expected[table]))} it must not, and misses "
                          f"{sorted(set(expected[table]) - set(got))}")
        for cliente in CLIENT_IDS if histories is not None else ():
            want = self.model.history(p, cliente, comment_ids)
            if histories[cliente] != want:
                self.fail(f"crm.historico_cliente({cliente}) as {p.name}: lists "
                          f"{sorted(set(histories[cliente]) - set(want))} it must not, misses "
                          f"{sorted(set(want) - set(histories[cliente]))}")
