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
    $$ VALUES (false, false, false, false) $$,
    'anon is NOLOGIN NOINHERIT, subject to RLS, not superuser'
);
SELECT results_eq(
    $$ SELECT rolcanlogin, rolinherit, rolbypassrls, rolsuper FROM pg_catalog.pg_roles WHERE rolname = 'authenticated' $$,
    $$ VALUES (false, false, false, false) $$,
    'authenticated is NOLOGIN NOINHERIT, subject to RLS, not superuser'
);
SELECT results_eq(
    $$ SELECT rolcanlogin, rolinherit, rolbypassrls, rolsuper FROM pg_catalog.pg_roles WHERE rolname = 'service_role' $$,
    $$ VALUES (false, false, true, false) $$,
    'service_role is NOLOGIN NOINHERIT BYPASSRLS, not superuser'
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

-- SET ROLE is checked against the SESSION user, so switching is only meaningful once logged in
-- as authenticator (as the API is). authenticator has no USAGE on the pgTAP schema (NOINHERIT),
-- so each switch is made before the assertion that checks it; a refused switch aborts the
-- file, which fails the plan.
SET LOCAL SESSION AUTHORIZATION authenticator;

SELECT FROM set_config('role', 'anon', true);
SELECT is(current_user::text, 'anon', 'logged in as authenticator, a request can switch to anon');
SELECT throws_ok(
    $$ SELECT set_config('role', 'postgres', true) $$,
    '42501',
    NULL,
    'authenticator cannot switch to a role it was not granted (postgres)'
);

SELECT FROM set_config('role', 'authenticated', true);
SELECT is(current_user::text, 'authenticated', 'logged in as authenticator, a request can switch to authenticated');

SELECT FROM set_config('role', 'service_role', true);
SELECT is(current_user::text, 'service_role', 'logged in as authenticator, a request can switch to service_role');

RESET SESSION AUTHORIZATION;

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
