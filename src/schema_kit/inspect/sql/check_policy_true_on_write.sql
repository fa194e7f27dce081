-- USING (true) / WITH CHECK (true) on a write policy lets the role change or add any row.
SELECT
    'policy:' || pg_catalog.format('%%I.%%I.%%I', p.schemaname, p.tablename, p.policyname) AS object,
    p.cmd || ' policy with '
    || CASE WHEN p.qual = 'true' THEN 'USING (true)' ELSE 'WITH CHECK (true)' END
    || ' for ' || pg_catalog.array_to_string(p.roles, ', ') || ': every row is open to writes'
    AS message
FROM pg_catalog.pg_policies AS p
WHERE p.cmd IN ('INSERT', 'UPDATE', 'DELETE', 'ALL')
  AND (p.qual = 'true' OR p.with_check = 'true')
  AND p.schemaname <> ALL(%(excluded)s)
ORDER BY 1
