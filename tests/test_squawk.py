"""squawk (migration safety lint) with the project's .squawk.toml over the rendered migrations."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from support import cli

ROOT = Path(__file__).resolve().parents[1]
SQUAWK = Path(sys.executable).parent / "squawk"


def _squawk(rendered: Path) -> subprocess.CompletedProcess[str]:
    files = sorted(str(p) for p in rendered.glob("*_migrations_*.sql"))
    return subprocess.run([str(SQUAWK), "--config", str(ROOT / ".squawk.toml"),
                           "--reporter", "gcc", *files],
                          capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture
def sources(tmp_path: Path) -> Path:
    root = tmp_path / "sql"
    shutil.copytree(ROOT / "migrations", root / "migrations")
    return root


def test_the_versioned_units_pass_squawk_with_the_project_config(sources: Path,
                                                                 tmp_path: Path) -> None:
    assert cli("render", "--sources", str(sources), "--out", str(tmp_path / "r"))[0] == 0
    result = _squawk(tmp_path / "r")
    assert result.returncode == 0, result.stdout + result.stderr


def test_squawk_refuses_a_migration_that_blocks_writes_on_a_live_table(sources: Path,
                                                                       tmp_path: Path) -> None:
    (sources / "migrations" / "9999_bloqueia.sql").write_text(
        "CREATE INDEX tickets_titulo_idx ON tickets.tickets (titulo);\n")
    (sources / "migrations" / "9999_bloqueia.rollback.sql").write_text(
        "DROP INDEX tickets.tickets_titulo_idx;\n")
    assert cli("render", "--sources", str(sources), "--out", str(tmp_path / "r"))[0] == 0

    result = _squawk(tmp_path / "r")

    assert result.returncode != 0
    assert "9999_bloqueia.sql" in result.stdout
    assert "require-concurrent-index-creation" in result.stdout
    assert "rollback" not in result.stdout  # rollback files are excluded by the config
