-- A foreign key whose columns do not lead any index: every delete/update of the referenced row
-- scans the referencing table, and joins along the key cannot use an index.
SELECT
    'constraint:' || pg_catalog.format('%%I.%%I', n.nspname, c.relname) || '.' || co.conname AS object,
    'foreign key (' || pg_catalog.array_to_string(ARRAY(
        SELECT a.attname FROM pg_catalog.unnest(co.conkey) WITH ORDINALITY AS k(attnum, i)
        JOIN pg_catalog.pg_attribute AS a ON a.attrelid = c.oid AND a.attnum = k.attnum
        ORDER BY k.i), ', ')
    || ') is not the leading part of any index' AS message
FROM pg_catalog.pg_constraint AS co
JOIN pg_catalog.pg_class AS c ON c.oid = co.conrelid
JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
WHERE co.contype = 'f'
  AND NOT c.relispartition
  AND co.conparentid = 0
  AND n.nspname <> ALL(%(excluded)s)
  AND n.nspname NOT LIKE 'pg\_%%'
  AND n.nspname <> 'information_schema'
  AND NOT EXISTS (
      SELECT 1 FROM pg_catalog.pg_index AS i
      WHERE i.indrelid = c.oid
        AND (i.indkey::int2[])[0:pg_catalog.cardinality(co.conkey) - 1] @> co.conkey
        AND (i.indkey::int2[])[0:pg_catalog.cardinality(co.conkey) - 1] <@ co.conkey
  )
ORDER BY 1
