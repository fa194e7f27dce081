"""Findings, their stable keys, and waivers (one finding key + a reason, never a whole rule).

A finding key is ``<rule>:<object>`` and names one object (``definer_unsafe_search_path:
function:private.f()``, ``splinter/performance/multiplePermissivePolicies:crm.clientes:
authenticated:SELECT``, ``squawk/prefer-bigint-over-int:migrations/0004_tickets:17``). It does
not depend on the order of checks or on the time of the run, so a waiver keeps matching the same
finding until that finding changes.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from schema_kit.errors import SchemaKitError

LEVELS = ("ERROR", "WARN", "INFO")


@dataclass(frozen=True)
class Finding:
    """One thing a check reports about one object."""

    rule: str
    level: str
    object: str
    message: str
    source: str  # "catalog", "splinter", "squawk", "plpgsql_check", "sources", "lint"
    file: str | None = None
    line: int | None = None
    waived: str | None = None  # the waiver's reason, when waived

    @property
    def key(self) -> str:
        return f"{self.rule}:{self.object}"


@dataclass(frozen=True)
class Waiver:
    key: str
    reason: str


class WaiverError(SchemaKitError):
    """A waivers file that is unreadable, or a waiver without a key, a reason or an object."""


def load_waivers(path: Path) -> list[Waiver]:
    """Read ``[[waiver]]`` tables (``key``, ``reason``) from a TOML file."""
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except OSError as exc:
        raise WaiverError(f"cannot read waivers {path}: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise WaiverError(f"waivers {path}: {exc}") from None
    waivers: list[Waiver] = []
    for index, entry in enumerate(data.get("waiver", []), start=1):
        key = str(entry.get("key", "")).strip()
        reason = " ".join(str(entry.get("reason", "")).split())
        where = f"waivers {path}, waiver #{index}"
        if not key or not reason:
            raise WaiverError(f"{where}: needs a key and a reason")
        rule, _, obj = key.partition(":")
        if not obj.strip() or any(char in key for char in "*?"):
            raise WaiverError(f"{where}: {key!r} must name one finding (rule:object), "
                              "not a whole rule")
        if not rule:
            raise WaiverError(f"{where}: {key!r} has no rule")
        waivers.append(Waiver(key, reason))
    keys = [w.key for w in waivers]
    duplicates = sorted({k for k in keys if keys.count(k) > 1})
    if duplicates:
        raise WaiverError(f"waivers {path}: waived twice: {', '.join(duplicates)}")
    return waivers


@dataclass
class Report:
    """Every finding of one lint run, waivers applied, in a stable order."""

    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # which tools ran, which were skipped

    def active(self) -> list[Finding]:
        return [f for f in self.findings if f.waived is None]

    def count(self, level: str) -> int:
        return sum(1 for f in self.active() if f.level == level)

    def failed(self, strict: bool) -> bool:
        return self.count("ERROR") > 0 or (strict and self.count("WARN") > 0)


def build_report(found: Iterable[Finding], waivers: Sequence[Waiver],
                 notes: Sequence[str] = ()) -> Report:
    """Apply waivers; a waiver that matches nothing becomes an INFO finding of its own."""
    by_key = {w.key: w for w in waivers}
    used: set[str] = set()
    result: list[Finding] = []
    seen: set[str] = set()
    for finding in found:
        if finding.key in seen:  # the same object reported twice by one rule: once is enough
            continue
        seen.add(finding.key)
        waiver = by_key.get(finding.key)
        if waiver is not None:
            used.add(waiver.key)
            finding = replace(finding, waived=waiver.reason)
        result.append(finding)
    for waiver in waivers:
        if waiver.key not in used:
            result.append(Finding("stale_waiver", "INFO", waiver.key,
                                  "this waiver matches no finding any more: remove it",
                                  "lint"))
    order = {level: index for index, level in enumerate(LEVELS)}
    result.sort(key=lambda f: (f.waived is not None, order[f.level], f.key))
    return Report(result, list(notes))
