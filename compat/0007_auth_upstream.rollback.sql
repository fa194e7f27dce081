-- Rollback of the Supabase compatibility layer, part 5: back to 0002's auth.users.
--
-- The objects go back to the role running the rollback (the one that ran 0002), then the
-- privileges, columns, defaults and NOT NULLs of 0002 are restored. Rows written meanwhile
-- without stamps get now() so NOT NULL can come back; rows sharing an e-mail or phone stay.

-- =============================================================================================
-- Ownership and access
-- =============================================================================================

ALTER FUNCTION auth.jwt() OWNER TO CURRENT_USER;
ALTER FUNCTION auth.email() OWNER TO CURRENT_USER;
ALTER FUNCTION auth.role() OWNER TO CURRENT_USER;
ALTER FUNCTION auth.uid() OWNER TO CURRENT_USER;
ALTER TABLE auth.users OWNER TO CURRENT_USER;
ALTER SCHEMA auth OWNER TO current_user;

DO $$
BEGIN
    IF EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'postgres')
        AND CURRENT_USER <> 'postgres'
    THEN
        REVOKE ALL ON TABLE auth.users FROM postgres;
        REVOKE USAGE ON SCHEMA auth FROM postgres;
    END IF;
END
$$;

GRANT ALL ON TABLE auth.users TO service_role;

ALTER TABLE auth.users DISABLE ROW LEVEL SECURITY;

COMMENT ON TABLE auth.users IS
'Supabase compatibility layer: the users the JWT sub claim refers to. Hidden from anon and authenticated (as on '
'Supabase); service_role may manage it.';

-- =============================================================================================
-- Columns and constraints
-- =============================================================================================

DROP INDEX auth.users_email_partial_key;

ALTER TABLE auth.users DROP COLUMN is_sso_user;
ALTER TABLE auth.users DROP CONSTRAINT users_phone_key;
ALTER TABLE auth.users DROP COLUMN phone;

UPDATE auth.users SET
    created_at = coalesce(created_at, now()),
    updated_at = coalesce(updated_at, now())
WHERE created_at IS NULL OR updated_at IS NULL;

ALTER TABLE auth.users ALTER COLUMN updated_at SET NOT NULL;
ALTER TABLE auth.users ALTER COLUMN updated_at SET DEFAULT now();
ALTER TABLE auth.users ALTER COLUMN created_at SET NOT NULL;
ALTER TABLE auth.users ALTER COLUMN created_at SET DEFAULT now();
ALTER TABLE auth.users ALTER COLUMN raw_user_meta_data SET DEFAULT '{}'::jsonb;
ALTER TABLE auth.users ALTER COLUMN raw_app_meta_data SET DEFAULT '{}'::jsonb;
ALTER TABLE auth.users ALTER COLUMN id SET DEFAULT gen_random_uuid();
