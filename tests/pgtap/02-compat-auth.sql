-- Supabase compatibility layer: the auth schema (compat/0002_auth.sql) — auth.users, and the
-- claim helpers reading request.jwt.claim.* / request.jwt.claims exactly as Supabase does.
BEGIN;
SELECT plan(49);

-- ---------------------------------------------------------------------------------------------
-- Shape
-- ---------------------------------------------------------------------------------------------
SELECT has_schema('auth', 'schema auth exists');
SELECT has_table('auth', 'users', 'table auth.users exists');
SELECT col_type_is('auth', 'users', 'id', 'uuid', 'auth.users.id is uuid');
SELECT col_type_is('auth', 'users', 'email', 'character varying(255)', 'auth.users.email is varchar(255), as Supabase');
SELECT col_type_is('auth', 'users', 'raw_app_meta_data', 'jsonb', 'auth.users.raw_app_meta_data is jsonb');
SELECT col_type_is('auth', 'users', 'raw_user_meta_data', 'jsonb', 'auth.users.raw_user_meta_data is jsonb');
SELECT col_type_is('auth', 'users', 'created_at', 'timestamp with time zone', 'auth.users.created_at is timestamptz');
SELECT col_type_is('auth', 'users', 'updated_at', 'timestamp with time zone', 'auth.users.updated_at is timestamptz');
SELECT col_is_pk('auth', 'users', 'id', 'auth.users is keyed by id');

SELECT function_returns('auth', 'uid', ARRAY[]::name[], 'uuid', 'auth.uid() returns uuid');
SELECT function_returns('auth', 'role', ARRAY[]::name[], 'text', 'auth.role() returns text');
SELECT function_returns('auth', 'email', ARRAY[]::name[], 'text', 'auth.email() returns text');
SELECT function_returns('auth', 'jwt', ARRAY[]::name[], 'jsonb', 'auth.jwt() returns jsonb');
SELECT results_eq(
    $$ SELECT p.proname, l.lanname, p.provolatile, p.prosecdef, p.proconfig IS NULL
       FROM pg_catalog.pg_proc AS p
       JOIN pg_catalog.pg_language AS l ON l.oid = p.prolang
       WHERE p.pronamespace = 'auth'::regnamespace
       ORDER BY p.proname $$,
    $$ VALUES ('email'::name, 'sql'::name, 's'::"char", false, true),
              ('jwt', 'sql', 's', false, true),
              ('role', 'sql', 's', false, true),
              ('uid', 'sql', 's', false, true) $$,
    'auth helpers are SQL STABLE SECURITY INVOKER without SET clause (inlinable, as Supabase)'
);

-- ---------------------------------------------------------------------------------------------
-- Nothing set: NULL
-- ---------------------------------------------------------------------------------------------
SELECT is(auth.uid(), NULL, 'auth.uid() is NULL when no claim is set');
SELECT is(auth.role(), NULL, 'auth.role() is NULL when no claim is set');
SELECT is(auth.email(), NULL, 'auth.email() is NULL when no claim is set');
SELECT is(auth.jwt(), NULL, 'auth.jwt() is NULL when no claim is set');

-- ---------------------------------------------------------------------------------------------
-- request.jwt.claims: the whole payload as JSON (PostgREST >= 9, Realtime)
-- ---------------------------------------------------------------------------------------------
SELECT FROM set_config(
    'request.jwt.claims',
    '{"sub": "00000000-0000-4000-8000-00000000000a", "role": "authenticated", "email": "json@example.com", "app_metadata": {"plan": "pro"}}',
    true
);
SELECT is(auth.uid(), '00000000-0000-4000-8000-00000000000a'::uuid, 'auth.uid() reads sub from request.jwt.claims');
SELECT is(auth.role(), 'authenticated', 'auth.role() reads role from request.jwt.claims');
SELECT is(auth.email(), 'json@example.com', 'auth.email() reads email from request.jwt.claims');
SELECT is(auth.jwt() -> 'app_metadata' ->> 'plan', 'pro', 'auth.jwt() returns the whole payload of request.jwt.claims');

-- ---------------------------------------------------------------------------------------------
-- Legacy per-claim settings win when set and not empty
-- ---------------------------------------------------------------------------------------------
SELECT FROM set_config('request.jwt.claim.sub', '00000000-0000-4000-8000-00000000000b', true);
SELECT FROM set_config('request.jwt.claim.role', 'anon', true);
SELECT FROM set_config('request.jwt.claim.email', 'legacy@example.com', true);
SELECT FROM set_config('request.jwt.claim', '{"sub": "legacy-payload"}', true);
SELECT is(auth.uid(), '00000000-0000-4000-8000-00000000000b'::uuid, 'legacy request.jwt.claim.sub wins over the JSON');
SELECT is(auth.role(), 'anon', 'legacy request.jwt.claim.role wins over the JSON');
SELECT is(auth.email(), 'legacy@example.com', 'legacy request.jwt.claim.email wins over the JSON');
SELECT is(auth.jwt(), '{"sub": "legacy-payload"}'::jsonb, 'legacy request.jwt.claim wins over request.jwt.claims in auth.jwt()');

