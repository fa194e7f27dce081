-- Supabase compatibility layer, part 3 of 3: the `realtime` schema.
--
-- On Supabase, Realtime Broadcast and Presence authorization live in realtime.messages: a
-- client may join a private channel when RLS lets it read (and, to send, insert) rows of that
-- topic, and "Broadcast from Database" is an INSERT into the table. This file recreates the
-- table and the SQL API (realtime.topic(), realtime.send(), realtime.broadcast_changes()) with
-- Supabase's shapes and signatures, so policies and domain code written here run unchanged on
-- the platform. Locally there is no Realtime server: every insert is also announced with
-- pg_notify on the channel `realtime_messages` so local subscribers (schema-kit listen) can
-- re-read the row as their user and let RLS decide delivery.


-- =============================================================================================
-- Schema
-- =============================================================================================

-- Why: the platform's realtime schema. The API roles need USAGE to reach realtime.messages
-- and to call realtime.topic() / realtime.send() from policies and functions.
CREATE SCHEMA realtime;

COMMENT ON SCHEMA realtime IS
'Supabase compatibility layer: Realtime Broadcast/Presence messages and their SQL API. On the supabase target this '
'schema belongs to the platform.';

GRANT USAGE ON SCHEMA realtime TO anon, authenticated, service_role;


-- =============================================================================================
-- Messages
-- =============================================================================================

