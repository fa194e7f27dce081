-- A view runs with its owner's rights unless security_invoker is on: over a table with RLS it
-- shows every row to whoever may read the view.
SELECT DISTINCT
    'view:' || pg_catalog.format('%%I.%%I', n.nspname, v.relname) AS object,
    'view reads ' || pg_catalog.format('%%I.%%I', tn.nspname, t.relname)
    || ' (row level security) with the owner''s rights: ALTER VIEW ... SET (security_invoker = on)'
    AS message
FROM pg_catalog.pg_class AS v
JOIN pg_catalog.pg_namespace AS n ON n.oid = v.relnamespace
JOIN pg_catalog.pg_rewrite AS rw ON rw.ev_class = v.oid
JOIN pg_catalog.pg_depend AS d
    ON d.classid = 'pg_catalog.pg_rewrite'::regclass AND d.objid = rw.oid
   AND d.refclassid = 'pg_catalog.pg_class'::regclass
JOIN pg_catalog.pg_class AS t ON t.oid = d.refobjid AND t.oid <> v.oid
JOIN pg_catalog.pg_namespace AS tn ON tn.oid = t.relnamespace
WHERE v.relkind = 'v'
  AND t.relrowsecurity
  AND n.nspname <> ALL(%(excluded)s)
  AND n.nspname NOT LIKE 'pg\_%%'
  AND n.nspname <> 'information_schema'
  AND NOT coalesce(v.reloptions && ARRAY['security_invoker=true', 'security_invoker=on',
                                         'security_invoker=1', 'security_invoker=yes'], false)
ORDER BY 1
