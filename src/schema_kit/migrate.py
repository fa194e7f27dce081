"""Plan, apply, status and rollback of rendered units, recorded in yoyo-migrations' tables.

A run holds a Postgres advisory lock (concurrent runs serialize; a crashed run's lock dies with
its connection) and executes every pending unit plus its bookkeeping in ONE transaction, so a
failure leaves the database exactly as it was. yoyo's tables live in the schema ``schema_kit``
(not ``public``, which Supabase exposes through its Data API).
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import psycopg
from psycopg import sql
from psycopg.pq import TransactionStatus
from yoyo.backends.core.postgresql import PostgresqlPsycopgBackend
from yoyo.connections import parse_uri
from yoyo.migrations import Migration, default_migration_table, read_sql_migration

from schema_kit import queries
from schema_kit.errors import SchemaKitError
from schema_kit.render import Unit, file_names, write

BOOKKEEPING_SCHEMA = "schema_kit"
#: Advisory lock key shared by every schema-kit run against a database ("schema_kit" as bytes).
LOCK_KEY = 0x736368656D615F6B

State = Literal["applied", "pending", "changed"]
Log = Callable[[str], None]


class UnitFailed(SchemaKitError):
    """A statement of a unit failed; the run was rolled back."""

    def __init__(self, label: str, index: int, line: int, statement: str, error: psycopg.Error):
        diag = error.diag
        excerpt = "\n".join("    " + s for s in statement.strip().splitlines()[:8])
        lines = [
            f"unit {label} failed at statement {index} (line {line} of the rendered file):",
            excerpt,
            f"  server: {diag.severity or 'ERROR'} {error.sqlstate or ''}: "
            f"{diag.message_primary or str(error).strip()}",
        ]
        for name, value in (("detail", diag.message_detail), ("hint", diag.message_hint),
                            ("context", diag.context)):
            if value:
                lines.append(f"  {name}: " + value.strip().replace("\n", "\n    "))
        lines.append("nothing was changed: the whole run was rolled back")
        super().__init__("\n".join(lines))
        self.label = label
        self.sqlstate = error.sqlstate


@dataclass(frozen=True)
class PlanItem:
    """A unit and whether the database already has exactly this version of it."""

    unit: Unit
    state: State


class _Backend(PostgresqlPsycopgBackend):  # type: ignore[misc]
    """yoyo's psycopg 3 backend, connected from any libpq DSN (URI or key=value)."""

    def __init__(self, conninfo: str) -> None:
        self._conninfo = conninfo
        super().__init__(parse_uri("postgresql+psycopg:///schema_kit"), default_migration_table)

    def connect(self, dburi: Any) -> psycopg.Connection[Any]:
        return psycopg.connect(self._conninfo, autocommit=True, application_name="schema-kit")


def _label(unit_id: str) -> str:
    """A recorded id without the checksum a repeatable unit's id carries (``functions/x@ab12…``)."""
    return unit_id.split("@", 1)[0]


def _statements(path: Path) -> tuple[dict[str, str], list[tuple[int, str]]]:
    """yoyo's parse of a rendered file, with the line each statement starts on."""
    directives, _comment, statements = read_sql_migration(str(path))
    text = path.read_text(encoding="utf-8")
    located, offset = [], 0
    for statement in statements:
        head = statement.strip()[:40]
        found = text.find(head, offset) if head else -1
        if found >= 0:
            offset = found
        located.append((text.count("\n", 0, offset) + 1, statement))
    return directives, located


