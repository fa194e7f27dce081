-- Supabase compatibility layer: local delivery of realtime.messages, third shape (cost).
--
-- Measured with `make bench-realtime` and pgbench (benchmarks/ANALYSIS.md): a realtime.send()
-- cost ~0.7 ms of server time against ~0.2 ms for the bare INSERT, and every wake-up of a
-- local subscriber hub cost ~1.2 ms of client CPU plus ~0.6-1.6 ms of server time. Three
-- changes, same contract as 0005 (one channel per topic, id-only payload, per topic
-- (inserted_at, id) is commit order):
--
-- 1. The commit-order stamp no longer UPDATEs every row at commit. The row keeps the stamp it
--    was inserted with (DEFAULT now(), the transaction start) when that is already later than
--    the stamp of every message committed before it; only a row that would sort before one
--    committed earlier (its transaction started first but commits later) is re-stamped. The
--    greatest committed stamp is kept in a sequence, read and advanced under the same lock.
-- 2. The announcement trigger computes the channel and the payload inline: calling the two
--    SQL functions (each with a SET clause, so never inlined) re-planned them on every row.
-- 3. realtime.read_as_subscribers(reads): every re-read a wake-up needs, each as its
--    subscriber, in one statement with cached generic plans, instead of a pipelined
--    transaction of one settings statement and one query per subscriber group.
--
-- On Supabase (`--target supabase`) none of this is applied: Realtime fans out from its own
-- replication stream.


-- =============================================================================================
-- Commit order
-- =============================================================================================

-- Why: the greatest inserted_at of any message whose transaction reached its commit, in
-- microseconds since 1970-01-01 (UTC). A sequence because it is shared by every session and
-- costs no row version: read and set under the commit-order lock only. setval() is not undone
-- by a rollback, so after a failed commit it may be ahead of every committed stamp; that only
-- makes the next message re-stamp itself, never sort before a committed one.
CREATE SEQUENCE realtime.commit_order_stamp AS bigint MINVALUE 0 START WITH 0;

COMMENT ON SEQUENCE realtime.commit_order_stamp IS
'Greatest committed realtime.messages.inserted_at, in microseconds since 1970-01-01 UTC (postgres target only).';

-- Why: read and set by stamp_commit_order(), a SECURITY DEFINER function of the platform's
-- realtime owner (0008); nobody else has any privilege on it.
ALTER SEQUENCE realtime.commit_order_stamp OWNER TO supabase_realtime_admin;

