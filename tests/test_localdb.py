"""Real-binary tests for the throwaway local PostgreSQL cluster (no mocks)."""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from schema_kit.localdb import (
    LocalCluster,
    LocalDBError,
    find_bindir,
    pgtap_available,
    pgtap_hint,
)

pytestmark = pytest.mark.localdb


@pytest.fixture
def workdir() -> Iterator[Path]:
    """A temp dir under /tmp that the postgres OS user can traverse."""
    path = Path(tempfile.mkdtemp(prefix="sk-localdb-", dir="/tmp"))
    path.chmod(0o755)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def bindir(monkeypatch: pytest.MonkeyPatch) -> Path:
    """The real server binaries; random ports (SCHEMA_KIT_PG_PORT unset)."""
    monkeypatch.delenv("SCHEMA_KIT_PG_PORT", raising=False)
    try:
        return find_bindir()
    except LocalDBError as exc:
        pytest.skip(str(exc))


def _quiet(_line: str) -> None:
    """Discard log lines."""


def _select_one(dsn: str) -> object:
    """Run ``select 1`` against ``dsn``."""
    with psycopg.connect(dsn, connect_timeout=10) as conn:
        row = conn.execute("select 1").fetchone()
    return row[0] if row else None


def test_lifecycle(workdir: Path, bindir: Path) -> None:
    cluster = LocalCluster(workdir / "db", bindir=bindir)
    try:
        lines: list[str] = []
        dsn = cluster.up(lines.append)
        port = cluster.status().port
        assert port is not None
        assert dsn == f"postgresql://postgres@127.0.0.1:{port}/schema_kit"
        text = "\n".join(lines)
        assert "initialized cluster in" in text
        assert f"started on port {port}" in text
        assert "created database schema_kit" in text
        assert (workdir / "db" / "port").read_text().strip() == str(port)
        assert (workdir / "db" / "postgres.log").is_file()
        assert _select_one(dsn) == 1
        with psycopg.connect(dsn) as conn:
            conn.execute("create table keep_me (x int)")
            conn.execute("insert into keep_me values (42)")

        hba = (workdir / "db" / "pgdata" / "pg_hba.conf").read_text().splitlines()
        rules = [line.split() for line in hba if line.strip() and not line.startswith("#")]
        assert rules == [
            ["local", "all", "all", "trust"],
            ["host", "all", "all", "127.0.0.1/32", "trust"],
            ["host", "all", "all", "::1/128", "trust"],
        ]
        with psycopg.connect(cluster.url("postgres")) as conn:
            settings: dict[str, str] = dict(
                conn.execute(
                    "select name, setting from pg_settings where name = any(%s)",
                    (["fsync", "listen_addresses", "max_connections", "port"],),
                ).fetchall()
            )
        assert settings == {
            "fsync": "off",
            "listen_addresses": "127.0.0.1",
            "max_connections": "200",
            "port": str(port),
        }

        again: list[str] = []
        assert cluster.up(again.append) == dsn
        assert any(f"already running on port {port}" in line for line in again)
        assert not any(
            word in line for line in again for word in ("initialized", "started", "created")
        )

        status = cluster.status()
        assert (status.initialized, status.running, status.port, status.dsn) == (
            True,
            True,
            port,
            dsn,
        )

        assert cluster.down(_quiet) is True
        status = cluster.status()
        assert (status.initialized, status.running, status.port) == (True, False, port)
        with pytest.raises(psycopg.OperationalError):
            _select_one(dsn)
        assert cluster.down(_quiet) is False

        restart: list[str] = []
        assert cluster.up(restart.append) == dsn
        assert any(f"started on port {port}" in line for line in restart)
        assert not any("initialized" in line or "created" in line for line in restart)
        with psycopg.connect(dsn) as conn:
            assert conn.execute("select x from keep_me").fetchall() == [(42,)]

        cluster.destroy(_quiet)
        assert not (workdir / "db").exists()
        status = cluster.status()
        assert (status.initialized, status.running, status.port, status.dsn) == (
            False,
            False,
            None,
            None,
        )
    finally:
        cluster.destroy(_quiet)


def test_long_data_dir_uses_short_socket_dir_and_env_port(
    workdir: Path, bindir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data_dir = workdir / ("d" * 60) / ("e" * 60)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        wanted = sock.getsockname()[1]
    monkeypatch.setenv("SCHEMA_KIT_PG_PORT", str(wanted))
    cluster = LocalCluster(data_dir, dbname="other db", bindir=bindir)
    sockdir = cluster.socket_dir()
    try:
        assert len(str(sockdir)) < 60 and str(sockdir).startswith("/tmp/schema-kit-")
        dsn = cluster.up(_quiet)
        assert dsn == f"postgresql://postgres@127.0.0.1:{wanted}/other%20db"
        assert _select_one(dsn) == 1
        assert (data_dir / "socket_dir").read_text().strip() == str(sockdir)
        assert (sockdir / f".s.PGSQL.{wanted}").exists()
    finally:
        cluster.destroy(_quiet)
    assert not data_dir.exists()
    assert not sockdir.exists()


def test_status_and_url_before_init(workdir: Path) -> None:
    cluster = LocalCluster(workdir / "never")
    status = cluster.status()
    assert (status.initialized, status.running, status.port, status.dsn) == (
        False,
        False,
        None,
        None,
    )
    with pytest.raises(LocalDBError, match="schema-kit db up"):
        cluster.url()
    assert cluster.down(_quiet) is False


def test_find_bindir_env_without_initdb(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCHEMA_KIT_PG_BINDIR", str(workdir))
    with pytest.raises(LocalDBError) as info:
        find_bindir()
    message = str(info.value)
    assert "SCHEMA_KIT_PG_BINDIR" in message
    assert "initdb" in message
    assert "apt-get install -y postgresql-" in message


def test_find_bindir_env_honoured(bindir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCHEMA_KIT_PG_BINDIR", str(bindir))
    assert find_bindir() == bindir
    assert os.access(find_bindir() / "initdb", os.X_OK)


def test_pgtap_probe(bindir: Path) -> None:
    hint = pgtap_hint(bindir)
    assert hint.startswith("apt-get install -y postgresql-")
    assert hint.endswith("-pgtap")
    assert isinstance(pgtap_available(bindir), bool)
