"""Which database a command uses: --dsn, SCHEMA_KIT_DSN, DATABASE_URL, else (when asked) local.

The local throwaway cluster is never a silent fallback: in CI an empty ``$DATABASE_URL`` must
not turn into a green deploy to a brand-new cluster in the working directory. It is used when
``--local`` is given, or when nothing names a database and a person runs the command at an
interactive terminal outside CI.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping

from schema_kit.config import Settings
from schema_kit.errors import SchemaKitError

HOW_TO_CHOOSE = ("choose one: --dsn URL (or SCHEMA_KIT_DSN / DATABASE_URL) for a server, "
                 "or --local for the local throwaway cluster")


def redact(dsn: str) -> str:
    """The DSN as safe to print: host, port, database and user, never the password."""
    from psycopg.conninfo import conninfo_to_dict  # here: commands without a database skip it

    try:
        parts = conninfo_to_dict(dsn)
    except Exception:  # a malformed DSN is refused by check_dsn before anything prints it
        return "<unparsable dsn>"
    host = str(parts.get("host") or "localhost")
    port = str(parts.get("port") or "5432")
    user = str(parts.get("user") or "")
    db = str(parts.get("dbname") or user)
    return f"postgresql://{user + '@' if user else ''}{host}:{port}/{db}"


def check_dsn(dsn: str, origin: str) -> str:
    """``dsn`` if libpq can parse it; else a one-line error naming where it came from."""
    if not dsn.strip():
        raise SchemaKitError(f"{origin} is empty: no database named; {HOW_TO_CHOOSE}")
    from psycopg.conninfo import conninfo_to_dict

    try:
        conninfo_to_dict(dsn)
    except Exception as exc:  # psycopg.ProgrammingError: missing "=" after …
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise SchemaKitError(f"{origin} is not a PostgreSQL connection string ({reason}); "
                             "expected postgresql://user@host:port/db or 'host=… dbname=…'"
                             ) from None
    return dsn


def is_ci(env: Mapping[str, str]) -> bool:
    """True under a CI runner (CI=true, as GitHub Actions, GitLab CI and most others set)."""
    return env.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def local_refusal(env: Mapping[str, str], interactive: bool) -> str | None:
    """Why the local cluster may not be used implicitly here, or None when it may."""
    if is_ci(env):
        return f"CI={env.get('CI')} is set"
    if not interactive:
        return "not an interactive terminal"
    return None


def resolve_dsn(settings: Settings, log: Callable[[str], None], *,
                env: Mapping[str, str] | None = None, interactive: bool | None = None) -> str:
    """The configured DSN, or the local throwaway cluster's (started if needed) when allowed."""
    if settings.dsn is not None and not settings.local:
        return check_dsn(settings.dsn, settings.dsn_origin or "the DSN")
    from schema_kit.localdb import LocalCluster, LocalDBError

    cluster = LocalCluster(settings.local_dir)
    if not settings.local:
        env = os.environ if env is None else env
        interactive = sys.stdin.isatty() if interactive is None else interactive
        why_not = local_refusal(env, interactive)
        if why_not is not None:
            raise SchemaKitError(
                f"no database given and {why_not}: the local cluster in {cluster.data_dir} "
                f"(database {cluster.dbname}) was not used; {HOW_TO_CHOOSE}")
        log(f"no database given: using the local cluster in {cluster.data_dir} "
            "(--local says so explicitly; --dsn URL uses a server)")
    try:
        return cluster.up(log=log)
    except LocalDBError as exc:
        lines = str(exc).strip().splitlines() or [type(exc).__name__]
        for detail in lines[1:]:  # pg_ctl output, server log tail: context before the error
            log(detail)
        raise SchemaKitError(f"the local cluster in {cluster.data_dir} failed: {lines[0]}"
                             ) from None