class Migrator:
    """Applies rendered units to one database; use as a context manager (holds the lock)."""

    def __init__(self, dsn: str, units: Sequence[Unit], target: str, log: Log, *,
                 read_only: bool = False) -> None:
        self.dsn = dsn
        self.read_only = read_only  # status / dry run: never create or upgrade bookkeeping
        self._no_books = False
        self.units = list(units)
        self.target = target
        self.log = log
        self._workdir = tempfile.TemporaryDirectory(prefix="schema-kit-")
        self._paths: dict[str, tuple[Path, Path]] = {}
        root = Path(self._workdir.name)
        write(self.units, root)
        for index, unit in enumerate(self.units, start=1):
            name, rollback_name = file_names(index, unit)
            self._paths[unit.unit_id] = (root / name, root / rollback_name)
        self.backend: _Backend | None = None

    # -- connection, lock, bookkeeping ---------------------------------------------------------

    def __enter__(self) -> Migrator:
        try:
            self.backend = _Backend(self.dsn)
        except psycopg.OperationalError as exc:
            self._workdir.cleanup()
            raise SchemaKitError(f"cannot connect: {' '.join(str(exc).split())}") from None
        conn = self.backend.connection
        got = conn.execute("select pg_try_advisory_lock(%s)", (LOCK_KEY,)).fetchone()
        if not (got and got[0]):
            self.log("waiting for another schema-kit run on this database to finish…")
            conn.execute("select pg_advisory_lock(%s)", (LOCK_KEY,))
        if self.read_only:
            row = conn.execute("select to_regclass(%s) is null",
                               (f"{BOOKKEEPING_SCHEMA}.{default_migration_table}",)).fetchone()
            self._no_books = bool(row and row[0])  # nothing ever applied here
            return self
        conn.execute(sql.SQL("create schema if not exists {}").format(
            sql.Identifier(BOOKKEEPING_SCHEMA)))
        conn.execute(sql.SQL("revoke all on schema {} from public").format(
            sql.Identifier(BOOKKEEPING_SCHEMA)))
        with self._books():
            self.backend.init_database()
            self.backend.ensure_internal_schema_updated()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.backend is not None:
            self.backend.connection.close()  # ends the transaction (if any) and frees the lock
        self._workdir.cleanup()

    @property
    def _be(self) -> _Backend:
        assert self.backend is not None, "use Migrator as a context manager"
        return self.backend

    @contextmanager
    def _books(self) -> Iterator[None]:
        """Point search_path at yoyo's schema for its unqualified bookkeeping statements."""
        conn = self._be.connection
        row = conn.execute("select current_setting('search_path')").fetchone()
        prior = row[0] if row else ""
        conn.execute("select set_config('search_path', %s, false)", (BOOKKEEPING_SCHEMA,))
        try:
            yield
        finally:
            if conn.info.transaction_status != TransactionStatus.INERROR:
                conn.execute("select set_config('search_path', %s, false)", (prior,))

    def applied_ids(self) -> list[str]:
        """Ids recorded as applied, oldest first."""
        if self._no_books:
            return []
        with self._books():
            cur = self._be.connection.execute(
                "select migration_id from _yoyo_migration order by applied_at_utc, migration_id")
            return [row[0] for row in cur.fetchall()]

    # -- planning ------------------------------------------------------------------------------

    def plan(self) -> list[PlanItem]:
        """Each unit with its state: applied, pending (never applied) or changed (repeatable)."""
        return self._plan(self.applied_ids())

    def _plan(self, applied_ids: Sequence[str]) -> list[PlanItem]:
        applied = set(applied_ids)
        applied_labels = {_label(i) for i in applied}
        items = []
        for unit in self.units:
            if unit.unit_id in applied:
                state: State = "applied"
            elif not unit.versioned and unit.label in applied_labels:
                state = "changed"
            else:
                state = "pending"
            items.append(PlanItem(unit, state))
        return items

    def unknown_ids(self) -> list[str]:
        """Applied versioned ids the sources no longer contain (renamed or deleted files)."""
        return self._unknown(self.applied_ids())

    def _unknown(self, applied_ids: Sequence[str]) -> list[str]:
        known = {u.label for u in self.units}
        # on the supabase target the compat layer is the platform's business, not a stray unit
        foreign = "compat/" if self.target == "supabase" else None
        return [i for i in applied_ids if _label(i) not in known
                and not (foreign and i.startswith(foreign))]

    def preflight(self, applied_ids: Sequence[str]) -> None:
        """Refuse a target that does not fit the database."""
        conn = self._be.connection
        if self.target == "supabase":
            missing = [r[0] for r in conn.execute(queries.load("supabase_preflight")).fetchall()]
            if missing:
                raise SchemaKitError(
                    "target supabase: this database lacks what the platform provides: "
                    + ", ".join(missing)
                    + ". Is it a Supabase project? For plain PostgreSQL use --target postgres.")
            return
        row = conn.execute("select to_regclass('auth.users') is not null").fetchone()
        if row and row[0] and "compat/0002_auth" not in applied_ids:
            raise SchemaKitError(
                "target postgres: this database already has an auth schema that schema-kit did "
                "not create (a Supabase project?). Use --target supabase.")

    # -- running -------------------------------------------------------------------------------

    @staticmethod
    def _migration(unit_id: str) -> Migration:
        """yoyo's record of a unit: its bookkeeping needs only the id (and the id's hash)."""
        return Migration(unit_id, None, None)

    def _run_file(self, label: str, path: Path) -> None:
        directives, statements = _statements(path)
        if directives.get("transactional", "true").lower() == "false":
            raise SchemaKitError(
                f"{label}: '-- transactional: false' units are not supported: every run is one "
                "transaction so a failure changes nothing")
        conn = self._be.connection
        for index, (line, statement) in enumerate(statements, start=1):
            try:
                conn.execute(statement.encode("utf-8"))
            except psycopg.Error as exc:
                raise UnitFailed(label, index, line, statement, exc) from None

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        be = self._be
        be.begin()
        try:
            yield
        except BaseException:
            be.rollback()
            raise
        be.commit()

    def apply(self, *, dry_run: bool = False) -> int:
        """Run every pending or changed unit; returns how many ran (or would run)."""
        if self.read_only and not dry_run:
            raise SchemaKitError("internal: a read-only Migrator cannot apply")
        applied = self.applied_ids()
        self.preflight(applied)
        plan = self._plan(applied)
        for stale in self._unknown(applied):
            self.log(f"warning: {stale} is recorded as applied but no longer in the sources")
        todo = [item for item in plan if item.state != "applied"]
        if dry_run:
            for item in plan:
                verb = {"pending": "apply", "changed": "re-apply"}.get(item.state, "unchanged")
                self.log(f"{verb:<12} {item.unit.label}")
            self.log(f"dry run: {len(todo)} to run, {len(plan) - len(todo)} unchanged")
            return len(todo)
        if not todo:
            self.log(f"nothing to do: {len(plan)} units unchanged")
            return 0
        started = time.monotonic()
        with self._transaction():
            for item in plan:
                unit = item.unit
                if item.state == "applied":
                    self.log(f"{'unchanged':<12} {unit.label}")
                    continue
                self._reset_search_path()
                self._run_file(unit.label, self._paths[unit.unit_id][0])
                with self._books():
                    migration = self._migration(unit.unit_id)
                    for old in applied:
                        if not unit.versioned and _label(old) == unit.label:
                            self._be.unmark_one(self._migration(old), log=False)
                    self._be.log_migration(migration, "apply")
                    self._be.mark_one(migration, log=False)
                verb, suffix = (("re-applied", " (content changed)") if item.state == "changed"
                                else ("applied", ""))
                self.log(f"{verb:<12} {unit.label}{suffix}")
        elapsed = time.monotonic() - started
        self.log(f"done: {len(todo)} applied, {len(plan) - len(todo)} unchanged "
                 f"in {elapsed:.2f}s")
        return len(todo)

    def _reset_search_path(self) -> None:
        """Units run with the server's default search_path, as a psql session would."""
        self._be.connection.execute("reset search_path")

    def rollback(self, steps: int) -> int:
        """Undo the last ``steps`` applied versioned units (source order); returns how many."""
        applied = self.applied_ids()
        done = [u for u in self.units if u.versioned and u.unit_id in applied]
        chosen = list(reversed(done[-steps:])) if steps > 0 else []
        if not chosen:
            self.log("nothing to roll back")
            return 0
        repeatable = [i for i in applied if "@" in i]
        with self._transaction():
            for unit in chosen:
                self._reset_search_path()
                self._run_file(unit.label + " (rollback)", self._paths[unit.unit_id][1])
                with self._books():
                    migration = self._migration(unit.unit_id)
                    self._be.log_migration(migration, "rollback")
                    self._be.unmark_one(migration, log=False)
                self.log(f"{'rolled back':<12} {unit.label}")
            with self._books():
                for old in repeatable:
                    self._be.unmark_one(self._migration(old), log=False)
        if repeatable:
            self.log(f"{len(repeatable)} repeatable units marked for re-apply "
                     "(they are built on the versioned schema)")
        return len(chosen)
