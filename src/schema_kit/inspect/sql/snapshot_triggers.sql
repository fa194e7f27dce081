-- User triggers (not constraint triggers of foreign keys), on tables the snapshot covers.
SELECT
    pg_catalog.format('%%I.%%I.%%I', n.nspname, c.relname, t.tgname) AS key,
    pg_catalog.jsonb_build_object(
        'table', pg_catalog.format('%%I.%%I', n.nspname, c.relname),
        'timing', CASE WHEN t.tgtype & 2 = 2 THEN 'BEFORE' WHEN t.tgtype & 64 = 64 THEN 'INSTEAD OF'
                  ELSE 'AFTER' END,
        'events', pg_catalog.array_to_string(array_remove(ARRAY[
            CASE WHEN t.tgtype & 4 = 4 THEN 'INSERT' END,
            CASE WHEN t.tgtype & 16 = 16 THEN 'UPDATE' END,
            CASE WHEN t.tgtype & 8 = 8 THEN 'DELETE' END,
            CASE WHEN t.tgtype & 32 = 32 THEN 'TRUNCATE' END], NULL), ' OR '),
        'level', CASE WHEN t.tgtype & 1 = 1 THEN 'ROW' ELSE 'STATEMENT' END,
        'function', pg_catalog.format('%%I.%%I(%%s)', n.nspname, p.proname, pg_catalog.pg_get_function_identity_arguments(p.oid)),
        'security', CASE WHEN p.prosecdef THEN 'definer' ELSE 'invoker' END,
        'enabled', t.tgenabled::text,
        'comment', pg_catalog.obj_description(t.oid, 'pg_trigger'),
        'definition', pg_catalog.pg_get_triggerdef(t.oid, true)
    ) AS definition
FROM pg_catalog.pg_trigger AS t
JOIN pg_catalog.pg_class AS c ON c.oid = t.tgrelid
JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
JOIN pg_catalog.pg_proc AS p ON p.oid = t.tgfoid
WHERE NOT t.tgisinternal
  AND NOT c.relispartition
  AND n.nspname <> ALL(%(excluded)s)
  AND n.nspname NOT LIKE 'pg\_%%'
  AND n.nspname <> 'information_schema'
ORDER BY 1
