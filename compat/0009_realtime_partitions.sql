-- Supabase compatibility layer, part 7: daily partitions of realtime.messages, kept 72 hours.
--
-- On the platform, Realtime keeps realtime.messages in daily partitions messages_YYYY_MM_DD
-- (UTC days), creates them for yesterday .. today+3, has NO default partition (an insert
-- outside them fails: "no partition of relation messages found for row") and drops
-- partitions older than 72 hours. 0003 put every row in one DEFAULT partition that is never
-- purged, which hides both failure modes and lets code read broadcasts that production has
-- long deleted. This unit replaces it with the platform's layout and a maintenance function
-- that schema-kit runs on every apply (and listen / serve): Python
-- schema_kit.compat_maintenance.maintain_realtime_partitions(conn).


-- =============================================================================================
-- Maintenance: create the window, drop what is older than the retention
-- =============================================================================================

-- Why: Realtime's janitor in SQL. Creates the partitions of yesterday .. today+3 (UTC) that
-- are missing and drops every messages_YYYY_MM_DD partition whose day ended before
-- `p_now - p_retention`, returning one row per change. SECURITY DEFINER owned by
-- supabase_realtime_admin: the caller (`postgres`, schema-kit) needs no ownership. Serialized
-- by a transaction advisory lock so concurrent callers do not race on the same partition.
-- p_now is the clock (tests pass a later time to simulate days passing).
CREATE FUNCTION realtime.maintain_partitions(
    p_now timestamptz DEFAULT now(),
    p_retention interval DEFAULT '72 hours'
) RETURNS TABLE (action text, partition_name text)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    today date := (p_now AT TIME ZONE 'UTC')::date;
    cutoff date := ((p_now - p_retention) AT TIME ZONE 'UTC')::date;
    day date;
    existing record;
BEGIN
    -- "schema_kit realtime partitions" as an advisory key: one maintenance at a time.
    PERFORM pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('schema_kit.realtime.maintain_partitions'));

    FOR day IN SELECT pg_catalog.generate_series(today - 1, today + 3, interval '1 day')::date LOOP
        partition_name := 'messages_' || pg_catalog.to_char(day, 'YYYY_MM_DD');
        IF pg_catalog.to_regclass('realtime.' || partition_name) IS NULL THEN
            EXECUTE pg_catalog.format(
                'CREATE TABLE realtime.%I PARTITION OF realtime.messages FOR VALUES FROM (%L) TO (%L)',
                partition_name, day::timestamp, (day + 1)::timestamp
            );
            EXECUTE pg_catalog.format('ALTER TABLE realtime.%I ENABLE ROW LEVEL SECURITY', partition_name);
            EXECUTE pg_catalog.format(
                'COMMENT ON TABLE realtime.%I IS %L', partition_name,
                'Daily partition of realtime.messages (UTC day ' || day
                || '), made by realtime.maintain_partitions(); dropped once older than the retention (72 hours).'
            );
            action := 'created';
            RETURN NEXT;
        END IF;
    END LOOP;

    FOR existing IN
        SELECT c.relname::text AS name
        FROM pg_catalog.pg_inherits AS i
        INNER JOIN pg_catalog.pg_class AS c ON i.inhrelid = c.oid
        WHERE
            i.inhparent = 'realtime.messages'::regclass
            AND c.relname ~ '^messages_[0-9]{4}_[0-9]{2}_[0-9]{2}$'
            AND pg_catalog.to_date(pg_catalog.substr(c.relname, 10), 'YYYY_MM_DD') < cutoff
        ORDER BY c.relname
    LOOP
        EXECUTE pg_catalog.format('DROP TABLE realtime.%I', existing.name);
        action := 'dropped';
        partition_name := existing.name;
        RETURN NEXT;
    END LOOP;
END;
$$;

COMMENT ON FUNCTION realtime.maintain_partitions(timestamptz, interval) IS
'Supabase compatibility layer (Realtime''s janitor): creates the daily partitions messages_YYYY_MM_DD for yesterday '
'.. today+3 (UTC) and drops those older than p_retention (72 hours); one row per partition created or dropped.';

-- Why: the migration role (schema-kit) runs it; API roles never do.
REVOKE ALL ON FUNCTION realtime.maintain_partitions(timestamptz, interval) FROM public;

DO $$
BEGIN
    IF EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'postgres') THEN
        GRANT EXECUTE ON FUNCTION realtime.maintain_partitions(timestamptz, interval) TO postgres;
    END IF;
END
$$;

ALTER FUNCTION realtime.maintain_partitions(timestamptz, interval) OWNER TO supabase_realtime_admin;


-- =============================================================================================
-- From the DEFAULT partition to daily partitions
-- =============================================================================================

-- Why: the DEFAULT partition goes away (the platform has none). Its rows are kept: each day
-- present there gets its partition, rows move in, then the normal window is created. Rows
-- older than the retention are dropped by the next maintenance, as on the platform. Rows are
-- copied straight into the partitions, so local subscribers are not re-notified.
DO $$
DECLARE
    day date;
    partition_name text;
BEGIN
    -- (Here, not as a statement of its own: the SQL linter cannot parse DETACH PARTITION.)
    ALTER TABLE realtime.messages DETACH PARTITION realtime.messages_default;

    FOR day IN
        SELECT DISTINCT m.inserted_at::date FROM realtime.messages_default AS m ORDER BY 1
    LOOP
        partition_name := 'messages_' || pg_catalog.to_char(day, 'YYYY_MM_DD');
        EXECUTE pg_catalog.format(
            'CREATE TABLE realtime.%I PARTITION OF realtime.messages FOR VALUES FROM (%L) TO (%L)',
            partition_name, day::timestamp, (day + 1)::timestamp
        );
        EXECUTE pg_catalog.format('ALTER TABLE realtime.%I ENABLE ROW LEVEL SECURITY', partition_name);
        EXECUTE pg_catalog.format(
            'COMMENT ON TABLE realtime.%I IS %L', partition_name,
            'Daily partition of realtime.messages (UTC day ' || day
            || '), made by realtime.maintain_partitions(); dropped once older than the retention (72 hours).'
        );
        EXECUTE pg_catalog.format('ALTER TABLE realtime.%I OWNER TO supabase_realtime_admin', partition_name);
        EXECUTE pg_catalog.format(
            'INSERT INTO realtime.%I (topic, extension, payload, event, private, updated_at, inserted_at, id, '
            'binary_payload) SELECT topic, extension, payload, event, private, updated_at, inserted_at, id, '
            'binary_payload FROM realtime.messages_default WHERE inserted_at::date = %L',
            partition_name, day
        );
    END LOOP;
END
$$;

DROP TABLE realtime.messages_default;

-- Why: the window exists as soon as the unit is applied (schema-kit maintains it afterwards).
SELECT FROM realtime.maintain_partitions();

COMMENT ON TABLE realtime.messages IS
'Supabase compatibility layer: Realtime Broadcast/Presence messages and authorization probes, in daily partitions '
'messages_YYYY_MM_DD (yesterday .. today+3, no default partition) dropped after 72 hours, as on Supabase. RLS '
'enabled, no policies shipped (projects write their own).';
