-- Policies of one table that apply to a command and a role (the role itself or PUBLIC).
SELECT p.policyname::text, p.permissive, p.cmd, p.roles::text[], p.qual, p.with_check
FROM pg_catalog.pg_policies AS p
WHERE pg_catalog.format('%%I.%%I', p.schemaname, p.tablename) = %(table)s
  AND p.cmd IN (%(cmd)s, 'ALL')
  AND (%(role)s = ANY(p.roles) OR 'public' = ANY(p.roles))
ORDER BY p.permissive DESC, p.policyname
