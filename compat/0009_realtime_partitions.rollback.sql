-- Rollback of the Supabase compatibility layer, part 7: back to 0003's single DEFAULT partition.
--
-- Every daily partition is detached, its rows move into a recreated messages_default (as
-- 0003 made it: RLS enabled, same comment), and the daily partitions and the maintenance
-- function are dropped. Ownership follows the role running the rollback, as 0008's rollback
-- then expects.

-- =============================================================================================
-- The DEFAULT partition again
-- =============================================================================================

CREATE TABLE realtime.messages_default PARTITION OF realtime.messages DEFAULT;

COMMENT ON TABLE realtime.messages_default IS
'Supabase compatibility layer: the single local partition of realtime.messages (Supabase uses daily partitions kept '
'72 hours). Not granted to the API roles.';

ALTER TABLE realtime.messages_default ENABLE ROW LEVEL SECURITY;

ALTER TABLE realtime.messages_default OWNER TO supabase_realtime_admin;

DO $$
DECLARE
    daily record;
BEGIN
    FOR daily IN
        SELECT c.relname::text AS name
        FROM pg_catalog.pg_inherits AS i
        INNER JOIN pg_catalog.pg_class AS c ON i.inhrelid = c.oid
        WHERE i.inhparent = 'realtime.messages'::regclass AND c.relname <> 'messages_default'
        ORDER BY c.relname
    LOOP
        EXECUTE pg_catalog.format('ALTER TABLE realtime.messages DETACH PARTITION realtime.%I', daily.name);
        EXECUTE pg_catalog.format(
            'INSERT INTO realtime.messages_default (topic, extension, payload, event, private, updated_at, '
            'inserted_at, id, binary_payload) SELECT topic, extension, payload, event, private, updated_at, '
            'inserted_at, id, binary_payload FROM realtime.%I',
            daily.name
        );
        EXECUTE pg_catalog.format('DROP TABLE realtime.%I', daily.name);
    END LOOP;
END
$$;

COMMENT ON TABLE realtime.messages IS
'Supabase compatibility layer: Realtime Broadcast/Presence messages and authorization probes. RLS enabled, no '
'policies shipped (projects write their own). On Supabase partitions older than 72 hours are dropped.';

-- =============================================================================================
-- Maintenance
-- =============================================================================================

DROP FUNCTION realtime.maintain_partitions(timestamptz, interval);
