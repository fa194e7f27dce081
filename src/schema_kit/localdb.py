"""Throwaway local PostgreSQL cluster built from the system PostgreSQL binaries.

Backs ``schema-kit db up|down|status|url`` and the test harness.
"""

from __future__ import annotations

import hashlib
import os
import pwd
import re
import shutil
import socket
import stat
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

__all__ = [
    "ClusterStatus",
    "LocalCluster",
    "LocalDBError",
    "find_bindir",
    "pgtap_available",
    "pgtap_hint",
]

BINDIR_ENV = "SCHEMA_KIT_PG_BINDIR"
PORT_ENV = "SCHEMA_KIT_PG_PORT"
PG_OS_USER = "postgres"
SUPERUSER = "postgres"

_SYSTEM_PG_ROOT = Path("/usr/lib/postgresql")
_SYSTEM_SHARE_ROOT = Path("/usr/share/postgresql")
_SBIN_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
# sun_path holds 108 bytes including the NUL; the lock file is the longest name.
_SOCKET_PATH_MAX = 107
_SOCKET_NAME_MAX = len("/.s.PGSQL.65535.lock")
_SERVER_CONF = "schema_kit.conf"
_HBA_CONF = (
    "# Managed by schema-kit: local throwaway cluster, loopback only.\n"
    "local   all   all                  trust\n"
    "host    all   all   127.0.0.1/32   trust\n"
    "host    all   all   ::1/128        trust\n"
)
_INSTALL_HINT = "apt-get install -y postgresql-15"

Log = Callable[[str], None]


class LocalDBError(Exception):
    """Local cluster problem, with a message that says how to fix it."""


@dataclass
class ClusterStatus:
    """Snapshot of a local cluster's state."""

    data_dir: Path
    initialized: bool
    running: bool
    port: int | None
    dsn: str | None


# --------------------------------------------------------------------------- binaries


def _has_initdb(directory: Path) -> bool:
    """True if ``directory`` holds an executable ``initdb``."""
    candidate = directory / "initdb"
    return candidate.is_file() and os.access(candidate, os.X_OK)


def _version_key(path: Path) -> tuple[int, ...] | None:
    """Numeric sort key for a ``/usr/lib/postgresql/<version>`` directory."""
    if not re.fullmatch(r"\d+(\.\d+)*", path.name):
        return None
    return tuple(int(part) for part in path.name.split("."))


def find_bindir() -> Path:
    """Locate the PostgreSQL server binaries (the directory containing ``initdb``)."""
    override = os.environ.get(BINDIR_ENV, "").strip()
    if override:
        path = Path(override)
        if _has_initdb(path):
            return path
        raise LocalDBError(
            f"{BINDIR_ENV}={override} does not contain initdb. Point it at the PostgreSQL "
            f"server bin directory (e.g. /usr/lib/postgresql/15/bin), unset it, or install "
            f"the server binaries: {_INSTALL_HINT}"
        )

    pg_config = shutil.which("pg_config")
    if pg_config is not None:
        try:
            result = subprocess.run(
                [pg_config, "--bindir"], capture_output=True, text=True, timeout=30, check=False
            )
        except (OSError, subprocess.SubprocessError):
            result = None
        if result is not None and result.returncode == 0:
            path = Path(result.stdout.strip())
            if result.stdout.strip() and _has_initdb(path):
                return path

    candidates: list[tuple[tuple[int, ...], Path]] = []
    if _SYSTEM_PG_ROOT.is_dir():
        for version_dir in _SYSTEM_PG_ROOT.iterdir():
            key = _version_key(version_dir)
            if key is not None and _has_initdb(version_dir / "bin"):
                candidates.append((key, version_dir / "bin"))
    if candidates:
        return max(candidates)[1]

    raise LocalDBError(
        "PostgreSQL server binaries not found (initdb). Install them: "
        f"{_INSTALL_HINT} (Debian/Ubuntu) or set {BINDIR_ENV} to the directory containing initdb"
    )


