"""A model of the contract (ARCHITECTURE sections 5-7): what each persona may do and leave behind.

Every operation is predicted here from the contract's words, before the database is asked: an
``Outcome`` (accepted with a row count / value, or refused with a SQLSTATE) plus the effects an
accepted operation must have (rows, numbers, broadcasts, audit events with their actor). A
refused operation has no effect at all. The machine compares the prediction and the database
after every step. Written independently of policies/access_matrix.toml on purpose.
"""

from __future__ import annotations

import copy
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from invariants import scenario as sc

STATUSES = ("aberto", "em_atendimento", "aguardando_cliente", "resolvido", "fechado")
PRIORIDADES = ("baixa", "media", "alta", "urgente")
DOMAIN_EVENTS = ("mensagem", "comentario", "nota_interna", "ticket_atualizado", "ticket_criado")
# What API users may broadcast themselves (private, object payload): typing and read receipts.
CLIENT_EVENTS = ("digitando", "lido")
MAX_LEN = 4000
# Ticket columns the database maintains (staff may not write them, SK015).
SYSTEM_COLUMNS = ("created_at", "primeira_resposta_em", "resolvido_em", "fechado_em",
                  "sessao_balcao_id")
IMMUTABLE = ("escritorio_id", "cliente_id", "numero", "criado_por")


class Refused(Exception):
    """The contract refuses the operation with this SQLSTATE."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Outcome:
    """An operation's answer: refused with ``code``, or accepted (``rows`` touched, ``value``)."""

    code: str | None = None
    rows: int | None = None
    value: Any = None

    @property
    def ok(self) -> bool:
        return self.code is None


@dataclass
class Ticket:
    id: UUID
    office: UUID
    cliente: UUID
    numero: int
    criado_por: UUID | None
    sessao: UUID | None
    titulo: str
    prioridade: str = "media"
    status: str = "aberto"
    responsavel: UUID | None = None
    primeira: bool = False
    seq: int = 0  # when it was opened (step order), for "answers after opening"
    lines: set[int] = field(default_factory=set)  # Balcão lines imported


@dataclass
class Comment:
    key: tuple[Any, ...]  # ("id", uuid) or ("balcao", ticket, line)
    ticket: UUID
    office: UUID
    interno: bool
    autor_tipo: str
    origem: str
    autor_id: UUID | None
    balcao_log_id: int | None


@dataclass
class Line:
    id: int
    autor_tipo: str
    seq: int


@dataclass
class Session:
    id: UUID
    office: UUID
    cliente: UUID
    status: str = "ativa"
    lines: list[Line] = field(default_factory=list)


@dataclass
class Cliente:
    id: UUID
    office: UUID
    user: UUID | None
    nome: str
    email: str


@dataclass(frozen=True)
class AuditEvent:
    tabela: str
    operacao: str
    key: Any
    ator_id: UUID | None
    ator_papel: str


LINE_MAP = {"cliente": "cliente", "atendente": "equipe", "bot": "sistema"}


