"""apply / status / rollback against a real server: idempotence, locking, atomicity, checksums."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from support import cli

ROOT = Path(__file__).resolve().parents[1]


def schema_dump(dsn: str) -> str:
    """pg_dump --schema-only, minus the random \\restrict key newer pg_dump versions emit."""
    proc = subprocess.run(["pg_dump", "--schema-only", "--no-owner", "-d", dsn],
                          capture_output=True, text=True, check=True)
    return "\n".join(line for line in proc.stdout.splitlines()
                     if not line.startswith(("\\restrict", "\\unrestrict")))


def applied_log(dsn: str) -> list[tuple[str, str]]:
    with psycopg.connect(dsn) as conn:
        return conn.execute("select migration_id, operation from schema_kit._yoyo_log "
                            "order by created_at_utc").fetchall()


def test_apply_twice_changes_nothing_the_second_time(empty_db: str) -> None:
    code, _, err = cli("apply", "--dsn", empty_db)
    assert code == 0, err
    lines = err.splitlines()
    # "ran" while the transaction is open, "applied" once it committed
    assert lines.index("ran          compat/0001_roles") < lines.index(
        "applied      compat/0001_roles")
    assert any(line.startswith("committed: ") and "locks held" in line for line in lines)
    first = schema_dump(empty_db)

    code, _, err = cli("apply", "--dsn", empty_db)
    assert code == 0, err
    assert "nothing to do" in err
    assert schema_dump(empty_db) == first


def test_status_check_reports_pending_then_clean(empty_db: str) -> None:
    code, out, _ = cli("status", "--check", "--dsn", empty_db)
    assert code == 2
    assert "pending  compat/0001_roles" in out
    assert cli("apply", "--dsn", empty_db)[0] == 0
    code, out, _ = cli("status", "--check", "--dsn", empty_db)
    assert code == 0
    assert "pending" not in out


def test_dry_run_and_status_change_nothing_at_all(empty_db: str) -> None:
    before = schema_dump(empty_db)
    code, _, err = cli("apply", "--dry-run", "--dsn", empty_db)
    assert code == 0
    assert "apply        compat/0001_roles" in err
    assert "dry run:" in err
    assert cli("status", "--dsn", empty_db)[0] == 0
    assert schema_dump(empty_db) == before  # not even the bookkeeping schema


def test_dry_run_on_an_applied_database_lists_only_the_change(empty_db: str,
                                                              sources: Path) -> None:
    assert cli("apply", "--dsn", empty_db, "--sources", str(sources))[0] == 0
    (sources / "functions" / "zz_new.sql").write_text(
        "create or replace function public.novo() returns int language sql as $$ select 1 $$;\n")
    code, _, err = cli("apply", "--dry-run", "--dsn", empty_db, "--sources", str(sources))
    assert code == 0
    todo = [line for line in err.splitlines() if line.startswith(("apply ", "re-apply "))]
    assert todo == ["apply        functions/zz_new"]
    with psycopg.connect(empty_db) as conn:
        assert conn.execute("select to_regprocedure('public.novo()')").fetchone() == (None,)


def test_concurrent_applies_serialize_and_apply_once(empty_db: str) -> None:
    env = {**os.environ, "SCHEMA_KIT_DSN": empty_db}
    env.pop("DATABASE_URL", None)
    cmd = [sys.executable, "-m", "schema_kit", "apply"]
    procs = [subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for _ in range(2)]
    results = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], results
    outputs = "".join(err for _, err in results)
    assert outputs.count("applied      compat/0001_roles") == 1
    assert "nothing to do" in outputs
    applies = [unit for unit, op in applied_log(empty_db) if op == "apply"]
    assert len(applies) == len(set(applies)), "a unit was applied twice"


def test_failing_unit_leaves_the_database_as_before(empty_db: str, sources: Path) -> None:
    assert cli("apply", "--dsn", empty_db, "--sources", str(sources))[0] == 0
    before = schema_dump(empty_db)
    log_before = applied_log(empty_db)
    (sources / "functions" / "zz_broken.sql").write_text(
        "create or replace function public.fine() returns int language sql as $$ select 1 $$;\n"
        "create table public.half_done (id int);\n"
        "select no_such_column from public.half_done;\n")
    (sources / "migrations" / "9999_more.sql").write_text("create table public.more (id int);\n")
    (sources / "migrations" / "9999_more.rollback.sql").write_text("drop table public.more;\n")

    code, _, err = cli("apply", "--dsn", empty_db, "--sources", str(sources))

    assert code == 1
    assert "unit functions/zz_broken failed at statement 3 (line 3" in err
    assert "select no_such_column from public.half_done" in err
    assert 'column "no_such_column" does not exist' in err
    assert schema_dump(empty_db) == before  # neither 9999_more nor half of zz_broken stayed
    assert applied_log(empty_db) == log_before


def test_editing_one_function_file_reapplies_only_that_unit(empty_db: str, sources: Path) -> None:
    unit = sources / "functions" / "zz_probe.sql"
    unit.write_text("create or replace function public.probe() returns int "
                    "language sql as $$ select 1 $$;\n")
    assert cli("apply", "--dsn", empty_db, "--sources", str(sources))[0] == 0

    unit.write_text(unit.read_text().replace("select 1", "select 2"))
    code, _, err = cli("apply", "--dsn", empty_db, "--sources", str(sources))

    assert code == 0, err
    ran = [line for line in err.splitlines() if line.startswith(("applied", "re-applied"))]
    assert ran == ["re-applied   functions/zz_probe (content changed)"]
    with psycopg.connect(empty_db) as conn:
        assert conn.execute("select public.probe()").fetchone() == (2,)
        ids = [r[0] for r in conn.execute(
            "select migration_id from schema_kit._yoyo_migration "
            "where migration_id like 'functions/zz_probe@%'")]
    assert len(ids) == 1, "the old checksum must no longer be recorded"


def test_rollback_all_then_apply_gives_an_identical_schema(empty_db: str) -> None:
    assert cli("apply", "--dsn", empty_db)[0] == 0
    applied = schema_dump(empty_db)

    code, _, err = cli("rollback", "--all", "--dsn", empty_db)
    assert code == 0, err
    assert "rolled back  compat/0001_roles" in err
    with psycopg.connect(empty_db) as conn:
        assert conn.execute("select to_regnamespace('auth')").fetchone() == (None,)

    assert cli("apply", "--dsn", empty_db)[0] == 0
    assert schema_dump(empty_db) == applied


def test_rollback_steps_undoes_the_latest_versioned_unit(empty_db: str, sources: Path) -> None:
    (sources / "migrations" / "9999_extra.sql").write_text("create table public.extra (id int);\n")
    (sources / "migrations" / "9999_extra.rollback.sql").write_text("drop table public.extra;\n")
    assert cli("apply", "--dsn", empty_db, "--sources", str(sources))[0] == 0

    code, _, err = cli("rollback", "--steps", "1", "--dsn", empty_db, "--sources", str(sources))

    assert code == 0, err
    assert "rolled back  migrations/9999_extra" in err
    code, out, _ = cli("status", "--dsn", empty_db, "--sources", str(sources))
    assert "pending  migrations/9999_extra" in out


def test_supabase_target_refuses_a_plain_postgres(empty_db: str) -> None:
    code, _, err = cli("apply", "--target", "supabase", "--dsn", empty_db)
    assert code == 1
    assert "lacks what the platform provides" in err
    assert "table auth.users" in err


@pytest.mark.parametrize("foreign", [
    "create schema auth; create table auth.users (id uuid primary key)",
    "create schema auth",                      # no auth.users: the check looked only for it
    "create schema realtime",
    "create schema auth; create schema realtime",
])
def test_postgres_target_refuses_a_foreign_auth_or_realtime_schema(empty_db: str,
                                                                   foreign: str) -> None:
    with psycopg.connect(empty_db, autocommit=True) as conn:
        conn.execute(foreign)
    before = schema_dump(empty_db)

    code, _, err = cli("apply", "--dsn", empty_db)

    assert code == 1
    last = err.splitlines()[-1]
    assert last.startswith("error: target postgres: this database already has schema ")
    assert last.endswith("Use --target supabase.")
    assert "42P06" not in err
    assert schema_dump(empty_db) == before


def test_a_failed_first_run_says_ran_then_rolled_back_and_leaves_the_database_empty(
        empty_db: str, sources: Path) -> None:
    (sources / "policies" / "zz_broken.sql").write_text("select no_such_function();\n")
    before = schema_dump(empty_db)

    code, _, err = cli("apply", "--dsn", empty_db, "--sources", str(sources))

    assert code == 1
    lines = err.splitlines()
    assert "ran          compat/0001_roles" in lines
    assert not [line for line in lines if line.startswith(("applied", "re-applied"))]
    assert any(line.startswith("rolled back: nothing of this run is applied") for line in lines)
    assert lines[-1].startswith("error: policies/zz_broken failed at statement 1 (line 1): "
                                "42883")
    assert schema_dump(empty_db) == before  # not even the bookkeeping schema and tables
    with psycopg.connect(empty_db) as conn:
        assert conn.execute("select count(*) from pg_namespace where nspname in "
                            "('schema_kit', 'auth', 'realtime', 'tickets')").fetchone() == (0,)


def test_supabase_target_applies_on_top_of_the_platform(empty_db: str) -> None:
    """The compat layer stands in for the platform: --target supabase then applies the rest."""
    assert cli("apply", "--dsn", empty_db)[0] == 0
    code, out, err = cli("status", "--target", "supabase", "--dsn", empty_db)
    assert code == 0, err
    assert "compat/" not in out
    assert "pending" not in out


def test_unreachable_server_is_a_clear_error() -> None:
    code, _, err = cli("status", "--dsn", "postgresql://nobody@127.0.0.1:1/none")
    assert code == 1
    assert err.splitlines()[-1].startswith("error: cannot connect")
