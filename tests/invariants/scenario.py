"""The people of every run: fixed ids, so a reproducer printed by one run pastes into psql.

Three offices; staff of every kind (atendente, supervisor, admin, an inactive member); clients
with and without an active Balcão Virtual session, one without a portal login; a login that is a
client in E2 and staff in E3; a login linked to nothing; anon; service_role. Tickets, comments
and everything else are created by the machine's rules, through the real flows.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID


def _u(tail: str) -> UUID:
    return UUID(f"00000000-0000-4000-8000-{tail:0>12}")


E1, E2, E3 = (UUID(f"e{n}000000-0000-4000-8000-000000000000") for n in (1, 2, 3))
OFFICES = (E1, E2, E3)


@dataclass(frozen=True)
class Persona:
    """Who calls: an API role and, for authenticated users, the login (auth.uid())."""

    name: str
    role: str  # anon | authenticated | service_role
    uid: UUID | None = None


# (name, user id, office, papel, ativo)
STAFF = (
    ("atendente_e1", _u("a1"), E1, "atendente", True),
    ("supervisor_e1", _u("a2"), E1, "supervisor", True),
    ("admin_e1", _u("a3"), E1, "admin", True),
    ("inativo_e1", _u("a4"), E1, "atendente", False),
    ("atendente_e2", _u("b1"), E2, "atendente", True),
    ("admin_e2", _u("b2"), E2, "admin", True),
    ("atendente_e3", _u("c1"), E3, "atendente", True),
    ("dual", _u("ee"), E3, "atendente", True),
)

# (name, cliente id, office, login or None, has an ativa Balcão session)
CLIENTS = (
    ("cliente_c1", UUID("c1000000-0000-4000-8000-000000000000"), E1, _u("d1"), True),
    ("cliente_c2", UUID("c2000000-0000-4000-8000-000000000000"), E1, _u("d2"), False),
    ("cliente_c3", UUID("c3000000-0000-4000-8000-000000000000"), E2, _u("d3"), True),
    ("cliente_c4", UUID("c4000000-0000-4000-8000-000000000000"), E2, _u("d4"), False),
    ("cliente_c5", UUID("c5000000-0000-4000-8000-000000000000"), E3, _u("d5"), True),
    ("sem_login_c6", UUID("c6000000-0000-4000-8000-000000000000"), E1, None, False),
    ("dual", UUID("c7000000-0000-4000-8000-000000000000"), E2, _u("ee"), True),
)
LIVRE = _u("ff")


def session_id(cliente: UUID) -> UUID:
    """Id of the initial ativa session of a client (clients marked with one above)."""
    return UUID("5" + str(cliente)[1:])


# Initial log lines of each initial session: (autor_tipo, mensagem).
INITIAL_LINES = (("cliente", "Olá, preciso de ajuda"), ("bot", "Um atendente já vem"))

PERSONAS: dict[str, Persona] = {"anon": Persona("anon", "anon"),
                                "service_role": Persona("service_role", "service_role"),
                                "livre": Persona("livre", "authenticated", LIVRE)}
for _name, _uid, *_rest in STAFF:
    PERSONAS[_name] = Persona(_name, "authenticated", _uid)
for _name, _cid, _office, _login, _sess in CLIENTS:
    if _login is not None:
        PERSONAS[_name] = Persona(_name, "authenticated", _login)
PERSONA_NAMES = tuple(sorted(PERSONAS))


def _q(value: object) -> str:
    return "NULL" if value is None else "'" + str(value).replace("'", "''") + "'"


def setup_sql() -> str:
    """The scenario as plain SQL, run by a superuser on a freshly migrated database."""
    users = {uid: name for name, uid, *_ in STAFF}
    users.update({login: name for name, _c, _o, login, _s in CLIENTS if login is not None})
    users[LIVRE] = "livre"
    lines = ["-- invariants scenario: 3 offices, their staff and clients (run as a superuser)"]
    lines.append("INSERT INTO crm.escritorios (id, nome) VALUES "
                 + ", ".join(f"({_q(o)}, 'Escritório {i}')" for i, o in enumerate(OFFICES, 1))
                 + ";")
    lines.append("INSERT INTO auth.users (id, email) VALUES "
                 + ", ".join(f"({_q(uid)}, '{name}@invariantes.test')"
                             for uid, name in sorted(users.items()))
                 + ";")
    lines.append("INSERT INTO crm.equipe (escritorio_id, user_id, papel, ativo) VALUES "
                 + ", ".join(f"({_q(o)}, {_q(uid)}, {_q(p)}, {str(a).lower()})"
                             for _n, uid, o, p, a in STAFF)
                 + ";")
    lines.append("INSERT INTO crm.clientes (id, escritorio_id, user_id, nome, email) VALUES "
                 + ", ".join(f"({_q(c)}, {_q(o)}, {_q(login)}, {_q(n)}, {_q(n + '@cliente.test')})"
                             for n, c, o, login, _s in CLIENTS)
                 + ";")
    sessions = [(c, o) for _n, c, o, _l, s in CLIENTS if s]
    lines.append("INSERT INTO balcao_virtual.sessoes_ativas (id, escritorio_id, cliente_id) VALUES "
                 + ", ".join(f"({_q(session_id(c))}, {_q(o)}, {_q(c)})" for c, o in sessions)
                 + ";")
    for c, o in sessions:
        for autor, texto in INITIAL_LINES:
            lines.append(
                "INSERT INTO balcao_virtual.logs_conversas "
                "(sessao_id, escritorio_id, autor_tipo, autor_nome, mensagem) VALUES "
                f"({_q(session_id(c))}, {_q(o)}, {_q(autor)}, 'Balcão', {_q(texto)});")
    return "\n".join(lines) + "\n"
