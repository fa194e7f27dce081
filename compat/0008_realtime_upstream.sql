-- Supabase compatibility layer, part 6: realtime as the platform has it.
--
-- * realtime.messages gets upstream's binary_payload column and the check that a message
--   carries at most one of payload / binary_payload; realtime.send_binary exists.
-- * realtime.send adds the id to the payload with jsonb_set, as upstream does: an array or a
--   scalar payload makes jsonb_set fail, which send turns into a WARNING and no row (the
--   previous `payload || {id}` silently inserted such payloads wrapped in an array).
-- * Every realtime object belongs to supabase_realtime_admin (0006), not to the role that
--   applies migrations. On Supabase, `postgres` may still create and drop policies on
--   realtime.messages thanks to the supautils extension's policy grants; everything else that
--   needs ownership (an index, ALTER TABLE, COMMENT, a function in realtime) fails. Locally
--   there is no supautils, so the stand-in is: a non-superuser `postgres` is made a member of
--   supabase_realtime_admin, and an event trigger refuses, for any role that is neither a
--   superuser nor a platform owner role, every DDL on an object of the auth or realtime
--   schemas other than a policy (SQLSTATE 42501, as the platform's "must be owner").


-- =============================================================================================
-- Messages: binary payloads
-- =============================================================================================

-- Why: upstream's column for binary broadcasts (realtime.send_binary). NOT VALID, as upstream:
-- the check guards new rows without scanning existing partitions.
ALTER TABLE realtime.messages ADD COLUMN binary_payload bytea;

ALTER TABLE realtime.messages ADD CONSTRAINT messages_payload_exclusive
CHECK (payload IS NULL OR binary_payload IS NULL) NOT VALID;

COMMENT ON COLUMN realtime.messages.binary_payload IS
'Binary message body (realtime.send_binary); at most one of payload and binary_payload is set.';
COMMENT ON CONSTRAINT messages_payload_exclusive ON realtime.messages IS
'A message carries a JSON payload or a binary payload, not both (as Supabase).';


-- =============================================================================================
-- SQL API: send and send_binary as upstream
-- =============================================================================================

-- Why: upstream's send. The generated id goes into the payload with jsonb_set, so only JSON
-- objects can be sent: an array or a scalar payload raises inside, and like every other error
-- it is swallowed into WARNING WarnSendingBroadcastMessage with no row. Domain code that must
-- persist a message inserts into realtime.messages itself.
CREATE OR REPLACE FUNCTION realtime.send(
    payload jsonb,
    event text,
    topic text,
    private boolean DEFAULT TRUE
) RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    generated_id uuid;
    final_payload jsonb;
BEGIN
    BEGIN
        generated_id := pg_catalog.gen_random_uuid();

        -- Keep a caller-supplied id; otherwise the payload carries the row's id.
        IF payload ? 'id' THEN
            final_payload := payload;
        ELSE
            final_payload := pg_catalog.jsonb_set(payload, '{id}', pg_catalog.to_jsonb(generated_id));
        END IF;

        -- Transaction-local, like upstream's SET LOCAL: policies may read realtime.topic().
        PERFORM pg_catalog.set_config('realtime.topic', topic, TRUE);

        INSERT INTO realtime.messages (id, payload, event, topic, private, extension)
        VALUES (generated_id, final_payload, event, topic, private, 'broadcast');
    EXCEPTION
        WHEN OTHERS THEN
            RAISE WARNING 'WarnSendingBroadcastMessage: %', SQLERRM;
    END;
END;
$$;

COMMENT ON FUNCTION realtime.send(jsonb, text, text, boolean) IS
'Inserts one broadcast message (the id is added to a JSON object payload with jsonb_set; realtime.topic set '
'transaction-locally). Like Supabase, swallows every error (array/scalar payloads included) and only raises WARNING '
'WarnSendingBroadcastMessage: never rely on it to persist.';

-- Why: upstream's binary counterpart of send, same error handling.
CREATE FUNCTION realtime.send_binary(
    payload bytea,
    event text,
    topic text,
    private boolean DEFAULT TRUE
) RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    BEGIN
        PERFORM pg_catalog.set_config('realtime.topic', topic, TRUE);

        INSERT INTO realtime.messages (id, binary_payload, event, topic, private, extension)
        VALUES (pg_catalog.gen_random_uuid(), payload, event, topic, private, 'broadcast');
    EXCEPTION
        WHEN OTHERS THEN
            RAISE WARNING 'WarnSendingBroadcastMessage: %', SQLERRM;
    END;
END;
$$;

COMMENT ON FUNCTION realtime.send_binary(bytea, text, text, boolean) IS
'Inserts one broadcast message with a binary payload. Like Supabase, swallows every error into WARNING '
'WarnSendingBroadcastMessage.';

GRANT EXECUTE ON FUNCTION realtime.send_binary(bytea, text, text, boolean) TO anon, authenticated, service_role;


-- =============================================================================================
-- Ownership: supabase_realtime_admin, as on the platform
-- =============================================================================================

-- Why: the migration role must not own realtime objects (see the header). Every function,
-- table and partition of the schema changes hands (indexes follow their tables), whatever
-- earlier compat units put there.
ALTER SCHEMA realtime OWNER TO supabase_realtime_admin;

DO $$
DECLARE
    object record;
BEGIN
    FOR object IN
        SELECT p.oid::regprocedure::text AS signature
        FROM pg_catalog.pg_proc AS p
        WHERE p.pronamespace = 'realtime'::regnamespace
    LOOP
        EXECUTE pg_catalog.format('ALTER FUNCTION %s OWNER TO supabase_realtime_admin', object.signature);
    END LOOP;

    FOR object IN
        SELECT c.oid::regclass::text AS relation
        FROM pg_catalog.pg_class AS c
        WHERE c.relnamespace = 'realtime'::regnamespace AND c.relkind IN ('r', 'p')
    LOOP
        EXECUTE pg_catalog.format('ALTER TABLE %s OWNER TO supabase_realtime_admin', object.relation);
    END LOOP;
END
$$;

-- Why: on the platform `postgres` uses realtime (domain triggers broadcast into
-- realtime.messages) without owning it. Granted only where a role of that name exists.
DO $$
BEGIN
    IF EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'postgres') THEN
        GRANT USAGE ON SCHEMA realtime TO postgres;
        GRANT SELECT, INSERT, UPDATE ON TABLE realtime.messages TO postgres;
    END IF;
