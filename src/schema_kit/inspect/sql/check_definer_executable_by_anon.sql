-- SECURITY DEFINER functions run as their owner; anon (the public key) must not call any.
-- Trigger functions are exempt: they cannot be called directly.
SELECT
    'function:' || pg_catalog.format('%%I.%%I(%%s)', n.nspname, p.proname, pg_catalog.pg_get_function_identity_arguments(p.oid)) AS object,
    'SECURITY DEFINER function executable by anon'
    || CASE WHEN pg_catalog.has_function_privilege(0::oid, p.oid, 'EXECUTE') THEN ' (through PUBLIC)'
            ELSE '' END
    || ': REVOKE EXECUTE ... FROM PUBLIC, anon' AS message
FROM pg_catalog.pg_proc AS p
JOIN pg_catalog.pg_namespace AS n ON n.oid = p.pronamespace
WHERE p.prosecdef
  AND p.prorettype <> 'pg_catalog.trigger'::regtype
  AND n.nspname <> ALL(%(excluded)s)
  AND n.nspname NOT LIKE 'pg\_%%'
  AND n.nspname <> 'information_schema'
  AND pg_catalog.has_function_privilege('anon', p.oid, 'EXECUTE')
  AND NOT EXISTS (
      SELECT 1 FROM pg_catalog.pg_depend AS d
      WHERE d.classid = 'pg_catalog.pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
  )
ORDER BY 1
