"""`schema-kit db …` and the DSN fallback to the local cluster, through the CLI entry point."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from support import cli


@pytest.fixture
def local_dir(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """SCHEMA_KIT_LOCAL_DIR in a temp dir the postgres OS user can traverse; no DSN set."""
    base = Path(tempfile.mkdtemp(prefix="schema-kit-cli-", dir="/tmp"))
    base.chmod(0o755)
    for name in ("SCHEMA_KIT_DSN", "DATABASE_URL", "SCHEMA_KIT_PG_PORT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SCHEMA_KIT_LOCAL_DIR", str(base / "local"))
    try:
        yield base / "local"
    finally:
        cli("db", "down")
        shutil.rmtree(base, ignore_errors=True)


@pytest.mark.localdb
def test_without_a_dsn_commands_use_the_local_cluster(local_dir: Path) -> None:
    assert cli("db", "status")[0] == 1  # not initialized yet

    code, out, err = cli("apply", "--local")  # starts the cluster itself, then applies
    assert code == 0, err
    assert "started on port" in err
    assert "applied      compat/0001_roles" in err

    code, url, _ = cli("db", "url")
    assert code == 0
    with psycopg.connect(url.strip()) as conn:
        assert conn.execute("select auth.uid()").fetchone() == (None,)

    code, out, err = cli("db", "up")  # idempotent: reports, changes nothing
    assert code == 0
    assert out.strip() == url.strip()
    assert "already running" in err
    assert "nothing to do" in cli("apply", "--local")[2]

    assert cli("db", "down")[0] == 0
    code, out, _ = cli("db", "status")
    assert code == 1
    assert out.startswith("stopped")
