"""``schema-kit audit``: what the database allows, per schema and table, in one document.

Markdown for review, JSON for scripts, and one self-contained HTML page (no external resources:
inline CSS and a small script for the filters) a DBA opens offline. Deterministic: the same
database gives byte-identical output (no timestamps, everything sorted).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import psycopg

from schema_kit.config import Settings
from schema_kit.inspect.findings import Waiver
from schema_kit.inspect.lint import lint
from schema_kit.inspect.report import finding_json, summary
from schema_kit.inspect.snapshot import take

API_ROLES = ("anon", "authenticated", "service_role")
OPERATIONS = ("SELECT", "INSERT", "UPDATE", "DELETE")


def _access(tables: dict[str, Any], policies: dict[str, Any], grants: dict[str, Any],
            bypass: dict[str, bool]) -> list[dict[str, Any]]:
    """Role x table x operation as the catalog decides it: the grant, then the row scope."""
    rows = []
    for table, definition in tables.items():
        if definition["kind"] not in ("table", "partitioned table"):
            continue
        for role in API_ROLES:
            held: set[str] = set()
            for who in (role, "PUBLIC"):
                held |= set(grants.get(f"{table} to {who}", {}).get("privileges", []))
            cells = {}
            for op in OPERATIONS:
                if op not in held:
                    cells[op] = "no privilege"
                elif bypass.get(role) or not definition["rls"]:
                    cells[op] = "all rows (" + ("bypasses RLS" if bypass.get(role)
                                               else "no RLS") + ")"
                else:
                    names = [p["name"] for p in policies.values() if p["table"] == table
                             and p["command"] in (op, "ALL")
                             and (role in p["roles"] or "public" in p["roles"])]
                    cells[op] = ("rows where: " + "; ".join(names)) if names else \
                        "none (RLS, no policy)"
            rows.append({"table": table, "role": role, **cells})
    return rows


def audit(dsn: str, settings: Settings, waivers: Sequence[Waiver] = ()) -> dict[str, Any]:
    """Everything the audit shows, as plain sorted data."""
    with psycopg.connect(dsn) as conn:
        snap = take(conn)
        rows = conn.execute("select rolname::text, rolbypassrls from pg_catalog.pg_roles "
                            "where rolname = any(%s)", (list(API_ROLES),)).fetchall()
    bypass: dict[str, bool] = {str(name): bool(flag) for name, flag in rows}
    report = lint(dsn, settings, waivers)
    tables, policies = snap.of("tables"), snap.of("policies")
    schemas: dict[str, Any] = {}
    for name in snap.of("schemas"):
        schemas[name] = {"tables": {}, "functions": {}}
    for key, definition in tables.items():
        schema = key.split(".", 1)[0].strip('"')
        schemas.setdefault(schema, {"tables": {}, "functions": {}})["tables"][key] = {
            **{k: definition[k] for k in ("kind", "owner", "rls", "rls_forced", "comment")},
            "policies": [p for p in policies.values() if p["table"] == key],
            "triggers": [t for t in snap.of("triggers").values() if t["table"] == key],
            "grants": {g["grantee"]: g["privileges"] for g in snap.of("grants").values()
                       if g["object"] == key},
        }
    for key, definition in snap.of("functions").items():
        schema = key.split(".", 1)[0].strip('"')
        schemas.setdefault(schema, {"tables": {}, "functions": {}})["functions"][key] = {
            k: definition[k] for k in ("security", "config", "volatility", "owner", "execute",
                                       "language", "comment")}
    return {
        "server_version": snap.server_version.split(" ")[0],
        "schemas": schemas,
        "access": _access(tables, policies, snap.of("grants"), bypass),
        "lint": {"summary": summary(report),
                 "findings": [finding_json(f) for f in report.findings]},
    }


# -- Markdown ----------------------------------------------------------------------------------


def cell(value: Any) -> str:
    if value is None or value == []:
        return ""
    if isinstance(value, list):
        value = ", ".join(str(v) for v in value)
    return " ".join(str(value).split()).replace("|", "\\|")


def _md_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[str]:
    out = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    out += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return [*out, ""]


def as_markdown(data: dict[str, Any]) -> str:
    out = ["# Database audit", "", f"PostgreSQL {data['server_version']}. Lint: "
           f"{data['lint']['summary']}.", ""]
    for schema, body in data["schemas"].items():
        out += [f"## Schema {schema}", ""]
        for table, t in body["tables"].items():
            out += [f"### {t['kind'].capitalize()} {table}", "",
                    f"RLS {'enabled' if t['rls'] else 'DISABLED'}"
                    f"{', forced' if t['rls_forced'] else ''}; owner {t['owner']}."
                    + (f" {cell(t['comment'])}" if t["comment"] else ""), ""]
            if t["policies"]:
                out += ["Policies:", "", *_md_table(
                    ["name", "command", "roles", "kind", "USING", "WITH CHECK", "comment"],
                    [[p["name"], p["command"], p["roles"], p["permissive"].lower(), p["using"],
                      p["with_check"], p["comment"]] for p in t["policies"]])]
            if t["triggers"]:
                out += ["Triggers:", "", *_md_table(
                    ["trigger", "timing", "events", "level", "function", "security"],
                    [[k["definition"].split(" ")[2], k["timing"], k["events"], k["level"],
                      k["function"], k["security"]] for k in t["triggers"]])]
            if t["grants"]:
                out += ["Grants:", "", *_md_table(
                    ["role", "privileges"], [[r, p] for r, p in t["grants"].items()])]
        if body["functions"]:
            out += [f"### Functions in {schema}", "", *_md_table(
                ["function", "security", "search_path", "volatility", "owner", "EXECUTE"],
                [[name, f["security"], f["config"], f["volatility"], f["owner"], f["execute"]]
                 for name, f in body["functions"].items()])]
    out += ["## Access per role (as the catalog decides)", "", *_md_table(
        ["table", "role", *OPERATIONS],
        [[r["table"], r["role"], *(r[op] for op in OPERATIONS)] for r in data["access"]])]
    out += ["## Lint findings", "", *_md_table(
        ["level", "key", "message", "waived because"],
        [[f["level"], f["key"], f["message"], f["waived"]] for f in data["lint"]["findings"]])]
    return "\n".join(out)


def render_audit(data: dict[str, Any], fmt: str) -> str:
    if fmt == "json":
        return json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    if fmt == "html":
        from schema_kit.inspect.audit_html import as_html

        return as_html(data)
    return as_markdown(data)