-- Why: as in 0005, run at commit under one transaction lock taken last (so it cannot be part
-- of a deadlock), which is held until the commit is visible: the next message-writing commit
-- reads the stamp this one leaves. A row keeps its stamp when it is later than every committed
-- stamp and lies between its transaction's start and the clock, in UTC (the default in a UTC
-- session); otherwise (a transaction that started before one that committed first, an
-- explicit or non-UTC stamp) it is re-stamped with the clock, and in any case strictly after
-- the last committed stamp. Rolled-back rows (Realtime's probes) never reach it.
CREATE OR REPLACE FUNCTION realtime.stamp_commit_order() RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    last_stamp timestamp;
    stamp timestamp := new.inserted_at;
BEGIN
    -- One key for the whole database, reserved for this lock (the bytes of 'rt.msgs!' >> 1).
    PERFORM pg_catalog.pg_advisory_xact_lock(4123633932622346640);
    SELECT TIMESTAMP '1970-01-01 00:00:00' + s.last_value * INTERVAL '1 microsecond'
    INTO STRICT last_stamp
    FROM realtime.commit_order_stamp AS s;
    IF stamp <= last_stamp
       OR stamp < pg_catalog.timezone('UTC', pg_catalog.now())
       OR stamp > pg_catalog.timezone('UTC', pg_catalog.clock_timestamp()) THEN
        stamp := GREATEST(
            pg_catalog.timezone('UTC', pg_catalog.clock_timestamp()),
            last_stamp + INTERVAL '1 microsecond'
        );
        UPDATE realtime.messages AS m
        SET inserted_at = stamp
        WHERE m.id = new.id AND m.inserted_at = new.inserted_at;
    END IF;
    PERFORM pg_catalog.setval(
        'realtime.commit_order_stamp',
        (EXTRACT(EPOCH FROM stamp) * 1000000)::bigint
    );
    RETURN NULL;
END;
$$;

COMMENT ON FUNCTION realtime.stamp_commit_order() IS
'Deferred trigger function: at commit, under one advisory lock, keeps inserted_at when it is later than every '
'committed message (else re-stamps it with the UTC clock), so (inserted_at, id) follows commit order (postgres target '
'only).';


-- =============================================================================================
-- Announcement
-- =============================================================================================

-- Why: the same channel and payload as realtime.announce_channel(topic) and
-- realtime.announcement(row) (pgTAP 04 checks they agree), written inline: the functions carry
-- a SET clause, so each call was a separate SQL-function execution planned per row.
CREATE OR REPLACE FUNCTION realtime.announce_message() RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM pg_catalog.pg_notify(
        'rt_' OPERATOR(pg_catalog.||) pg_catalog.md5(new_row.topic),
        pg_catalog.json_build_object('id', new_row.id)::text
    )
    FROM new_rows AS new_row;
    RETURN NULL;
END;
$$;

COMMENT ON FUNCTION realtime.announce_message() IS
'Trigger function: pg_notify(''rt_'' || md5(topic), {"id"}) for every inserted message, the same as '
'realtime.announce_channel() and realtime.announcement() (postgres target only; Supabase Realtime reads the table '
'itself).';


-- =============================================================================================
-- Re-reads for local subscribers
-- =============================================================================================

-- Why: a local hub (schema_kit.realtime.Hub) re-reads each changed topic after each
-- subscriber group's position, as that subscriber, so RLS decides delivery. This does every
-- read of one wake-up in one statement: public reads first, as the connection's own login
-- role (the server); then, for each private read, the subscriber's settings exactly as
-- Supabase Realtime sets them (role, realtime.topic, request.jwt.claims,
-- request.jwt.claim.sub / .role, request.headers) and the read under RLS. The SET clauses
-- start from the login role with none of those settings and put the caller's back when the
-- function returns (a SET LOCAL inside a function outlives it unless the function's own SET
-- clause names the setting); they also keep one generic plan per query (no re-planning per
-- call) and no JIT for reads of a handful of rows. SECURITY INVOKER: switching to a role
-- needs the session user to be a member of it, so no caller gains a role it could not SET
-- itself; not callable by the API roles at all.
-- Each element of reads: {"topic", "after_at", "after_id", "limit"} and, for a private read,
-- "role", "claims" (JSON text), "sub", "headers" (JSON text). read_no is the element's
-- 1-based position.
-- Two queries, not one with `private IS <parameter>`: a generic plan can use Supabase's
-- partial index on (inserted_at DESC, topic) WHERE private IS true only when the query names
-- `private IS true` itself (63,000 rows in the day's partition: 0.45 ms by the index, 32 ms
-- by the sequential scan the parameterized form gets).
CREATE FUNCTION realtime.read_as_subscribers(reads jsonb)
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

REVOKE ALL ON FUNCTION realtime.read_as_subscribers(jsonb) FROM public;

ALTER FUNCTION realtime.read_as_subscribers(jsonb) OWNER TO supabase_realtime_admin;

-- Why: the role migrations and the local hub connect as (on the platform, postgres); granted
-- only where a role of that name exists, as in 0009.
DO $$
BEGIN
    IF EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'postgres') THEN
        GRANT EXECUTE ON FUNCTION realtime.read_as_subscribers(jsonb) TO postgres;
    END IF;
END;
$$;
