-- ARCHITECTURE §8: every foreign key of the domain has an index whose leading columns are the
-- key's columns (in order), so FK checks, cascades and tenant joins never scan. Generic over the
-- catalog: a new table or key that forgets its index fails here, with the key's name.
BEGIN;
SELECT plan(2);

CREATE TEMP VIEW domain_fks AS
SELECT
    c.conname,
    c.conrelid::regclass AS tabela,
    c.conkey,
    EXISTS (
        SELECT 1
        FROM pg_catalog.pg_index AS i
        WHERE i.indrelid = c.conrelid
          AND (i.indkey::int2 [])[0:pg_catalog.cardinality(c.conkey) - 1] = c.conkey
    ) AS indexed
FROM pg_catalog.pg_constraint AS c
JOIN pg_catalog.pg_namespace AS n ON n.oid = c.connamespace
WHERE c.contype = 'f'
  AND n.nspname IN ('crm', 'tickets', 'balcao_virtual', 'audit');

SELECT cmp_ok(
    (SELECT count(*) FROM domain_fks)::int, '>=', 20,
    'the domain has its foreign keys (sanity check of the catalog query)'
);

SELECT is_empty(
    $$ SELECT tabela::text || ': ' || conname FROM domain_fks WHERE NOT indexed $$,
    'every domain foreign key has an index led by its columns'
);

SELECT * FROM finish();
ROLLBACK;
