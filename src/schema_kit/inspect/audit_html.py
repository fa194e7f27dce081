"""The audit as one self-contained HTML page: inline CSS and script, no external resource, a
table of contents and filters (free text, and "only findings that fail")."""

from __future__ import annotations

import re
from html import escape
from typing import Any

from schema_kit.inspect.audit import OPERATIONS, cell

_STYLE = """
body{font:14px/1.4 system-ui,sans-serif;margin:0;display:flex}
nav{width:18rem;height:100vh;overflow:auto;position:sticky;top:0;background:#f4f4f6;padding:1rem}
nav a{display:block;color:#224;text-decoration:none;font-size:13px}
main{padding:1rem 2rem;flex:1;min-width:0}
table{border-collapse:collapse;margin:.5rem 0 1.5rem;width:100%}
th,td{border:1px solid #ccd;padding:.25rem .4rem;text-align:left;vertical-align:top}
th{background:#e8e8f0} td code{font-size:12px;white-space:pre-wrap}
.off{color:#a00;font-weight:bold} .ERROR{color:#a00} .WARN{color:#a60} .waived{color:#777}
#filters{position:sticky;top:0;background:#fff;padding:.5rem 0;border-bottom:1px solid #ccd}
"""
_SCRIPT = """
function applyFilters(){
  var q=document.getElementById('q').value.toLowerCase();
  var only=document.getElementById('failing').checked;
  document.querySelectorAll('tr[data-row]').forEach(function(tr){
    var show=tr.textContent.toLowerCase().indexOf(q)>=0;
    if(only&&tr.dataset.row==='finding'&&tr.dataset.fails!=='1'){show=false;}
    tr.style.display=show?'':'none';
  });
}
document.getElementById('q').addEventListener('input',applyFilters);
document.getElementById('failing').addEventListener('change',applyFilters);
document.body.dataset.ready='1';
"""


def _anchor(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _table(css: str, headers: list[str], rows: list[list[Any]], kind: str = "row",
           attrs: list[str] | None = None) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = []
    for index, row in enumerate(rows):
        extra = attrs[index] if attrs else ""
        cells = "".join(f"<td><code>{escape(cell(v))}</code></td>" for v in row)
        body.append(f'<tr data-row="{kind}"{extra}>{cells}</tr>')
    return (f'<table class="{css}"><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table>')


def as_html(data: dict[str, Any]) -> str:
    toc: list[str] = []
    parts: list[str] = []
    for schema, body in data["schemas"].items():
        anchor = _anchor(f"schema-{schema}")
        toc.append(f'<a href="#{anchor}"><b>{escape(schema)}</b></a>')
        parts.append(f'<h2 id="{anchor}">Schema {escape(schema)}</h2>')
        for table, t in body["tables"].items():
            anchor = _anchor(f"table-{table}")
            toc.append(f'<a href="#{anchor}">&nbsp;&nbsp;{escape(table)}</a>')
            rls = "enabled" if t["rls"] else '<span class="off">DISABLED</span>'
            parts.append(f'<h3 id="{anchor}">{escape(t["kind"])} {escape(table)}</h3>'
                         f'<p>RLS {rls}{", forced" if t["rls_forced"] else ""}; owner '
                         f'{escape(t["owner"])}. {escape(t["comment"] or "")}</p>')
            if t["policies"]:
                parts.append("<h4>Policies</h4>" + _table(
                    "policies", ["name", "command", "roles", "kind", "USING", "WITH CHECK",
                                 "comment"],
                    [[p["name"], p["command"], p["roles"], p["permissive"].lower(), p["using"],
                      p["with_check"], p["comment"]] for p in t["policies"]], "policy"))
            if t["triggers"]:
                parts.append("<h4>Triggers</h4>" + _table(
                    "triggers", ["trigger", "timing", "events", "level", "function", "security"],
                    [[k["definition"].split(" ")[2], k["timing"], k["events"], k["level"],
                      k["function"], k["security"]] for k in t["triggers"]], "trigger"))
            if t["grants"]:
                parts.append("<h4>Grants</h4>" + _table(
                    "grants", ["role", "privileges"], [[r, p] for r, p in t["grants"].items()],
                    "grant"))
        if body["functions"]:
            parts.append(f"<h3>Functions in {escape(schema)}</h3>" + _table(
                "functions", ["function", "security", "search_path", "volatility", "owner",
                              "EXECUTE"],
                [[n, f["security"], f["config"], f["volatility"], f["owner"], f["execute"]]
                 for n, f in body["functions"].items()], "function"))
    toc.append('<a href="#access"><b>Access per role</b></a>')
    parts.append('<h2 id="access">Access per role (as the catalog decides)</h2>' + _table(
        "access", ["table", "role", *OPERATIONS],
        [[r["table"], r["role"], *(r[op] for op in OPERATIONS)] for r in data["access"]],
        "access"))
    findings = data["lint"]["findings"]
    toc.append('<a href="#lint"><b>Lint findings</b></a>')
    attrs = [f' class="{"waived" if f["waived"] else f["level"]}" data-fails='
             f'"{1 if f["level"] in ("ERROR", "WARN") and not f["waived"] else 0}"'
             for f in findings]
    parts.append(f'<h2 id="lint">Lint findings</h2><p>{escape(data["lint"]["summary"])}</p>'
                 + _table("findings", ["level", "key", "message", "waived because"],
                          [[f["level"], f["key"], f["message"], f["waived"]] for f in findings],
                          "finding", attrs))
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<title>schema-kit audit</title>"
            f"<style>{_STYLE}</style></head><body><nav><h3>Contents</h3>{''.join(toc)}</nav>"
            '<main><h1>Database audit</h1>'
            f'<p>PostgreSQL {escape(data["server_version"])}</p>'
            '<div id="filters"><input id="q" type="search" placeholder="filter rows (table, '
            'role, policy, key...)" size="50"> <label><input id="failing" type="checkbox"> '
            'only failing findings</label></div>'
            f"{''.join(parts)}</main><script>{_SCRIPT}</script></body></html>\n")
