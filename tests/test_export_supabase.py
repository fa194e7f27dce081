"""``schema-kit export supabase DIR`` and the round trip through the real Supabase CLI.

The export is checked on its own (stable names, repeatable units re-exported only when they
change, versioned units append-only), then pushed with the Supabase CLI (npm ``supabase``,
pinned in package.json, installed by ``make``) to a database prepared like a new Supabase
project: the compat layer applied by the superuser and owned by the platform roles, the push
made by the NOSUPERUSER ``postgres``. Pushed twice (the second is a no-op), then every exported
pgTAP suite passes on it.
"""

from __future__ import annotations

import subprocess
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from psycopg.conninfo import conninfo_to_dict

from schema_kit.config import Settings
from schema_kit.export import export_supabase
from schema_kit.render import render
from schema_kit.testing import platform_project, run_pgtap, scratch_database
from support import cli

ROOT = Path(__file__).resolve().parents[1]
SUPABASE_CLI = ROOT / "node_modules" / ".bin" / "supabase"
NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def _names(out: Path) -> list[str]:
    return sorted(p.name for p in (out / "supabase" / "migrations").iterdir())


def test_export_is_stable_and_reexports_only_changed_repeatable_units(
        tmp_path: Path, sources: Path) -> None:
    out = tmp_path / "project"
    settings = Settings(target="supabase", sources=sources)
    first = export_supabase(render(settings), out, now=NOW)
    names = _names(out)
    assert len(first.written) == len(names) == len(render(settings))
    assert names[0] == "20260102030405_migrations_0001_schemas.sql"
    assert not any("compat" in name for name in names), "the compat layer is the platform's"
    assert names == sorted(names, key=lambda n: n[:14]), "timestamps follow apply order"

    again = export_supabase(render(settings), out, now=NOW)
    assert again.written == [] and _names(out) == names

    helper = sources / "functions" / "00_private.sql"
    helper.write_text(helper.read_text(encoding="utf-8") + "\n-- changed\n", encoding="utf-8")
    changed = export_supabase(render(settings), out, now=NOW)
    next_second = (NOW + timedelta(seconds=len(names))).strftime("%Y%m%d%H%M%S")
    assert [p.name for p in changed.written] == [f"{next_second}_functions_00_private.sql"]
    assert set(names) < set(_names(out)), "earlier migrations keep their names"


def test_a_versioned_unit_changed_after_export_is_refused(tmp_path: Path, sources: Path) -> None:
    out = tmp_path / "project"
    assert cli("export", "supabase", str(out), "--sources", str(sources))[0] == 0
    unit = sources / "migrations" / "0001_schemas.sql"
    unit.write_text(unit.read_text(encoding="utf-8") + "\n-- edited\n", encoding="utf-8")
    code, _, err = cli("export", "supabase", str(out), "--sources", str(sources))
    assert code == 1
    assert "migrations/0001_schemas changed after it was exported" in err


@pytest.fixture
def project(admin_dsn: str) -> Iterator[str]:
    """A new, empty database prepared like a Supabase project; the migration role's DSN."""
    name = f"proj_{uuid.uuid4().hex[:12]}"
    with scratch_database(admin_dsn, name):
        yield platform_project(admin_dsn, name)


def _push(workdir: Path, dsn: str) -> subprocess.CompletedProcess[str]:
    parts = conninfo_to_dict(dsn)
    url = (f"postgresql://{parts['user']}@{parts['host']}:{parts['port']}/{parts['dbname']}"
           "?sslmode=disable")
    return subprocess.run(
        [str(SUPABASE_CLI), "db", "push", "--db-url", url, "--yes", "--workdir", str(workdir)],
        capture_output=True, text=True, timeout=300, check=False, stdin=subprocess.DEVNULL)


def test_export_round_trip_through_the_real_supabase_cli(tmp_path: Path, project: str) -> None:
    if not SUPABASE_CLI.exists():
        pytest.fail(f"{SUPABASE_CLI} is missing: run `make bootstrap` (npm ci installs it)")
    out = tmp_path / "project"
    code, written, err = cli("export", "supabase", str(out))
    assert code == 0, err
    migrations = written.splitlines()

    first = _push(out, project)
    assert first.returncode == 0, first.stdout + first.stderr
    assert (first.stdout + first.stderr).count("Applying migration ") == len(migrations)

    second = _push(out, project)
    assert second.returncode == 0, second.stdout + second.stderr
    assert "Remote database is up to date." in second.stdout + second.stderr
    assert "Applying migration" not in second.stdout + second.stderr

    suites = sorted((out / "supabase" / "tests").glob("*.sql"))
    assert len(suites) >= 10
    results = {suite.name: run_pgtap(project, suite) for suite in suites}
    failed = {name: (r.failures, r.errors) for name, r in results.items() if not r.ok}
    assert not failed, failed
    assert sum(r.passed for r in results.values()) > 500
