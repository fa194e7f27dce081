-- Supabase compatibility layer, part 4: the role settings and owner roles of a real project.
--
-- Supabase's API roles carry per-role settings that PostgREST applies per request (anon gives
-- up after 3 s, authenticated after 8 s, authenticator also waits at most 8 s for a lock), and
-- they are INHERIT. The platform's own schemas belong to dedicated owner roles
-- (supabase_auth_admin, supabase_realtime_admin), not to the role that runs migrations
-- (`postgres`), so a migration that needs ownership of auth.* or realtime.* fails there. This
-- unit brings those facts to the local layer; 0007 and 0008 hand the schemas to the owners.
--
-- Roles and their settings are CLUSTER-wide: every block is idempotent and race-tolerant, as in
-- 0001 (create when missing, treat "created meanwhile" as success, touch the catalog only when
-- something differs). 0001 still creates the API roles NOINHERIT on a brand-new cluster; this
-- unit, applied right after it, makes them INHERIT.


-- =============================================================================================
-- API roles: INHERIT, as on Supabase
-- =============================================================================================

-- Why: on a real project anon, authenticated and service_role are INHERIT, so privileges
-- granted to a role they are members of reach them. A NOINHERIT layer hides grants that
-- production honours (and vice versa).
DO $$
DECLARE
    api_role text;
BEGIN
    FOREACH api_role IN ARRAY ARRAY['anon', 'authenticated', 'service_role'] LOOP
        IF EXISTS (
            SELECT FROM pg_catalog.pg_roles WHERE rolname = api_role AND NOT rolinherit
        ) THEN
            EXECUTE pg_catalog.format('ALTER ROLE %I INHERIT', api_role);
        END IF;
    END LOOP;
END
$$;


-- =============================================================================================
-- Role settings applied by the Data API per request
-- =============================================================================================

-- Why: these are the timeouts production enforces on API requests: a query that takes 3 s as
-- anon, 8 s as authenticated, or waits 8 s for a lock as authenticator, is cancelled there.
-- Stored cluster-wide (ALTER ROLE ... SET, not IN DATABASE), as Supabase does. Only written
-- when the stored value differs.
DO $$
DECLARE
    wanted record;
BEGIN
    FOR wanted IN
        SELECT *
        FROM (
            VALUES
            ('anon', 'statement_timeout', '3s'),
            ('authenticated', 'statement_timeout', '8s'),
            ('authenticator', 'statement_timeout', '8s'),
            ('authenticator', 'lock_timeout', '8s')
        ) AS setting (rolname, name, value)
    LOOP
        IF NOT EXISTS (
            SELECT
            FROM pg_catalog.pg_db_role_setting AS s
            INNER JOIN pg_catalog.pg_roles AS r ON s.setrole = r.oid
            WHERE
                r.rolname = wanted.rolname
                AND s.setdatabase = 0
                AND (wanted.name || '=' || wanted.value) = ANY(s.setconfig)
        ) THEN
            EXECUTE pg_catalog.format(
                'ALTER ROLE %I SET %I = %L', wanted.rolname, wanted.name, wanted.value
            );
        END IF;
    END LOOP;
END
$$;


-- =============================================================================================
-- Owner roles of the platform schemas
-- =============================================================================================

-- Why: on Supabase, auth belongs to supabase_auth_admin and realtime to
-- supabase_realtime_admin; the migration role `postgres` is not a member of either, so it can
-- use those objects (grants) but not alter them. NOLOGIN here (locally nothing logs in as
-- them, and loopback uses trust authentication) and NOINHERIT, as upstream.
DO $$
DECLARE
    owner_role text;
BEGIN
    FOREACH owner_role IN ARRAY ARRAY['supabase_auth_admin', 'supabase_realtime_admin'] LOOP
        IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = owner_role) THEN
            BEGIN
                EXECUTE pg_catalog.format('CREATE ROLE %I NOLOGIN NOINHERIT', owner_role);
            EXCEPTION
                WHEN duplicate_object OR unique_violation THEN
                    NULL;  -- created meanwhile by a migration of another database
            END;
        END IF;
    END LOOP;

    IF pg_catalog.shobj_description('supabase_auth_admin'::regrole, 'pg_authid') IS DISTINCT FROM
        'Supabase compatibility layer: owner of the auth schema (as on the platform).'
    THEN
        COMMENT ON ROLE supabase_auth_admin IS
            'Supabase compatibility layer: owner of the auth schema (as on the platform).';
    END IF;

    IF pg_catalog.shobj_description('supabase_realtime_admin'::regrole, 'pg_authid') IS DISTINCT FROM
        'Supabase compatibility layer: owner of the realtime schema (as on the platform).'
    THEN
        COMMENT ON ROLE supabase_realtime_admin IS
            'Supabase compatibility layer: owner of the realtime schema (as on the platform).';
    END IF;
END
$$;


-- =============================================================================================
-- The migration role `postgres`
-- =============================================================================================

-- Why: on a real project migrations run as `postgres`, a NOSUPERUSER role that is a member of
-- the three API roles (it may act as them) and of pg_read_all_data, pg_monitor and
-- pg_signal_backend. Where a non-superuser `postgres` exists (schema-kit's test clusters make
-- one, with the platform's attributes), it gets the same memberships. A cluster whose
-- `postgres` is the bootstrap superuser needs none of them. The API roles come WITH ADMIN
-- OPTION: from PostgreSQL 16 on, CREATEROLE alone no longer lets a role hand them to the
-- logins it creates (a backend's own login granted `authenticated`), which it could before.
DO $$
DECLARE
    granted_role text;
BEGIN
    IF EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'postgres' AND NOT rolsuper) THEN
        FOREACH granted_role IN ARRAY ARRAY[
            'anon', 'authenticated', 'service_role', 'pg_read_all_data', 'pg_monitor', 'pg_signal_backend'
        ] LOOP
            IF NOT EXISTS (
                SELECT
                FROM pg_catalog.pg_auth_members AS m
                WHERE
                    m.roleid = granted_role::regrole
                    AND m.member = 'postgres'::regrole
                    AND (m.admin_option OR granted_role LIKE 'pg\_%')
            ) THEN
                BEGIN
                    EXECUTE pg_catalog.format(
                        CASE
                            WHEN granted_role LIKE 'pg\_%' THEN 'GRANT %I TO postgres'
                            ELSE 'GRANT %I TO postgres WITH ADMIN OPTION'
                        END,
                        granted_role
                    );
                EXCEPTION
                    WHEN unique_violation THEN
                        NULL;  -- granted meanwhile by a migration of another database
                END;
            END IF;
        END LOOP;
    END IF;
END
$$;

-- Why: on Supabase `postgres` may SET session_replication_role (supautils lists it among the
-- settings its privileged role may change: dump restores and seeds switch ordinary triggers
-- off with it). PostgreSQL 15+ grants exactly that with GRANT SET ON PARAMETER.
DO $$
BEGIN
    IF EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'postgres' AND NOT rolsuper)
        AND NOT pg_catalog.has_parameter_privilege('postgres', 'session_replication_role', 'SET')
    THEN
        BEGIN
            GRANT SET ON PARAMETER session_replication_role TO postgres;
        EXCEPTION
            WHEN unique_violation THEN
                NULL;  -- granted meanwhile by a migration of another database
        END;
    END IF;
END
$$;
