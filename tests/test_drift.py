"""schema-kit drift: clean right after apply; tampering with the live schema is named (exit 2)."""

from __future__ import annotations

import json

import psycopg
import pytest

from support import cli


@pytest.fixture
def platform_db(empty_db: str) -> str:
    """A database applied by the platform's superuser, compat layer included: drift applies the
    sources the same way to a scratch database (owners and grants compared), which the
    NOSUPERUSER migration role of the other tests cannot do (nor could it on Supabase)."""
    code, _out, err = cli("apply", "--dsn", empty_db)
    assert code == 0, err
    return empty_db


def test_no_drift_right_after_apply(platform_db: str) -> None:
    code, out, err = cli("drift", "--dsn", platform_db)
    assert (code, out) == (0, "no drift: the database matches the sources\n"), err


def test_tampering_is_named_object_by_object(platform_db: str) -> None:
    with psycopg.connect(platform_db, autocommit=True) as admin:
        trigger = admin.execute("""select tgname from pg_catalog.pg_trigger
            where tgrelid = 'tickets.tickets'::regclass and not tgisinternal
            order by tgname limit 1""").fetchone()
        assert trigger is not None
        admin.execute(f"""
            alter policy "clients read their own tickets" on tickets.tickets using (true);
            drop trigger {trigger[0]} on tickets.tickets;
            alter function private.cliente_do_usuario() reset search_path;
            create table public.vazada (id int);
            grant select on public.vazada to anon;
        """)
        code, out, _err = cli("drift", "--dsn", platform_db)
        assert code == 2
        assert 'policy tickets.tickets."clients read their own tickets": changed (using)' in out
        assert "+true" in out
        assert f"trigger tickets.tickets.{trigger[0]}: missing (in the sources, not in the " \
               "database)" in out
        assert "function private.cliente_do_usuario(): changed (config, definition)" in out
        assert "relation public.vazada: unexpected (in the database, not in the sources)" in out
        assert "grant public.vazada to anon: unexpected" in out

        code, out, _err = cli("drift", "--dsn", platform_db, "--format", "json")
        changed = {(c["kind"], c["object"], c["state"]) for c in json.loads(out)}
        assert code == 2
        assert ("policies", 'tickets.tickets."clients read their own tickets"',
                "changed") in changed
