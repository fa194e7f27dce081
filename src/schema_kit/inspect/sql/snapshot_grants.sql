-- Privileges per relation (tables, views, sequences; not partitions) and grantee, NULL ACLs
-- expanded to the owner's defaults; column privileges as "PRIVILEGE (column)".
WITH rel AS (
    SELECT c.oid, c.relname, c.relowner, c.relacl, c.relkind, n.nspname
    FROM pg_catalog.pg_class AS c
    JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S')
      AND NOT c.relispartition
      AND n.nspname <> ALL(%(excluded)s)
      AND n.nspname NOT LIKE 'pg\_%%'
      AND n.nspname <> 'information_schema'
      AND NOT EXISTS (
          SELECT 1 FROM pg_catalog.pg_depend AS d
          WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e'
      )
),
privs AS (
    SELECT rel.nspname, rel.relname, a.grantee, a.privilege_type AS privilege
    FROM rel, pg_catalog.aclexplode(coalesce(rel.relacl, pg_catalog.acldefault(
        CASE WHEN rel.relkind = 'S' THEN 's' ELSE 'r' END::"char", rel.relowner))) AS a
    UNION ALL
    SELECT rel.nspname, rel.relname, a.grantee, a.privilege_type || ' (' || att.attname || ')'
    FROM rel
    JOIN pg_catalog.pg_attribute AS att ON att.attrelid = rel.oid AND att.attacl IS NOT NULL
    CROSS JOIN LATERAL pg_catalog.aclexplode(att.attacl) AS a
)
SELECT
    pg_catalog.format('%%I.%%I to %%s', nspname, relname,
        CASE WHEN grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.pg_get_userbyid(grantee)::text END) AS key,
    pg_catalog.jsonb_build_object(
        'object', pg_catalog.format('%%I.%%I', nspname, relname),
        'grantee', CASE WHEN grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.pg_get_userbyid(grantee)::text END,
        'privileges', pg_catalog.jsonb_agg(DISTINCT privilege ORDER BY privilege)
    ) AS definition
FROM privs
GROUP BY nspname, relname, grantee
ORDER BY 1