-- Empty legacy settings (what a reset placeholder holds) fall back to the JSON.
SELECT FROM set_config('request.jwt.claim.sub', '', true);
SELECT FROM set_config('request.jwt.claim.role', '', true);
SELECT FROM set_config('request.jwt.claim.email', '', true);
SELECT FROM set_config('request.jwt.claim', '', true);
SELECT is(auth.uid(), '00000000-0000-4000-8000-00000000000a'::uuid, 'empty request.jwt.claim.sub falls back to the JSON');
SELECT is(auth.role(), 'authenticated', 'empty request.jwt.claim.role falls back to the JSON');
SELECT is(auth.email(), 'json@example.com', 'empty request.jwt.claim.email falls back to the JSON');
SELECT is(auth.jwt() ->> 'sub', '00000000-0000-4000-8000-00000000000a', 'empty request.jwt.claim falls back to request.jwt.claims');

-- Empty JSON setting too: back to NULL.
SELECT FROM set_config('request.jwt.claims', '', true);
SELECT is(auth.uid(), NULL, 'auth.uid() is NULL when every setting is empty');

-- ---------------------------------------------------------------------------------------------
-- Privileges: the API roles may call the helpers but never read auth.users
-- ---------------------------------------------------------------------------------------------
SELECT schema_privs_are('auth', 'anon', ARRAY['USAGE'], 'anon has USAGE on schema auth');
SELECT schema_privs_are('auth', 'authenticated', ARRAY['USAGE'], 'authenticated has USAGE on schema auth');
SELECT schema_privs_are('auth', 'service_role', ARRAY['USAGE'], 'service_role has USAGE on schema auth');
SELECT ok(
    (SELECT bool_and(pg_catalog.has_function_privilege(r.rolname, f.oid, 'EXECUTE'))
     FROM (VALUES ('anon'), ('authenticated'), ('service_role')) AS r (rolname)
     CROSS JOIN pg_catalog.pg_proc AS f
     WHERE f.pronamespace = 'auth'::regnamespace),
    'the three API roles may execute every auth helper'
);
SELECT table_privs_are('auth', 'users', 'anon', ARRAY[]::text[], 'anon has no privilege on auth.users');
SELECT table_privs_are('auth', 'users', 'authenticated', ARRAY[]::text[], 'authenticated has no privilege on auth.users');
SELECT table_privs_are(
    'auth', 'users', 'service_role', ARRAY[]::text[],
    'service_role has no privilege on auth.users (as on Supabase: users are managed through the Auth API)'
);

-- ---------------------------------------------------------------------------------------------
-- Personas: what policies see for each caller
-- ---------------------------------------------------------------------------------------------
CREATE TEMPORARY TABLE created_user ON COMMIT DROP AS
SELECT tests.create_user('created@example.com') AS id;
SELECT results_eq(
    $$ SELECT u.email::text FROM auth.users AS u JOIN created_user AS c ON c.id = u.id $$,
    $$ VALUES ('created@example.com') $$,
    'tests.create_user() inserts a user and returns its id'
);

INSERT INTO auth.users (id, email, raw_app_meta_data)
VALUES ('00000000-0000-4000-8000-0000000000c1', 'cliente@example.com', '{"provider": "email"}');

SELECT tests.authenticate_as_anon();
SELECT is(auth.uid(), NULL, 'as anon, auth.uid() is NULL');
SELECT throws_ok(
    $$ SELECT id FROM auth.users $$,
    '42501',
    NULL,
    'anon cannot read auth.users'
);

SELECT tests.authenticate_as('00000000-0000-4000-8000-0000000000c1');
SELECT is(auth.uid(), '00000000-0000-4000-8000-0000000000c1'::uuid, 'as a user, auth.uid() is the user id (from the JSON claims)');
SELECT is(auth.role(), 'authenticated', 'as a user, auth.role() is authenticated');
SELECT is(auth.email(), 'cliente@example.com', 'as a user, auth.email() is the user''s e-mail');
SELECT is(auth.jwt() -> 'app_metadata' ->> 'provider', 'email', 'as a user, auth.jwt() carries app_metadata from raw_app_meta_data');
SELECT throws_ok(
    $$ SELECT id FROM auth.users $$,
    '42501',
    NULL,
    'authenticated cannot read auth.users'
);

SELECT tests.authenticate_as_service_role();
SELECT throws_ok(
    $$ SELECT id FROM auth.users WHERE id = '00000000-0000-4000-8000-0000000000c1' $$,
    '42501',
    NULL,
    'service_role cannot read auth.users (no privilege, as on Supabase)'
);

SELECT tests.clear_authentication();
SELECT ok(auth.uid() IS NULL AND auth.jwt() IS NULL, 'tests.clear_authentication() clears every claim');
SELECT throws_ok(
    $$ SELECT tests.authenticate_as('00000000-0000-4000-8000-0000000000ff') $$,
    'P0002',
    NULL,
    'tests.authenticate_as() refuses an unknown user id'
);

SELECT * FROM finish();
ROLLBACK;
