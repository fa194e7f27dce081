-- The index a CREATE INDEX CONCURRENTLY statement names, if it exists: its qualified name and
-- whether it is valid. An index lives in its table's schema, so the table (resolved with the
-- unit's search_path) gives the schema. indisvalid = false after a failed concurrent build.
select
    pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname) as qualified,
    i.indisvalid as valid
from pg_catalog.pg_class as t
inner join pg_catalog.pg_namespace as n on n.oid = t.relnamespace
inner join pg_catalog.pg_class as c on c.relnamespace = t.relnamespace and c.relname = %(name)s
inner join pg_catalog.pg_index as i on i.indexrelid = c.oid
where t.oid = pg_catalog.to_regclass(%(table)s)
