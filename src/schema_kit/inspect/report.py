"""Lint report formats: text for people, JSON for scripts, SARIF 2.1.0 for code-scanning UIs."""

from __future__ import annotations

import json
from typing import Any

from schema_kit import __version__
from schema_kit.inspect.findings import Finding, Report

FORMATS = ("text", "json", "sarif")
_SARIF_LEVEL = {"ERROR": "error", "WARN": "warning", "INFO": "note"}


def summary(report: Report) -> str:
    waived = len(report.findings) - len(report.active())
    return (f"{report.count('ERROR')} error(s), {report.count('WARN')} warning(s), "
            f"{report.count('INFO')} info, {waived} waived")


def _where(finding: Finding) -> str:
    if finding.file:
        return f" ({finding.file}:{finding.line})" if finding.line else f" ({finding.file})"
    return ""


def as_text(report: Report) -> str:
    lines = [f"{f.level:<5} {f.key}\n      {f.message}{_where(f)}" for f in report.active()]
    waived = [f for f in report.findings if f.waived is not None]
    if waived:
        lines.append(f"waived ({len(waived)}):")
        lines += [f"  {f.level:<5} {f.key}\n        reason: {f.waived}" for f in waived]
    lines += [f"note: {note}" for note in report.notes]
    lines.append(summary(report))
    return "\n".join(lines) + "\n"


def finding_json(finding: Finding) -> dict[str, Any]:
    return {"key": finding.key, "rule": finding.rule, "level": finding.level,
            "object": finding.object, "message": finding.message, "source": finding.source,
            "file": finding.file, "line": finding.line, "waived": finding.waived}


def as_json(report: Report) -> str:
    data = {
        "findings": [finding_json(f) for f in report.findings],
        "notes": report.notes,
        "summary": {"errors": report.count("ERROR"), "warnings": report.count("WARN"),
                    "info": report.count("INFO"),
                    "waived": len(report.findings) - len(report.active())},
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def as_sarif(report: Report) -> str:
    rules = sorted({f.rule for f in report.findings})
    results = []
    for finding in report.findings:
        result: dict[str, Any] = {
            "ruleId": finding.rule,
            "level": _SARIF_LEVEL[finding.level],
            "message": {"text": finding.message},
            "partialFingerprints": {"schemaKitFindingKey/v1": finding.key},
            "locations": [{"logicalLocations": [{"fullyQualifiedName": finding.object}]}],
        }
        if finding.file:
            physical: dict[str, Any] = {"artifactLocation": {"uri": finding.file}}
            if finding.line:
                physical["region"] = {"startLine": finding.line}
            result["locations"][0]["physicalLocation"] = physical
        if finding.waived is not None:
            result["suppressions"] = [{"kind": "external", "justification": finding.waived}]
        results.append(result)
    sarif = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "schema-kit lint", "version": __version__,
                                "rules": [{"id": rule} for rule in rules]}},
            "results": results,
        }],
    }
    return json.dumps(sarif, indent=2, ensure_ascii=False) + "\n"


def render_report(report: Report, fmt: str) -> str:
    return {"text": as_text, "json": as_json, "sarif": as_sarif}[fmt](report)
