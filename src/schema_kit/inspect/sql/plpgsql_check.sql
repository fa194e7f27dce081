-- plpgsql_check over every plpgsql function outside the excluded schemas; a trigger function is
-- checked against each table it is attached to, with its transition tables' names.
WITH trig AS (
    SELECT t.tgfoid, t.tgrelid,
           max(t.tgnewtable) OVER (PARTITION BY t.tgfoid) AS newtable,
           max(t.tgoldtable) OVER (PARTITION BY t.tgfoid) AS oldtable
    FROM pg_catalog.pg_trigger AS t
    WHERE NOT t.tgisinternal
),
target AS (
    SELECT DISTINCT p.oid, coalesce(trig.tgrelid, 0) AS relid, trig.newtable, trig.oldtable
    FROM pg_catalog.pg_proc AS p
    JOIN pg_catalog.pg_namespace AS n ON n.oid = p.pronamespace
    JOIN pg_catalog.pg_language AS l ON l.oid = p.prolang
    LEFT JOIN trig ON trig.tgfoid = p.oid
    WHERE l.lanname = 'plpgsql'
      AND n.nspname <> ALL(%(excluded)s)
      AND n.nspname NOT LIKE 'pg\_%%'
      AND n.nspname <> 'information_schema'
      AND (p.prorettype <> 'pg_catalog.trigger'::regtype OR trig.tgrelid IS NOT NULL)
      AND NOT EXISTS (
          SELECT 1 FROM pg_catalog.pg_depend AS d
          WHERE d.classid = 'pg_catalog.pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
      )
)
SELECT
    pg_catalog.format('%%I.%%I(%%s)', n.nspname, p.proname,
                      pg_catalog.pg_get_function_identity_arguments(p.oid)) AS function,
    target.relid::pg_catalog.regclass::text AS relation,
    c.level, c.sqlstate, c.message, c.lineno, c.hint
FROM target
JOIN pg_catalog.pg_proc AS p ON p.oid = target.oid
JOIN pg_catalog.pg_namespace AS n ON n.oid = p.pronamespace
CROSS JOIN LATERAL {schema}.plpgsql_check_function_tb(
    target.oid, target.relid, newtable => target.newtable, oldtable => target.oldtable,
    other_warnings => true, extra_warnings => true
) AS c
ORDER BY 1, 2, c.lineno, c.message