def _major_version(bindir: Path) -> str:
    """Major server version (``"15"``; ``"9.6"`` for old releases) from ``postgres --version``."""
    try:
        result = subprocess.run(
            [str(bindir / "postgres"), "--version"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        output = result.stdout
    except (OSError, subprocess.SubprocessError):
        output = ""
    match = re.search(r"\)\s*(\d+)(?:\.(\d+))?", output)
    if match:
        major = int(match.group(1))
        return f"{major}.{match.group(2)}" if major < 10 and match.group(2) else str(major)
    # Debian layout: /usr/lib/postgresql/<major>/bin
    if re.fullmatch(r"\d+(\.\d+)?", bindir.parent.name):
        return bindir.parent.name
    raise LocalDBError(f"cannot determine the PostgreSQL version from {bindir / 'postgres'}")


def _sharedir(bindir: Path) -> Path:
    """The server's share directory, per ``pg_config --sharedir`` or the Debian default."""
    pg_config = bindir / "pg_config"
    if pg_config.is_file():
        try:
            result = subprocess.run(
                [str(pg_config), "--sharedir"],
                capture_output=True,
                text=True,
                timeout=30,
                check=False,
            )
        except (OSError, subprocess.SubprocessError):
            result = None
        if result is not None and result.returncode == 0 and result.stdout.strip():
            return Path(result.stdout.strip())
    return _SYSTEM_SHARE_ROOT / _major_version(bindir)


def pgtap_available(bindir: Path) -> bool:
    """True if the pgTAP extension is installed for the server in ``bindir``."""
    return (_sharedir(bindir) / "extension" / "pgtap.control").is_file()


def pgtap_hint(bindir: Path) -> str:
    """The apt-get command that installs pgTAP for the server in ``bindir``."""
    return f"apt-get install -y postgresql-{_major_version(bindir)}-pgtap"


# ------------------------------------------------------------------ running as root


def _running_as_root() -> bool:
    """True when the effective user is root (PostgreSQL refuses to run as root)."""
    return os.geteuid() == 0


def _pg_account() -> pwd.struct_passwd:
    """The OS account that runs the server when we are root."""
    try:
        return pwd.getpwnam(PG_OS_USER)
    except KeyError:
        raise LocalDBError(
            "running as root, but PostgreSQL refuses to run as root and the OS user "
            f"'{PG_OS_USER}' does not exist. Create it (useradd --system --create-home "
            f"--home-dir /var/lib/postgresql {PG_OS_USER}) or run schema-kit as a normal user."
        ) from None


def _as_server_user(cmd: Sequence[str]) -> list[str]:
    """Prefix ``cmd`` so it runs as the ``postgres`` OS user when we are root."""
    if not _running_as_root():
        return list(cmd)
    account = _pg_account()
    search_path = os.environ.get("PATH", "") + os.pathsep + _SBIN_PATH
    runuser = shutil.which("runuser", path=search_path)
    if runuser is not None:
        return [runuser, "-u", account.pw_name, "--", *cmd]
    setpriv = shutil.which("setpriv", path=search_path)
    if setpriv is not None:
        return [
            setpriv,
            f"--reuid={account.pw_uid}",
            f"--regid={account.pw_gid}",
            "--init-groups",
            "--",
            *cmd,
        ]
    raise LocalDBError(
        f"running as root: need runuser or setpriv (util-linux) to run PostgreSQL as the "
        f"'{PG_OS_USER}' user. Install util-linux (apt-get install -y util-linux) or run "
        "schema-kit as a normal user."
    )


def _run(cmd: Sequence[str], *, timeout: float) -> subprocess.CompletedProcess[str]:
    """Run a PostgreSQL binary (as ``postgres`` if root) and capture its output."""
    full = _as_server_user(cmd)
    try:
        return subprocess.run(
            full,
            capture_output=True,
            text=True,
            errors="replace",
            cwd="/",
            timeout=timeout,
            check=False,
        )
    except FileNotFoundError as exc:
        raise LocalDBError(f"cannot execute {full[0]}: {exc}") from exc
    except subprocess.TimeoutExpired as exc:
        raise LocalDBError(f"`{' '.join(cmd)}` timed out after {timeout:.0f} s") from exc


def _output(result: subprocess.CompletedProcess[str]) -> str:
    """Combined, stripped stdout and stderr of a finished command."""
    return "\n".join(part.strip() for part in (result.stdout, result.stderr) if part.strip())


def _chown(path: Path, account: pwd.struct_passwd) -> None:
    """Give ``path`` (not following symlinks) to ``account``."""
    os.chown(path, account.pw_uid, account.pw_gid, follow_symlinks=False)


def _chown_tree(root: Path, account: pwd.struct_passwd) -> None:
    """Recursively give ``root`` and everything below it to ``account``."""
    _chown(root, account)
    for dirpath, dirnames, filenames in os.walk(root):
        for name in (*dirnames, *filenames):
            _chown(Path(dirpath) / name, account)


def _can_traverse(path: Path, account: pwd.struct_passwd) -> bool:
    """True if ``account`` may search (x) the directory ``path``."""
    info = path.stat()
    if info.st_uid == account.pw_uid:
        return bool(info.st_mode & stat.S_IXUSR)
    if info.st_gid in os.getgrouplist(account.pw_name, account.pw_gid):
        return bool(info.st_mode & stat.S_IXGRP)
    return bool(info.st_mode & stat.S_IXOTH)


def _make_dirs(path: Path, mode: int) -> list[Path]:
    """``mkdir -p`` with an explicit mode (ignoring umask); return the dirs created."""
    missing: list[Path] = []
    current = path
    while not current.exists():
        missing.append(current)
        current = current.parent
    for directory in reversed(missing):
        directory.mkdir(exist_ok=True)
        os.chmod(directory, mode)
    return missing


def _ensure_traversable(path: Path, account: pwd.struct_passwd, created: Sequence[Path]) -> None:
    """Make sure ``account`` can reach ``path``; chmod 0755 dirs we created, else fail."""
    for ancestor in reversed(path.parents):
        if not ancestor.exists() or _can_traverse(ancestor, account):
            continue
        if ancestor in created:
            os.chmod(ancestor, 0o755)
            continue
        mode = stat.S_IMODE(ancestor.stat().st_mode)
        raise LocalDBError(
            f"{ancestor} (mode {mode:04o}) is not traversable by the '{account.pw_name}' "
            f"user that runs PostgreSQL (we are root), so it cannot reach {path}. "
            f"Run `chmod o+x {ancestor}` or put the data directory elsewhere (e.g. under /tmp)."
        )


def _is_zombie(pid: int) -> bool:
    """True if ``pid`` is a zombie (dead, not yet reaped; e.g. containers with a lazy init)."""
    try:
        stat_line = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    fields = stat_line.rpartition(")")[2].split()
    return bool(fields) and fields[0] == "Z"


def _conf_quote(value: str) -> str:
    """Quote a postgresql.conf string value."""
    return "'" + value.replace("'", "''") + "'"


def _free_port() -> int:
    """A currently free TCP port on 127.0.0.1 (or ``$SCHEMA_KIT_PG_PORT``)."""
    requested = os.environ.get(PORT_ENV, "").strip()
    if requested:
        if not requested.isdigit() or not 1 <= int(requested) <= 65535:
            raise LocalDBError(f"{PORT_ENV}={requested!r} is not a valid TCP port (1-65535)")
        return int(requested)
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


# --------------------------------------------------------------------------- cluster


class LocalCluster:
    """A throwaway PostgreSQL cluster living in ``data_dir`` (e.g. ``.schema-kit/``)."""

    def __init__(
        self,
        data_dir: Path,
        *,
        dbname: str = "schema_kit",
        bindir: Path | None = None,
        superuser: str = SUPERUSER,
    ) -> None:
        """Describe the cluster; nothing is touched until ``up``.

        ``superuser`` names the bootstrap superuser (``postgres``; the test harness uses
        ``supabase_admin`` so that ``postgres`` can be the platform's NOSUPERUSER migration role).
        """
        self.data_dir = Path(data_dir).absolute()
        self.dbname = dbname
        self._bindir = bindir
        self.superuser = superuser

    # ---- layout

    @property
    def bindir(self) -> Path:
        """Server binary directory (found lazily with ``find_bindir``)."""
        if self._bindir is None:
            self._bindir = find_bindir()
        return self._bindir

    @property
    def pgdata(self) -> Path:
        """The PostgreSQL data directory proper."""
        return self.data_dir / "pgdata"

    @property
    def log_file(self) -> Path:
        """The server log written by ``pg_ctl -l``."""
        return self.data_dir / "postgres.log"

    @property
    def port_file(self) -> Path:
        """Text file recording the cluster's TCP port."""
        return self.data_dir / "port"

    @property
    def socket_dir_file(self) -> Path:
        """Text file recording the unix socket directory."""
        return self.data_dir / "socket_dir"

    def socket_dir(self) -> Path:
        """Unix socket directory: the recorded one, else ``data_dir/run`` or a short /tmp dir."""
        try:
            recorded = self.socket_dir_file.read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            recorded = ""
        if recorded:
            return Path(recorded)
        run = self.data_dir / "run"
        if len(os.fsencode(str(run))) + _SOCKET_NAME_MAX <= _SOCKET_PATH_MAX:
            return run
        digest = hashlib.sha256(os.fsencode(str(self.data_dir))).hexdigest()[:12]
        return Path("/tmp") / f"schema-kit-{digest}"

    # ---- state

    def _initialized(self) -> bool:
        """True if ``pgdata`` holds an initdb'ed cluster."""
        try:
            return (self.pgdata / "PG_VERSION").is_file()
        except PermissionError:
            raise LocalDBError(
                f"cannot read {self.pgdata}: permission denied (it belongs to another user); "
                "run schema-kit as that user or as root"
            ) from None

    def _read_port(self) -> int | None:
        """The recorded port, or None if none was chosen yet."""
        try:
            text = self.port_file.read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        if not text.isdigit():
            raise LocalDBError(
                f"{self.port_file} does not hold a port number ({text!r}); fix or delete it"
            )
        return int(text)

    def _postmaster_pid(self) -> int | None:
        """The PID recorded in ``postmaster.pid``, if any."""
        try:
            first = self.pgdata.joinpath("postmaster.pid").read_text(encoding="utf-8").split()
        except (FileNotFoundError, NotADirectoryError, UnicodeDecodeError):
            return None
        return int(first[0]) if first and first[0].isdigit() else None

    def _is_running(self) -> bool:
        """True if ``pg_ctl status`` sees a live (non-zombie) postmaster for ``pgdata``."""
        if not self._initialized():
            return False
        result = _run([str(self.bindir / "pg_ctl"), "status", "-D", str(self.pgdata)], timeout=30)
        if result.returncode != 0:
            return False
        pid = self._postmaster_pid()
        return pid is None or not _is_zombie(pid)

    def _clear_zombie_pidfile(self) -> None:
        """Drop ``postmaster.pid`` if it names a zombie, which would block a new start."""
        pid = self._postmaster_pid()
        if pid is None:
            return
        deadline = time.monotonic() + 10
        while _is_zombie(pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        if _is_zombie(pid):
            self.pgdata.joinpath("postmaster.pid").unlink(missing_ok=True)

    def status(self) -> ClusterStatus:
        """Report whether the cluster exists and runs, its port and DSN."""
        initialized = self._initialized()
        running = initialized and self._is_running()
        port = self._read_port()
        dsn = self.url() if initialized and port is not None else None
        return ClusterStatus(self.data_dir, initialized, running, port, dsn)

    def url(self, dbname: str | None = None) -> str:
        """``postgresql://postgres@127.0.0.1:<port>/<dbname>``; requires an initialized cluster."""
        port = self._read_port() if self._initialized() else None
        if port is None:
            raise LocalDBError(
                f"no local database cluster in {self.data_dir}; run `schema-kit db up` first"
            )
        name = quote(dbname if dbname is not None else self.dbname, safe="")
        return f"postgresql://{quote(self.superuser, safe='')}@127.0.0.1:{port}/{name}"

    # ---- actions

    def up(self, log: Log = print) -> str:
        """Create, start and provision the cluster as needed (idempotent); return the DSN."""
        bindir = self.bindir
        account = _pg_account() if _running_as_root() else None
        if account is not None:
            _as_server_user(["true"])  # fail early if we cannot switch users

        if account is not None:  # check before creating anything
            _ensure_traversable(self.data_dir, account, [])
        created = _make_dirs(self.data_dir, 0o755)
        if account is not None:
            _ensure_traversable(self.data_dir, account, created)
            _chown(self.data_dir, account)
            if self.pgdata.is_dir() and self.pgdata.stat().st_uid != account.pw_uid:
                _chown_tree(self.pgdata, account)
            if self.log_file.exists():
                _chown(self.log_file, account)

        sockdir = self._prepare_socket_dir(account)
        port = self._read_port()
        if port is None:
            port = _free_port()
            self.port_file.write_text(f"{port}\n", encoding="utf-8")

        if not self._initialized():
            self._initdb(log)

        if self._is_running():
            log(f"already running on port {port}")
        else:
            self._start(port, sockdir, log)

        self._ensure_database(log)
        if not pgtap_available(bindir):
            log(f"warning: pgTAP is not installed (needed for tests); run: {pgtap_hint(bindir)}")
        return self.url()

    def down(self, log: Log = print) -> bool:
        """Stop the server if it runs (``pg_ctl stop -m fast``); True if it stopped something."""
        if not self._is_running():
            log(f"not running ({self.data_dir})")
            return False
        port = self._read_port()
        result = _run(
            [
                str(self.bindir / "pg_ctl"),
                "stop",
                "-D",
                str(self.pgdata),
                "-m",
                "fast",
                "-w",
                "-t",
                "60",
            ],
            timeout=90,
        )
        if result.returncode != 0:
            raise LocalDBError(f"pg_ctl stop failed for {self.pgdata}:\n{_output(result)}")
        log(f"stopped server on port {port}")
        return True

    def destroy(self, log: Log = print) -> None:
        """Stop the server and delete ``data_dir`` (and a /tmp socket dir, if one was used)."""
        self.down(log)
        sockdir = self.socket_dir()
        if self.data_dir.exists():
            shutil.rmtree(self.data_dir)
            log(f"removed {self.data_dir}")
        if not sockdir.is_relative_to(self.data_dir) and sockdir.is_dir():
            shutil.rmtree(sockdir, ignore_errors=True)

    # ---- helpers

    def _prepare_socket_dir(self, account: pwd.struct_passwd | None) -> Path:
        """Create (and record) the unix socket directory, owned by the server user."""
        sockdir = self.socket_dir()
        if not sockdir.is_relative_to(self.data_dir):
            try:
                info = sockdir.lstat()
            except FileNotFoundError:
                info = None
            allowed = {os.geteuid()} | ({account.pw_uid} if account is not None else set())
            if info is not None and (not stat.S_ISDIR(info.st_mode) or info.st_uid not in allowed):
                raise LocalDBError(
                    f"socket directory {sockdir} exists but is not a directory owned by us; "
                    "remove it or use a shorter data directory path"
                )
        created = _make_dirs(sockdir, 0o700)
        if account is not None:
            _ensure_traversable(sockdir, account, created)
            _chown(sockdir, account)
        self.socket_dir_file.write_text(f"{sockdir}\n", encoding="utf-8")
        return sockdir

    def _initdb(self, log: Log) -> None:
        """Run initdb into ``pgdata`` and restrict pg_hba.conf to loopback/local trust."""
        if self.pgdata.exists():  # leftover of an interrupted initdb (no PG_VERSION)
            shutil.rmtree(self.pgdata)
        base = [
            str(self.bindir / "initdb"),
            "-D",
            str(self.pgdata),
            "-U",
            self.superuser,
            "--auth-local=trust",
            "--auth-host=trust",
            "-E",
            "UTF8",
            "--no-sync",
        ]
        result = _run([*base, "--locale=C.UTF-8"], timeout=300)
        if result.returncode != 0 and "locale" in _output(result).lower():
            if self.pgdata.exists():
                shutil.rmtree(self.pgdata)
            result = _run([*base, "--locale=C"], timeout=300)
        if result.returncode != 0:
            raise LocalDBError(f"initdb failed for {self.pgdata}:\n{_output(result)}")

        hba = self.pgdata / "pg_hba.conf"
        hba.write_text(_HBA_CONF, encoding="utf-8")
        with (self.pgdata / "postgresql.conf").open("a", encoding="utf-8") as conf:
            conf.write(f"\n# Added by schema-kit\ninclude = {_conf_quote(_SERVER_CONF)}\n")
        log(f"initialized cluster in {self.pgdata}")

    def _write_server_conf(self, port: int, sockdir: Path) -> None:
        """(Re)write the included server settings file before each start."""
        path = self.pgdata / _SERVER_CONF
        path.write_text(
            "# Managed by schema-kit (rewritten on every start): throwaway, fast, loopback.\n"
            "listen_addresses = '127.0.0.1'\n"
            f"port = {port}\n"
            f"unix_socket_directories = {_conf_quote(str(sockdir))}\n"
            "fsync = off\n"
            "synchronous_commit = off\n"
            "full_page_writes = off\n"
            "max_connections = 200\n"
            "# Supabase runs in UTC; realtime.messages.inserted_at is timestamp without time zone\n"
            "timezone = 'UTC'\n",
            encoding="utf-8",
        )
        os.chmod(path, 0o600)
        if _running_as_root():
            _chown(path, _pg_account())
            _chown(self.pgdata / "pg_hba.conf", _pg_account())

    def _log_tail(self, lines: int = 20) -> str:
        """The last ``lines`` lines of the server log (or a note that it is missing)."""
        try:
            text = self.log_file.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return f"(no server log at {self.log_file})"
        return "\n".join(text.splitlines()[-lines:])

    def _start(self, port: int, sockdir: Path, log: Log) -> None:
        """Start the server with ``pg_ctl start`` and wait until it accepts connections."""
        self._clear_zombie_pidfile()
        self._write_server_conf(port, sockdir)
        result = _run(
            [
                str(self.bindir / "pg_ctl"),
                "-D",
                str(self.pgdata),
                "-l",
                str(self.log_file),
                "-w",
                "-t",
                "60",
                "start",
            ],
            timeout=120,
        )
        if result.returncode != 0:
            raise LocalDBError(
                f"PostgreSQL failed to start on port {port} (pg_ctl exit {result.returncode}):\n"
                f"{_output(result)}\n--- last lines of {self.log_file} ---\n{self._log_tail()}"
            )
        log(f"started on port {port}")

    def _ensure_database(self, log: Log) -> None:
        """Create the database ``dbname`` if it does not exist yet."""
        try:
            import psycopg
            from psycopg import sql
        except ImportError as exc:
            raise LocalDBError(
                "psycopg (v3) is required to provision the local database: "
                "pip install 'psycopg[binary]'"
            ) from exc
        admin_url = self.url("postgres")
        try:
            with psycopg.connect(admin_url, autocommit=True, connect_timeout=10) as conn:
                row = conn.execute(
                    "select 1 from pg_database where datname = %s", (self.dbname,)
                ).fetchone()
                if row is None:
                    conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self.dbname)))
                    log(f"created database {self.dbname}")
        except psycopg.Error as exc:
            raise LocalDBError(
                f"could not create database {self.dbname!r} via {admin_url}: {exc}\n"
                f"--- last lines of {self.log_file} ---\n{self._log_tail()}"
            ) from exc
