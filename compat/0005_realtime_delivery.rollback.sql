-- Rollback of 0005_realtime_delivery.sql: back to 0003's single-channel announcement.
--
-- Drops the commit-order stamp and the per-topic channel function, and restores
-- realtime.announcement() and realtime.announce_message() exactly as the earlier units left
-- them (same bodies, settings - 0004's search_path - and comments).

-- =============================================================================================
-- Commit order
-- =============================================================================================

DROP TRIGGER stamp_commit_order ON realtime.messages;

DROP FUNCTION realtime.stamp_commit_order();

-- =============================================================================================
-- Announcement channel and payload
-- =============================================================================================

CREATE OR REPLACE FUNCTION realtime.announce_message() RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
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

COMMENT ON TRIGGER announce_message ON realtime.messages IS
'Announces new messages on the pg_notify channel realtime_messages (local stand-in for Supabase Realtime).';

CREATE OR REPLACE FUNCTION realtime.announcement(m realtime.messages) RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
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

DROP FUNCTION realtime.announce_channel(text);
