"""The no-op apply, decided from what the database records before anything is rendered.

A complete apply (every unit applied, nothing unknown recorded) stores in
``schema_kit.apply_state`` the sha256 of what it ran from - every file of the source folders,
the target, the template settings, the tool's version and its rendering code - and of the
applied ids it left in yoyo's table. The next ``apply`` hashes the sources the same way (no
jinja2, no yoyo, no SQL parsing) and asks the database, under the run's advisory lock, whether
both digests still match. Only then does it report "nothing to do" (after the same partition
upkeep a full run does); any difference - an edited, added or removed file, other settings, a
rollback, a row of yoyo's table added or deleted by hand, another run holding the lock - takes
the full path, which plans unit by unit as before.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from schema_kit import __version__, queries
from schema_kit.config import Settings
from schema_kit.errors import SchemaKitError
from schema_kit.sources import KINDS, discover, sql_root

#: Bump when the meaning of the digest changes.
DIGEST_FORMAT = "1"
#: Tool modules whose code decides what the units and their recorded ids are.
_RENDERING_CODE = ("render.py", "sources.py")
#: A template that pulls in another file: its digest would not cover what it renders.
_LOADS_ANOTHER_FILE = re.compile(rb"\{%-?\s*(?:include|import|extends|from)\b")

if TYPE_CHECKING:
    import psycopg

Log = Callable[[str], None]


def sources_digest(settings: Settings) -> str | None:
    """sha256 of everything rendering depends on; None when that cannot be known from the
    source folders alone (a template includes or imports another file)."""
    root = sql_root(settings.sources)
    digest = hashlib.sha256()
    context = json.dumps(settings.template_context(), sort_keys=True, default=str)
    for part in (DIGEST_FORMAT, __version__, settings.target, context):
        digest.update(part.encode("utf-8") + b"\0")
    here = Path(__file__).parent
    for module in _RENDERING_CODE:
        digest.update((here / module).read_bytes() + b"\0")
    for kind in KINDS:
        folder = root / kind
        files = sorted(p for p in folder.iterdir() if p.is_file()) if folder.is_dir() else []
        digest.update(f"{kind}\0{len(files)}\0".encode())
        for path in files:
            data = path.read_bytes()
            if _LOADS_ANOTHER_FILE.search(data):
                return None
            digest.update(f"{path.name}\0{len(data)}\0".encode() + data)
    return digest.hexdigest()


def record(conn: psycopg.Connection[Any], digest: str) -> None:
    """Store ``digest`` and the applied ids now recorded (in the caller's transaction)."""
    conn.execute(queries.load("apply_state_create"))
    conn.execute(queries.load("apply_state_record"), {"sources_digest": digest})


def try_noop(dsn: str, digest: str, settings: Settings, log: Log) -> bool:
    """True when the database is exactly as the last complete apply from sources of this
    ``digest`` left it: then the partitions are kept up and "nothing to do" is logged.
    False: run the full path.
    """
    import psycopg

    from schema_kit.compat_maintenance import maintain_realtime_partitions
    from schema_kit.locks import LOCK_KEY, set_timeouts

    try:
        conn = psycopg.connect(dsn, autocommit=True, application_name="schema-kit")
    except psycopg.Error:
        return False  # the full path reports it
    with conn:
        row = conn.execute(queries.load("apply_state_exists"), {"lock_key": LOCK_KEY}).fetchone()
        if not (row and row[0] and row[1]):
            return False  # no record yet, or another run holds the lock: wait for it there
        try:
            same = conn.execute(queries.load("apply_state_check"),
                                {"sources_digest": digest}).fetchone()
        except psycopg.Error:
            return False
        if not (same and same[0]):
            return False
        if settings.target == "supabase" and conn.execute(
                queries.load("supabase_preflight")).fetchone() is not None:
            return False  # the full path says what the platform lacks
        units = len(discover(sql_root(settings.sources), settings.target))
        log(f"nothing to do: {units} units unchanged (sources and recorded units match the last "
            "apply; nothing rendered)")
        if settings.target == "postgres":
            set_timeouts(conn, settings.lock_timeout, settings.statement_timeout)
            try:
                changes = maintain_realtime_partitions(conn)
            except psycopg.Error as exc:
                raise SchemaKitError(f"realtime partition maintenance failed (the units were "
                                     f"applied): {' '.join(str(exc).split())}") from None
            for change in changes:
                log(f"{change.action:<12} realtime.{change.partition}")
    return True
