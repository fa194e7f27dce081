-- Supabase compatibility layer, part 2 of 3: the `auth` schema.
--
-- On Supabase, `auth` belongs to the platform (GoTrue). On the `postgres` target this file
-- provides the part the domain touches: the users table that foreign keys point at, and the
-- functions policies call to learn who is asking. The functions read the JWT claims exactly as
-- Supabase's do, from the transaction-local settings PostgREST and Realtime set per request:
--   request.jwt.claims          the whole JWT payload as JSON (PostgREST >= 9, Realtime)
--   request.jwt.claim.<name>    one claim per setting (legacy PostgREST; Realtime still sets
--                               .sub and .role)
-- The legacy per-claim setting wins when it is set and not empty; otherwise the key of the
-- JSON is used; nothing set (or empty) gives NULL.


-- =============================================================================================
-- Schema
-- =============================================================================================

-- Why: the platform's identity schema. The API roles need USAGE to call auth.uid() and
-- friends inside policies, but get no privilege on its tables.
CREATE SCHEMA auth;

COMMENT ON SCHEMA auth IS
'Supabase compatibility layer: identity (users table and JWT claim helpers). On the supabase target this schema '
'belongs to the platform.';

GRANT USAGE ON SCHEMA auth TO anon, authenticated, service_role;


-- =============================================================================================
-- Users
-- =============================================================================================

-- Why: every domain row that names a person points at auth.users(id) (staff in crm.equipe,
-- portal logins in crm.clientes). Column types follow Supabase's table (email varchar(255),
-- timestamptz stamps); the defaults are local conveniences, since on Supabase GoTrue fills
-- these columns. raw_user_meta_data is editable by the end user: never trust it in a policy.
CREATE TABLE auth.users (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    email character varying(255),
    raw_app_meta_data jsonb DEFAULT '{}'::jsonb,
    raw_user_meta_data jsonb DEFAULT '{}'::jsonb,
    created_at timestamp with time zone NOT NULL DEFAULT now(),
    updated_at timestamp with time zone NOT NULL DEFAULT now(),
    CONSTRAINT users_pkey PRIMARY KEY (id)
);

COMMENT ON TABLE auth.users IS
'Supabase compatibility layer: the users the JWT sub claim refers to. Hidden from anon and authenticated (as on '
'Supabase); service_role may manage it.';
COMMENT ON COLUMN auth.users.id IS 'The user id: the JWT sub claim, returned by auth.uid().';
COMMENT ON COLUMN auth.users.email IS 'Login e-mail (varchar(255), as Supabase).';
COMMENT ON COLUMN auth.users.raw_app_meta_data IS
'Set by the platform/service_role only; appears in the JWT as app_metadata.';
COMMENT ON COLUMN auth.users.raw_user_meta_data IS
'Editable by the end user (JWT user_metadata): never use it for authorization.';
COMMENT ON COLUMN auth.users.created_at IS 'When the user was created.';
COMMENT ON COLUMN auth.users.updated_at IS 'When the user was last changed (maintained by the writer, as GoTrue does).';

-- Why: Supabase does not expose auth.users to the API roles; only the trusted backend key
-- manages users. Reading it from a policy therefore requires a SECURITY DEFINER helper.
GRANT ALL ON TABLE auth.users TO service_role;


-- =============================================================================================
-- JWT claim helpers
-- =============================================================================================
-- These are LANGUAGE sql STABLE without a SET clause, like Supabase's own: a SQL function with
-- SET cannot be inlined, and policies call them. They only call pg_catalog built-ins, which
-- are resolved before any user schema. Policies should still call them as (select auth.uid())
-- so the value is computed once per statement instead of once per row.

-- Why: the id of the signed-in user, the key of every "own rows" policy. NULL for anon
-- requests and outside the API.
CREATE FUNCTION auth.uid() RETURNS uuid
LANGUAGE sql STABLE
AS $$
    SELECT coalesce(
        nullif(current_setting('request.jwt.claim.sub', true), ''),
        (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')
    )::uuid
$$;

COMMENT ON FUNCTION auth.uid() IS
'The JWT sub claim as uuid: request.jwt.claim.sub when set and not empty, else request.jwt.claims ->> ''sub''; NULL '
'when neither is set. Same definition as Supabase.';

-- Why: the JWT role claim (anon / authenticated / service_role), for policies that must tell
-- the caller's key apart from the current database role.
CREATE FUNCTION auth.role() RETURNS text
LANGUAGE sql STABLE
AS $$
    SELECT coalesce(
        nullif(current_setting('request.jwt.claim.role', true), ''),
        (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role')
    )::text
$$;

COMMENT ON FUNCTION auth.role() IS
'The JWT role claim: request.jwt.claim.role when set and not empty, else request.jwt.claims ->> ''role''; NULL when '
'neither is set. Same definition as Supabase.';

-- Why: the JWT email claim, for policies and defaults that need the caller's e-mail without
-- reading auth.users (which the API roles cannot read).
CREATE FUNCTION auth.email() RETURNS text
LANGUAGE sql STABLE
AS $$
    SELECT coalesce(
        nullif(current_setting('request.jwt.claim.email', true), ''),
        (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'email')
    )::text
$$;

COMMENT ON FUNCTION auth.email() IS
'The JWT email claim: request.jwt.claim.email when set and not empty, else request.jwt.claims ->> ''email''; NULL '
'when neither is set. Same definition as Supabase.';

-- Why: the whole JWT payload, for claims without a helper (app_metadata, aal, session_id).
CREATE FUNCTION auth.jwt() RETURNS jsonb
LANGUAGE sql STABLE
AS $$
    SELECT coalesce(
        nullif(current_setting('request.jwt.claim', true), ''),
        nullif(current_setting('request.jwt.claims', true), '')
    )::jsonb
$$;

COMMENT ON FUNCTION auth.jwt() IS
'The JWT payload as jsonb: request.jwt.claim when set and not empty, else request.jwt.claims; NULL when neither is '
'set. Same definition as Supabase.';

-- Why: policies evaluated for any API role call these helpers.
GRANT EXECUTE ON FUNCTION auth.uid(), auth.role(), auth.email(), auth.jwt() TO anon, authenticated, service_role;
