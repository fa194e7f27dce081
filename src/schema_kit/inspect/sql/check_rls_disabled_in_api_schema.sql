-- Tables with RLS disabled in any schema an API role can reach (USAGE), not only public.
SELECT
    'table:' || pg_catalog.format('%%I.%%I', n.nspname, c.relname) AS object,
    'row level security is disabled on a table in schema ' || n.nspname
    || ', which ' || pg_catalog.array_to_string(ARRAY(
        SELECT r FROM pg_catalog.unnest(ARRAY['anon', 'authenticated']) AS r
        WHERE pg_catalog.has_schema_privilege(r, n.oid, 'USAGE')), ', ')
    || ' can reach: ALTER TABLE ... ENABLE ROW LEVEL SECURITY and add policies' AS message
FROM pg_catalog.pg_class AS c
JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p')
  AND NOT c.relispartition
  AND NOT c.relrowsecurity
  AND n.nspname <> ALL(%(excluded)s)
  AND n.nspname NOT LIKE 'pg\_%%'
  AND n.nspname <> 'information_schema'
  AND (pg_catalog.has_schema_privilege('anon', n.oid, 'USAGE')
       OR pg_catalog.has_schema_privilege('authenticated', n.oid, 'USAGE'))
ORDER BY 1
