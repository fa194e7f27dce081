-- Row level security policies as the catalog normalises them (pg_policies), with comments.
SELECT
    pg_catalog.format('%%I.%%I.%%I', pol.schemaname, pol.tablename, pol.policyname) AS key,
    pg_catalog.jsonb_build_object(
        'table', pg_catalog.format('%%I.%%I', pol.schemaname, pol.tablename),
        'name', pol.policyname::text,
        'command', pol.cmd,
        'roles', pg_catalog.to_jsonb(pol.roles::text[]),
        'permissive', pol.permissive,
        'using', pol.qual,
        'with_check', pol.with_check,
        'comment', pg_catalog.obj_description(p.oid, 'pg_policy')
    ) AS definition
FROM pg_catalog.pg_policies AS pol
JOIN pg_catalog.pg_policy AS p
    ON p.polname = pol.policyname
   AND p.polrelid = pg_catalog.format('%%I.%%I', pol.schemaname, pol.tablename)::regclass
WHERE pol.schemaname <> ALL(%(excluded)s)
ORDER BY 1
