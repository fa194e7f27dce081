-- Rollback of the Supabase compatibility layer, part 6: back to 0003's realtime.
--
-- Drops the supautils stand-in, gives every realtime object back to the role running the
-- rollback (the one that ran 0003), restores 0003's realtime.send and drops binary payloads.
-- The membership of `postgres` in supabase_realtime_admin is cluster-wide and kept, like the
-- roles themselves (see 0001_roles.rollback.sql).

-- =============================================================================================
-- supautils stand-in
-- =============================================================================================

-- (Inside DO: the SQL linter cannot parse the EVENT TRIGGER statements.)
DO $$
BEGIN
    DROP EVENT TRIGGER refuse_platform_drop;
    DROP EVENT TRIGGER refuse_platform_ddl;
END
$$;

DROP FUNCTION realtime.refuse_platform_ddl();

-- =============================================================================================
-- Ownership and access
-- =============================================================================================

DO $$
BEGIN
    IF EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'postgres')
        AND CURRENT_USER <> 'postgres'
    THEN
        REVOKE SELECT, INSERT, UPDATE ON TABLE realtime.messages FROM postgres;
        REVOKE USAGE ON SCHEMA realtime FROM postgres;
    END IF;
END
$$;

DO $$
DECLARE
    object record;
BEGIN
    FOR object IN
        SELECT p.oid::regprocedure::text AS signature
        FROM pg_catalog.pg_proc AS p
        WHERE p.pronamespace = 'realtime'::regnamespace
    LOOP
        EXECUTE pg_catalog.format('ALTER FUNCTION %s OWNER TO CURRENT_USER', object.signature);
    END LOOP;

    FOR object IN
        SELECT c.oid::regclass::text AS relation
        FROM pg_catalog.pg_class AS c
        WHERE c.relnamespace = 'realtime'::regnamespace AND c.relkind IN ('r', 'p')
    LOOP
        EXECUTE pg_catalog.format('ALTER TABLE %s OWNER TO CURRENT_USER', object.relation);
    END LOOP;
END
$$;

ALTER SCHEMA realtime OWNER TO current_user;

-- =============================================================================================
-- SQL API
-- =============================================================================================

DROP FUNCTION realtime.send_binary(bytea, text, text, boolean);

CREATE OR REPLACE FUNCTION realtime.send(
    payload jsonb,
    event text,
    topic text,
    private boolean DEFAULT true
) RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    generated_id uuid;
    final_payload jsonb;
BEGIN
    BEGIN
        generated_id := gen_random_uuid();

        -- Keep a caller-supplied id; otherwise the payload carries the row's id.
        IF payload ? 'id' THEN
            final_payload := payload;
        ELSE
            final_payload := payload || jsonb_build_object('id', generated_id);
        END IF;

        -- Transaction-local, like Supabase's SET LOCAL: policies may read realtime.topic().
        PERFORM set_config('realtime.topic', topic, true);

        INSERT INTO realtime.messages (id, payload, event, topic, private, extension)
        VALUES (generated_id, final_payload, event, topic, private, 'broadcast');
    EXCEPTION
        WHEN OTHERS THEN
            RAISE WARNING 'ErrorSendingBroadcastMessage: %', SQLERRM;
    END;
END;
$$;


COMMENT ON FUNCTION realtime.send(jsonb, text, text, boolean) IS
'Inserts one broadcast message (payload gets an id key when missing; realtime.topic set transaction-locally). Like '
'Supabase, swallows every error and only raises WARNING ErrorSendingBroadcastMessage: never rely on it to persist.';

-- =============================================================================================
-- Messages
-- =============================================================================================

ALTER TABLE realtime.messages DROP CONSTRAINT messages_payload_exclusive;

ALTER TABLE realtime.messages DROP COLUMN binary_payload;
