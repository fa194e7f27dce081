"""schema-kit lint: every catalog and source check fires on a fixture and stays quiet on its safe
twin; waivers name one finding; formats; a missing tool is a message; the project is clean."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import psycopg
import pytest

from schema_kit.inspect.checks import CATALOG_RULES, catalog_findings, platform_owned_ddl
from schema_kit.inspect.findings import Finding, Waiver, WaiverError, build_report, load_waivers
from schema_kit.render import Unit
from schema_kit.sources import Source
from support import cli

ROOT = Path(__file__).resolve().parents[1]
WAIVERS = ROOT / "lint-waivers.toml"

# A schema the API can reach, and an RLS table in it, shared by the fixtures below.
BASE = """
create schema lintfx;
grant usage on schema lintfx to anon, authenticated;
create table lintfx.dono (id uuid primary key, user_id uuid, dados jsonb);
alter table lintfx.dono enable row level security;
create index dono_user_id_idx on lintfx.dono (user_id);
"""

# rule -> (SQL that makes it fire, SQL of the safe twin, key expected to fire / stay absent)
CASES: dict[str, tuple[str, str, str]] = {
    "rls_disabled_in_api_schema": (
        "create table lintfx.aberta (id int primary key);",
        "create table lintfx.aberta (id int primary key);"
        "alter table lintfx.aberta enable row level security;",
        "rls_disabled_in_api_schema:table:lintfx.aberta"),
    "api_grant_without_policy": (
        "grant select on lintfx.dono to anon;",
        "grant select on lintfx.dono to anon;"
        "create policy \"anon reads nothing\" on lintfx.dono for select to anon using (false);",
        "api_grant_without_policy:table:lintfx.dono:anon"),
    "definer_unsafe_search_path": (
        "create function lintfx.f() returns int language sql security definer "
        "set search_path = '' as 'select 1';",
        "create function lintfx.f() returns int language sql security definer "
        "set search_path = pg_catalog, pg_temp as 'select 1';",
        "definer_unsafe_search_path:function:lintfx.f()"),
    "definer_executable_by_anon": (
        "create function lintfx.g() returns int language sql security definer "
        "set search_path = pg_catalog, pg_temp as 'select 1';",
        "create function lintfx.g() returns int language sql security definer "
        "set search_path = pg_catalog, pg_temp as 'select 1';"
        "revoke execute on function lintfx.g() from public;",
        "definer_executable_by_anon:function:lintfx.g()"),
    "view_without_security_invoker": (
        "create view lintfx.v as select id from lintfx.dono;",
        "create view lintfx.v with (security_invoker = on) as select id from lintfx.dono;",
        "view_without_security_invoker:view:lintfx.v"),
    "policy_per_row_call": (
        "create policy \"own rows\" on lintfx.dono for select to authenticated "
        "using (user_id = auth.uid());",
        "create policy \"own rows\" on lintfx.dono for select to authenticated "
        "using (user_id = (select auth.uid()));",
        "policy_per_row_call:policy:lintfx.dono.\"own rows\""),
    "policy_true_on_write": (
        "create policy \"anyone writes\" on lintfx.dono for insert to authenticated "
        "with check (true);",
        "create policy \"anyone writes\" on lintfx.dono for select to authenticated "
        "using (true);",
        "policy_true_on_write:policy:lintfx.dono.\"anyone writes\""),
    "policy_reads_user_metadata": (
        "create policy \"by metadata\" on lintfx.dono for select to authenticated using ("
        "(select u.raw_user_meta_data ->> 'papel' from auth.users u "
        " where u.id = (select auth.uid())) = 'admin');",
        "create policy \"by metadata\" on lintfx.dono for select to authenticated using ("
        "(select u.raw_app_meta_data ->> 'papel' from auth.users u "
        " where u.id = (select auth.uid())) = 'admin');",
        "policy_reads_user_metadata:policy:lintfx.dono.\"by metadata\""),
    "unindexed_foreign_key": (
        "create table lintfx.filha (id int primary key, dono_id uuid "
        "constraint filha_dono_fk references lintfx.dono (id));",
        "create table lintfx.filha (id int primary key, dono_id uuid "
        "constraint filha_dono_fk references lintfx.dono (id));"
        "create index on lintfx.filha (dono_id);",
        "unindexed_foreign_key:constraint:lintfx.filha.filha_dono_fk"),
    "policy_column_unindexed": (
        "alter table lintfx.dono add column equipe uuid;"
        "create policy \"team rows\" on lintfx.dono for select to authenticated "
        "using (equipe = (select auth.uid()));",
        "alter table lintfx.dono add column equipe uuid;"
        "create index on lintfx.dono (equipe);"
        "create policy \"team rows\" on lintfx.dono for select to authenticated "
        "using (equipe = (select auth.uid()));",
        "policy_column_unindexed:policy:lintfx.dono.\"team rows\""),
    "policy_row_subquery": (
        "create table lintfx.pai (id uuid primary key, user_id uuid);"
        "alter table lintfx.dono add column pai_id uuid;"
        "create index on lintfx.dono (pai_id);"
        "create policy \"via parent\" on lintfx.dono for select to authenticated using ("
        "exists (select from lintfx.pai as p"
        " where p.id = pai_id and p.user_id = (select auth.uid())));",
        "create table lintfx.pai (id uuid primary key, user_id uuid);"
        "alter table lintfx.dono add column pai_id uuid;"
        "create index on lintfx.dono (pai_id);"
        "create policy \"via parent\" on lintfx.dono for select to authenticated using ("
        "pai_id = any(array(select p.id from lintfx.pai as p"
        " where p.user_id = (select auth.uid()))));",
        "policy_row_subquery:policy:lintfx.dono.\"via parent\""),
}


def test_insert_policies_never_need_an_index(admin: psycopg.Connection[Any]) -> None:
    keys = _keys(admin, "alter table lintfx.dono add column equipe uuid;"
                 "create policy \"team adds\" on lintfx.dono for insert to authenticated "
                 "with check (equipe = (select auth.uid()));")
    assert 'policy_column_unindexed:policy:lintfx.dono."team adds"' not in keys


def test_every_catalog_rule_has_a_case() -> None:
    assert sorted(CASES) == sorted(rule.name for rule in CATALOG_RULES)


def _keys(admin: psycopg.Connection[Any], sql: str) -> set[str]:
    admin.execute(BASE + sql)
    return {finding.key for finding in catalog_findings(admin)}


@pytest.mark.parametrize("rule", sorted(CASES))
def test_catalog_check_fires(admin: psycopg.Connection[Any], rule: str) -> None:
    fire, _quiet, key = CASES[rule]
    assert key in _keys(admin, fire)


@pytest.mark.parametrize("rule", sorted(CASES))
def test_catalog_check_stays_quiet_on_the_safe_twin(admin: psycopg.Connection[Any],
                                                    rule: str) -> None:
    _fire, quiet, key = CASES[rule]
    keys = _keys(admin, quiet)
    assert key not in keys
    assert not {k for k in keys if k.startswith(f"{rule}:") and "lintfx" in k}


# -- sources: DDL on what the platform owns -----------------------------------------------------


def _unit(sql: str, kind: str = "policies") -> Unit:
    return Unit(Source(kind, "fixture", Path(f"{kind}/fixture.sql"), None), sql, None)


@pytest.mark.parametrize("sql", [
    "COMMENT ON POLICY \"p\" ON realtime.messages IS 'x';",
    "CREATE INDEX messages_topic_idx ON realtime.messages (topic);",
    "ALTER TABLE auth.users ADD COLUMN apelido text;",
    "CREATE TRIGGER t AFTER INSERT ON auth.users FOR EACH ROW EXECUTE FUNCTION crm.f();",
    "CREATE OR REPLACE FUNCTION realtime.minha() RETURNS int LANGUAGE sql AS 'select 1';",
    "GRANT SELECT ON auth.users TO authenticated;",
    "CREATE TABLE storage.extra (id int);",
])
def test_platform_owned_ddl_fires(sql: str) -> None:
    found = platform_owned_ddl([_unit("-- why\n" + sql)])
    assert [f.key for f in found] == ["platform_owned_ddl:policies/fixture:2"]


@pytest.mark.parametrize("sql", [
    "CREATE POLICY \"p\" ON realtime.messages FOR SELECT TO authenticated USING (false);",
    "DROP POLICY IF EXISTS \"p\" ON realtime.messages;",
    "CREATE TABLE crm.x (u uuid REFERENCES auth.users (id));",
    "CREATE POLICY \"own\" ON crm.x FOR SELECT TO authenticated USING (u = (SELECT auth.uid()));",
    "CREATE FUNCTION crm.f() RETURNS void LANGUAGE sql AS $$ "
    "INSERT INTO realtime.messages (topic, extension) VALUES ('t', 'broadcast') $$;",
    "COMMENT ON POLICY \"own\" ON crm.x IS 'alter table auth.users';",
])
def test_platform_owned_ddl_stays_quiet(sql: str) -> None:
    assert platform_owned_ddl([_unit(sql)]) == []


def test_platform_owned_ddl_ignores_the_compatibility_layer() -> None:
    assert platform_owned_ddl([_unit("ALTER TABLE auth.users ADD COLUMN x int;", "compat")]) == []


# -- waivers and report -------------------------------------------------------------------------


def _finding(rule: str, level: str, obj: str) -> Finding:
    return Finding(rule, level, obj, "message", "catalog")


def test_a_waiver_silences_one_finding_and_a_stale_one_is_reported() -> None:
    report = build_report(
        [_finding("r", "WARN", "a"), _finding("r", "WARN", "b")],
        [Waiver("r:a", "measured"), Waiver("r:gone", "old")])
    states = {f.key: (f.level, f.waived) for f in report.findings}
    assert states["r:a"] == ("WARN", "measured")
    assert states["r:b"] == ("WARN", None)
    assert states["stale_waiver:r:gone"][0] == "INFO"
    assert report.failed(strict=True) and not report.failed(strict=False)


@pytest.mark.parametrize(("body", "message"), [
    ('[[waiver]]\nkey = "policy_per_row_call"\nreason = "all of them"\n', "not a whole rule"),
    ('[[waiver]]\nkey = "policy_per_row_call:*"\nreason = "all of them"\n', "not a whole rule"),
    ('[[waiver]]\nkey = "r:a"\n', "needs a key and a reason"),
    ('[[waiver]]\nkey = "r:a"\nreason = "x"\n[[waiver]]\nkey = "r:a"\nreason = "y"\n',
     "waived twice"),
])
def test_waivers_name_one_finding_with_a_reason(tmp_path: Path, body: str, message: str) -> None:
    path = tmp_path / "waivers.toml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(WaiverError, match=message):
        load_waivers(path)


def test_the_project_waivers_all_have_reasons() -> None:
    waivers = load_waivers(WAIVERS)
    assert waivers and all(len(w.reason) > 20 for w in waivers)


def test_tampering_is_caught_by_name_in_every_format(db: str, admin: psycopg.Connection[Any],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    admin.execute("""
        create table public.vazada (id int primary key, segredo text);
        grant select on public.vazada to anon;
        create function public.definidora() returns int language sql security definer
            as 'select 1';
    """)
    monkeypatch.setenv("SCHEMA_KIT_PLS", "/nonexistent/postgres-language-server")
    code, out, _err = cli("lint", "--dsn", db, "--skip", "squawk", "--format", "json")
    assert code == 1
    keys = {f["key"]: f["level"] for f in json.loads(out)["findings"]}
    assert keys["rls_disabled_in_api_schema:table:public.vazada"] == "ERROR"
    assert keys["api_grant_without_policy:table:public.vazada:anon"] == "WARN"
    assert keys["definer_unsafe_search_path:function:public.definidora()"] == "ERROR"
    assert keys["definer_executable_by_anon:function:public.definidora()"] == "ERROR"
    # A missing Postgres Language Server is a finding with the way to install it, not a crash.
    assert keys["tool_missing:postgres-language-server"] == "WARN"

    code, out, _err = cli("lint", "--dsn", db, "--skip", "squawk", "--skip", "splinter",
                          "--format", "sarif")
    sarif = json.loads(out)
    results = sarif["runs"][0]["results"]
    assert sarif["version"] == "2.1.0" and code == 1
    assert {"ruleId": "rls_disabled_in_api_schema", "level": "error"}.items() <= next(
        r for r in results
        if r["partialFingerprints"]["schemaKitFindingKey/v1"]
        == "rls_disabled_in_api_schema:table:public.vazada").items()

    code, out, _err = cli("lint", "--dsn", db, "--skip", "squawk", "--skip", "splinter")
    assert "ERROR rls_disabled_in_api_schema:table:public.vazada" in out


def test_the_project_schema_is_clean_under_strict(db: str) -> None:
    """Every remaining finding is waived with its reason (lint-waivers.toml)."""
    code, out, err = cli("lint", "--dsn", db, "--strict", "--waivers", str(WAIVERS))
    assert code == 0, out + err
    assert "0 error(s), 0 warning(s)" in out
    assert "tool_missing" not in out  # splinter, squawk and plpgsql_check all ran
