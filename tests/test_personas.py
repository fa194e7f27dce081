"""The Python persona helper mirrors what PostgREST does per request."""

from __future__ import annotations

import uuid

import psycopg
import pytest

from schema_kit.testing import act_as


def test_act_as_sets_role_and_claims_for_the_transaction_only(db: str) -> None:
    user = uuid.uuid4()
    with psycopg.connect(db) as conn:
        with conn.transaction():
            act_as(conn, user)
            row = conn.execute("select current_user, auth.uid(), auth.role(), "
                               "auth.jwt() ->> 'sub'").fetchone()
            assert row == ("authenticated", user, "authenticated", str(user))
        # transaction-local: the next transaction is the connection's own user again
        assert conn.execute("select current_user, auth.uid()").fetchone() == ("postgres", None)


def test_personas_see_what_their_role_allows(db: str) -> None:
    with psycopg.connect(db) as conn:
        with conn.transaction():
            act_as(conn, role="anon")
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute("select count(*) from auth.users")
        with conn.transaction():
            act_as(conn, role="service_role")
            row = conn.execute("select current_user, rolbypassrls from pg_roles "
                               "where rolname = current_user").fetchone()
            assert row == ("service_role", True)


def test_act_as_refuses_to_run_outside_a_transaction(db: str) -> None:
    with psycopg.connect(db, autocommit=True) as conn, pytest.raises(RuntimeError):
        act_as(conn, uuid.uuid4())
