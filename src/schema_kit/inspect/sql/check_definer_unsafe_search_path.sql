-- SECURITY DEFINER functions must pin search_path to exactly "pg_catalog, pg_temp": without
-- pg_temp named last, PostgreSQL searches the caller's temporary schema first for relations and
-- types ('' is not enough), and a mutable path lets the caller redirect every unqualified name.
SELECT
    'function:' || pg_catalog.format('%%I.%%I(%%s)', n.nspname, p.proname, pg_catalog.pg_get_function_identity_arguments(p.oid)) AS object,
    CASE WHEN cfg.value IS NULL THEN 'SECURITY DEFINER without SET search_path'
         ELSE 'SECURITY DEFINER with search_path=' || cfg.value
    END || ': use SET search_path = pg_catalog, pg_temp (pg_temp last)' AS message
FROM pg_catalog.pg_proc AS p
JOIN pg_catalog.pg_namespace AS n ON n.oid = p.pronamespace
LEFT JOIN LATERAL (
    SELECT pg_catalog.substr(setting, pg_catalog.length('search_path=') + 1) AS value
    FROM pg_catalog.unnest(p.proconfig) AS setting
    WHERE setting LIKE 'search\_path=%%'
) AS cfg ON true
WHERE p.prosecdef
  AND n.nspname <> ALL(%(excluded)s)
  AND n.nspname NOT LIKE 'pg\_%%'
  AND n.nspname <> 'information_schema'
  AND NOT EXISTS (
      SELECT 1 FROM pg_catalog.pg_depend AS d
      WHERE d.classid = 'pg_catalog.pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
  )
  AND coalesce(pg_catalog.regexp_replace(cfg.value, '[\s"]', '', 'g'), '') <> 'pg_catalog,pg_temp'
ORDER BY 1
