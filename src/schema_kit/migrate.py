"""Plan, apply, status and rollback of rendered units, recorded in yoyo-migrations' tables.

A run holds a Postgres advisory lock (concurrent runs serialize; a crashed run's lock dies with
its connection) and executes every pending unit plus its bookkeeping — on a fresh database, the
bookkeeping tables too — in ONE transaction, so a failure leaves the database exactly as it was.
Every statement waits at most ``lock_timeout`` for a lock; a run that hits it rolls back and is
retried with backoff (see :mod:`schema_kit.locks`). Units marked ``-- transactional: false``
run after that transaction commits (see :mod:`schema_kit.online`). yoyo's tables live in the
schema ``schema_kit`` (not ``public``, which Supabase exposes through its Data API).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

import psycopg
from psycopg import sql
from psycopg.pq import TransactionStatus
from yoyo import internalmigrations
from yoyo.backends.core.postgresql import PostgresqlPsycopgBackend
from yoyo.connections import parse_uri
from yoyo.migrations import Migration, default_migration_table

from schema_kit import queries, script
from schema_kit.config import format_duration
from schema_kit.errors import SchemaKitError
from schema_kit.locks import (
    LOCK_KEY,
    LockWatch,
    Wait,
    backoff_seconds,
    describe_timeouts,
    is_lock_timeout,
    set_timeouts,
)
from schema_kit.online import ConcurrentIndex, concurrent_index, drop_invalid, index_state
from schema_kit.render import Unit

BOOKKEEPING_SCHEMA = "schema_kit"

#: Schemas the compat layer creates, and the unit that creates each (target postgres).
COMPAT_SCHEMAS = {"auth": "compat/0002_auth", "realtime": "compat/0003_realtime"}

State = Literal["applied", "pending", "changed"]
Log = Callable[[str], None]
_T = TypeVar("_T")


class UnitFailed(SchemaKitError):
    """A statement of a unit failed. ``str()`` is one line; ``details`` has the statement."""

    def __init__(self, label: str, index: int, line: int, statement: str, error: psycopg.Error):
        diag = error.diag
        excerpt = "\n".join("    " + s for s in statement.strip().splitlines()[:8])
        primary = " ".join((diag.message_primary or str(error)).split())
        self.details = [
            f"unit {label} failed at statement {index} (line {line} of the rendered file):",
            excerpt,
            f"  server: {diag.severity or 'ERROR'} {error.sqlstate or ''}: {primary}",
        ]
        for name, value in (("detail", diag.message_detail), ("hint", diag.message_hint),
                            ("context", diag.context)):
            if value:
                self.details.append(f"  {name}: " + value.strip().replace("\n", "\n    "))
        super().__init__(f"{label} failed at statement {index} (line {line}): "
                         f"{error.sqlstate or ''} {primary}".strip())
        self.label = label
        self.index = index
        self.sqlstate = error.sqlstate


class LockTimedOut(SchemaKitError):
    """A statement waited ``lock_timeout`` for a lock; ``wait`` says for what, if seen."""

    def __init__(self, where: str, wait: Wait | None) -> None:
        what = wait.describe() if wait else "a lock (the holder was gone before it was seen)"
        super().__init__(f"{where}: {what}")
        self.where = where
        self.wait = wait
        self.what = what


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


#: How often a run waiting for another one retries the advisory lock.
_LOCK_POLL_SECONDS = 0.2


def _count(number: int, noun: str) -> str:
    """``1 unit``, ``3 units``."""
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _label(unit_id: str) -> str:
    """A recorded id without the checksum a repeatable unit's id carries (``functions/x@ab12…``)."""
    return unit_id.split("@", 1)[0]


