-- Test-only persona helpers (installed in the TEST TEMPLATE database only, never shipped).
--
-- Tests impersonate API callers the way PostgREST and Realtime do it: transaction-local
-- settings of `role` and of the JWT claims (supabase-test-helpers' authenticate_as works the
-- same way). Every switch is transaction-local (set_config(..., true)), so it only lasts until
-- the end of the test's transaction; called outside a transaction block it has no lasting
-- effect. A switch made inside these functions persists after they return: only search_path,
-- which they SET themselves, is restored on exit.
--
-- Each helper first goes back to the session user (set_config('role', 'none', true), the
-- function form of RESET ROLE, which any role may do), so a test can switch from one persona
-- straight to another. The helpers are SECURITY INVOKER and idempotent to install.


-- =============================================================================================
-- Schema
-- =============================================================================================

-- Why: keeps the helpers apart from the domain; the API roles need USAGE (and EXECUTE below)
-- so a test running as one of them can switch persona again or clear it.
CREATE SCHEMA IF NOT EXISTS tests;

COMMENT ON SCHEMA tests IS 'Test-only persona helpers (test template database only).';

GRANT USAGE ON SCHEMA tests TO anon, authenticated, service_role;


-- =============================================================================================
-- Users
-- =============================================================================================

-- Why: tests need real auth.users rows for foreign keys and for authenticate_as. Like GoTrue,
-- it writes the id and the stamps itself: auth.users has no defaults (as upstream).
CREATE OR REPLACE FUNCTION tests.create_user(email text) RETURNS uuid
LANGUAGE sql
SET search_path = pg_catalog, pg_temp
AS $$
    INSERT INTO auth.users (id, email, created_at, updated_at)
    VALUES (gen_random_uuid(), create_user.email, now(), now())
    RETURNING id
$$;

COMMENT ON FUNCTION tests.create_user(text) IS
'Test helper: inserts a user into auth.users with this e-mail and returns its id.';


-- =============================================================================================
-- Personas
-- =============================================================================================

-- Why: a signed-in user as PostgREST presents it: role authenticated and the whole JWT payload
-- in request.jwt.claims. The legacy per-claim settings are set to '' so the JSON form is the
-- one exercised (auth.uid() falls back to it). Unknown ids are refused: a typo must not turn
-- into a silently anonymous-looking user.
CREATE OR REPLACE FUNCTION tests.authenticate_as(user_id uuid) RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    claims jsonb;
BEGIN
    -- Back to the session user, who may read auth.users and switch to any persona.
    PERFORM set_config('role', 'none', true);

    SELECT jsonb_build_object(
        'sub', u.id,
        'role', 'authenticated',
        'aud', 'authenticated',
        'email', u.email,
        'app_metadata', u.raw_app_meta_data,
        'user_metadata', u.raw_user_meta_data,
        'is_anonymous', false
    )
    INTO claims
    FROM auth.users AS u
    WHERE u.id = authenticate_as.user_id;

    IF claims IS NULL THEN
        RAISE EXCEPTION 'tests.authenticate_as: no user % in auth.users', user_id
            USING ERRCODE = 'no_data_found',
                  HINT = 'Create it first with tests.create_user(email).';
    END IF;

    PERFORM set_config('request.jwt.claims', claims::text, true);
    PERFORM set_config('request.jwt.claim', '', true);
    PERFORM set_config('request.jwt.claim.sub', '', true);
    PERFORM set_config('request.jwt.claim.role', '', true);
    PERFORM set_config('request.jwt.claim.email', '', true);
    PERFORM set_config('role', 'authenticated', true);
END;
$$;

COMMENT ON FUNCTION tests.authenticate_as(uuid) IS
'Test helper: for the rest of the transaction act as this user (role authenticated, JWT claims in '
'request.jwt.claims). Raises no_data_found for an unknown id.';

-- Why: a request made with the public (anon) key: role anon, JWT with role anon and no sub.
CREATE OR REPLACE FUNCTION tests.authenticate_as_anon() RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM set_config('role', 'none', true);
    PERFORM set_config('request.jwt.claims', jsonb_build_object('role', 'anon')::text, true);
    PERFORM set_config('request.jwt.claim', '', true);
    PERFORM set_config('request.jwt.claim.sub', '', true);
    PERFORM set_config('request.jwt.claim.role', '', true);
    PERFORM set_config('request.jwt.claim.email', '', true);
    PERFORM set_config('role', 'anon', true);
END;
$$;

COMMENT ON FUNCTION tests.authenticate_as_anon() IS
'Test helper: for the rest of the transaction act as an anonymous API request (role anon).';

-- Why: a request made with the service key: role service_role (bypasses RLS), JWT with role
-- service_role and no sub.
CREATE OR REPLACE FUNCTION tests.authenticate_as_service_role() RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM set_config('role', 'none', true);
    PERFORM set_config('request.jwt.claims', jsonb_build_object('role', 'service_role')::text, true);
    PERFORM set_config('request.jwt.claim', '', true);
    PERFORM set_config('request.jwt.claim.sub', '', true);
    PERFORM set_config('request.jwt.claim.role', '', true);
    PERFORM set_config('request.jwt.claim.email', '', true);
    PERFORM set_config('role', 'service_role', true);
END;
$$;

COMMENT ON FUNCTION tests.authenticate_as_service_role() IS
'Test helper: for the rest of the transaction act as the service key (role service_role, bypasses RLS).';

-- Why: back to the test's own session user with no JWT at all (auth.uid() and friends return
-- NULL), e.g. to check as superuser what a persona's statement left behind.
CREATE OR REPLACE FUNCTION tests.clear_authentication() RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM set_config('role', 'none', true);
    PERFORM set_config('request.jwt.claims', '', true);
    PERFORM set_config('request.jwt.claim', '', true);
    PERFORM set_config('request.jwt.claim.sub', '', true);
    PERFORM set_config('request.jwt.claim.role', '', true);
    PERFORM set_config('request.jwt.claim.email', '', true);
END;
$$;

COMMENT ON FUNCTION tests.clear_authentication() IS
'Test helper: for the rest of the transaction go back to the session user and clear every JWT claim setting.';

-- Why: a test running as a persona must be able to switch again or clear it.
GRANT EXECUTE ON FUNCTION tests.create_user(text) TO anon, authenticated, service_role;
GRANT EXECUTE ON FUNCTION tests.authenticate_as(uuid) TO anon, authenticated, service_role;
GRANT EXECUTE ON FUNCTION tests.authenticate_as_anon() TO anon, authenticated, service_role;
GRANT EXECUTE ON FUNCTION tests.authenticate_as_service_role() TO anon, authenticated, service_role;
GRANT EXECUTE ON FUNCTION tests.clear_authentication() TO anon, authenticated, service_role;
