-- Schemas the snapshot covers (everything but the system, the bookkeeping and the excluded ones),
-- with owner, privileges and comment.
SELECT
    n.nspname::text AS key,
    pg_catalog.jsonb_build_object(
        'owner', pg_catalog.pg_get_userbyid(n.nspowner)::text,
        'grants', (
            SELECT coalesce(pg_catalog.jsonb_agg(DISTINCT (
                CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.pg_get_userbyid(a.grantee)::text END
                || ': ' || a.privilege_type
            )), '[]'::jsonb)
            FROM pg_catalog.aclexplode(coalesce(n.nspacl, pg_catalog.acldefault('n', n.nspowner))) AS a
        ),
        'comment', pg_catalog.obj_description(n.oid, 'pg_namespace')
    ) AS definition
FROM pg_catalog.pg_namespace AS n
WHERE n.nspname <> ALL(%(excluded)s)
  AND n.nspname NOT LIKE 'pg\_%%'
  AND n.nspname <> 'information_schema'
  AND NOT EXISTS (
      SELECT 1 FROM pg_catalog.pg_depend AS d
      WHERE d.classid = 'pg_catalog.pg_namespace'::regclass AND d.objid = n.oid AND d.deptype = 'e'
  )
ORDER BY 1
