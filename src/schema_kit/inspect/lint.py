"""``schema-kit lint``: splinter, the project's catalog and source checks, squawk and
plpgsql_check in one report with stable finding keys and explicit waivers."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

import psycopg

from schema_kit.config import Settings
from schema_kit.inspect import checks, tools
from schema_kit.inspect.findings import Finding, Report, Waiver, build_report
from schema_kit.render import render


def lint(dsn: str, settings: Settings, waivers: Sequence[Waiver] = (),
         skip: Sequence[str] = (), log: Callable[[str], None] = lambda _line: None) -> Report:
    """Lint the database at ``dsn`` and the sources of ``settings`` (read-only). ``skip`` names
    parts to leave out: splinter, catalog, sources, squawk, plpgsql_check."""
    found: list[Finding] = []
    notes: list[str] = []
    with psycopg.connect(dsn) as conn:
        if "catalog" not in skip:
            found += checks.catalog_findings(conn)
            notes.append(f"catalog: {len(checks.CATALOG_RULES)} checks")
        if "plpgsql_check" not in skip:
            found += tools.plpgsql_check(conn)
            notes.append("plpgsql_check: every plpgsql function")
    if "splinter" not in skip:
        log("lint: running splinter (postgres-language-server dblint)")
        found += tools.splinter(dsn)
        notes.append("splinter: postgres-language-server dblint")
    if "sources" not in skip or "squawk" not in skip:
        # What would run on Supabase: the platform owns auth/storage/realtime there.
        units = render(replace(settings, target="supabase"))
        if "sources" not in skip:
            found += checks.platform_owned_ddl(units)
            notes.append("sources: DDL on platform-owned schemas (target supabase)")
        if "squawk" not in skip:
            found += tools.squawk(units)
            config = tools.squawk_config()
            notes.append(f"squawk: versioned units ({config.name if config else 'no config'})")
    return build_report(found, waivers, notes)

