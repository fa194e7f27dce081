-- Supabase compatibility layer: the API roles (compat/0001_roles.sql) and the persona
-- switching every other suite relies on (tests/sql/helpers.sql).
BEGIN;
SELECT plan(21);

-- ---------------------------------------------------------------------------------------------
-- The four roles exist with Supabase's attributes
-- ---------------------------------------------------------------------------------------------
SELECT has_role('anon', 'role anon exists');
SELECT has_role('authenticated', 'role authenticated exists');
SELECT has_role('service_role', 'role service_role exists');
SELECT has_role('authenticator', 'role authenticator exists');

SELECT results_eq(
    $$ SELECT rolcanlogin, rolinherit, rolbypassrls, rolsuper FROM pg_catalog.pg_roles WHERE rolname = 'anon' $$,
    $$ VALUES (false, true, false, false) $$,
    'anon is NOLOGIN INHERIT (as on Supabase), subject to RLS, not superuser'
);
SELECT results_eq(
    $$ SELECT rolcanlogin, rolinherit, rolbypassrls, rolsuper FROM pg_catalog.pg_roles WHERE rolname = 'authenticated' $$,
    $$ VALUES (false, true, false, false) $$,
    'authenticated is NOLOGIN INHERIT (as on Supabase), subject to RLS, not superuser'
);
SELECT results_eq(
    $$ SELECT rolcanlogin, rolinherit, rolbypassrls, rolsuper FROM pg_catalog.pg_roles WHERE rolname = 'service_role' $$,
    $$ VALUES (false, true, true, false) $$,
    'service_role is NOLOGIN INHERIT (as on Supabase) BYPASSRLS, not superuser'
);
SELECT results_eq(
    $$ SELECT rolcanlogin, rolinherit, rolbypassrls, rolsuper FROM pg_catalog.pg_roles WHERE rolname = 'authenticator' $$,
    $$ VALUES (true, false, false, false) $$,
    'authenticator is LOGIN NOINHERIT, subject to RLS, not superuser'
);
SELECT results_eq(
    $$ SELECT rolname FROM pg_catalog.pg_roles
       WHERE rolname IN ('anon', 'authenticated', 'service_role', 'authenticator') AND rolbypassrls $$,
    $$ VALUES ('service_role'::name) $$,
    'service_role is the only API role that bypasses RLS'
);

-- ---------------------------------------------------------------------------------------------
-- authenticator may switch to the API roles, and holds nothing of its own
-- ---------------------------------------------------------------------------------------------
SELECT is_member_of('anon', ARRAY['authenticator'], 'authenticator is a member of anon');
SELECT is_member_of('authenticated', ARRAY['authenticator'], 'authenticator is a member of authenticated');
SELECT is_member_of('service_role', ARRAY['authenticator'], 'authenticator is a member of service_role');
SELECT ok(
    NOT pg_catalog.has_table_privilege('authenticator', 'realtime.messages', 'SELECT'),
    'authenticator (NOINHERIT) does not inherit the privileges of the API roles'
);

SELECT ok(
    NOT pg_catalog.pg_has_role('authenticator', 'postgres', 'MEMBER'),
    'authenticator cannot switch to a role it was not granted (postgres)'
);
-- (Switching roles once logged in as authenticator: tests/test_compat_platform.py, which logs in.)

-- ---------------------------------------------------------------------------------------------
-- Role settings the Data API applies per request, as on Supabase
-- ---------------------------------------------------------------------------------------------
SELECT results_eq(
    $$ SELECT r.rolname::text COLLATE "default", c.setting COLLATE "default"
       FROM pg_catalog.pg_db_role_setting AS s
       JOIN pg_catalog.pg_roles AS r ON r.oid = s.setrole
       CROSS JOIN LATERAL pg_catalog.unnest(s.setconfig) AS c (setting)
       WHERE s.setdatabase = 0 AND r.rolname IN ('anon', 'authenticated', 'authenticator')
         AND (c.setting LIKE 'statement_timeout=%' OR c.setting LIKE 'lock_timeout=%')
       ORDER BY 1, 2 $$,
    $$ VALUES ('anon', 'statement_timeout=3s'),
              ('authenticated', 'statement_timeout=8s'),
              ('authenticator', 'lock_timeout=8s'),
              ('authenticator', 'statement_timeout=8s') $$,
    'anon 3 s, authenticated 8 s, authenticator 8 s + lock_timeout 8 s (as on Supabase)'
);
SELECT ok(
    (SELECT r.rolinherit FROM pg_catalog.pg_roles AS r WHERE r.rolname = 'authenticator') IS false,
    'authenticator stays NOINHERIT'
);
SELECT ok(
    (SELECT bool_and(r.rolinherit) FROM pg_catalog.pg_roles AS r
     WHERE r.rolname IN ('anon', 'authenticated', 'service_role')),
    'the three API roles are INHERIT'
);

-- ---------------------------------------------------------------------------------------------
-- Persona helpers switch the role for the rest of the transaction, and back
-- ---------------------------------------------------------------------------------------------
INSERT INTO auth.users (id, email)
VALUES ('00000000-0000-4000-8000-000000000001', 'persona@example.com');

SELECT tests.authenticate_as_anon();
SELECT is(current_user::text, 'anon', 'tests.authenticate_as_anon() switches to anon');

SELECT tests.authenticate_as('00000000-0000-4000-8000-000000000001');
SELECT is(
    current_user::text, 'authenticated',
    'tests.authenticate_as() switches to authenticated, even from another persona'
);

SELECT tests.authenticate_as_service_role();
SELECT is(current_user::text, 'service_role', 'tests.authenticate_as_service_role() switches to service_role');

SELECT tests.clear_authentication();
SELECT is(current_user::text, session_user::text, 'tests.clear_authentication() goes back to the session user');

SELECT * FROM finish();
ROLLBACK;
