"""apply against a live database: lock timeouts with retries, non-transactional units, the plan.

The sources are the fixture tree tests/fixtures/live (a table the "application" uses, an ALTER
that needs an ACCESS EXCLUSIVE lock, a CREATE INDEX CONCURRENTLY unit), never a real migration.
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from schema_kit.cli import parse_args, run
from support import cli

LIVE = Path(__file__).parent / "fixtures" / "live"


class _Watched(io.StringIO):
    """stderr that signals an event the first time a line containing ``marker`` is written."""

    def __init__(self, marker: str) -> None:
        super().__init__()
        self.marker = marker
        self.seen = threading.Event()

    def write(self, text: str) -> int:
        if self.marker in text:
            self.seen.set()
        return super().write(text)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "live"
    shutil.copytree(LIVE, root)
    return root


def _only_first_unit(tree: Path, tmp_path: Path) -> Path:
    first = tmp_path / "first"
    (first / "migrations").mkdir(parents=True)
    for name in ("0001_alvo.sql", "0001_alvo.rollback.sql"):
        shutil.copy(tree / "migrations" / name, first / "migrations" / name)
    return first


@pytest.fixture
def live_db(empty_db: str, tree: Path, tmp_path: Path) -> str:
    """A database where the application's table exists (unit 0001 applied) and has rows."""
    code, _, err = cli("apply", "--dsn", empty_db, "--sources", str(_only_first_unit(tree,
                                                                                      tmp_path)))
    assert code == 0, err
    with psycopg.connect(empty_db, autocommit=True) as conn:
        conn.execute("insert into public.alvo (valor) select g from generate_series(1, 500) g")
    return empty_db


@pytest.fixture
def blocker(live_db: str) -> Iterator[psycopg.Connection[Any]]:
    """A second session in an open transaction that read public.alvo (holds ACCESS SHARE)."""
    with psycopg.connect(live_db, application_name="app-report") as conn:
        conn.execute("select count(*) from public.alvo").fetchone()
        yield conn
        conn.rollback()


def _in_thread(argv: list[str], err: io.StringIO) -> tuple[threading.Thread, list[int]]:
    result: list[int] = []
    out = io.StringIO()
    thread = threading.Thread(target=lambda: result.append(run(parse_args(argv), out, err)))
    thread.start()
    return thread, result


def _columns(dsn: str) -> list[str]:
    with psycopg.connect(dsn) as conn:
        return [r[0] for r in conn.execute(
            "select attname from pg_attribute where attrelid = 'public.alvo'::regclass "
            "and attnum > 0 and not attisdropped order by attnum")]


def _recorded(dsn: str) -> list[str]:
    with psycopg.connect(dsn) as conn:
        return [r[0] for r in conn.execute(
            "select migration_id from schema_kit._yoyo_migration order by migration_id")]


def test_a_lock_never_released_exits_1_naming_the_table_and_leaves_nothing(
        live_db: str, tree: Path, blocker: psycopg.Connection[Any]) -> None:
    code, _, err = cli("apply", "--dsn", live_db, "--sources", str(tree),
                       "--lock-timeout", "200ms", "--lock-retries", "2")

    assert code == 1
    last = err.splitlines()[-1]
    assert last.startswith("error: gave up after 3 tries: migrations/0002_alvo_coluna")
    assert "AccessExclusiveLock on public.alvo" in last
    assert "app-report" in last  # the session that held it
    assert err.count("lock timeout (try ") == 2
    assert "waited 200ms" in last
    assert _columns(live_db) == ["id", "valor", "nota"]  # nothing partial
    assert _recorded(live_db) == ["migrations/0001_alvo"]


def test_a_lock_released_after_a_timeout_is_retried_and_the_run_succeeds(
        live_db: str, tree: Path, blocker: psycopg.Connection[Any]) -> None:
    err = _Watched("lock timeout (try 1/")
    thread, result = _in_thread(["apply", "--dsn", live_db, "--sources", str(tree),
                                 "--lock-timeout", "300ms", "--lock-retries", "5"], err)
    while not err.seen.wait(0.05) and thread.is_alive():
        pass  # until apply reports its first lock timeout (or ends without one)
    assert err.seen.is_set(), err.getvalue()
    blocker.rollback()  # the report finishes: its lock goes away
    thread.join()

    log = err.getvalue()
    assert result == [0], log
    assert "alvo" in log.split("lock timeout (try 1/")[1].splitlines()[0]
    assert "applied      migrations/0002_alvo_coluna" in log
    assert "locks held" in log
    assert _columns(live_db) == ["id", "valor", "nota", "extra"]


def _writer(dsn: str, started: threading.Event, stop: threading.Event,
            counts: list[int]) -> Callable[[], None]:
    def write() -> None:
        with psycopg.connect(dsn, autocommit=True, application_name="app-writer") as conn:
            while not stop.is_set():
                conn.execute("insert into public.alvo (valor, nota) values (%s, 'escrita')",
                             (len(counts),))
                counts.append(1)
                if len(counts) == 20:
                    started.set()
    return write


