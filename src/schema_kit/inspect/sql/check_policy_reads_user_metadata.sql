-- raw_user_meta_data (and the JWT's user_metadata) are editable by the end user: a policy that
-- trusts them lets users grant themselves access.
SELECT
    'policy:' || pg_catalog.format('%%I.%%I.%%I', p.schemaname, p.tablename, p.policyname) AS object,
    'reads user-editable metadata (raw_user_meta_data / user_metadata): use raw_app_meta_data '
    || 'or a table the user cannot write' AS message
FROM pg_catalog.pg_policies AS p
WHERE (coalesce(p.qual, '') || ' ' || coalesce(p.with_check, '')) ~* '(raw_user_meta_data|user_metadata)'
  AND p.schemaname <> ALL(%(excluded)s)
ORDER BY 1
