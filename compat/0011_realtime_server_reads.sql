-- Supabase compatibility layer, 0011: private reads as the server, for `realtime serve`.
--
-- Supabase Realtime authorizes a private channel when it joins (and again at each new
-- token: the read probe) and caches the verdict; it then delivers every private row of the
-- topic to the channel without asking RLS again per row (ARCHITECTURE, REALTIME_PROTOCOL.md:
-- "Verdicts are cached per channel until a new token arrives"). `schema-kit realtime serve`,
-- its local stand-in, now does the same: it reads each changed topic's private rows once, as
-- its own login role, for every channel of the topic, instead of once per user under RLS
-- (the policy runs per row: about 55 us a row for a ticket topic, twice per message with a
-- client and a staff member on the ticket). The Python API (`schema_kit.realtime.subscribe`,
-- `schema-kit listen`) still re-reads as its subscriber, so RLS decides each row there.
--
-- realtime.read_as_subscribers(reads) gains one kind of element: without claims and with
-- "private": true, the topic's private rows as the caller (the hub's login role: postgres,
-- which bypasses RLS, as Supabase Realtime's own role does). Elements without claims still
-- run first, before any switch to a subscriber's role. Everything else is as in 0010.
--
-- On Supabase (`--target supabase`) none of this is applied: Realtime fans out from its own
-- replication stream.


-- =============================================================================================
-- Re-reads for local subscribers
-- =============================================================================================

-- Why: as in 0010, plus private reads as the caller for channels authorized at join. Each
-- element of reads: {"topic", "after_at", "after_id", "limit"} and either, for a private read
-- as its subscriber, "role", "claims" (JSON text), "sub", "headers" (JSON text); or, for a
-- private read as the caller, "private": true; otherwise it reads public rows as the caller.
-- read_no is the element's 1-based position. A private read is the same query whoever runs it:
-- only the settings before it differ. Two queries, not one with `private IS <parameter>`: a
-- generic plan can use Supabase's partial index on (inserted_at DESC, topic) WHERE private IS
-- true only when the query names `private IS true` itself (0010).
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
        END IF;
        IF item.spec ? 'claims' OR item.spec @> '{"private": true}' THEN
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
'Local subscriber hub: every re-read of one wake-up (public ones, and private ones of channels authorized at join, as '
'the caller; the others as their subscriber, under RLS), in (inserted_at, id) order per read; settings restored on '
'return (postgres target only).';
