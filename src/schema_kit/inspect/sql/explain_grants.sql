-- What the role may do before any policy: USAGE on the schema, the privilege for the command,
-- whether the role bypasses RLS and whether the table has RLS at all.
SELECT
    pg_catalog.has_schema_privilege(%(role)s, %(schema)s, 'USAGE') AS schema_usage,
    pg_catalog.has_table_privilege(%(role)s, %(table)s, %(op)s) AS table_privilege,
    r.rolbypassrls,
    c.relrowsecurity
FROM pg_catalog.pg_roles AS r, pg_catalog.pg_class AS c
WHERE r.rolname = %(role)s AND c.oid = pg_catalog.to_regclass(%(table)s)
