-- Supabase compatibility layer, part 1 of 3: the API roles.
--
-- Supabase's Data API (PostgREST) and Realtime log in as `authenticator` and switch, per
-- request and transaction-locally, to `anon`, `authenticated` or `service_role`. Policies and
-- grants in this project are written for those roles, so a plain PostgreSQL needs them too.
--
-- Roles are CLUSTER-wide while this file runs once per database, and many databases of one
-- cluster receive it (test databases are cloned from a template, two CI jobs may migrate two
-- databases at once). So every block below is idempotent and race-tolerant:
--   * create the role only when it is missing, and treat "created meanwhile by another
--     database's migration" (duplicate_object / unique_violation) as success;
--   * touch the catalog (ALTER ROLE, COMMENT ON ROLE, GRANT) only when something differs, so
--     a second run writes nothing and concurrent runs do not update the same pg_authid row.
-- The rollback keeps the roles: other databases of the cluster depend on them.


-- =============================================================================================
-- API roles: anon, authenticated, service_role
-- =============================================================================================

-- Why: `anon` is the role of every request without a user JWT (the public API key). It must
-- not log in by itself and must not inherit anything, exactly as on Supabase, so that what it
-- may do is only what grants and policies give it explicitly.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'anon') THEN
        BEGIN
            CREATE ROLE anon NOLOGIN NOINHERIT;
        EXCEPTION
            WHEN duplicate_object OR unique_violation THEN
                NULL;  -- created meanwhile by a migration of another database
        END;
    END IF;

    IF EXISTS (
        SELECT FROM pg_catalog.pg_roles
        WHERE rolname = 'anon' AND (rolcanlogin OR rolinherit OR rolbypassrls OR rolsuper)
    ) THEN
        ALTER ROLE anon NOLOGIN NOINHERIT NOBYPASSRLS NOSUPERUSER;
    END IF;

    IF pg_catalog.shobj_description('anon'::regrole, 'pg_authid') IS DISTINCT FROM
        'Supabase API role for requests without a user JWT. NOLOGIN NOINHERIT; RLS applies.'
    THEN
        COMMENT ON ROLE anon IS
            'Supabase API role for requests without a user JWT. NOLOGIN NOINHERIT; RLS applies.';
    END IF;
END
$$;

-- Why: `authenticated` is the role of every request carrying a signed-in user's JWT; policies
-- identify the user with auth.uid(). Same attributes as `anon`: no login, no inheritance,
-- subject to row level security.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'authenticated') THEN
        BEGIN
            CREATE ROLE authenticated NOLOGIN NOINHERIT;
        EXCEPTION
            WHEN duplicate_object OR unique_violation THEN
                NULL;  -- created meanwhile by a migration of another database
        END;
    END IF;

    IF EXISTS (
        SELECT FROM pg_catalog.pg_roles
        WHERE rolname = 'authenticated' AND (rolcanlogin OR rolinherit OR rolbypassrls OR rolsuper)
    ) THEN
        ALTER ROLE authenticated NOLOGIN NOINHERIT NOBYPASSRLS NOSUPERUSER;
    END IF;

    IF pg_catalog.shobj_description('authenticated'::regrole, 'pg_authid') IS DISTINCT FROM
        'Supabase API role for requests with a user JWT (auth.uid()). NOLOGIN NOINHERIT; RLS applies.'
    THEN
        COMMENT ON ROLE authenticated IS
            'Supabase API role for requests with a user JWT (auth.uid()). NOLOGIN NOINHERIT; RLS applies.';
    END IF;
END
$$;

-- Why: `service_role` is the trusted backend key: it BYPASSES row level security (but not
-- grants), exactly as on Supabase, so server-side jobs see every tenant. It never logs in
-- directly; the API switches to it.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'service_role') THEN
        BEGIN
            CREATE ROLE service_role NOLOGIN NOINHERIT BYPASSRLS;
        EXCEPTION
            WHEN duplicate_object OR unique_violation THEN
                NULL;  -- created meanwhile by a migration of another database
        END;
    END IF;

    IF EXISTS (
        SELECT FROM pg_catalog.pg_roles
        WHERE rolname = 'service_role'
            AND (rolcanlogin OR rolinherit OR NOT rolbypassrls OR rolsuper)
    ) THEN
        ALTER ROLE service_role NOLOGIN NOINHERIT BYPASSRLS NOSUPERUSER;
    END IF;

    IF pg_catalog.shobj_description('service_role'::regrole, 'pg_authid') IS DISTINCT FROM
        'Supabase API role for the trusted backend key. NOLOGIN NOINHERIT BYPASSRLS.'
    THEN
        COMMENT ON ROLE service_role IS
            'Supabase API role for the trusted backend key. NOLOGIN NOINHERIT BYPASSRLS.';
    END IF;
END
$$;


-- =============================================================================================
-- Login role: authenticator
-- =============================================================================================

-- Why: `authenticator` is the only role the API logs in as. NOINHERIT means it holds no
-- privilege of its own; being a member of the three API roles only lets it SET ROLE to one of
-- them per request (as PostgREST and Realtime do). No password is set: local clusters use
-- trust authentication on loopback.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'authenticator') THEN
        BEGIN
            CREATE ROLE authenticator LOGIN NOINHERIT;
        EXCEPTION
            WHEN duplicate_object OR unique_violation THEN
                NULL;  -- created meanwhile by a migration of another database
        END;
    END IF;

    IF EXISTS (
        SELECT FROM pg_catalog.pg_roles
        WHERE rolname = 'authenticator'
            AND (NOT rolcanlogin OR rolinherit OR rolbypassrls OR rolsuper)
    ) THEN
        ALTER ROLE authenticator LOGIN NOINHERIT NOBYPASSRLS NOSUPERUSER;
    END IF;

    IF pg_catalog.shobj_description('authenticator'::regrole, 'pg_authid') IS DISTINCT FROM
        'Supabase API login role: LOGIN NOINHERIT, member of anon, authenticated and service_role; switches role per request.'
    THEN
        COMMENT ON ROLE authenticator IS
            'Supabase API login role: LOGIN NOINHERIT, member of anon, authenticated and service_role; switches role per request.';
    END IF;
END
$$;

-- Why: membership is what allows `authenticator` to SET ROLE anon / authenticated /
-- service_role. Granted only when missing (a repeated GRANT is noisy and, run concurrently
-- from two databases, could collide on pg_auth_members).
DO $$
DECLARE
    api_role text;
BEGIN
    FOREACH api_role IN ARRAY ARRAY['anon', 'authenticated', 'service_role'] LOOP
        IF NOT pg_catalog.pg_has_role('authenticator', api_role, 'MEMBER') THEN
            BEGIN
                EXECUTE pg_catalog.format('GRANT %I TO authenticator', api_role);
            EXCEPTION
                WHEN unique_violation THEN
                    NULL;  -- granted meanwhile by a migration of another database
            END;
        END IF;
    END LOOP;
END
$$;