END
$$;


-- =============================================================================================
-- supautils stand-in: policies yes, any other DDL on platform objects no
-- =============================================================================================

-- Why: supautils lets `postgres` manage policies on realtime.messages without owning it. A
-- non-superuser `postgres` becomes a member of the owner role so CREATE/DROP POLICY pass the
-- ownership check; the event triggers below take back everything else.
DO $$
BEGIN
    IF EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'postgres' AND NOT rolsuper)
        AND NOT pg_catalog.pg_has_role('postgres', 'supabase_realtime_admin', 'MEMBER')
    THEN
        BEGIN
            GRANT supabase_realtime_admin TO postgres;
        EXCEPTION
            WHEN unique_violation THEN
                NULL;  -- granted meanwhile by a migration of another database
        END;
    END IF;
END
$$;

-- Why: what the platform refuses must be refused locally too: DDL by a non-owner (neither
-- superuser nor supabase_auth_admin / supabase_realtime_admin) on any auth or realtime object
-- other than a policy. Runs as the caller; current_user is the role the DDL runs as (inside a
-- platform SECURITY DEFINER function, the owner role, which is allowed).
CREATE FUNCTION realtime.refuse_platform_ddl() RETURNS event_trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    offending record;
BEGIN
    IF current_user IN ('supabase_auth_admin', 'supabase_realtime_admin')
        OR (SELECT r.rolsuper FROM pg_catalog.pg_roles AS r WHERE r.rolname = current_user)
    THEN
        RETURN;
    END IF;

    IF TG_EVENT = 'sql_drop' THEN
        SELECT d.object_type, d.object_identity
        INTO offending
        FROM pg_catalog.pg_event_trigger_dropped_objects() AS d
        WHERE d.schema_name IN ('auth', 'realtime') AND d.object_type <> 'policy'
        LIMIT 1;
    ELSE
        SELECT c.object_type, c.object_identity
        INTO offending
        FROM pg_catalog.pg_event_trigger_ddl_commands() AS c
        WHERE c.schema_name IN ('auth', 'realtime') AND c.object_type <> 'policy'
        LIMIT 1;
    END IF;

    IF offending.object_identity IS NOT NULL THEN
        RAISE EXCEPTION 'must be owner of % %', offending.object_type, offending.object_identity
            USING ERRCODE = 'insufficient_privilege',
                  DETAIL = 'auth and realtime belong to the platform (supabase_auth_admin, supabase_realtime_admin).',
                  HINT = 'On Supabase only policies may be created on platform tables; keep other objects in your own schemas.';
    END IF;
END;
$$;

COMMENT ON FUNCTION realtime.refuse_platform_ddl() IS
'Event trigger function (local stand-in for supautils): refuses DDL other than policies on auth/realtime objects by '
'roles that are neither superuser nor a platform owner role, with SQLSTATE 42501.';

-- (Inside DO: the SQL linter cannot parse the EVENT TRIGGER statements.)
DO $$
BEGIN
    CREATE EVENT TRIGGER refuse_platform_ddl ON ddl_command_end
    EXECUTE FUNCTION realtime.refuse_platform_ddl();

    CREATE EVENT TRIGGER refuse_platform_drop ON sql_drop
    EXECUTE FUNCTION realtime.refuse_platform_ddl();

    COMMENT ON EVENT TRIGGER refuse_platform_ddl IS
    'Supabase compatibility layer: non-owners may create/alter only policies on auth and realtime objects.';
    COMMENT ON EVENT TRIGGER refuse_platform_drop IS
    'Supabase compatibility layer: non-owners may drop only policies on auth and realtime objects.';
END
$$;
