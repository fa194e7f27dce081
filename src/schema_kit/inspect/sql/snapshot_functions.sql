-- Functions and procedures (not those of extensions): full definition, definer or invoker,
-- settings (search_path), volatility, owner, who may EXECUTE, comment.
SELECT
    pg_catalog.format('%%I.%%I(%%s)', n.nspname, p.proname, pg_catalog.pg_get_function_identity_arguments(p.oid)) AS key,
    pg_catalog.jsonb_build_object(
        'language', l.lanname::text,
        'security', CASE WHEN p.prosecdef THEN 'definer' ELSE 'invoker' END,
        'config', coalesce(pg_catalog.to_jsonb(p.proconfig), '[]'::jsonb),
        'volatility', CASE p.provolatile WHEN 'i' THEN 'immutable' WHEN 's' THEN 'stable' ELSE 'volatile' END,
        'owner', pg_catalog.pg_get_userbyid(p.proowner)::text,
        'returns', pg_catalog.format_type(p.prorettype, NULL),
        'execute', (
            SELECT coalesce(pg_catalog.jsonb_agg(DISTINCT
                CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.pg_get_userbyid(a.grantee)::text END),
                '[]'::jsonb)
            FROM pg_catalog.aclexplode(coalesce(p.proacl, pg_catalog.acldefault('f', p.proowner))) AS a
        ),
        'comment', pg_catalog.obj_description(p.oid, 'pg_proc'),
        'definition', CASE WHEN p.prokind IN ('f', 'p') THEN pg_catalog.pg_get_functiondef(p.oid) END
    ) AS definition
FROM pg_catalog.pg_proc AS p
JOIN pg_catalog.pg_namespace AS n ON n.oid = p.pronamespace
JOIN pg_catalog.pg_language AS l ON l.oid = p.prolang
WHERE n.nspname <> ALL(%(excluded)s)
  AND n.nspname NOT LIKE 'pg\_%%'
  AND n.nspname <> 'information_schema'
  AND NOT EXISTS (
      SELECT 1 FROM pg_catalog.pg_depend AS d
      WHERE d.classid = 'pg_catalog.pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
  )
ORDER BY 1