class Migrator:
    """Applies rendered units to one database; use as a context manager (holds the lock)."""

    def __init__(self, dsn: str, units: Sequence[Unit], target: str, log: Log, *,
                 read_only: bool = False, lock_timeout_ms: int = 5000, lock_retries: int = 3,
                 statement_timeout_ms: int = 0) -> None:
        self.dsn = dsn
        self.read_only = read_only  # status / dry run: never create or upgrade bookkeeping
        self._no_books = False
        self.units = list(units)
        self.target = target
        self.log = log
        self.lock_timeout_ms = lock_timeout_ms
        self.lock_retries = lock_retries
        self.statement_timeout_ms = statement_timeout_ms
        self._transactional: dict[str, bool] = {}
        for unit in self.units:
            transactional = script.is_transactional(unit.sql)  # no SQL parsing: cheap
            if not transactional and unit.source.kind != "migrations":
                raise SchemaKitError(
                    f"{unit.label}: '-- transactional: false' is only for versioned units in "
                    "migrations/ (compat and repeatable units run in the run's transaction)")
            self._transactional[unit.unit_id] = transactional
        self.backend: _Backend | None = None
        self._watch: LockWatch | None = None
        self._complete = False  # the last apply left every unit applied, nothing unknown

    # -- connection, lock, bookkeeping ---------------------------------------------------------

    def __enter__(self) -> Migrator:
        try:
            self.backend = _Backend(self.dsn)
        except psycopg.Error as exc:
            raise SchemaKitError(f"cannot connect: {' '.join(str(exc).split())}") from None
        conn = self.backend.connection
        if not self._try_lock(conn):
            self.log("waiting for another schema-kit run on this database to finish…")
            while not self._try_lock(conn):
                time.sleep(_LOCK_POLL_SECONDS)
        row = conn.execute("select to_regclass(%s) is null",
                           (f"{BOOKKEEPING_SCHEMA}.{default_migration_table}",)).fetchone()
        self._no_books = bool(row and row[0])  # nothing ever applied here
        if not self.read_only:
            # after the advisory lock: waiting for another run is not a lock timeout
            set_timeouts(conn, self.lock_timeout_ms, self.statement_timeout_ms)
            self._watch = LockWatch(self.dsn, conn.info.backend_pid)
        return self

    @staticmethod
    def _try_lock(conn: psycopg.Connection[Any]) -> bool:
        """One non-blocking try at the run's advisory lock (session level, autocommit).

        Never a blocking ``pg_advisory_lock``: a backend waiting inside a statement holds a
        snapshot, and the other run's ``CREATE INDEX CONCURRENTLY`` (a non-transactional unit,
        still under the lock) waits for every older snapshot - the two would deadlock.
        """
        got = conn.execute("select pg_try_advisory_lock(%s)", (LOCK_KEY,)).fetchone()
        return bool(got and got[0])

    def __exit__(self, *exc: object) -> None:
        if self._watch is not None:
            self._watch.close()
        if self.backend is not None:
            self.backend.connection.close()  # ends the transaction (if any) and frees the lock

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

    def _ensure_books(self) -> None:
        """Create yoyo's tables inside the run's transaction: a failed first run leaves none."""
        if not self._no_books:
            return
        conn = self._be.connection
        conn.execute(sql.SQL("create schema if not exists {}").format(
            sql.Identifier(BOOKKEEPING_SCHEMA)))
        conn.execute(sql.SQL("revoke all on schema {} from public").format(
            sql.Identifier(BOOKKEEPING_SCHEMA)))
        with self._books():
            self._be.create_lock_table()  # a savepoint inside our transaction
            if internalmigrations.needs_upgrading(self._be):
                internalmigrations.upgrade(self._be)
            self._be._internal_schema_updated = True

    def applied_ids(self) -> list[str]:
        """Ids recorded as applied, oldest first."""
        if self._no_books:
            return []
        with self._books():
            cur = self._be.connection.execute(
                "select migration_id from _yoyo_migration order by applied_at_utc, migration_id")
            return [row[0] for row in cur.fetchall()]

    # -- planning ------------------------------------------------------------------------------

    def transactional(self, unit: Unit) -> bool:
        """False for a unit marked ``-- transactional: false`` (runs after the commit)."""
        return self._transactional[unit.unit_id]

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

    def invalid_indexes(self, unit: Unit) -> list[str]:
        """Indexes a non-transactional unit builds concurrently that exist but are INVALID."""
        if self.transactional(unit):
            return []
        conn = self._be.connection
        self._reset_search_path()
        found = []
        for _offset, _line, statement in script.statements(unit.sql):
            index = concurrent_index(statement)
            if index is not None:
                state, qualified = index_state(conn, index)
                if state == "invalid":
                    found.append(qualified)
        return found

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
        # A schema the compat layer creates that exists while its unit is not recorded here
        # was made by someone else (the platform): applying would collide with it (42P06).
        labels = {u.label for u in self.units}
        ours = {schema: unit for schema, unit in COMPAT_SCHEMAS.items()
                if unit in labels and unit not in applied_ids}
        if not ours:
            return
        existing = [r[0] for r in conn.execute(queries.load("foreign_schemas"),
                                               {"schemas": sorted(ours)}).fetchall()]
        if existing:
            names = ", ".join(existing)
            raise SchemaKitError(
                f"target postgres: this database already has schema {names} that schema-kit "
                "did not create (a Supabase project?); the compatibility layer would collide "
                "with it. Use --target supabase.")

    # -- running -------------------------------------------------------------------------------

    @staticmethod
    def _migration(unit_id: str) -> Migration:
        """yoyo's record of a unit: its bookkeeping needs only the id (and the id's hash)."""
        return Migration(unit_id, None, None)

    def _execute(self, label: str, index: int, line: int, statement: str) -> None:
        """One statement of a unit, watched for lock waits; errors become UnitFailed."""
        watch = self._watch
        if watch is not None:
            watch.begin()
        try:
            self._be.connection.execute(statement.encode("utf-8"))
        except psycopg.Error as exc:
            if is_lock_timeout(exc):
                raise LockTimedOut(f"{label} statement {index} (line {line})",
                                   watch.last if watch else None) from None
            raise UnitFailed(label, index, line, statement, exc) from None
        finally:
            if watch is not None:
                watch.end()

    def _run_text(self, label: str, text: str) -> None:
        """A whole unit in one round trip (inside the run's transaction), watched for lock
        waits; a failure names its statement and line like a statement-by-statement run."""
        if not script.is_transactional(text):
            raise SchemaKitError(
                f"{label}: '-- transactional: false' files cannot run in a transaction "
                "(a rollback file must be transactional)")
        watch = self._watch
        if watch is not None:
            watch.begin()
        try:
            succeeded, error = script.run(self._be.connection, text)
        finally:
            if watch is not None:
                watch.end()
        if error is None:
            return
        index, line, statement = script.locate(text, error, succeeded)
        if is_lock_timeout(error):
            raise LockTimedOut(f"{label} statement {index} (line {line})",
                               watch.last if watch else None)
        raise UnitFailed(label, index, line, statement, error)

    def _record(self, units: Sequence[Unit], applied: Sequence[str]) -> None:
        """yoyo's rows for units that ran (a changed repeatable unit's old id is removed)."""
        if not units:
            return
        with self._books():
            for unit in units:
                migration = self._migration(unit.unit_id)
                for old in applied:
                    if not unit.versioned and _label(old) == unit.label:
                        self._be.unmark_one(self._migration(old), log=False)
                self._be.log_migration(migration, "apply")
                self._be.mark_one(migration, log=False)

    def _rollback_quietly(self) -> None:
        # a lost connection raises here: the server has rolled the transaction back itself
        with suppress(psycopg.Error):
            self._be.rollback()

    def _in_transaction(self, work: Callable[[], list[PlanItem]], *,
                        undone: str = "nothing of this run is applied, the database is as "
                                      "before") -> tuple[list[PlanItem], float]:
        """Run ``work`` in one transaction; returns what ran and how long locks were held."""
        be = self._be
        started = time.monotonic()
        be.begin()
        try:
            ran = work()
        except BaseException as exc:
            self._rollback_quietly()
            held = time.monotonic() - started
            if isinstance(exc, UnitFailed):
                for line in exc.details:
                    self.log(line)
            if not isinstance(exc, LockTimedOut):
                self.log(f"rolled back: {undone} (locks held {held:.2f}s)")
            raise
        be.commit()
        return ran, time.monotonic() - started

    def _retrying(self, what: str, attempt_once: Callable[[], _T]) -> _T:
        """``attempt_once()``, retried with backoff while it ends in a lock timeout."""
        tries = self.lock_retries + 1
        for attempt in range(1, tries + 1):
            try:
                return attempt_once()
            except LockTimedOut as exc:
                waited = format_duration(self.lock_timeout_ms)
                if attempt == tries:
                    raise SchemaKitError(
                        f"gave up after {tries} tries: {exc.where} waited {waited} "
                        f"(lock_timeout) for {exc.what}; {what}") from None
                delay = backoff_seconds(self.lock_timeout_ms, attempt)
                self.log(f"lock timeout (try {attempt}/{tries}): {exc.where} waited {waited} "
                         f"for {exc.what}; rolled back, retrying in {delay:.1f}s")
                time.sleep(delay)
        raise AssertionError("unreachable")

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
                note = "" if self.transactional(item.unit) else " (non-transactional)"
                self.log(f"{verb:<12} {item.unit.label}{note}")
            self.log(f"dry run: {len(todo)} to run, {len(plan) - len(todo)} unchanged")
            return len(todo)
        complete = not self._unknown(applied)
        if not todo:
            self.log(f"nothing to do: {len(plan)} units unchanged")
            self._maintain()
            self._complete = complete
            return 0
        self.log(f"limits: {describe_timeouts(self.lock_timeout_ms, self.statement_timeout_ms)}"
                 f", lock retries {self.lock_retries}")
        started = time.monotonic()
        online = [item for item in todo if not self.transactional(item.unit)]

        def transactional_part() -> list[PlanItem]:
            self._ensure_books()
            ran = []
            for item in plan:
                unit = item.unit
                if item.state == "applied":
                    self.log(f"{'unchanged':<12} {unit.label}")
                elif not self.transactional(unit):
                    self.log(f"{'deferred':<12} {unit.label} (non-transactional: runs after "
                             "the commit)")
                else:
                    self._reset_search_path()
                    self._run_text(unit.label, unit.sql)
                    suffix = " (content changed)" if item.state == "changed" else ""
                    self.log(f"{'ran':<12} {unit.label}{suffix}")
                    ran.append(item)
            self._record([item.unit for item in ran], applied)  # same transaction, one batch
            return ran

        try:
            ran, held = self._retrying(
                "rolled back, nothing was changed",
                lambda: self._in_transaction(transactional_part))
        except UnitFailed as exc:
            raise SchemaKitError(f"{exc}; rolled back, nothing was changed") from None
        self._no_books = False
        for item in ran:
            verb, suffix = (("re-applied", " (content changed)") if item.state == "changed"
                            else ("applied", ""))
            self.log(f"{verb:<12} {item.unit.label}{suffix}")
        self.log(f"committed: {_count(len(ran), 'unit')} in one transaction, "
                 f"locks held {held:.2f}s")
        online_held = 0.0
        for item in online:
            online_held += self._apply_online(item.unit, applied)
        elapsed = time.monotonic() - started
        lock_note = f"locks held {held:.2f}s"
        if online:
            lock_note += f" + {online_held:.2f}s in non-transactional statements"
        self.log(f"done: {len(todo)} applied, {len(plan) - len(todo)} unchanged "
                 f"in {elapsed:.2f}s; {lock_note}")
        self._maintain()
        self._complete = complete
        return len(todo)

    def remember(self, sources_digest: str) -> bool:
        """After an apply that left nothing pending: store the sources' digest and the applied
        ids, so the next apply from the same sources is a no-op decided before rendering
        (:mod:`schema_kit.uptodate`). False (nothing stored) after any other outcome."""
        if self.read_only or not self._complete:
            return False
        from schema_kit.uptodate import record

        def work() -> list[PlanItem]:
            record(self._be.connection, sources_digest)
            return []

        undone = "only the no-op digest, the units are applied"
        try:
            self._retrying(undone, lambda: self._in_transaction(work, undone=undone))
        except (psycopg.Error, SchemaKitError) as exc:  # an optimisation: never fail the run
            self.log(f"warning: the no-op digest was not stored ({' '.join(str(exc).split())}); "
                     "the next apply plans every unit")
            return False
        return True

    def _apply_online(self, unit: Unit, applied: Sequence[str]) -> float:
        """A non-transactional unit: statement by statement in autocommit, then recorded."""
        conn = self._be.connection
        statements = [(line, statement) for _offset, line, statement
                      in script.statements(unit.sql)]
        held = 0.0
        after = ("the transactional part is committed; "
                 f"{unit.label} is not recorded: run apply again (it resumes safely)")
        for index, (line, statement) in enumerate(statements, start=1):
            index_built = concurrent_index(statement)

            def attempt(index: int = index, line: int = line, statement: str = statement,
                        index_built: ConcurrentIndex | None = index_built) -> float:
                self._reset_search_path()
                began = time.monotonic()
                if index_built is not None:
                    state, qualified = index_state(conn, index_built)
                    if state == "valid":
                        self.log(f"{'exists':<12} {unit.label} statement {index}: index "
                                 f"{qualified} is already built and valid")
                        return 0.0
                    if state == "invalid":
                        self.log(f"{'rebuilding':<12} {unit.label} statement {index}: index "
                                 f"{qualified} is INVALID (left by a failed build)")
                        try:
                            drop_invalid(conn, qualified)
                        except psycopg.Error as exc:
                            if is_lock_timeout(exc):
                                raise LockTimedOut(f"{unit.label} statement {index}",
                                                   None) from None
                            raise UnitFailed(unit.label, index, line,
                                             f"DROP INDEX CONCURRENTLY {qualified}",
                                             exc) from None
                self._execute(unit.label, index, line, statement)
                self.log(f"{'ran':<12} {unit.label} statement {index}/{len(statements)} "
                         "(non-transactional)")
                return time.monotonic() - began

            try:
                held += self._retrying(after, attempt)
            except UnitFailed as exc:
                for detail in exc.details:
                    self.log(detail)
                raise SchemaKitError(f"{exc}; {after}") from None

        def record() -> list[PlanItem]:
            self._ensure_books()
            self._record([unit], applied)
            return []

        self._retrying(after, lambda: self._in_transaction(record, undone=after))
        self._no_books = False
        self.log(f"{'applied':<12} {unit.label} (non-transactional, "
                 f"{_count(len(statements), 'statement')}, locks held {held:.2f}s)")
        return held

    def _maintain(self) -> None:
        """Compat layer upkeep after a run: realtime.messages' daily partitions (postgres only)."""
        if self.target != "postgres":
            return
        from schema_kit.compat_maintenance import maintain_realtime_partitions

        try:
            changes = maintain_realtime_partitions(self._be.connection)
        except psycopg.Error as exc:
            raise SchemaKitError(f"realtime partition maintenance failed (the units were "
                                 f"applied): {' '.join(str(exc).split())}") from None
        for change in changes:
            self.log(f"{change.action:<12} realtime.{change.partition}")

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

        def work() -> list[PlanItem]:
            for unit in chosen:
                self._reset_search_path()
                self._run_text(unit.label + " (rollback)", unit.rollback_sql or "")
                with self._books():
                    migration = self._migration(unit.unit_id)
                    self._be.log_migration(migration, "rollback")
                    self._be.unmark_one(migration, log=False)
                self.log(f"{'ran':<12} {unit.label} (rollback)")
            with self._books():
                for old in repeatable:
                    self._be.unmark_one(self._migration(old), log=False)
            return []

        undone = "no unit was rolled back, the database is as before"
        try:
            _, held = self._retrying(f"{undone}",
                                     lambda: self._in_transaction(work, undone=undone))
        except UnitFailed as exc:
            raise SchemaKitError(f"{exc}; {undone}") from None
        for unit in chosen:
            self.log(f"{'rolled back':<12} {unit.label}")
        if repeatable:
            self.log(f"{len(repeatable)} repeatable units marked for re-apply "
                     "(they are built on the versioned schema)")
        self.log(f"committed: locks held {held:.2f}s")
        return len(chosen)
