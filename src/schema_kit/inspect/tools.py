"""The real tools lint runs: splinter (Postgres Language Server CLI), squawk, plpgsql_check.

Each returns findings; a tool that is not installed yields one WARN finding saying how to
install it (so ``--strict`` notices a CI machine without it), never a crash.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict

from schema_kit.inspect.findings import Finding
from schema_kit.inspect.snapshot import EXCLUDED_SCHEMAS
from schema_kit.inspect.sql import load
from schema_kit.render import Unit

PLS = "postgres-language-server"
#: The checkout (editable install) or nothing useful (wheel): where tools/ and .squawk.toml live.
PROJECT_ROOT = Path(__file__).resolve().parents[3]
_SEVERITY = {"error": "ERROR", "fatal": "ERROR", "warning": "WARN", "information": "INFO",
             "info": "INFO", "hint": "INFO"}
_TICKED = re.compile(r"\\?`([^`\\]+)\\?`")


def missing(tool: str, how: str) -> Finding:
    return Finding("tool_missing", "WARN", tool, f"{tool} is not installed: {how}", "lint")


def find_pls() -> str | None:
    """SCHEMA_KIT_PLS, else tools/node_modules/.bin (cwd, then the checkout), else PATH."""
    configured = os.environ.get("SCHEMA_KIT_PLS")
    if configured:
        return configured if Path(configured).is_file() else None
    for root in (Path.cwd(), PROJECT_ROOT):
        candidate = root / "tools" / "node_modules" / ".bin" / PLS
        if candidate.is_file():
            return str(candidate)
    return shutil.which(PLS)


def splinter_key(category: str, message: str) -> str:
    """The object a splinter diagnostic names: its backticked names, minus policy lists."""
    names = [name for name in _TICKED.findall(message) if not name.startswith("{")]
    return ":".join(names) or message


def as_url(dsn: str) -> str:
    """A ``postgresql://`` URL for tools that read no ``key=value`` connection strings."""
    if dsn.startswith(("postgresql://", "postgres://")):
        return dsn
    parts = {k: str(v) for k, v in conninfo_to_dict(dsn).items() if v is not None}
    user = quote(parts.pop("user", ""), safe="")
    password = parts.pop("password", None)
    auth = user + (":" + quote(password, safe="") if password else "")
    host = parts.pop("host", "")
    port = parts.pop("port", "")
    dbname = parts.pop("dbname", "")
    netloc = ("" if host.startswith("/") else host) + (f":{port}" if port else "")
    if host.startswith("/"):
        parts["host"] = host
    query = urlencode(sorted(parts.items()))
    return (f"postgresql://{auth + '@' if auth else ''}{netloc}/{quote(dbname, safe='')}"
            + (f"?{query}" if query else ""))


def splinter(dsn: str) -> list[Finding]:
    """Supabase's splinter rules, as the Postgres Language Server CLI's ``dblint`` runs them."""
    binary = find_pls()
    if binary is None:
        return [missing(PLS, "run `make venv` (npm installs the pinned "
                        "@postgres-language-server/cli into tools/node_modules) or set "
                        "SCHEMA_KIT_PLS")]
    with tempfile.TemporaryDirectory(prefix="schema-kit-pls-") as workdir:
        proc = subprocess.run(
            [binary, "dblint", "--connection-string", as_url(dsn), "--reporter=json",
             "--colors=off", "--max-diagnostics=none"],
            capture_output=True, text=True, cwd=workdir, timeout=300, check=False,
            env={**os.environ, "PGT_LOG_LEVEL": "none"})
    try:
        data = json.loads(proc.stdout)
    except json.JSONDecodeError:
        detail = (proc.stderr.strip() or proc.stdout.strip()).splitlines()
        return [Finding("tool_failed", "ERROR", PLS,
                        f"{PLS} dblint failed (exit {proc.returncode}): "
                        f"{detail[-1] if detail else 'no output'}", "lint")]
    found = []
    for diag in data.get("diagnostics", []):
        category = str(diag.get("category", "splinter/unknown"))
        message = str(diag.get("message", "")).replace("\\`", "`")
        level = _SEVERITY.get(str(diag.get("severity", "")).lower(), "WARN")
        found.append(Finding(category, level, splinter_key(category, message), message,
                             "splinter"))
    return found


