"""Test support: a migrated template database, per-test clones, personas and pgTAP runs.

Used by this project's tests and usable by backend teams' own suites (needs the ``dev`` extra:
pytest-postgresql). Personas: :func:`schema_kit.personas.act_as`, re-exported here.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo
from pytest_postgresql.janitor import DatabaseJanitor

from schema_kit.config import Settings
from schema_kit.migrate import BOOKKEEPING_SCHEMA, Migrator
from schema_kit.personas import act_as, reset_persona
from schema_kit.render import render

PGTAP_SCHEMA = "extensions"
#: The platform's migration role: NOSUPERUSER with exactly these attributes on Supabase.
APPLIER = "postgres"
APPLIER_ATTRIBUTES = "LOGIN NOSUPERUSER BYPASSRLS CREATEROLE CREATEDB REPLICATION"
__all__ = ["APPLIER", "act_as", "applier_dsn", "build_template", "platform_project",
           "prepare_platform", "reset_persona", "run_pgtap", "scratch_database"]


def _janitor(admin_dsn: str, dbname: str, template: str | None = None,
             as_template: bool = False) -> DatabaseJanitor:
    parts = conninfo_to_dict(admin_dsn)
    return DatabaseJanitor(
        user=str(parts.get("user") or "postgres"),
        password=parts.get("password"),  # type: ignore[arg-type]
        host=str(parts.get("host") or "127.0.0.1"),
        port=str(parts.get("port") or "5432"),
        dbname=dbname,
        template_dbname=template,
        as_template=as_template,
        maintenance_dbname=str(parts.get("dbname") or "postgres"),
    )


def database_dsn(admin_dsn: str, dbname: str) -> str:
    """The admin DSN pointed at another database on the same server."""
    return make_conninfo(admin_dsn, dbname=dbname)


def _user(dsn: str) -> str:
    return str(conninfo_to_dict(dsn).get("user") or "postgres")


def platform_like(admin_dsn: str) -> bool:
    """True when the admin is a superuser other than ``postgres`` (so ``postgres`` can be the
    platform's NOSUPERUSER migration role, as on Supabase)."""
    return _user(admin_dsn) != APPLIER


def applier_dsn(admin_dsn: str) -> str:
    """The DSN of the migration role: ``postgres`` on a platform-like server, else the admin."""
    return make_conninfo(admin_dsn, user=APPLIER) if platform_like(admin_dsn) else admin_dsn


def prepare_platform(admin_dsn: str) -> None:
    """Create the platform's migration role ``postgres`` (NOSUPERUSER, Supabase's attributes).

    Its memberships (API roles, pg_read_all_data, …) come with the compat layer (0006). A
    server whose admin is ``postgres`` itself is left as it is.
    """
    if not platform_like(admin_dsn):
        return
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        exists = conn.execute("select 1 from pg_roles where rolname = %s", (APPLIER,)).fetchone()
        verb = sql.SQL("alter") if exists else sql.SQL("create")
        conn.execute(sql.SQL("{} role {} {}").format(
            verb, sql.Identifier(APPLIER), sql.SQL(APPLIER_ATTRIBUTES)))


def _hand_to_applier(admin_dsn: str, dbname: str) -> None:
    """The migration role owns the database (it may create schemas), as on the platform."""
    if platform_like(admin_dsn):
        with psycopg.connect(admin_dsn, autocommit=True) as conn:
            conn.execute(sql.SQL("alter database {} owner to {}").format(
                sql.Identifier(dbname), sql.Identifier(APPLIER)))


@contextmanager
def scratch_database(admin_dsn: str, dbname: str, template: str | None = None, *,
                     as_applier: bool = False) -> Iterator[str]:
    """Create ``dbname`` (empty, or a clone of ``template``), yield its DSN, drop it.

    With ``as_applier`` the database belongs to the migration role and the DSN logs in as it.
    """
    janitor = _janitor(admin_dsn, dbname, template)
    janitor.drop()
    janitor.init()
    try:
        if as_applier:
            _hand_to_applier(admin_dsn, dbname)
            yield database_dsn(applier_dsn(admin_dsn), dbname)
        else:
            yield database_dsn(admin_dsn, dbname)
    finally:
        janitor.drop()


def _hand_books_to(conn: psycopg.Connection[Any], role: str) -> None:
    """The bookkeeping the superuser created while applying compat/ goes to the migration role,
    which records everything after it (as it would on the platform, where it runs them all)."""
    tables = [row[0] for row in conn.execute(
        "select c.relname from pg_class as c where c.relnamespace = to_regnamespace(%s) "
        "and c.relkind in ('r', 'p')", (BOOKKEEPING_SCHEMA,)).fetchall()]
    if not tables:
        return
    conn.execute(sql.SQL("alter schema {} owner to {}").format(
        sql.Identifier(BOOKKEEPING_SCHEMA), sql.Identifier(role)))
    for table in tables:
        conn.execute(sql.SQL("alter table {}.{} owner to {}").format(
            sql.Identifier(BOOKKEEPING_SCHEMA), sql.Identifier(table), sql.Identifier(role)))


def platform_project(admin_dsn: str, dbname: str,
                     log: Callable[[str], None] = lambda _line: None) -> str:
    """Make the existing, empty database ``dbname`` look like a new Supabase project.

    As on the platform, the compat layer (roles, auth, realtime) is applied by the superuser and
    owned by the platform roles, pgTAP lives in schema ``extensions``, and the database belongs
    to the NOSUPERUSER migration role ``postgres`` (:func:`prepare_platform`), whose DSN is
    returned: whatever it applies next fails where it would fail on Supabase.
    """
    prepare_platform(admin_dsn)
    _hand_to_applier(admin_dsn, dbname)
    platform = database_dsn(admin_dsn, dbname)
    dsn = database_dsn(applier_dsn(admin_dsn), dbname)
    compat = [u for u in render(Settings(target="postgres")) if u.source.kind == "compat"]
    with Migrator(platform, compat, "postgres", log) as migrator:
        migrator.apply()
    with psycopg.connect(platform, autocommit=True) as conn:
        _hand_books_to(conn, _user(dsn))
        conn.execute(f"create schema if not exists {PGTAP_SCHEMA}")
        conn.execute(f"create extension if not exists pgtap schema {PGTAP_SCHEMA}")
        # Supabase offers plpgsql_check (what `supabase db lint` runs) in schema extensions; the
        # migration role cannot create an untrusted extension itself.
        if conn.execute("select 1 from pg_available_extensions "
                        "where name = 'plpgsql_check'").fetchone():
            conn.execute(f"create extension if not exists plpgsql_check schema {PGTAP_SCHEMA}")
        conn.execute(sql.SQL("grant usage on schema {} to anon, authenticated, service_role, {}")
                     .format(sql.Identifier(PGTAP_SCHEMA), sql.Identifier(_user(dsn))))
    return dsn


def build_template(admin_dsn: str, dbname: str, support_sql: Sequence[Path],
                   log: Callable[[str], None] = lambda _line: None) -> str:
    """A template database prepared like a Supabase project (:func:`platform_project`), with
    every unit applied by the migration role and the test support SQL files installed.
    Returns the migration role's DSN of the template."""
    janitor = _janitor(admin_dsn, dbname, as_template=True)
    janitor.drop()
    janitor.init()
    dsn = platform_project(admin_dsn, dbname, log)
    settings = Settings(target="postgres")
    with Migrator(dsn, render(settings), settings.target, log) as migrator:
        migrator.apply()
    with psycopg.connect(dsn, autocommit=True) as conn:
        for path in support_sql:
            conn.execute(path.read_text(encoding="utf-8").encode("utf-8"))
    return dsn


# -- pgTAP -------------------------------------------------------------------------------------

_RESULT = re.compile(r"^(not ok|ok) (\d+)(.*)$")
_PLAN = re.compile(r"^1\.\.(\d+)")


@dataclass
class TapResult:
    """What a pgTAP file reported."""

    planned: int | None = None
    passed: int = 0
    failures: list[str] = field(default_factory=list)
    output: str = ""
    errors: str = ""
    returncode: int = 0

    @property
    def ran(self) -> int:
        return self.passed + len(self.failures)

    @property
    def ok(self) -> bool:
        return (self.returncode == 0 and not self.failures and self.planned is not None
                and self.planned == self.ran)


def psql_path() -> str:
    """psql from PATH, else next to the server binaries."""
    found = shutil.which("psql")
    if found:
        return found
    from schema_kit.localdb import find_bindir

    return str(find_bindir() / "psql")


def run_pgtap(dsn: str, path: Path) -> TapResult:
    """Run one pgTAP file with psql (stop on the first SQL error) and parse its TAP output."""
    env = {"PGOPTIONS": f"-c search_path=public,{PGTAP_SCHEMA}", "PATH": "/usr/bin:/bin"}
    proc = subprocess.run(
        [psql_path(), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", dsn, "-f", str(path)],
        capture_output=True, text=True, env=env, timeout=600, check=False)
    result = TapResult(output=proc.stdout, errors=proc.stderr, returncode=proc.returncode)
    lines = proc.stdout.splitlines()
    for index, line in enumerate(lines):
        plan = _PLAN.match(line)
        if plan:
            result.planned = int(plan.group(1))
            continue
        match = _RESULT.match(line)
        if not match:
            continue
        if match.group(1) == "ok" or "# TODO" in match.group(3):
            result.passed += 1
            continue
        detail = [line]
        for follow in lines[index + 1:]:
            if not follow.startswith("#"):
                break
            detail.append(follow)
        result.failures.append("\n".join(detail))
    return result
