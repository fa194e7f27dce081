-- A table an API role holds privileges on (and whose schema it can reach) without RLS, or
-- without any policy that applies to that role: either everything is open, or the grant is
-- dead weight that opens everything the day someone adds a careless policy.
WITH api AS (
    SELECT r.rolname, r.oid FROM pg_catalog.pg_roles AS r
    WHERE r.rolname IN ('anon', 'authenticated')
)
SELECT
    'table:' || pg_catalog.format('%%I.%%I', n.nspname, c.relname) || ':' || api.rolname AS object,
    api.rolname || ' holds ' || pg_catalog.array_to_string(ARRAY(
        SELECT p FROM pg_catalog.unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE']) AS p
        WHERE pg_catalog.has_table_privilege(api.oid, c.oid, p)), ', ')
    || CASE WHEN NOT c.relrowsecurity THEN ' on a table without row level security'
            ELSE ' but no policy applies to ' || api.rolname || ' (revoke the grant or add a policy)'
       END AS message
FROM pg_catalog.pg_class AS c
JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
CROSS JOIN api
WHERE c.relkind IN ('r', 'p')
  AND NOT c.relispartition
  AND n.nspname <> ALL(%(excluded)s)
  AND n.nspname NOT LIKE 'pg\_%%'
  AND n.nspname <> 'information_schema'
  AND pg_catalog.has_schema_privilege(api.oid, n.oid, 'USAGE')
  AND pg_catalog.has_table_privilege(api.oid, c.oid, 'SELECT, INSERT, UPDATE, DELETE')
  AND (NOT c.relrowsecurity OR NOT EXISTS (
      SELECT 1 FROM pg_catalog.pg_policy AS pol
      WHERE pol.polrelid = c.oid AND (0 = ANY(pol.polroles) OR api.oid = ANY(pol.polroles))
  ))
ORDER BY 1
