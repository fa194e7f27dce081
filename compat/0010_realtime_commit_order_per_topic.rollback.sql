-- Rollback of 0010_realtime_commit_order_per_topic: 0005's announcement and its single
-- database-wide commit-order lock, bodies and comments as 0005 left them. The session-local
-- temporary tables the 0010 trigger created are left to their sessions.

CREATE OR REPLACE FUNCTION realtime.announce_message() RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM pg_catalog.pg_notify(realtime.announce_channel(new_row.topic), realtime.announcement(new_row))
    FROM new_rows AS new_row;
    RETURN NULL;
END;
$$;

COMMENT ON FUNCTION realtime.announce_message() IS
'Trigger function: pg_notify(realtime.announce_channel(topic), {"id"}) for every inserted message (postgres target '
'only; Supabase Realtime reads the table itself).';

CREATE OR REPLACE FUNCTION realtime.stamp_commit_order() RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    -- One key for the whole database, reserved for this lock (the bytes of 'rt.msgs!' >> 1).
    PERFORM pg_catalog.pg_advisory_xact_lock(4123633932622346640);
    UPDATE realtime.messages AS m
    SET inserted_at = pg_catalog.timezone('UTC', pg_catalog.clock_timestamp())
    WHERE m.id = new.id AND m.inserted_at = new.inserted_at;
    RETURN NULL;
END;
$$;

COMMENT ON FUNCTION realtime.stamp_commit_order() IS
'Deferred trigger function: at commit, under one advisory lock, sets inserted_at to the UTC clock so (inserted_at, '
'id) follows commit order (postgres target only).';