def test_a_non_transactional_unit_builds_an_index_concurrently_while_the_table_is_written(
        live_db: str, tree: Path) -> None:
    started, stop, counts = threading.Event(), threading.Event(), []
    writer = threading.Thread(target=_writer(live_db, started, stop, counts))
    writer.start()
    try:
        assert started.wait(60)
        code, _, err = cli("apply", "--dsn", live_db, "--sources", str(tree))
        during = len(counts)
    finally:
        stop.set()
        writer.join()

    assert code == 0, err
    assert "deferred     migrations/0003_alvo_indice (non-transactional" in err
    assert "ran          migrations/0003_alvo_indice statement 1/1 (non-transactional)" in err
    assert "applied      migrations/0003_alvo_indice (non-transactional" in err
    assert during > 20  # the application kept writing while apply ran
    with psycopg.connect(live_db) as conn:
        valid = conn.execute("select indisvalid and indisready from pg_index "
                             "where indexrelid = 'public.alvo_valor_idx'::regclass").fetchone()
        rows = conn.execute("select count(*) from public.alvo where nota = 'escrita'").fetchone()
    assert valid == (True,)
    assert rows == (len(counts),)  # every write of the application landed
    code, out, _ = cli("status", "--dsn", live_db, "--sources", str(tree))
    assert "applied  migrations/0003_alvo_indice (non-transactional)" in out
    code, _, err = cli("apply", "--dsn", live_db, "--sources", str(tree))
    assert code == 0 and "nothing to do" in err


def test_an_invalid_index_left_by_a_failed_build_is_shown_and_rebuilt(
        live_db: str, tree: Path) -> None:
    with psycopg.connect(live_db, autocommit=True) as conn:
        conn.execute("insert into public.alvo (valor) values (1)")  # valor 1 is now duplicated
        with pytest.raises(psycopg.errors.UniqueViolation):
            conn.execute("create unique index concurrently alvo_valor_idx on public.alvo (valor)")

    code, out, _ = cli("status", "--dsn", live_db, "--sources", str(tree))
    assert ("pending  migrations/0003_alvo_indice (non-transactional; INVALID index "
            "public.alvo_valor_idx") in out
    code, out, _ = cli("apply", "--plan-json", "--dsn", live_db, "--sources", str(tree))
    unit = next(u for u in json.loads(out)["units"] if u["unit"] == "migrations/0003_alvo_indice")
    assert unit["invalid_indexes"] == ["public.alvo_valor_idx"]

    code, _, err = cli("apply", "--dsn", live_db, "--sources", str(tree))

    assert code == 0, err
    assert "rebuilding   migrations/0003_alvo_indice statement 1: index public.alvo_valor_idx " \
           "is INVALID" in err
    with psycopg.connect(live_db) as conn:
        row = conn.execute("select indisvalid, indisunique from pg_index "
                           "where indexrelid = 'public.alvo_valor_idx'::regclass").fetchone()
    assert row == (True, False)  # rebuilt as the unit defines it


def test_plan_json_lists_unit_state_and_checksum_and_writes_nothing(
        empty_db: str, tree: Path) -> None:
    code, out, err = cli("apply", "--plan-json", "--dsn", empty_db, "--sources", str(tree))

    assert code == 0, err
    plan = json.loads(out)
    assert plan["to_run"] == 3 and plan["unchanged"] == 0
    assert [(u["unit"], u["state"], u["transactional"]) for u in plan["units"]] == [
        ("migrations/0001_alvo", "pending", True),
        ("migrations/0002_alvo_coluna", "pending", True),
        ("migrations/0003_alvo_indice", "pending", False),
    ]
    rendered = (tree / "migrations" / "0001_alvo.sql").read_bytes()
    assert plan["units"][0]["checksum"] == hashlib.sha256(rendered).hexdigest()
    with psycopg.connect(empty_db) as conn:
        assert conn.execute("select to_regnamespace('schema_kit')").fetchone() == (None,)


def test_statement_timeout_stops_a_runaway_unit(empty_db: str, tree: Path) -> None:
    (tree / "migrations" / "0004_lento.sql").write_text("select pg_sleep(30);\n")
    (tree / "migrations" / "0004_lento.rollback.sql").write_text("select 1;\n")

    code, _, err = cli("apply", "--dsn", empty_db, "--sources", str(tree),
                       "--statement-timeout", "200ms")

    assert code == 1
    assert "57014" in err and "statement timeout" in err
    assert "rolled back: nothing of this run is applied" in err
    with psycopg.connect(empty_db) as conn:
        assert conn.execute("select to_regclass('public.alvo')").fetchone() == (None,)


def test_a_failed_concurrent_build_keeps_the_committed_part_and_the_next_apply_rebuilds(
        live_db: str, tree: Path) -> None:
    unit = tree / "migrations" / "0003_alvo_indice.sql"
    unit.write_text(unit.read_text().replace("CREATE INDEX", "CREATE UNIQUE INDEX"))
    with psycopg.connect(live_db, autocommit=True) as conn:
        conn.execute("insert into public.alvo (valor) values (7)")  # valor 7 twice

    code, _, err = cli("apply", "--dsn", live_db, "--sources", str(tree))

    assert code == 1
    assert err.splitlines()[-1].startswith(
        "error: migrations/0003_alvo_indice failed at statement 1 (line 3): 23505")
    assert err.splitlines()[-1].endswith(
        "the transactional part is committed; migrations/0003_alvo_indice is not recorded: "
        "run apply again (it resumes safely)")
    assert _columns(live_db) == ["id", "valor", "nota", "extra"]  # 0002 committed
    assert _recorded(live_db) == ["migrations/0001_alvo", "migrations/0002_alvo_coluna"]
    code, out, _ = cli("status", "--dsn", live_db, "--sources", str(tree))
    assert "INVALID index public.alvo_valor_idx" in out

    with psycopg.connect(live_db, autocommit=True) as conn:
        conn.execute("delete from public.alvo where id = (select max(id) from public.alvo)")
    code, _, err = cli("apply", "--dsn", live_db, "--sources", str(tree))

    assert code == 0, err
    assert "rebuilding   migrations/0003_alvo_indice" in err
    with psycopg.connect(live_db) as conn:
        row = conn.execute("select indisvalid, indisunique from pg_index "
                           "where indexrelid = 'public.alvo_valor_idx'::regclass").fetchone()
    assert row == (True, True)
