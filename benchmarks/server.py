"""Where the benchmark runs: a throwaway local cluster tuned for the data, or a given server."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from psycopg import sql

from schema_kit.config import Settings
from schema_kit.localdb import LocalCluster
from schema_kit.migrate import Migrator
from schema_kit.render import render
from schema_kit.testing import database_dsn

Log = Callable[[str], None]

# Memory for a 1M-ticket data set on a small shared machine; everything else stays default.
_SETTINGS = {
    "shared_buffers": "1GB",
    "work_mem": "32MB",
    "maintenance_work_mem": "256MB",
    "max_wal_size": "4GB",
    "checkpoint_timeout": "30min",
}


@contextmanager
def local_server(log: Log) -> Iterator[str]:
    """A throwaway cluster in /tmp (settings above), destroyed afterwards; yields its admin DSN."""
    tmp = Path(tempfile.mkdtemp(prefix="schema-kit-bench-", dir="/tmp"))
    tmp.chmod(0o755)  # the postgres OS user must traverse it when we are root
    cluster = LocalCluster(tmp / "cluster", dbname="postgres")
    try:
        dsn = cluster.up(log=lambda _line: None)
        with psycopg.connect(dsn, autocommit=True) as conn:
            for name, value in _SETTINGS.items():
                conn.execute(sql.SQL("alter system set {} = {}").format(
                    sql.Identifier(name), sql.Literal(value)))
        cluster.down(log=lambda _line: None)
        dsn = cluster.up(log=lambda _line: None)
        log(f"server: throwaway cluster in {tmp}")
        yield dsn
    finally:
        try:
            cluster.destroy(log=lambda _line: None)
        except OSError as exc:  # a file vanishing while the stopped server's tree is removed
            log(f"server: cleanup incomplete ({exc}); removing what is left")
        shutil.rmtree(tmp, ignore_errors=True)


def fresh_database(admin_dsn: str, dbname: str) -> str:
    """Drop and create ``dbname`` on the server; return its DSN."""
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(sql.SQL("drop database if exists {} with (force)").format(
            sql.Identifier(dbname)))
        conn.execute(sql.SQL("create database {}").format(sql.Identifier(dbname)))
    return database_dsn(admin_dsn, dbname)


def database(admin_dsn: str, dbname: str) -> str:
    return database_dsn(admin_dsn, dbname)


def has_data(admin_dsn: str, dbname: str) -> bool:
    """True when ``dbname`` exists and holds a generated data set (bench.alvos)."""
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        found = conn.execute("select 1 from pg_database where datname = %s", (dbname,)).fetchone()
    if not found:
        return False
    with psycopg.connect(database_dsn(admin_dsn, dbname), autocommit=True) as conn:
        row = conn.execute("select to_regclass('bench.alvos') is not null").fetchone()
    return bool(row and row[0])


def drop_database(admin_dsn: str, dbname: str) -> None:
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(sql.SQL("drop database if exists {} with (force)").format(
            sql.Identifier(dbname)))


def apply_schema(dsn: str, log: Log) -> None:
    """Every unit of this checkout, exactly as ``schema-kit apply`` runs them."""
    settings = Settings(target="postgres")
    with Migrator(dsn, render(settings), settings.target, lambda _line: None) as migrator:
        applied = migrator.apply()
    log(f"schema: {applied} unit(s) applied")


def server_version(dsn: str) -> str:
    with psycopg.connect(dsn) as conn:
        row = conn.execute("select version()").fetchone()
    return str(row[0]) if row else "?"
