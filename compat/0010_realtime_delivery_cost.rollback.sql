-- Rollback of 0010_realtime_delivery_cost.sql: back to 0005's delivery.
--
-- Drops the subscribers' read function and the committed-stamp sequence, and restores
-- realtime.stamp_commit_order() (re-stamp every row at commit) and
-- realtime.announce_message() (through the two announcement functions) exactly as 0005 left
-- them (same bodies, settings and comments; the owner is unchanged by CREATE OR REPLACE).

-- =============================================================================================
-- Re-reads for local subscribers
-- =============================================================================================

DROP FUNCTION realtime.read_as_subscribers(jsonb);

-- =============================================================================================
-- Announcement
-- =============================================================================================

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

-- =============================================================================================
-- Commit order
-- =============================================================================================

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

DROP SEQUENCE realtime.commit_order_stamp;
