"""schema-kit audit: deterministic Markdown/JSON, and one self-contained HTML page that headless
Chromium renders with its policy tables, table of contents and filters."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from support import cli

ROOT = Path(__file__).resolve().parents[1]
WAIVERS = str(ROOT / "lint-waivers.toml")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]


def test_markdown_is_deterministic_and_complete(db: str) -> None:
    first = cli("audit", "--dsn", db, "--waivers", WAIVERS)
    second = cli("audit", "--dsn", db, "--waivers", WAIVERS)
    assert first[0] == 0 and first[1] == second[1]
    out = first[1]
    assert "### Table tickets.tickets" in out
    assert "| clients read their own tickets | SELECT | authenticated | permissive |" in out
    assert "| tickets.tickets | anon | no privilege | no privilege |" in out
    assert "## Lint findings" in out and "0 error(s), 0 warning(s)" in out


def test_json_has_rls_policies_triggers_functions_grants_access_and_lint(db: str) -> None:
    code, out, _err = cli("audit", "--dsn", db, "--format", "json", "--waivers", WAIVERS)
    data = json.loads(out)
    tickets = data["schemas"]["tickets"]["tables"]["tickets.tickets"]
    assert code == 0 and tickets["rls"] is True
    assert {p["name"] for p in tickets["policies"]} >= {"clients read their own tickets"}
    assert tickets["triggers"] and tickets["grants"]["authenticated"]
    helper = data["schemas"]["private"]["functions"]["private.cliente_do_usuario()"]
    assert helper["security"] == "definer"
    assert helper["config"] == ["search_path=pg_catalog, pg_temp"]
    access = {(r["table"], r["role"]): r for r in data["access"]}
    assert access[("tickets.tickets", "service_role")]["SELECT"] == "all rows (bypasses RLS)"
    assert access[("tickets.tickets", "authenticated")]["DELETE"] == "no privilege"
    assert "clients read their own tickets" in access[("tickets.tickets",
                                                       "authenticated")]["SELECT"]
    assert data["lint"]["findings"]


def test_html_is_self_contained_and_renders_in_chromium(db: str, tmp_path: Path) -> None:
    page = tmp_path / "audit.html"
    code, _out, err = cli("audit", "--dsn", db, "--format", "html", "--out", str(page),
                          "--waivers", WAIVERS)
    assert code == 0, err
    html = page.read_text(encoding="utf-8")
    assert not re.search(r"<(link|img|iframe)\b|\bsrc=|https?://", html), "external resource"
    assert 'id="q"' in html and '<nav><h3>Contents</h3>' in html

    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.fail("chromium is not installed: run make system-packages (apt chromium)")
    flags = [*CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}"]
    shot = tmp_path / "audit.png"
    subprocess.run([chromium, *flags, f"--screenshot={shot}", "--window-size=1400,900",
                    page.as_uri()], capture_output=True, timeout=120, check=True)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000
    dom = subprocess.run([chromium, *flags, "--dump-dom", page.as_uri()], capture_output=True,
                         text=True, timeout=120, check=True).stdout
    assert 'data-ready="1"' in dom, "the filter script did not run"
    policies = re.findall(r'<table class="policies">.*?</table>', dom, re.S)
    assert len(policies) >= 8
    assert any("clients read their own tickets" in table for table in policies)
    assert '<a href="#table-tickets-tickets">' in dom
