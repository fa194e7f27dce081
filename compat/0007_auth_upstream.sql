-- Supabase compatibility layer, part 5: auth.users as the platform has it.
--
-- 0002 gave auth.users local conveniences that GoTrue's table does not have: a default on id,
-- NOT NULL timestamps with defaults, '{}' metadata defaults, no RLS and every privilege for
-- service_role. Code and fixtures written against that shape break on a real project (an
-- INSERT of just an e-mail, a service_role job reading auth.users). This unit makes what code
-- can observe match upstream (supabase/auth migrations): no defaults, nullable stamps and
-- metadata, unique e-mail where not SSO, unique phone, RLS enabled, no privilege for
-- service_role, and the schema owned by supabase_auth_admin (0006), with `postgres` holding
-- the privileges it has on the platform.


-- =============================================================================================
-- Columns and constraints as upstream
-- =============================================================================================

-- Why: GoTrue always writes id and the stamps itself; upstream has no default on them and the
-- stamps and metadata are nullable. A caller that forgets the id must fail here as it does
-- there.
ALTER TABLE auth.users ALTER COLUMN id DROP DEFAULT;
ALTER TABLE auth.users ALTER COLUMN raw_app_meta_data DROP DEFAULT;
ALTER TABLE auth.users ALTER COLUMN raw_user_meta_data DROP DEFAULT;
ALTER TABLE auth.users ALTER COLUMN created_at DROP DEFAULT;
ALTER TABLE auth.users ALTER COLUMN created_at DROP NOT NULL;
ALTER TABLE auth.users ALTER COLUMN updated_at DROP DEFAULT;
ALTER TABLE auth.users ALTER COLUMN updated_at DROP NOT NULL;

-- Why: upstream's phone login (unique) and the SSO flag the e-mail uniqueness depends on:
-- accounts from SSO may share an e-mail, every other account may not.
ALTER TABLE auth.users ADD COLUMN phone text DEFAULT NULL;
ALTER TABLE auth.users ADD CONSTRAINT users_phone_key UNIQUE (phone);
ALTER TABLE auth.users ADD COLUMN is_sso_user boolean NOT NULL DEFAULT FALSE;

COMMENT ON COLUMN auth.users.phone IS 'Login phone number; unique (as Supabase).';
COMMENT ON COLUMN auth.users.is_sso_user IS
'Auth: Set this column to true when the account comes from SSO. These accounts can have duplicate emails.';

-- Why: two non-SSO accounts with one e-mail are refused on the platform; same name and
-- predicate as upstream.
CREATE UNIQUE INDEX users_email_partial_key ON auth.users USING btree (email)
WHERE (is_sso_user = FALSE);

COMMENT ON INDEX auth.users_email_partial_key IS
'Auth: A partial unique index that applies only when is_sso_user is false';

COMMENT ON TABLE auth.users IS
'Supabase compatibility layer: the users the JWT sub claim refers to, in upstream''s observable shape (no defaults '
'on id and stamps, RLS enabled, no privilege for the API roles, service_role included).';


-- =============================================================================================
-- Access as on the platform
-- =============================================================================================

-- Why: upstream enables RLS on auth.users (no policies: only its owner and BYPASSRLS roles
-- read it) and grants the API roles nothing, service_role included; a backend job that reads
-- users through the service key must call the Auth admin API instead.
ALTER TABLE auth.users ENABLE ROW LEVEL SECURITY;

REVOKE ALL ON TABLE auth.users FROM service_role;

-- Why: the migration role `postgres` is not the owner on the platform but holds every
-- privilege on auth.users (foreign keys to it, fixtures, SECURITY DEFINER lookups) and USAGE on
-- the schema. Granted only where a role of that name exists (it always does on Supabase).
DO $$
BEGIN
    IF EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'postgres') THEN
        GRANT USAGE ON SCHEMA auth TO postgres;
        GRANT ALL ON TABLE auth.users TO postgres;
    END IF;
END
$$;

-- Why: the platform's auth schema belongs to supabase_auth_admin: a domain unit that alters
-- auth.users, indexes it or adds a function to auth fails locally as it does on Supabase.
ALTER SCHEMA auth OWNER TO supabase_auth_admin;
ALTER TABLE auth.users OWNER TO supabase_auth_admin;
ALTER FUNCTION auth.uid() OWNER TO supabase_auth_admin;
ALTER FUNCTION auth.role() OWNER TO supabase_auth_admin;
ALTER FUNCTION auth.email() OWNER TO supabase_auth_admin;
ALTER FUNCTION auth.jwt() OWNER TO supabase_auth_admin;
