"""``schema-kit export supabase DIR``: the units as Supabase CLI migrations, plus pgTAP suites.

Writes ``DIR/supabase/migrations/<YYYYMMDDHHMMSS>_<kind>_<name>.sql``, the units rendered for
``--target supabase`` in apply order (the compat layer is the platform's: never exported), and
``DIR/supabase/tests/<suite>.sql``, the domain pgTAP suites made self-contained (the test
helpers are created inside each file's transaction and rolled back with it).

The export is repeatable and keeps what was exported before, so ``supabase db push`` sees a
history that only grows:

* a versioned unit is exported once; if its rendering no longer matches the exported file, the
  export stops (versioned units are append-only: add a new one);
* a repeatable unit (functions/, triggers/, policies/) gets a new migration only when its
  rendered content differs from its latest exported file;
* existing files keep their names (stable timestamps); new ones get increasing timestamps after
  every existing migration, starting at ``now`` (UTC, one second apart).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from schema_kit.errors import SchemaKitError
from schema_kit.render import Unit

__all__ = ["ExportReport", "export_supabase", "migration_slug"]

_MIGRATION = re.compile(r"^(\d{14})_(.+)\.sql$")
_TIMESTAMP = "%Y%m%d%H%M%S"
#: pgTAP suites of the domain (tests/pgtap/NN-*.sql with NN >= 10); 0x suites test the compat layer.
_DOMAIN_SUITE = re.compile(r"^[1-9]\d-.+\.sql$")
_HEADER = "-- Exported by schema-kit from {label} (target supabase). Do not edit: re-export.\n"


@dataclass
class ExportReport:
    """What an export wrote and kept."""

    written: list[Path] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    tests: list[Path] = field(default_factory=list)


def migration_slug(unit: Unit) -> str:
    """The name part of a unit's migration files: ``functions_10_tickets``."""
    return re.sub(r"[^0-9A-Za-z_]", "_", f"{unit.source.kind}_{unit.source.name}")


def _content(unit: Unit) -> str:
    body = unit.sql if unit.sql.endswith("\n") else unit.sql + "\n"
    return _HEADER.format(label=unit.label) + body


def _existing(migrations: Path) -> dict[str, list[tuple[str, Path]]]:
    """Exported files by slug, oldest first."""
    found: dict[str, list[tuple[str, Path]]] = {}
    for path in sorted(migrations.glob("*.sql")):
        match = _MIGRATION.match(path.name)
        if match:
            found.setdefault(match.group(2), []).append((match.group(1), path))
    return found


def _versions(migrations: Path) -> list[str]:
    return sorted(m.group(1) for p in migrations.glob("*.sql")
                  if (m := _MIGRATION.match(p.name)))


def export_supabase(units: Sequence[Unit], out: Path, *, suites: Path | None = None,
                    helpers: Sequence[Path] = (), now: datetime | None = None) -> ExportReport:
    """Write (or bring up to date) ``out/supabase/migrations`` and ``out/supabase/tests``."""
    migrations = out / "supabase" / "migrations"
    migrations.mkdir(parents=True, exist_ok=True)
    existing = _existing(migrations)
    versions = _versions(migrations)
    clock = (now or datetime.now(UTC)).replace(microsecond=0, tzinfo=None)
    if versions:
        clock = max(clock, datetime.strptime(versions[-1], _TIMESTAMP) + timedelta(seconds=1))

    report = ExportReport()
    for unit in units:
        if unit.source.kind == "compat":
            continue  # the platform's business
        slug = migration_slug(unit)
        content = _content(unit)
        previous = existing.get(slug, [])
        if previous:
            latest = previous[-1][1]
            if latest.read_text(encoding="utf-8") == content:
                report.unchanged.append(unit.label)
                continue
            if unit.versioned:
                raise SchemaKitError(
                    f"{unit.label} changed after it was exported as {latest.name}; versioned "
                    "units are append-only (add a new one), or delete the export to start over")
        path = migrations / f"{clock.strftime(_TIMESTAMP)}_{slug}.sql"
        path.write_text(content, encoding="utf-8")
        report.written.append(path)
        clock += timedelta(seconds=1)

    if suites is not None and suites.is_dir():
        report.tests = _export_tests(suites, helpers, out / "supabase" / "tests")
    return report


def _export_tests(suites: Path, helpers: Sequence[Path], dest: Path) -> list[Path]:
    """Each domain suite with the test helpers created right after its BEGIN."""
    dest.mkdir(parents=True, exist_ok=True)
    prelude = "".join(
        f"-- ---- test helpers: {h.name} (created in this transaction, rolled back with it)\n"
        + h.read_text(encoding="utf-8") + "\n" for h in helpers)
    written = []
    for suite in sorted(suites.glob("*.sql")):
        if not _DOMAIN_SUITE.match(suite.name):
            continue
        text = suite.read_text(encoding="utf-8")
        begin = re.search(r"^BEGIN;\n", text, flags=re.MULTILINE)
        if begin is None:
            raise SchemaKitError(f"{suite}: a pgTAP suite must run in one transaction (BEGIN;)")
        exported = ("-- Exported by schema-kit from tests/pgtap (pgTAP in schema extensions, as "
                    "`supabase test db`).\n" + text[:begin.end()] + prelude + text[begin.end():])
        path = dest / suite.name
        path.write_text(exported, encoding="utf-8")
        written.append(path)
    return written
