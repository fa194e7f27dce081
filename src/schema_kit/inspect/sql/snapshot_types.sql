-- Enums and domains (part of the versioned schema).
SELECT
    pg_catalog.format('%%I.%%I', n.nspname, t.typname) AS key,
    pg_catalog.jsonb_build_object(
        'kind', CASE t.typtype WHEN 'e' THEN 'enum' ELSE 'domain' END,
        'labels', (SELECT pg_catalog.jsonb_agg(e.enumlabel ORDER BY e.enumsortorder)
                   FROM pg_catalog.pg_enum AS e WHERE e.enumtypid = t.oid),
        'base', CASE WHEN t.typtype = 'd' THEN pg_catalog.format_type(t.typbasetype, t.typtypmod) END,
        'constraints', (SELECT pg_catalog.jsonb_agg(pg_catalog.pg_get_constraintdef(co.oid) ORDER BY co.conname)
                        FROM pg_catalog.pg_constraint AS co WHERE co.contypid = t.oid)
    ) AS definition
FROM pg_catalog.pg_type AS t
JOIN pg_catalog.pg_namespace AS n ON n.oid = t.typnamespace
WHERE t.typtype IN ('e', 'd')
  AND n.nspname <> ALL(%(excluded)s)
  AND n.nspname NOT LIKE 'pg\_%%'
  AND n.nspname <> 'information_schema'
  AND NOT EXISTS (
      SELECT 1 FROM pg_catalog.pg_depend AS d
      WHERE d.classid = 'pg_catalog.pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'e'
  )
ORDER BY 1
