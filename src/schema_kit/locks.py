"""Lock safety against a live database: session timeouts, what a wait was for, retry backoff.

A DDL statement waiting for a lock blocks every later query on that table behind it (the lock
queue), so each statement of a run waits at most ``lock_timeout``; the run then rolls back,
waits (doubling from the lock timeout, at most 30 s) and tries again. A second connection
watches the run's backend while a statement is slow, so a timeout can name the lock, the
relation and the session that held it.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import sql

from schema_kit import queries
from schema_kit.config import format_duration

LOCK_NOT_AVAILABLE = "55P03"
#: Advisory lock key shared by every schema-kit run against a database ("schema_kit" as bytes).
LOCK_KEY = 0x736368656D615F6B
MAX_BACKOFF_S = 30.0


@dataclass(frozen=True)
class Wait:
    """One observed lock wait of the run's backend: the lock, its object and who held it."""

    mode: str
    target: str
    holders: tuple[str, ...]

    def describe(self) -> str:
        held = "; ".join(self.holders) if self.holders else "an unknown session"
        return f"{self.mode} on {self.target}, held by {held}"


def is_lock_timeout(error: BaseException) -> bool:
    """True for PostgreSQL's ``lock_not_available`` (lock_timeout expired, NOWAIT)."""
    return getattr(error, "sqlstate", None) == LOCK_NOT_AVAILABLE


def backoff_seconds(lock_timeout_ms: int, attempt: int) -> float:
    """Pause before try ``attempt + 1``: the lock timeout, doubled per try, at most 30 s."""
    base = max(lock_timeout_ms, 100) / 1000
    return float(min(base * 2 ** (attempt - 1), MAX_BACKOFF_S))


def set_timeouts(conn: psycopg.Connection[Any], lock_timeout_ms: int,
                 statement_timeout_ms: int) -> None:
    """Session-level lock_timeout and statement_timeout for every later statement."""
    for name, value in (("lock_timeout", lock_timeout_ms),
                        ("statement_timeout", statement_timeout_ms)):
        conn.execute(sql.SQL("set {} = {}").format(sql.Identifier(name),
                                                   sql.Literal(f"{value}ms")))


def describe_timeouts(lock_timeout_ms: int, statement_timeout_ms: int) -> str:
    statement = (format_duration(statement_timeout_ms) if statement_timeout_ms
                 else "no limit")
    return f"lock_timeout {format_duration(lock_timeout_ms)}, statement_timeout {statement}"


class LockWatch:
    """Notes what the run's backend waits for, from a second connection, while it is slow.

    The main thread calls :meth:`begin` before and :meth:`end` after each statement; the
    watcher polls ``pg_locks`` only while a statement has been running for ``interval``.
    """

    def __init__(self, dsn: str, pid: int, interval: float = 0.05) -> None:
        self.dsn = dsn
        self.pid = pid
        self.interval = interval
        self.last: Wait | None = None
        self._since: float | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def begin(self) -> None:
        """A statement starts: forget the previous observation, watch if it gets slow."""
        self.last = None
        self._since = time.monotonic()
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="schema-kit-lock-watch",
                                            daemon=True)
            self._thread.start()

    def end(self) -> None:
        self._since = None

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def _loop(self) -> None:
        try:
            with psycopg.connect(self.dsn, autocommit=True,
                                 application_name="schema-kit (lock watch)") as conn:
                query = queries.load("lock_wait")
                while not self._stop.wait(self.interval):
                    since = self._since
                    if since is None or time.monotonic() - since < self.interval:
                        continue
                    rows = conn.execute(query, {"pid": self.pid}).fetchall()
                    if rows and self._since == since:
                        self.last = Wait(
                            mode=str(rows[0][0]), target=str(rows[0][1]),
                            holders=tuple(f"pid {pid} ({app}, {state}: {query_text})"
                                          for _m, _t, pid, app, state, query_text in rows))
        except psycopg.Error:
            return  # best effort: a timeout is still reported, without the blocker's name
