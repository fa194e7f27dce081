-- Supabase compatibility layer: the commit-order stamp of 0005 locks per topic, not per database.
--
-- 0005 re-stamps inserted_at at commit under ONE advisory lock held until the commit ends, so
-- per topic (inserted_at, id) is the commit order a resuming subscriber relies on. One lock for
-- the whole database also orders unrelated topics: every transaction that wrote a message,
-- whatever its ticket, waits for the previous one's commit (its WAL flush included), and
-- concurrent writers could not commit faster than one at a time (issue 9: 0.26x the throughput
-- of two bare inserts at 4 connections). Subscribers resume per topic, so one lock per topic
-- suffices: two transactions that wrote the same topic still stamp and commit one after the
-- other; transactions on different topics no longer wait for each other.
--
-- Deadlock-free: a transaction takes all its topic locks at once, at commit, in key order. The
-- announcement trigger (which fires for every INSERT statement) records the topics the
-- transaction writes in a session-local temporary table, keyed by the transaction id (rows of a
-- rolled-back savepoint vanish with it); the first commit-time firing locks every recorded key
-- in ascending order and clears the record. A session only ever sees its own temporary table.


-- =============================================================================================
-- Announcement: also records the topics written
-- =============================================================================================

-- Why: 0005's announcement, plus the record of the topics this transaction wrote (lock keys
-- hashtext(topic)) for realtime.stamp_commit_order. The table is created on first use in a
-- session, without ON COMMIT DELETE ROWS (that would truncate it at every commit of the
-- session, even of transactions that wrote no message); stamp_commit_order deletes what it used.
CREATE OR REPLACE FUNCTION realtime.announce_message() RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM pg_catalog.pg_notify(realtime.announce_channel(new_row.topic), realtime.announcement(new_row))
    FROM new_rows AS new_row;
    IF pg_catalog.to_regclass('pg_temp.realtime_topicos_escritos') IS NULL THEN
        CREATE TEMPORARY TABLE realtime_topicos_escritos (transacao xid8 NOT NULL, chave integer NOT NULL);
    END IF;
    INSERT INTO pg_temp.realtime_topicos_escritos (transacao, chave)
    SELECT DISTINCT pg_catalog.pg_current_xact_id(), pg_catalog.hashtext(new_row.topic)
    FROM new_rows AS new_row;
    RETURN NULL;
END;
$$;

COMMENT ON FUNCTION realtime.announce_message() IS
'Trigger function: pg_notify(realtime.announce_channel(topic), {"id"}) for every inserted message, and a '
'session-local record of the topics the transaction wrote for stamp_commit_order (postgres target only).';

-- =============================================================================================
-- Commit order, per topic
-- =============================================================================================

-- Why: see the header. The first firing at commit locks every topic key the transaction
-- recorded, in ascending order (a second firing finds the record empty: its locks are held
-- already); its own topic's key is (re)taken in any case, which returns at once when held. The
-- locks are transaction-level (they last until the commit has ended), two-key: class 1920233328
-- ('rtop') and hashtext(topic), apart from every single-key advisory lock (0005's, apply's).
CREATE OR REPLACE FUNCTION realtime.stamp_commit_order() RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF pg_catalog.to_regclass('pg_temp.realtime_topicos_escritos') IS NOT NULL THEN
        PERFORM pg_catalog.pg_advisory_xact_lock(1920233328, k.chave)
        FROM (
            SELECT DISTINCT r.chave
            FROM pg_temp.realtime_topicos_escritos AS r
            WHERE r.transacao = pg_catalog.pg_current_xact_id()
            ORDER BY r.chave
        ) AS k;
        DELETE FROM pg_temp.realtime_topicos_escritos AS r
        WHERE r.transacao = pg_catalog.pg_current_xact_id();
    END IF;
    PERFORM pg_catalog.pg_advisory_xact_lock(1920233328, pg_catalog.hashtext(new.topic));
    UPDATE realtime.messages AS m
    SET inserted_at = pg_catalog.timezone('UTC', pg_catalog.clock_timestamp())
    WHERE m.id = new.id AND m.inserted_at = new.inserted_at;
    RETURN NULL;
END;
$$;

COMMENT ON FUNCTION realtime.stamp_commit_order() IS
'Deferred trigger function: at commit, under one advisory lock per topic written (taken in key order), sets '
'inserted_at to the UTC clock so per topic (inserted_at, id) follows commit order (postgres target only).';
