-- Tables, partitioned tables and views (not partitions: Realtime creates those per day), with
-- row level security, columns, constraints, indexes, view definition and options.
SELECT
    pg_catalog.format('%%I.%%I', n.nspname, c.relname) AS key,
    pg_catalog.jsonb_build_object(
        'kind', CASE c.relkind WHEN 'r' THEN 'table' WHEN 'p' THEN 'partitioned table'
                WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view' ELSE c.relkind::text END,
        'owner', pg_catalog.pg_get_userbyid(c.relowner)::text,
        'rls', c.relrowsecurity,
        'rls_forced', c.relforcerowsecurity,
        'options', coalesce(pg_catalog.to_jsonb(c.reloptions), '[]'::jsonb),
        'comment', pg_catalog.obj_description(c.oid, 'pg_class'),
        'view', CASE WHEN c.relkind IN ('v', 'm') THEN pg_catalog.pg_get_viewdef(c.oid, true) END,
        'columns', (
            SELECT coalesce(pg_catalog.jsonb_agg(
                a.attname || ' ' || pg_catalog.format_type(a.atttypid, a.atttypmod)
                || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END
                || coalesce(' default ' || pg_catalog.pg_get_expr(ad.adbin, ad.adrelid), '')
                || CASE WHEN a.attidentity <> '' THEN ' identity ' || a.attidentity::text ELSE '' END
                || CASE WHEN a.attgenerated <> '' THEN ' generated' ELSE '' END
                ORDER BY a.attnum), '[]'::jsonb)
            FROM pg_catalog.pg_attribute AS a
            LEFT JOIN pg_catalog.pg_attrdef AS ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
            WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
        ),
        'constraints', (
            SELECT coalesce(pg_catalog.jsonb_object_agg(co.conname, pg_catalog.pg_get_constraintdef(co.oid, true)),
                            '{}'::jsonb)
            FROM pg_catalog.pg_constraint AS co
            WHERE co.conrelid = c.oid
        ),
        'indexes', (
            SELECT coalesce(pg_catalog.jsonb_object_agg(ic.relname, pg_catalog.pg_get_indexdef(i.indexrelid)),
                            '{}'::jsonb)
            FROM pg_catalog.pg_index AS i
            JOIN pg_catalog.pg_class AS ic ON ic.oid = i.indexrelid
            WHERE i.indrelid = c.oid
        )
    ) AS definition
FROM pg_catalog.pg_class AS c
JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'v', 'm')
  AND NOT c.relispartition
  AND n.nspname <> ALL(%(excluded)s)
  AND n.nspname NOT LIKE 'pg\_%%'
  AND n.nspname <> 'information_schema'
  AND NOT EXISTS (
      SELECT 1 FROM pg_catalog.pg_depend AS d
      WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e'
  )
ORDER BY 1
