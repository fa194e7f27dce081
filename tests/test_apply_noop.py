"""apply's fast paths: the no-op decided from the database's record, one round trip per unit,
files without jinja2 syntax taken as they are. Behaviour only (timings are in benchmarks/)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import psycopg
import pytest

from schema_kit.config import load_settings
from schema_kit.locks import LOCK_KEY
from schema_kit.render import _environment, _render_file, cache_dir, render
from schema_kit.sources import sql_root
from support import cli

ROOT = Path(__file__).resolve().parents[1]
#: The line only the no-op decided from the record prints (the full path says just the first
#: part: "nothing to do: N units unchanged").
FAST = "units unchanged (sources and recorded units match the last apply; nothing rendered)"
FULL_NOOP = "units unchanged"


@pytest.fixture
def sources(sources: Path) -> Path:
    """The shared copy of the SQL sources (conftest.py), plus one plain function unit to edit."""
    (sources / "functions" / "zz_probe.sql").write_text(
        "create or replace function public.probe() returns int language sql as $$ select 1 $$;\n")
    return sources


def apply(dsn: str, sources: Path) -> tuple[int, str]:
    code, _, err = cli("apply", "--dsn", dsn, "--sources", str(sources))
    return code, err


def last_noop(err: str) -> str:
    lines = [line for line in err.splitlines() if line.startswith("nothing to do: ")]
    return lines[-1] if lines else ""


def probe(dsn: str) -> object:
    with psycopg.connect(dsn) as conn:
        row = conn.execute("select public.probe()").fetchone()
    return row[0] if row else None


def test_a_reapply_of_the_same_sources_is_a_noop_without_rendering_or_yoyo(
        empty_db: str, sources: Path) -> None:
    assert apply(empty_db, sources)[0] == 0
    code = (
        "import sys\n"
        "from schema_kit.cli import main\n"
        f"code = main(['apply', '--dsn', {empty_db!r}, '--sources', {str(sources)!r}])\n"
        "heavy = ('jinja2', 'yoyo', 'sqlparse', 'schema_kit.render', 'schema_kit.migrate')\n"
        "print(code, sorted(m for m in heavy if m in sys.modules))\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, check=False)
    assert proc.stdout.strip() == "0 []", proc.stderr
    assert FAST in proc.stderr


def test_the_first_apply_and_a_changed_one_take_the_full_path(empty_db: str,
                                                             sources: Path) -> None:
    code, err = apply(empty_db, sources)
    assert code == 0, err
    assert "applied      compat/0001_roles" in err
    code, err = apply(empty_db, sources)
    assert code == 0, err
    assert last_noop(err).endswith(FAST)

    unit = sources / "functions" / "zz_probe.sql"
    unit.write_text(unit.read_text().replace("select 1", "select 2"))
    code, err = apply(empty_db, sources)

    assert code == 0, err
    assert FAST not in err
    ran = [line for line in err.splitlines() if line.startswith(("applied", "re-applied"))]
    assert ran == ["re-applied   functions/zz_probe (content changed)"]
    assert probe(empty_db) == 2
    assert last_noop(apply(empty_db, sources)[1]).endswith(FAST)  # recorded again


def test_a_new_file_or_other_template_settings_are_not_a_noop(
        empty_db: str, sources: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert apply(empty_db, sources)[0] == 0
    partial = sources / "functions" / "_unused_partial.sql"  # not a unit, but in the digest
    partial.write_text("-- included by nothing\n")
    code, err = apply(empty_db, sources)
    assert code == 0, err
    assert FAST not in err and last_noop(err).endswith(FULL_NOOP)

    monkeypatch.setenv("SCHEMA_KIT_MAX_MESSAGE_LENGTH", "1234")
    code, err = apply(empty_db, sources)

    assert code == 0, err
    assert FAST not in err
    assert "re-applied   functions/05_campos (content changed)" in err
    with psycopg.connect(empty_db) as conn:
        bodies = [r[0] for r in conn.execute("select prosrc from pg_catalog.pg_proc "
                                             "where prosrc like '%char_length(p_texto) > 1234%'")]
    assert bodies, "the function was not re-rendered with the new limit"


@pytest.mark.parametrize("tamper", [
    # a unit's record removed by hand: it must run again
    "delete from schema_kit._yoyo_migration where migration_id like 'functions/zz_probe@%'",
    # a record added by hand (e.g. a unit applied by another checkout): the full path warns
    "insert into schema_kit._yoyo_migration (migration_hash, migration_id, applied_at_utc) "
    "values ('x', 'migrations/9998_elsewhere', now())",
    # the stored digest itself edited
    "update schema_kit.apply_state set sources_digest = 'x'",
])
def test_a_tampered_record_is_not_taken_for_up_to_date(empty_db: str, sources: Path,
                                                       tamper: str) -> None:
    assert apply(empty_db, sources)[0] == 0
    with psycopg.connect(empty_db, autocommit=True) as conn:
        conn.execute(tamper)

    code, err = apply(empty_db, sources)

    assert code == 0, err
    assert FAST not in err
    if "delete" in tamper:
        assert "applied      functions/zz_probe" in err
    if "insert" in tamper:
        assert "warning: migrations/9998_elsewhere is recorded as applied" in err
        # a state with a stray record is never stored as complete: still the full path
        assert FAST not in apply(empty_db, sources)[1]


def test_a_rollback_makes_the_next_apply_plan_again(empty_db: str, sources: Path) -> None:
    (sources / "migrations" / "9999_extra.sql").write_text("create table public.extra (id int);\n")
    (sources / "migrations" / "9999_extra.rollback.sql").write_text("drop table public.extra;\n")
    assert apply(empty_db, sources)[0] == 0
    code, _, err = cli("rollback", "--dsn", empty_db, "--sources", str(sources))
    assert code == 0, err

    code, err = apply(empty_db, sources)

    assert code == 0, err
    assert "applied      migrations/9999_extra" in err
    with psycopg.connect(empty_db) as conn:
        assert conn.execute("select to_regclass('public.extra')::text").fetchone() == (
            "extra",)


def test_a_run_holding_the_lock_sends_the_noop_to_the_full_path(empty_db: str,
                                                               sources: Path) -> None:
    """The no-op never reports from a state another run is changing: it waits like a full run."""
    assert apply(empty_db, sources)[0] == 0
    env = {**os.environ, "SCHEMA_KIT_DSN": empty_db}
    with psycopg.connect(empty_db, autocommit=True) as holder:
        holder.execute("select pg_advisory_lock(%s)", (LOCK_KEY,))
        proc = subprocess.Popen([sys.executable, "-m", "schema_kit", "apply", "--sources",
                                 str(sources)], env=env, stderr=subprocess.PIPE, text=True)
        assert proc.stderr is not None
        first = proc.stderr.readline() + proc.stderr.readline()
        holder.execute("select pg_advisory_unlock(%s)", (LOCK_KEY,))
    _, rest = proc.communicate(timeout=120)
    assert proc.returncode == 0, first + rest
    assert "waiting for another schema-kit run" in first + rest
    assert FAST not in rest and last_noop(rest).endswith(FULL_NOOP)


def test_a_failed_change_leaves_the_record_and_the_error_is_one_line(empty_db: str,
                                                                    sources: Path) -> None:
    assert apply(empty_db, sources)[0] == 0
    unit = sources / "functions" / "zz_probe.sql"
    good = unit.read_text()
    unit.write_text(good + "create table public.half (id int);\nselect 1/0;\n")

    code, err = apply(empty_db, sources)

    assert code == 1
    assert err.splitlines()[-1].startswith(
        "error: functions/zz_probe failed at statement 3 (line 3): 22012")
    assert sum(line.startswith("error:") for line in err.splitlines()) == 1
    unit.write_text(good)  # back to what the database has: the record still matches
    assert last_noop(apply(empty_db, sources)[1]).endswith(FAST)


@pytest.mark.parametrize(("body", "where"), [
    # a syntax error: the server refuses the whole text before running any statement
    ("create table public.a (id int);\ncreate tabel public.b (id int);\nselect 1;\n",
     "statement 2 (line 2): 42601"),
    # an error without a position: located by how many statements succeeded
    ("create table public.a (id int);\n\n-- why\nselect 1;\n"
     "do $$ begin raise exception 'boom'; end $$;\n", "statement 3 (line 5): P0001"),
    # an error with a position in a later statement
    ("select 1;\nselect 2;\n  select nope\n  from public.none;\n", "statement 3 (line 3): 42P01"),
])
def test_a_unit_run_in_one_round_trip_still_names_the_failing_statement(
        empty_db: str, sources: Path, body: str, where: str) -> None:
    (sources / "policies" / "zz_broken.sql").write_text(body)

    code, err = apply(empty_db, sources)

    assert code == 1
    assert err.splitlines()[-1].startswith(f"error: policies/zz_broken failed at {where}"), err
    with psycopg.connect(empty_db) as conn:
        assert conn.execute("select to_regnamespace('schema_kit')").fetchone() == (None,)


@pytest.mark.parametrize("target", ["postgres", "supabase"])
def test_files_without_template_syntax_render_exactly_as_jinja2_would(target: str) -> None:
    settings = load_settings({"target": target}, env={})
    root = sql_root(None)
    env = _environment(root)
    units = render(settings)
    assert units
    for unit in units:
        assert unit.sql == _render_file(env, root, unit.source.path, settings), unit.label
        if unit.source.rollback is not None:
            assert unit.rollback_sql == _render_file(env, root, unit.source.rollback, settings)


def test_a_file_with_crlf_line_ends_renders_as_jinja2_would(sources: Path) -> None:
    """jinja2 turns \\r\\n into \\n; a file taken as it is is read with universal newlines."""
    (sources / "functions" / "zz_probe.sql").write_bytes(
        b"-- windows line ends\r\nselect 1;\r\n")
    settings = load_settings({"sources": sources}, env={})
    unit = next(u for u in render(settings) if u.label == "functions/zz_probe")
    assert unit.sql == "-- windows line ends\nselect 1;\n"


def test_a_digest_that_cannot_be_stored_is_a_warning_not_a_failed_deploy(
        empty_db: str, sources: Path) -> None:
    assert apply(empty_db, sources)[0] == 0
    with psycopg.connect(empty_db, autocommit=True) as conn:
        conn.execute("drop table schema_kit.apply_state")
        conn.execute("create view schema_kit.apply_state as select true as singleton, "
                     "''::text as sources_digest, ''::text as applied_digest, "
                     "now() as recorded_at")
    unit = sources / "functions" / "zz_probe.sql"
    unit.write_text(unit.read_text().replace("select 1", "select 3"))

    code, err = apply(empty_db, sources)

    assert code == 0, err
    assert "re-applied   functions/zz_probe (content changed)" in err
    assert "warning: the no-op digest was not stored" in err
    assert probe(empty_db) == 3
    assert FAST not in apply(empty_db, sources)[1]


def test_compiled_templates_are_cached_and_an_edit_is_rendered(
        sources: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    template = sources / "functions" / "zz_tmpl.sql.j2"
    template.write_text("select {{ limits.max_message_length }} as a;\n")
    settings = load_settings({"sources": sources}, env={})

    def rendered() -> str:
        return next(u.sql for u in render(settings) if u.label == "functions/zz_tmpl")

    assert rendered() == "select 4000 as a;\n"
    assert list(cache_dir().iterdir()), "nothing was cached"
    assert rendered() == "select 4000 as a;\n"  # from the cache
    template.write_text("select {{ limits.max_message_length }} as b;\n")
    assert rendered() == "select 4000 as b;\n"


def test_a_cache_folder_others_may_write_is_not_used(
        sources: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    folder = cache_dir()
    folder.mkdir()
    folder.chmod(0o777)
    (sources / "functions" / "zz_tmpl.sql.j2").write_text("select {{ target | tojson }};\n")

    units = render(load_settings({"sources": sources}, env={}))

    assert next(u.sql for u in units if u.label == "functions/zz_tmpl") == 'select "postgres";\n'
    assert list(folder.iterdir()) == []
