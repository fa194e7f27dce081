"""Which database a command uses: --dsn, SCHEMA_KIT_DSN, DATABASE_URL, else the local cluster."""

from __future__ import annotations

from collections.abc import Callable

from psycopg.conninfo import conninfo_to_dict

from schema_kit.config import Settings
from schema_kit.errors import SchemaKitError


def redact(dsn: str) -> str:
    """The DSN as safe to print: host, port, database and user, never the password."""
    try:
        parts = conninfo_to_dict(dsn)
    except Exception:  # a malformed DSN is reported by psycopg when connecting
        return "<unparsable dsn>"
    host = str(parts.get("host") or "localhost")
    port = str(parts.get("port") or "5432")
    user = str(parts.get("user") or "")
    db = str(parts.get("dbname") or user)
    return f"postgresql://{user + '@' if user else ''}{host}:{port}/{db}"


def resolve_dsn(settings: Settings, log: Callable[[str], None]) -> str:
    """The configured DSN, or the local throwaway cluster's (started if needed)."""
    if settings.dsn:
        return settings.dsn
    from schema_kit.localdb import LocalCluster, LocalDBError

    try:
        return LocalCluster(settings.local_dir).up(log=log)
    except LocalDBError as exc:
        raise SchemaKitError(f"no DSN given and the local cluster failed: {exc}") from None