-- Why: the table Realtime authorizes private channels against and broadcasts from, in
-- Supabase's exact shape (partitioned by inserted_at, primary key (id, inserted_at),
-- timestamps WITHOUT time zone). Supabase Realtime creates daily partitions
-- messages_YYYY_MM_DD and DROPS those older than 72 hours: nothing stored only here survives
-- three days on the platform, which is why the domain keeps its own archive. (`extension` and
-- `event` are SQL keywords, kept because they are Supabase's column names.)
CREATE TABLE realtime.messages (
    topic text NOT NULL,
    extension text NOT NULL,  -- noqa: RF04
    payload jsonb,
    event text,  -- noqa: RF04
    private boolean DEFAULT false,
    updated_at timestamp without time zone NOT NULL DEFAULT now(),
    inserted_at timestamp without time zone NOT NULL DEFAULT now(),
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    CONSTRAINT messages_pkey PRIMARY KEY (id, inserted_at)
) PARTITION BY RANGE (inserted_at);

COMMENT ON TABLE realtime.messages IS
'Supabase compatibility layer: Realtime Broadcast/Presence messages and authorization probes. RLS enabled, no '
'policies shipped (projects write their own). On Supabase partitions older than 72 hours are dropped.';
COMMENT ON COLUMN realtime.messages.topic IS 'Channel topic, e.g. ticket:<uuid>; policies key on it.';
COMMENT ON COLUMN realtime.messages.extension IS 'broadcast or presence.';
COMMENT ON COLUMN realtime.messages.payload IS 'Message body (realtime.send adds an id key when missing).';
COMMENT ON COLUMN realtime.messages.event IS 'Event name the subscribers filter on.';
COMMENT ON COLUMN realtime.messages.private IS
'True for private (RLS-authorized) channels; realtime.send defaults to true.';
COMMENT ON COLUMN realtime.messages.updated_at IS 'Timestamp without time zone, as Supabase.';
COMMENT ON COLUMN realtime.messages.inserted_at IS 'Partition key (timestamp without time zone, as Supabase).';
COMMENT ON COLUMN realtime.messages.id IS 'Message id; unique together with inserted_at.';

-- Why: locally nothing creates the daily partitions, so one DEFAULT partition takes every row
-- and inserts always work. (Supabase Realtime creates messages_YYYY_MM_DD partitions itself;
-- do not add dated partitions here while the default one holds rows of their range.) RLS is
-- enabled on it too, so reading the partition directly can never bypass the parent's policies.
CREATE TABLE realtime.messages_default PARTITION OF realtime.messages DEFAULT;

COMMENT ON TABLE realtime.messages_default IS
'Supabase compatibility layer: the single local partition of realtime.messages (Supabase uses daily partitions kept '
'72 hours). Not granted to the API roles.';

ALTER TABLE realtime.messages_default ENABLE ROW LEVEL SECURITY;

-- Why: Realtime's authorization probes and private-channel reads look up recent broadcast
-- rows by topic; same index (name, columns, predicate) as Supabase.
CREATE INDEX messages_inserted_at_topic_index ON realtime.messages
USING btree (inserted_at DESC, topic)
WHERE extension = 'broadcast' AND private IS true;

COMMENT ON INDEX realtime.messages_inserted_at_topic_index IS
'Recent private broadcast messages by topic (Realtime authorization and reads), as Supabase.';

-- Why: RLS is what authorizes channels. Enabled, not forced (the owner and service_role
-- bypass it, as on Supabase), and no policy is shipped: until the project adds policies the
-- API roles can neither read nor insert any row.
ALTER TABLE realtime.messages ENABLE ROW LEVEL SECURITY;

-- Why: Supabase grants these to the three API roles; RLS then decides row by row.
GRANT SELECT, INSERT, UPDATE ON TABLE realtime.messages TO anon, authenticated, service_role;


-- =============================================================================================
-- SQL API: topic, send, broadcast_changes
-- =============================================================================================

-- Why: during Realtime's join probes the topic being joined is in the setting realtime.topic,
-- so policies may compare against it. SQL STABLE without a SET clause (inlinable), exactly as
-- Supabase's.
CREATE FUNCTION realtime.topic() RETURNS text
LANGUAGE sql STABLE
AS $$
    SELECT nullif(current_setting('realtime.topic', true), '')::text
$$;

COMMENT ON FUNCTION realtime.topic() IS
'The topic of the current Realtime operation (setting realtime.topic); NULL when unset or empty. Same definition as '
'Supabase.';

-- Why: Supabase's "broadcast from the database" entry point, same signature and behaviour:
-- one broadcast row (extension broadcast, private by default) whose payload carries the
-- message id. It runs as the caller (RLS applies) and, like Supabase's, SWALLOWS EVERY ERROR
-- and only raises a WARNING: a failed send leaves no row and no exception, so domain code
-- that must persist a message inserts into realtime.messages itself.
CREATE FUNCTION realtime.send(
    payload jsonb,
    event text,
    topic text,
    private boolean DEFAULT true
) RETURNS void
LANGUAGE plpgsql
SET search_path = ''
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

-- Why: Supabase's helper for "Broadcast from Database" row triggers, same signature and
-- behaviour: a private message whose payload has old_record, record, operation, table and
-- schema. Row level only; any operation other than INSERT/UPDATE/DELETE is refused, and every
-- refusal is re-raised as 'Failed to process the row: ...' (as Supabase does).
CREATE FUNCTION realtime.broadcast_changes(
    topic_name text,
    event_name text,
    operation text,
    table_name text,
    table_schema text,
    new record,
    old record,
    level text DEFAULT 'ROW'
) RETURNS void
LANGUAGE plpgsql
SET search_path = ''
AS $$
DECLARE
    row_data jsonb := '{}'::jsonb;
BEGIN
    IF level = 'STATEMENT' THEN
        RAISE EXCEPTION 'function can only be triggered for each row, not for each statement';
    END IF;

    IF operation = 'INSERT' OR operation = 'UPDATE' OR operation = 'DELETE' THEN
        -- A NULL record (OLD on INSERT, NEW on DELETE) becomes JSON null.
        row_data := jsonb_build_object(
            'old_record', old,
            'record', new,
            'operation', operation,
            'table', table_name,
            'schema', table_schema
        );
        PERFORM realtime.send(row_data, event_name, topic_name, true);
    ELSE
        RAISE EXCEPTION 'Unexpected operation type: %', operation;
    END IF;
EXCEPTION
    WHEN OTHERS THEN
        RAISE EXCEPTION 'Failed to process the row: %', SQLERRM;
END;
$$;

COMMENT ON FUNCTION realtime.broadcast_changes(text, text, text, text, text, record, record, text) IS
'Broadcasts a row change as a private message (payload keys old_record, record, operation, table, schema) through '
'realtime.send. Refuses level STATEMENT and operations other than INSERT/UPDATE/DELETE. Same behaviour as Supabase.';

-- Why: the API roles call these from policies, triggers and RPC, as on Supabase.
GRANT EXECUTE ON FUNCTION realtime.topic() TO anon, authenticated, service_role;
GRANT EXECUTE ON FUNCTION realtime.send(jsonb, text, text, boolean) TO anon, authenticated, service_role;
GRANT EXECUTE ON FUNCTION realtime.broadcast_changes(text, text, text, text, text, record, record, text)
TO anon, authenticated, service_role;


-- =============================================================================================
-- Local delivery: pg_notify announcement of every new message (postgres target only)
-- =============================================================================================

-- Why: the announcement is what local subscribers receive, so its shape is a contract of its
-- own and is kept testable apart from the trigger. It names the row (id + inserted_at locate
-- it in the partitioned table) and what subscribers filter on, but NEVER the payload: the
-- subscriber re-reads the row as its user so RLS decides delivery, and pg_notify refuses
-- payloads of 8000 bytes or more. Should topic/event/extension (free text) push it over that
-- limit, they are replaced by null and "truncated" is true, so the insert still succeeds and
-- the subscriber re-reads the row by id.
CREATE FUNCTION realtime.announcement(m realtime.messages) RETURNS text
LANGUAGE sql STABLE
SET search_path = ''
AS $$
    SELECT
        CASE
            WHEN octet_length(full_form.announcement) < 8000 THEN full_form.announcement
            ELSE json_build_object(
                'id', m.id,
                'topic', NULL,
                'event', NULL,
                'extension', NULL,
                'private', m.private,
                'inserted_at', m.inserted_at,
                'truncated', true
            )::text
        END
    FROM (
        SELECT json_build_object(
            'id', m.id,
            'topic', m.topic,
            'event', m.event,
            'extension', m.extension,
            'private', m.private,
            'inserted_at', m.inserted_at,
            'truncated', false
        )::text AS announcement
    ) AS full_form
$$;

COMMENT ON FUNCTION realtime.announcement(realtime.messages) IS
'The pg_notify payload announcing one message: JSON with id, topic, event, extension, private, inserted_at, '
'truncated (never the message payload; under 8000 bytes, oversized text fields become null with truncated true).';

-- Why: statement-level with a transition table, so one multi-row insert runs the function
-- once (set-based) instead of once per row. SECURITY DEFINER so any role able to insert a row
-- can announce it, whatever privileges it has on this schema's functions; it only emits
-- notifications. Notifications are delivered at commit, so the rolled-back authorization
-- probes of Realtime are never announced.
CREATE FUNCTION realtime.announce_message() RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
    PERFORM pg_notify('realtime_messages', realtime.announcement(new_row))
    FROM new_rows AS new_row;
    RETURN NULL;
END;
$$;

COMMENT ON FUNCTION realtime.announce_message() IS
'Trigger function: pg_notify(''realtime_messages'', realtime.announcement(row)) for every inserted message (postgres '
'target only; Supabase Realtime reads the table itself).';

-- Why: every insert into realtime.messages (realtime.send, domain functions, API clients)
-- reaches local subscribers. Fires for inserts through the parent table, which is the only
-- way the API roles can write (the partition is not granted to them).
CREATE TRIGGER announce_message
AFTER INSERT ON realtime.messages
REFERENCING NEW TABLE AS new_rows
FOR EACH STATEMENT
EXECUTE FUNCTION realtime.announce_message();

COMMENT ON TRIGGER announce_message ON realtime.messages IS
'Announces new messages on the pg_notify channel realtime_messages (local stand-in for Supabase Realtime).';
