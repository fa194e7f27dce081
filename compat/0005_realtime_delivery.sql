-- Supabase compatibility layer: local delivery of realtime.messages, second shape.
--
-- 0003 announced every row on ONE channel, realtime_messages, with its topic and event: any
-- session that merely LISTENed heard every tenant's topic names and event traffic. This unit
-- replaces that announcement with one channel per topic, named by a hash of the topic
-- ('rt_' || md5(topic)), carrying only the row's id. A session learns nothing unless it
-- already knows a topic, and even then only ids, which it cannot read without RLS allowing it.
--
-- It also makes the local order of messages the order subscribers can rely on: inserted_at is
-- re-stamped at commit time, under one lock, so per topic (inserted_at, id) is the commit
-- order, the order pg_notify delivers announcements in. A subscriber that keeps the last
-- (inserted_at, id) it saw resumes with no gap and no duplicate. (On Supabase, inserted_at is
-- the inserting transaction's start time and Realtime fans out on its own; none of this unit
-- is applied there.)


-- =============================================================================================
-- Announcement channel and payload
-- =============================================================================================

-- Why: the channel a topic's messages are announced on. A hash, so the channel name reveals
-- no topic; 'rt_' + 32 hex digits is a valid unquoted identifier under NAMEDATALEN. Local
-- subscribers LISTEN to the channel of each topic they joined.
CREATE FUNCTION realtime.announce_channel(topic text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT 'rt_' || pg_catalog.md5(topic)
$$;

COMMENT ON FUNCTION realtime.announce_channel(text) IS
'The pg_notify channel announcing new messages of one topic: rt_ || md5(topic) (postgres target only).';

-- Why: the announcement names the row and nothing else: no topic, no event, no payload. The
-- subscriber re-reads the row as its user (RLS decides delivery); the id is a uuid, so the
-- payload is always far below pg_notify's 8000-byte limit.
CREATE OR REPLACE FUNCTION realtime.announcement(m realtime.messages) RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT pg_catalog.json_build_object('id', m.id)::text
$$;

COMMENT ON FUNCTION realtime.announcement(realtime.messages) IS
'The pg_notify payload announcing one message: JSON {"id": <uuid>} only (postgres target only).';

-- Why: statement-level over the transition table (one firing per INSERT statement), one
-- notification per row on its topic's channel. SECURITY DEFINER so any role able to insert a
-- row can announce it. Notifications are delivered at commit, in commit order, so Realtime's
-- rolled-back authorization probes are never announced.
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

COMMENT ON TRIGGER announce_message ON realtime.messages IS
'Announces new messages, id only, on their topic''s channel rt_<md5(topic)> (local stand-in for Supabase Realtime).';


-- =============================================================================================
-- Commit order
-- =============================================================================================

-- Why: with concurrent writers, inserted_at (the transaction's start) does not follow commit
-- order, so a subscriber resuming "after (inserted_at, id)" could miss a message committed
-- later with an earlier stamp. This deferred trigger runs at commit, takes one transaction
-- lock (held until the commit ends) and re-stamps the row with the clock, in UTC: per topic,
-- (inserted_at, id) order is then commit order. The lock is the last one the transaction
-- takes, so it cannot be part of a deadlock; it serializes only the commit tails of
-- transactions that wrote messages. Rolled-back rows (Realtime's probes) never reach it.
CREATE FUNCTION realtime.stamp_commit_order() RETURNS trigger
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

REVOKE ALL ON FUNCTION realtime.stamp_commit_order() FROM public;

-- Why: deferred to commit time, so the stamp and the lock come after everything else the
-- transaction does.
CREATE CONSTRAINT TRIGGER stamp_commit_order
AFTER INSERT ON realtime.messages
DEFERRABLE INITIALLY DEFERRED
FOR EACH ROW
EXECUTE FUNCTION realtime.stamp_commit_order();

COMMENT ON TRIGGER stamp_commit_order ON realtime.messages IS
'At commit, re-stamps inserted_at so per topic (inserted_at, id) is commit order (local stand-in only).';
