"""Runs operations as the Data API does (one transaction, role + JWT claims) and logs them as SQL.

Every statement sent is also written, with its literal values, into ``log`` as a psql-pasteable
transaction, so a failing run prints a reproducer a DBA can replay on a migrated database after
the scenario's setup SQL. Two connections race with :meth:`Driver.race`: the first holds its
transaction open while the second runs; the second is observed (pg_stat_activity) until it has
finished or waits for a lock, then the first commits.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import psycopg
from psycopg import sql

from invariants.model import Model, Outcome
from invariants.scenario import Persona
from schema_kit.personas import act_as

Query = sql.Composable | str
_HEX_UUID = re.compile(r"'([0-9a-f]{32})'::uuid")
_TOPIC = re.compile(r"'(ticket|escritorio):([0-9a-f-]{36})'")


@dataclass
class Op:
    """One API call: who, what SQL, and the model's prediction of it.

    ``predict(model, got)`` applies the contract to ``model`` (raising ``Refused``) and returns
    the expected outcome; ``got`` is the database's answer, used only to learn ids the database
    generated (a new ticket's or message's id).
    """

    label: str
    persona: Persona
    query: Query
    params: tuple[Any, ...] | dict[str, Any] = ()
    fetch: str = "rows"  # rows | value | set
    predict: Callable[[Model, Outcome], Outcome] = field(default=lambda _m, _g: Outcome())


def persona_sql(p: Persona) -> str:
    claims: dict[str, Any] = {"role": p.role}
    if p.uid is not None:
        claims["sub"] = str(p.uid)
    return (f"SELECT set_config('role', '{p.role}', true), "
            f"set_config('request.jwt.claims', '{json.dumps(claims)}', true);")


class Driver:
    """Two API connections and an observer, on one test database."""

    def __init__(self, dsn: str) -> None:
        self.conns = [psycopg.connect(dsn, autocommit=True) for _ in range(3)]
        self.admin = self.conns[2]
        self.log: list[str] = []
        self.names: dict[str, str] = {}  # uuid hex -> psql variable holding it in a replay

    def close(self) -> None:
        for conn in self.conns:
            conn.close()

    def render(self, query: Query, params: Any) -> str:
        """The statement with literal values; ids the database generated become psql variables."""
        cur = psycopg.ClientCursor(self.admin)
        text = cur.mogrify(query, params or None).strip().rstrip(";")
        text = _HEX_UUID.sub(lambda m: f":'{self.names[m[1]]}'::uuid" if m[1] in self.names
                             else m[0], text)
        text = _TOPIC.sub(lambda m: f"('{m[1]}:' || :'{self.names[m[2].replace('-', '')]}')"
                          if m[2].replace("-", "") in self.names else m[0], text)
        return text + ";"

    def remember(self, op: Op, got: Outcome, text: str) -> str:
        """A generated id (new ticket, comment, message) is kept in a psql variable (\\gset)."""
        if not (got.ok and op.fetch == "value" and isinstance(got.value, UUID)):
            return text
        name = f"{op.label[:1]}{len(self.names) + 1}"
        self.names[got.value.hex] = name
        head, statement, _ = text.rsplit("\n", 2)
        statement = statement.rstrip(";")
        return f"{head}\nSELECT q.id AS {name} FROM ({statement}) AS q (id) \\gset\n"

    def _run(self, conn: psycopg.Connection[Any], op: Op, commit: bool = True) -> Outcome:
        """BEGIN; persona; statement; then COMMIT (or leave open when ``commit`` is false)."""
        conn.execute("BEGIN")
        try:
            act_as(conn, op.persona.uid, role=op.persona.role)
            cur = conn.execute(op.query, op.params or None)
            if op.fetch == "value":
                row = cur.fetchone()
                result = Outcome(rows=cur.rowcount, value=row[0] if row else None)
            elif op.fetch == "set":
                result = Outcome(rows=cur.rowcount, value={r[0] for r in cur.fetchall()})
            else:
                result = Outcome(rows=cur.rowcount)
        except psycopg.Error as exc:
            conn.execute("ROLLBACK")
            return Outcome(code=exc.sqlstate or "?????", value=str(exc).splitlines()[0])
        if commit:
            try:
                conn.execute("COMMIT")
            except psycopg.Error as exc:
                return Outcome(code=exc.sqlstate or "?????", value=str(exc).splitlines()[0])
        return result

    def _logged(self, op: Op, prefix: str = "") -> str:
        return (f"{prefix}BEGIN;  -- {op.label} as {op.persona.name}\n{prefix}"
                f"{persona_sql(op.persona)}\n{prefix}{self.render(op.query, op.params)}\n")

    def execute(self, op: Op) -> Outcome:
        text = self._logged(op)
        got = self._run(self.conns[0], op)
        text = self.remember(op, got, text)
        self.log.append(text + ("COMMIT;" if got.ok else f"ROLLBACK;  -- refused {got.code}"))
        return got

    def race(self, first: Op, second: Op) -> tuple[Outcome, Outcome, bool]:
        """Run ``first`` (transaction left open) and ``second`` concurrently; True if it waited."""
        c1, c2 = self.conns[0], self.conns[1]
        got1 = self._run(c1, first, commit=False)
        pid = c2.info.backend_pid
        box: dict[str, Outcome] = {}
        thread = threading.Thread(target=lambda: box.setdefault("got", self._run(c2, second)))
        thread.start()
        waited = False
        while thread.is_alive():
            row = self.admin.execute(
                "SELECT wait_event_type FROM pg_catalog.pg_stat_activity WHERE pid = %s",
                (pid,)).fetchone()
            if row is not None and row[0] == "Lock":
                waited = True
                break
            thread.join(0.005)
        if got1.ok:
            try:
                c1.execute("COMMIT")
            except psycopg.Error as exc:
                got1 = Outcome(code=exc.sqlstate or "?????")
        thread.join()
        got2 = box["got"]
        variables = " ".join(f"\\set {v} ..." for v in sorted(self.names.values()))
        self.log.append(
            "-- RACE: two psql sessions; session 2 runs while session 1 is still open\n"
            + (f"-- (session 2 first copies the ids of session 1: {variables})\n"
               if variables else "")
            + "-- session 1:\n" + self._logged(first)
            + "-- session 2:\n" + self._logged(second)
            + ("COMMIT;" if got2.ok else f"ROLLBACK;  -- refused {got2.code}")
            + f"  -- session 2 {'waited for session 1' if waited else 'did not wait'}\n"
            + "-- session 1:\n"
            + ("COMMIT;" if got1.ok else f"ROLLBACK;  -- refused {got1.code}"))
        return got1, got2, waited