class Model:
    """The contract's state: what exists, what each office has numbered, what was broadcast."""

    def __init__(self, initial_lines: dict[UUID, list[int]]) -> None:
        self.seq = 0
        self.equipe: dict[tuple[UUID, UUID], tuple[str, bool]] = {
            (o, uid): (papel, ativo) for _n, uid, o, papel, ativo in sc.STAFF}
        self.clientes: dict[UUID, Cliente] = {
            c: Cliente(c, o, login, n, n + "@cliente.test") for n, c, o, login, _s in sc.CLIENTS}
        self.sessions: dict[UUID, Session] = {}
        for _n, c, o, _login, has in sc.CLIENTS:
            if has:
                sid = sc.session_id(c)
                self.sessions[sid] = Session(sid, o, c, lines=[
                    Line(i, autor, 0) for i, (autor, _t) in
                    zip(initial_lines[sid], sc.INITIAL_LINES, strict=True)])
        self.tickets: dict[UUID, Ticket] = {}
        self.comments: dict[tuple[Any, ...], Comment] = {}
        self.chats: dict[UUID, tuple[UUID, UUID, str]] = {}  # id -> (ticket, autor, autor_tipo)
        self.documents: dict[UUID, tuple[UUID, UUID, UUID | None, UUID | None]] = {}
        self.counters: dict[UUID, int] = {}
        self.realtime: Counter[tuple[str, str]] = Counter()
        self.audit: list[AuditEvent] = []  # events expected from the current step

    def copy(self) -> Model:
        return copy.deepcopy(self)

    # -- who is calling ----------------------------------------------------------------------

    def own_client(self, p: sc.Persona) -> Cliente | None:
        if p.uid is None:
            return None
        return next((c for c in self.clientes.values() if c.user == p.uid), None)

    def active_offices(self, p: sc.Persona) -> set[UUID]:
        return {o for (o, u), (_papel, ativo) in self.equipe.items() if u == p.uid and ativo}

    def supervised(self, p: sc.Persona) -> set[UUID]:
        return {o for (o, u), (papel, ativo) in self.equipe.items()
                if u == p.uid and ativo and papel in ("supervisor", "admin")}

    def role_on_ticket(self, p: sc.Persona, t: Ticket) -> str | None:
        """Staff of the office wins over being the ticket's client (flows 3-5)."""
        if t.office in self.active_offices(p):
            return "equipe"
        own = self.own_client(p)
        if own is not None and own.id == t.cliente:
            return "cliente"
        return None

    def ator(self, p: sc.Persona, office: UUID) -> tuple[UUID | None, str]:
        """Flow 6: the actor recorded for a change of a row of ``office``."""
        if p.uid is None:
            return None, p.role
        membro = self.equipe.get((office, p.uid))
        if membro is not None and membro[1]:
            return p.uid, membro[0]
        if self.own_client(p) is not None:
            return p.uid, "cliente"
        return p.uid, p.role

    def log(self, p: sc.Persona, tabela: str, operacao: str, key: Any, office: UUID) -> None:
        ator_id, papel = self.ator(p, office)
        self.audit.append(AuditEvent(tabela, operacao, key, ator_id, papel))

    # -- shared rules ------------------------------------------------------------------------

    @staticmethod
    def validate(text: str | None, nullable: bool = False) -> None:
        if text is None and nullable:
            return
        if text is None or not text.strip():
            raise Refused("SK006")
        if len(text) > MAX_LEN:
            raise Refused("SK007")

    def stamp_first_answer(self, p: sc.Persona, t: Ticket) -> None:
        if not t.primeira:
            t.primeira = True
            self.log(p, "tickets.tickets", "UPDATE", t.id, t.office)

    def copy_lines(self, p: sc.Persona, t: Ticket, only: list[Line] | None = None,
                   opening: bool = False) -> int:
        """Balcão lines of the ticket's session into the ticket, exactly once, in log order.

        The log imported by the transaction that opens the ticket is not broadcast (nobody can
        be subscribed to the ticket's topic yet, docs/backend.md); lines copied later are.
        """
        if t.sessao is None or t.status == "fechado":
            return 0
        s = self.sessions[t.sessao]
        added = 0
        for line in (only if only is not None else s.lines):
            if line.id in t.lines:
                continue
            t.lines.add(line.id)
            key = ("balcao", t.id, line.id)
            autor = LINE_MAP[line.autor_tipo]
            # cliente lines are the session client's words: its portal login is the author
            login = self.clientes[t.cliente].user if autor == "cliente" else None
            self.comments[key] = Comment(key, t.id, t.office, False, autor, "balcao_virtual",
                                         login, line.id)
            if not opening:
                self.realtime[(f"ticket:{t.id}", "comentario")] += 1
            self.log(p, "tickets.ticket_comments", "INSERT", key, t.office)
            added += 1
        for line in (only if only is not None else s.lines):
            if LINE_MAP[line.autor_tipo] == "equipe" and line.seq > t.seq and line.id in t.lines:
                self.stamp_first_answer(p, t)
        return added

    # -- tickets -----------------------------------------------------------------------------

    def open_ticket(self, p: sc.Persona, *, id: UUID, titulo: str, prioridade: str | None,
                    cliente_id: UUID | None, forged: dict[str, Any], on_conflict: str | None,
                    seq: int, via_function: bool) -> Outcome:
        """Flow 1 (abrir_ticket or a plain INSERT through the API)."""
        if p.role == "anon":
            raise Refused("42501")
        self.validate(titulo)
        prioridade = prioridade or "media"
        if prioridade not in PRIORIDADES:
            raise Refused("SK013")
        if p.role == "service_role":
            if cliente_id is None:
                raise Refused("SK003")
            cli = self.clientes[cliente_id]
            office = forged.get("escritorio_id", cli.office)
            criado_por = forged.get("criado_por")
            if office != cli.office:
                raise Refused("23503")
        else:
            own = self.own_client(p)
            active = self.active_offices(p)
            if own is not None and cliente_id in (None, own.id):
                cli, office = own, own.office
            elif active:
                if cliente_id is None or self.clientes[cliente_id].office not in active:
                    raise Refused("SK003")
                cli = self.clientes[cliente_id]
                office = cli.office
            elif own is None:
                raise Refused("SK002")
            else:
                raise Refused("SK014")  # a client naming another client
            if "escritorio_id" in forged and forged["escritorio_id"] != office:
                raise Refused("SK014")
            if forged.get("criado_por", p.uid) != p.uid:
                raise Refused("SK014")
            criado_por = p.uid
        existing = self.tickets.get(id)
        if existing is not None:
            if on_conflict is None:
                raise Refused("23505")
            if on_conflict == "nothing":
                return Outcome(rows=0)
            # ON CONFLICT (id) DO UPDATE SET titulo = EXCLUDED.titulo
            if p.role == "authenticated" and existing.cliente != (own.id if own else None) \
                    and existing.office not in active:
                raise Refused("42501")
            return self.update_ticket(p, existing.id, "titulo", titulo)
        status = forged.get("status", "aberto") if p.role == "service_role" else "aberto"
        numero = self.counters.get(office, 0) + 1
        sessao = next((s.id for s in self.sessions.values()
                       if s.cliente == cli.id and s.office == office and s.status == "ativa"),
                      None)
        t = Ticket(id, office, cli.id, numero, criado_por, sessao, titulo, prioridade,
                   status=status, seq=seq)
        self.counters[office] = numero
        self.tickets[id] = t
        self.realtime[(f"escritorio:{office}", "ticket_criado")] += 1
        self.log(p, "tickets.tickets", "INSERT", id, office)
        self.copy_lines(p, t, opening=True)
        return Outcome(rows=1, value=id)

    def update_ticket(self, p: sc.Persona, ticket: UUID, coluna: str, valor: Any) -> Outcome:
        """Flow 5: who may change which column of a ticket and which status."""
        if p.role == "anon":
            raise Refused("42501")
        t = self.tickets[ticket]
        if p.role == "authenticated" and self.role_on_ticket(p, t) is None:
            return Outcome(rows=0)  # RLS: not the caller's row
        atual = {"escritorio_id": t.office, "cliente_id": t.cliente, "numero": t.numero,
                 "criado_por": t.criado_por, "status": t.status, "titulo": t.titulo,
                 "prioridade": t.prioridade, "responsavel_id": t.responsavel}
        muda = coluna not in atual or atual[coluna] != valor
        if coluna in IMMUTABLE and muda:
            raise Refused("SK009")
        novo_status = valor if coluna == "status" else t.status
        if novo_status not in STATUSES:
            raise Refused("SK013")
        if p.role == "authenticated":
            papel = self.role_on_ticket(p, t)
            if papel == "cliente":
                if coluna != "status" and muda:
                    raise Refused("SK010")
                if novo_status != t.status and not (
                        novo_status == "fechado"
                        or (t.status == "resolvido" and novo_status == "aberto")):
                    raise Refused("SK008")
            else:
                if coluna in SYSTEM_COLUMNS and muda:
                    raise Refused("SK015")
                if t.status == "fechado" and novo_status not in ("fechado", "aberto"):
                    raise Refused("SK008")
        if coluna == "titulo" and muda:
            self.validate(valor)
        if coluna == "prioridade" and valor not in PRIORIDADES:
            raise Refused("SK013")
        if coluna == "responsavel_id" and valor is not None \
                and not self.equipe.get((t.office, valor), ("", False))[1]:
            raise Refused("SK019")  # the assignee is ACTIVE staff of the ticket's office
        if coluna == "titulo":
            t.titulo = valor
        elif coluna == "prioridade":
            t.prioridade = valor
        elif coluna == "responsavel_id":
            t.responsavel = valor
        if novo_status != t.status:
            t.status = novo_status
            self.realtime[(f"ticket:{t.id}", "ticket_atualizado")] += 1
            self.realtime[(f"escritorio:{t.office}", "ticket_atualizado")] += 1
        self.log(p, "tickets.tickets", "UPDATE", t.id, t.office)
        return Outcome(rows=1)

    # -- comments and chat -------------------------------------------------------------------

    def comment(self, p: sc.Persona, *, id: UUID, ticket: UUID, conteudo: str, interno: bool,
                forged: dict[str, Any], on_conflict: bool) -> Outcome:
        """Flows 3-4: comments (comentar or a plain INSERT)."""
        if p.role == "anon":
            raise Refused("42501")
        t = self.tickets.get(ticket)
        if p.role == "service_role":
            if t is None:
                raise Refused("SK004")
            autor_tipo, origem, autor = "sistema", "sistema", None
        else:
            papel = self.role_on_ticket(p, t) if t is not None else None
            if t is None or papel is None:
                raise Refused("SK004")
            if papel == "cliente" and interno:
                raise Refused("SK011")
            autor_tipo, origem = (("cliente", "portal") if papel == "cliente"
                                  else ("equipe", "equipe"))
            autor = p.uid
            derivado = {"escritorio_id": t.office, "autor_id": p.uid, "autor_tipo": autor_tipo,
                        "origem": origem, "balcao_log_id": None}
            if any(derivado[k] != v for k, v in forged.items()):
                raise Refused("SK014")
        if t.status == "fechado":
            raise Refused("SK005")
        self.validate(conteudo)
        key = ("id", id)
        if key in self.comments:
            if on_conflict:
                return Outcome(rows=0)
            raise Refused("23505")
        if forged.get("escritorio_id", t.office) != t.office:
            raise Refused("23503")  # service_role: the composite foreign key (office, ticket)
        self.comments[key] = Comment(key, t.id, t.office, interno, autor_tipo, origem, autor, None)
        if interno:
            self.realtime[(f"escritorio:{t.office}", "nota_interna")] += 1
        else:
            self.realtime[(f"ticket:{t.id}", "comentario")] += 1
        self.log(p, "tickets.ticket_comments", "INSERT", key, t.office)
        if autor_tipo == "equipe" and not interno:
            self.stamp_first_answer(p, t)
        return Outcome(rows=1, value=id)

    def chat(self, p: sc.Persona, ticket: UUID, conteudo: str) -> Outcome:
        """Flow 3: tickets.enviar_mensagem (archive + realtime row, same id)."""
        if p.role == "anon":
            raise Refused("42501")
        if p.uid is None:
            raise Refused("SK001")
        t = self.tickets.get(ticket)
        papel = self.role_on_ticket(p, t) if t is not None else None
        if t is None or papel is None:
            raise Refused("SK004")
        if t.status == "fechado":
            raise Refused("SK005")
        self.validate(conteudo)
        self.realtime[(f"ticket:{t.id}", "mensagem")] += 1
        if papel == "equipe":
            self.stamp_first_answer(p, t)
        return Outcome(rows=1, value=(t.id, p.uid, papel))

    def chat_history(self, p: sc.Persona, ticket: UUID) -> Outcome:
        """tickets.historico_chat: the ticket's archive, for its participants (and trusted code)."""
        if p.role == "anon":
            raise Refused("42501")
        t = self.tickets.get(ticket)
        if p.role == "authenticated" and (t is None or self.role_on_ticket(p, t) is None):
            raise Refused("SK004")
        return Outcome(rows=None, value={i for i, (tk, _a, _t) in self.chats.items()
                                         if tk == ticket})

    def import_balcao(self, p: sc.Persona, ticket: UUID) -> Outcome:
        """tickets.importar_balcao: re-sync, idempotent."""
        if p.role == "anon":
            raise Refused("42501")
        t = self.tickets.get(ticket)
        if t is None or (p.role == "authenticated" and self.role_on_ticket(p, t) is None):
            raise Refused("SK004")
        if t.sessao is None:
            return Outcome(value=0)
        if t.status == "fechado":
            raise Refused("SK005")
        return Outcome(value=self.copy_lines(p, t))

    # -- Balcão Virtual backend (service_role) -----------------------------------------------

    def log_line(self, p: sc.Persona, sessao: UUID, autor_tipo: str, mensagem: str,
                 line_id: int, seq: int) -> Outcome:
        if p.role != "service_role":
            raise Refused("42501")
        if len(mensagem) > MAX_LEN:
            raise Refused("SK007")
        s = self.sessions[sessao]
        line = Line(line_id, autor_tipo, seq)
        s.lines.append(line)
        if s.status == "ativa":
            for t in self.tickets.values():
                if t.sessao == s.id and t.status != "fechado":
                    self.copy_lines(p, t, only=[line])
        return Outcome(rows=1)

    def close_session(self, p: sc.Persona, sessao: UUID) -> Outcome:
        s = self.sessions[sessao]
        if s.status != "ativa":
            return Outcome(rows=0)
        s.status = "encerrada"
        self.log(p, "balcao_virtual.sessoes_ativas", "UPDATE", s.id, s.office)
        return Outcome(rows=1)

    def start_session(self, p: sc.Persona, id: UUID, cliente: UUID) -> Outcome:
        cli = self.clientes[cliente]
        if any(s.cliente == cliente and s.status == "ativa" for s in self.sessions.values()):
            raise Refused("23505")
        self.sessions[id] = Session(id, cli.office, cliente)
        self.log(p, "balcao_virtual.sessoes_ativas", "INSERT", id, cli.office)
        return Outcome(rows=1)

    def set_staff_active(self, office: UUID, user: UUID, ativo: bool) -> Outcome:
        papel, _old = self.equipe[(office, user)]
        self.equipe[(office, user)] = (papel, ativo)
        return Outcome(rows=1)

    # -- CRM ---------------------------------------------------------------------------------

    def upload(self, p: sc.Persona, *, id: UUID, office: UUID, cliente: UUID,
               ticket: UUID | None, enviado_por: UUID | None) -> Outcome:
        if p.role == "anon":
            raise Refused("42501")
        t = self.tickets.get(ticket) if ticket is not None else None
        if t is not None and t.status == "fechado" and (
                p.role == "service_role" or self.role_on_ticket(p, t) is not None):
            raise Refused("SK005")  # a closed ticket takes no new document
        if p.role == "authenticated":
            own = self.own_client(p)
            mine = (own is not None and cliente == own.id and office == own.office
                    and enviado_por == p.uid)
            staff = office in self.active_offices(p) and enviado_por == p.uid
            if not (mine or staff):
                raise Refused("42501")
        cli = self.clientes[cliente]
        if cli.office != office:
            raise Refused("23503")
        if ticket is not None:
            t = self.tickets[ticket]
            if t.office != office or t.cliente != cliente:
                raise Refused("23503")
        self.documents[id] = (office, cliente, ticket, enviado_por)
        self.log(p, "crm.documentos", "INSERT", id, office)
        return Outcome(rows=1)

    def update_client(self, p: sc.Persona, cliente: UUID, coluna: str, valor: Any) -> Outcome:
        if p.role == "anon":
            raise Refused("42501")
        cli = self.clientes[cliente]
        if p.role == "authenticated":
            own = cli.user is not None and cli.user == p.uid
            if not (own or cli.office in self.active_offices(p)):
                return Outcome(rows=0)
            atual = {"email": cli.email, "nome": cli.nome, "escritorio_id": cli.office,
                     "user_id": cli.user}
            if coluna in ("escritorio_id", "user_id") and atual[coluna] != valor:
                raise Refused("SK009")
            if own and coluna == "nome" and atual[coluna] != valor:
                raise Refused("SK010")
        if coluna == "email":
            cli.email = valor
        elif coluna == "nome":
            cli.nome = valor
        self.log(p, "crm.clientes", "UPDATE", cli.id, cli.office)
        return Outcome(rows=1)

    # -- realtime ----------------------------------------------------------------------------

    def send_realtime(self, p: sc.Persona, topic: str, event: str) -> Outcome:
        if p.role == "anon":
            raise Refused("42501")
        if p.role == "authenticated":
            allowed = False
            if event in CLIENT_EVENTS:
                kind, _sep, rest = topic.partition(":")
                try:
                    target = UUID(rest) if len(rest) == 36 else None
                except ValueError:
                    target = None
                if kind == "ticket" and target in self.tickets:
                    allowed = self.role_on_ticket(p, self.tickets[target]) is not None
                elif kind == "escritorio" and target is not None:
                    allowed = target in self.active_offices(p)
            if not allowed:
                raise Refused("42501")
        self.realtime[(topic, event)] += 1
        return Outcome(rows=1)

    # -- what each persona sees --------------------------------------------------------------

    def visible(self, p: sc.Persona, comment_ids: dict[tuple[Any, ...], UUID],
                chat_ids: set[UUID], line_ids: dict[int, UUID]) -> dict[str, Counter[str]]:
        """Rows (by id) each table shows ``p`` (RLS), per the contract's personas (section 7)."""
        out: dict[str, Counter[str]] = {k: Counter() for k in (
            "escritorios", "equipe", "clientes", "tickets", "comments", "chat", "documentos",
            "sessoes", "logs", "realtime")}
        if p.role == "anon":
            return out
        if p.role == "service_role":
            active: set[UUID] = set(sc.OFFICES)
            sup = set(sc.OFFICES)
            own = None
        else:
            active, sup, own = self.active_offices(p), self.supervised(p), self.own_client(p)
        own_id = own.id if own else None
        for o in sc.OFFICES:
            if o in active or (own is not None and own.office == o):
                out["escritorios"][str(o)] += 1
        for (o, u), (_papel, ativo) in self.equipe.items():
            if (ativo and o in active) or o in sup or u == p.uid:
                out["equipe"][f"{o}/{u}"] += 1
        for c in self.clientes.values():
            if c.office in active or (p.uid is not None and c.user == p.uid):
                out["clientes"][str(c.id)] += 1
        mine = {t.id for t in self.tickets.values() if t.cliente == own_id}
        for t in self.tickets.values():
            if t.id in mine or t.office in active:
                out["tickets"][str(t.id)] += 1
        for c in self.comments.values():
            if (c.ticket in mine and not c.interno) or c.office in active:
                out["comments"][str(comment_ids[c.key])] += 1
        for i, (tk, _a, _tt) in self.chats.items():
            if tk in mine or self.tickets[tk].office in active:
                out["chat"][str(i)] += 1
        for i, (o, cli, _t, _e) in self.documents.items():
            if cli == own_id or o in active:
                out["documentos"][str(i)] += 1
        for s in self.sessions.values():
            if s.cliente == own_id or s.office in active:
                out["sessoes"][str(s.id)] += 1
                for line in s.lines:
                    out["logs"][str(line.id)] += 1
        for (topic, event), n in self.realtime.items():
            kind, _sep, rest = topic.partition(":")
            try:
                target = UUID(rest) if len(rest) == 36 else None
            except ValueError:
                target = None
            if target is None:
                ok = False
            elif kind == "ticket" and target in self.tickets:
                t = self.tickets[target]
                ok = t.id in mine or t.office in active
            elif kind == "escritorio":
                ok = target in active
            else:
                ok = False
            if ok or p.role == "service_role":
                out["realtime"][f"{topic}|{event}"] += n
        return out

    def history(self, p: sc.Persona, cliente: UUID,
                comment_ids: dict[tuple[Any, ...], UUID]) -> Counter[str]:
        """crm.historico_cliente(cliente): (tipo, referencia_id) of every event it must list."""
        cli = self.clientes[cliente]
        own = self.own_client(p)
        internos = p.role == "service_role" or cli.office in self.active_offices(p)
        out: Counter[str] = Counter()
        if not internos and (own is None or own.id != cliente):
            return out
        tickets = {t.id for t in self.tickets.values() if t.cliente == cliente}
        for tid in tickets:
            out[f"ticket/{tid}"] += 1
        for c in self.comments.values():
            if c.ticket in tickets and (internos or not c.interno):
                tipo = "nota_interna" if c.interno else "comentario"
                out[f"{tipo}/{comment_ids[c.key]}"] += 1
        for i, (tk, _a, _t) in self.chats.items():
            if tk in tickets:
                out[f"mensagem/{i}"] += 1
        for i, (_o, cl, _t, _e) in self.documents.items():
            if cl == cliente:
                out[f"documento/{i}"] += 1
        for s in self.sessions.values():
            if s.cliente == cliente:
                out[f"sessao_balcao/{s.id}"] += 1
        return out
