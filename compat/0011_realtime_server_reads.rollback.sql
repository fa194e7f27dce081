-- Rollback of 0011_realtime_server_reads.sql: realtime.read_as_subscribers(reads) exactly as
-- 0010 left it (same body, settings and comment; CREATE OR REPLACE keeps its owner and
-- privileges): elements without claims read public rows only.

CREATE OR REPLACE FUNCTION realtime.read_as_subscribers(reads jsonb)
RETURNS TABLE (
    read_no integer,
    id uuid,
    topic text,
    event text,
    payload jsonb,
    inserted_at timestamp
)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET plan_cache_mode = force_generic_plan
SET jit = off
SET role = 'none'
SET "realtime.topic" = ''
SET "request.jwt.claims" = ''
SET "request.jwt.claim.sub" = ''
SET "request.jwt.claim.role" = ''
SET "request.headers" = ''
AS $$
DECLARE
    item record;
    read_topic text;
    after_at timestamp;
    after_id uuid;
    max_rows integer;
BEGIN
    FOR item IN
        SELECT r.value AS spec, r.ordinality::integer AS n
        FROM pg_catalog.jsonb_array_elements(reads) WITH ORDINALITY AS r
        ORDER BY r.value ? 'claims', r.ordinality
    LOOP
        read_topic := item.spec ->> 'topic';
        after_at := (item.spec ->> 'after_at')::timestamp;
        after_id := (item.spec ->> 'after_id')::uuid;
        max_rows := (item.spec ->> 'limit')::integer;
        IF item.spec ? 'claims' THEN
            PERFORM
                pg_catalog.set_config('role', item.spec ->> 'role', true),
                pg_catalog.set_config('realtime.topic', read_topic, true),
                pg_catalog.set_config('request.jwt.claims', item.spec ->> 'claims', true),
                pg_catalog.set_config('request.jwt.claim.sub', item.spec ->> 'sub', true),
                pg_catalog.set_config('request.jwt.claim.role', item.spec ->> 'role', true),
                pg_catalog.set_config('request.headers', item.spec ->> 'headers', true);
            RETURN QUERY
            SELECT item.n, m.id, m.topic, m.event, m.payload, m.inserted_at
            FROM realtime.messages AS m
            WHERE
                m.topic = read_topic
                AND m.extension = 'broadcast'
                AND m.private IS true
                AND m.inserted_at >= after_at
                AND (m.inserted_at, m.id) > (after_at, after_id)
            ORDER BY m.inserted_at, m.id
            LIMIT max_rows;
        ELSE
            RETURN QUERY
            SELECT item.n, m.id, m.topic, m.event, m.payload, m.inserted_at
            FROM realtime.messages AS m
            WHERE
                m.topic = read_topic
                AND m.extension = 'broadcast'
                AND m.private IS false
                AND m.inserted_at >= after_at
                AND (m.inserted_at, m.id) > (after_at, after_id)
            ORDER BY m.inserted_at, m.id
            LIMIT max_rows;
        END IF;
    END LOOP;
END;
$$;

COMMENT ON FUNCTION realtime.read_as_subscribers(jsonb) IS
'Local subscriber hub: every re-read of one wake-up (public ones as the caller, private ones as their subscriber, '
'under RLS), in (inserted_at, id) order per read; settings restored on return (postgres target only).';
