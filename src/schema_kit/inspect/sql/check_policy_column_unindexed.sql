-- A policy filters every row the role reads: at least one of the columns it filters on must
-- lead an index, or each query scans the whole table (supabase's RLS performance guide).
-- INSERT policies are left out: WITH CHECK sees only the new row, it never scans.
WITH policy_columns AS (
    SELECT pol.oid, pol.polname, pol.polrelid,
           pg_catalog.array_agg(DISTINCT d.refobjsubid) AS attnums
    FROM pg_catalog.pg_policy AS pol
    JOIN pg_catalog.pg_depend AS d
        ON d.classid = 'pg_catalog.pg_policy'::regclass AND d.objid = pol.oid
       AND d.refclassid = 'pg_catalog.pg_class'::regclass AND d.refobjid = pol.polrelid
       AND d.refobjsubid > 0
    WHERE pol.polcmd <> 'a'
    GROUP BY pol.oid, pol.polname, pol.polrelid
)
SELECT
    'policy:' || pg_catalog.format('%%I.%%I.%%I', n.nspname, c.relname, pc.polname) AS object,
    'filters on (' || pg_catalog.array_to_string(ARRAY(
        SELECT a.attname FROM pg_catalog.pg_attribute AS a
        WHERE a.attrelid = c.oid AND a.attnum = ANY(pc.attnums) ORDER BY a.attnum), ', ')
    || '), none of which leads an index on ' || pg_catalog.format('%%I.%%I', n.nspname, c.relname)
    AS message
FROM policy_columns AS pc
JOIN pg_catalog.pg_class AS c ON c.oid = pc.polrelid
JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
WHERE n.nspname <> ALL(%(excluded)s)
  AND NOT EXISTS (
      SELECT 1 FROM pg_catalog.pg_index AS i
      WHERE i.indrelid = c.oid AND i.indkey[0] = ANY(pc.attnums)
  )
ORDER BY 1
