"""One PostgreSQL server per session, a migrated template database, a fresh clone per test.

The server is ``SCHEMA_KIT_TEST_DSN`` (a superuser DSN) or else a throwaway local cluster in a
temp dir whose bootstrap superuser is ``supabase_admin``. As on Supabase, the compat layer is
the superuser's (the platform's) and everything else runs as ``postgres``, a NOSUPERUSER role
with the platform's attributes: the template's domain units are applied by it, and the ``db``
and ``admin`` fixtures and the pgTAP files connect as it. (With a ``SCHEMA_KIT_TEST_DSN`` whose
user is ``postgres`` itself, that superuser plays both parts.) pgTAP files in tests/pgtap/ are
collected as one test item each.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from schema_kit.localdb import LocalCluster, LocalDBError, find_bindir, pgtap_available, pgtap_hint
from schema_kit.sources import KINDS
from schema_kit.testing import TapResult, build_template, run_pgtap, scratch_database

TESTS = Path(__file__).parent
ROOT = TESTS.parent
SUPPORT_SQL = [TESTS / "sql" / "helpers.sql", TESTS / "sql" / "fixtures.sql"]
TEMPLATE = "schema_kit_template"
PLATFORM_SUPERUSER = "supabase_admin"


class _Server:
    """The session's server, started lazily so the report header can show its version."""

    def __init__(self) -> None:
        self.admin_dsn: str | None = None
        self.cluster: LocalCluster | None = None
        self.tmp: Path | None = None
        self.version = ""
        self.template_dsn: str | None = None

    def start(self) -> str:
        if self.admin_dsn is not None:
            return self.admin_dsn
        dsn = os.environ.get("SCHEMA_KIT_TEST_DSN")
        if not dsn:
            try:
                bindir = find_bindir()
                if not pgtap_available(bindir):
                    pytest.exit(f"pgTAP is not installed: {pgtap_hint(bindir)}", returncode=1)
                self.tmp = Path(tempfile.mkdtemp(prefix="schema-kit-tests-", dir="/tmp"))
                self.tmp.chmod(0o755)  # the postgres OS user must traverse it when we are root
                self.cluster = LocalCluster(self.tmp / "cluster", dbname="postgres",
                                            superuser=PLATFORM_SUPERUSER)
                dsn = self.cluster.up(log=lambda _line: None)
            except LocalDBError as exc:
                pytest.exit(f"cannot start a local PostgreSQL for the tests: {exc}", returncode=1)
        try:
            with psycopg.connect(dsn, connect_timeout=10) as conn:
                row = conn.execute("select version()").fetchone()
        except psycopg.OperationalError as exc:
            pytest.exit(f"PostgreSQL server unreachable ({exc}); set SCHEMA_KIT_TEST_DSN",
                        returncode=1)
        self.version = row[0] if row else "?"
        self.admin_dsn = dsn
        return dsn

    def template(self) -> str:
        if self.template_dsn is None:
            self.template_dsn = build_template(self.start(), TEMPLATE, SUPPORT_SQL)
        return self.template_dsn

    def stop(self) -> None:
        if self.cluster is not None:
            self.cluster.destroy(log=lambda _line: None)
        if self.tmp is not None:
            shutil.rmtree(self.tmp, ignore_errors=True)


SERVER = _Server()
_TAP_KEY = pytest.StashKey[list[tuple[str, TapResult]]]()


def pytest_configure(config: pytest.Config) -> None:
    config.stash[_TAP_KEY] = []


def pytest_report_header(config: pytest.Config) -> str:
    SERVER.start()
    return f"postgres: {SERVER.version}"


def pytest_unconfigure(config: pytest.Config) -> None:
    SERVER.stop()


@pytest.fixture(scope="session")
def admin_dsn() -> str:
    """DSN of a superuser (the platform) connection to the test server's maintenance database."""
    return SERVER.start()


@pytest.fixture(scope="session")
def template_dsn() -> str:
    """The migrated template database (built once per session)."""
    return SERVER.template()


def _fresh_name(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:12]}"


@pytest.fixture
def db(template_dsn: str, admin_dsn: str) -> Iterator[str]:
    """DSN (as the migration role ``postgres``) of a fresh clone of the template, dropped after."""
    with scratch_database(admin_dsn, _fresh_name("t"), TEMPLATE, as_applier=True) as dsn:
        yield dsn


@pytest.fixture
def empty_db(admin_dsn: str) -> Iterator[str]:
    """DSN of a fresh empty database, dropped after the test."""
    with scratch_database(admin_dsn, _fresh_name("e")) as dsn:
        yield dsn


@pytest.fixture
def admin(db: str) -> Iterator[psycopg.Connection[Any]]:
    """A connection (autocommit) to the test's own database as the migration role ``postgres``
    (NOSUPERUSER, BYPASSRLS: what a project's SQL editor or a migration sees)."""
    with psycopg.connect(db, autocommit=True) as conn:
        yield conn


@pytest.fixture
def sources(tmp_path: Path) -> Path:
    """A private copy of the project's SQL sources (every kind of unit) that a test may edit."""
    root = tmp_path / "sql"
    for kind in KINDS:
        if (ROOT / kind).is_dir():
            shutil.copytree(ROOT / kind, root / kind)
        else:
            (root / kind).mkdir(parents=True)
    return root


# -- pgTAP files as test items ------------------------------------------------------------------


def pytest_collect_file(parent: pytest.Collector, file_path: Path) -> pytest.Collector | None:
    if file_path.suffix == ".sql" and file_path.parent == TESTS / "pgtap":
        return PgTapFile.from_parent(parent, path=file_path)
    return None


class PgTapFile(pytest.File):
    def collect(self) -> Iterator[pytest.Item]:
        yield PgTapItem.from_parent(self, name=self.path.stem)


class PgTapFailure(Exception):
    pass


class PgTapItem(pytest.Item):
    """One pgTAP file run in its own clone of the template."""

    def runtest(self) -> None:
        SERVER.template()  # built once per session, on first use
        with scratch_database(SERVER.start(), _fresh_name("tap"), TEMPLATE,
                              as_applier=True) as dsn:
            result = run_pgtap(dsn, self.path)
        self.config.stash[_TAP_KEY].append((self.name, result))
        if not result.ok:
            raise PgTapFailure(result)

    def repr_failure(self, excinfo: Any, style: Any = None) -> str:
        if isinstance(excinfo.value, PgTapFailure):
            result: TapResult = excinfo.value.args[0]
            parts = [f"{self.path.name}: planned {result.planned}, ran {result.ran}, "
                     f"failed {len(result.failures)}"]
            parts += result.failures
            if result.returncode:
                parts.append(f"psql exited {result.returncode}:\n{result.errors.strip()}")
            return "\n".join(parts)
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, 0, f"pgTAP {self.path.name}"


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    results = config.stash[_TAP_KEY]
    if not results:
        return
    passed = sum(r.passed for _, r in results)
    failed = sum(len(r.failures) for _, r in results)
    terminalreporter.section("pgTAP")
    for name, result in results:
        terminalreporter.write_line(
            f"{name}: {result.passed}/{result.planned} assertions passed")
    terminalreporter.write_line(
        f"pgTAP: {passed} assertions passed, {failed} failed, in {len(results)} files")