# -- squawk ------------------------------------------------------------------------------------


def find_squawk() -> str | None:
    beside = Path(sys.executable).parent / "squawk"
    return str(beside) if beside.is_file() else shutil.which("squawk")


def squawk_config() -> Path | None:
    for root in (Path.cwd(), PROJECT_ROOT):
        candidate = root / ".squawk.toml"
        if candidate.is_file():
            return candidate
    return None


def squawk(units: Sequence[Unit]) -> list[Finding]:
    """squawk over the rendered versioned units (forward files; rollbacks undo on purpose)."""
    binary = find_squawk()
    if binary is None:
        return [missing("squawk", "pip install the pinned squawk-cli (make venv)")]
    versioned = [u for u in units if u.versioned]
    if not versioned:
        return []
    with tempfile.TemporaryDirectory(prefix="schema-kit-squawk-") as workdir:
        paths = {}
        for unit in versioned:
            path = Path(workdir) / (unit.label.replace("/", "__") + ".sql")
            path.write_text(unit.sql, encoding="utf-8")
            paths[path.name] = unit.label
        args = [binary, "--reporter", "json"]
        config = squawk_config()
        args += ["--config", str(config)] if config else ["--assume-in-transaction"]
        proc = subprocess.run(args + sorted(paths), capture_output=True, text=True, cwd=workdir,
                              timeout=300, check=False)
    try:
        data: list[dict[str, Any]] = json.loads(proc.stdout or "[]")
    except json.JSONDecodeError:
        return [Finding("tool_failed", "ERROR", "squawk",
                        f"squawk failed (exit {proc.returncode}): {proc.stderr.strip()}", "lint")]
    found = []
    for item in data:
        label = paths.get(Path(str(item.get("file"))).name, str(item.get("file")))
        line = int(item.get("line", 0)) + 1  # squawk counts lines from 0
        rule = f"squawk/{item.get('rule_name')}"
        level = "ERROR" if str(item.get("level")).lower() == "error" else "WARN"
        message = str(item.get("message", ""))
        if item.get("help"):
            message += f" ({item['help']})"
        found.append(Finding(rule, level, f"{label}:{line}", message, "squawk",
                             file=label, line=line))
    return found


# -- plpgsql_check ------------------------------------------------------------------------------

_PLPGSQL_LEVEL = {"error": "ERROR", "warning": "WARN"}


def plpgsql_check(conn: psycopg.Connection[Any],
                  excluded: Sequence[str] = EXCLUDED_SCHEMAS) -> list[Finding]:
    """plpgsql_check over every plpgsql function, in a transaction that is rolled back (the
    extension is created in a scratch schema when missing, and dropped with the rollback)."""
    found: list[Finding] = []
    try:
        with conn.transaction(force_rollback=True):
            row = conn.execute("""select n.nspname from pg_catalog.pg_extension e
                join pg_catalog.pg_namespace n on n.oid = e.extnamespace
                where e.extname = 'plpgsql_check'""").fetchone()
            if row is None:
                conn.execute("create schema schema_kit_plpgsql_check")
                conn.execute("create extension plpgsql_check schema schema_kit_plpgsql_check")
                schema = "schema_kit_plpgsql_check"
            else:
                schema = str(row[0])
            query = sql.SQL(load("plpgsql_check")).format(schema=sql.Identifier(schema))
            rows = conn.execute(query, {"excluded": list(excluded)}).fetchall()
    except psycopg.Error as exc:
        reason = (exc.diag.message_primary or str(exc)).strip()
        return [missing("plpgsql_check", f"{reason} (apt-get install "
                        "postgresql-15-plpgsql-check; make system-packages does it)")]
    for function, relation, level, sqlstate, message, lineno, hint in rows:
        where = f" on {relation}" if relation and relation != "-" else ""
        text = f"line {lineno}{where}: {message}" + (f" ({hint})" if hint else "")
        found.append(Finding(f"plpgsql_check/{sqlstate}", _PLPGSQL_LEVEL.get(level, "INFO"),
                             f"{function}:{message}", text, "plpgsql_check"))
    return found
