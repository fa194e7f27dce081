-- Zero-argument helpers in schema private (the caller's offices, client id, ...), with whether
-- they return a set, so explain can show what each one answers for the user.
SELECT p.proname::text, p.proretset
FROM pg_catalog.pg_proc AS p
JOIN pg_catalog.pg_namespace AS n ON n.oid = p.pronamespace
WHERE n.nspname = 'private' AND p.pronargs = 0 AND p.prorettype <> 'pg_catalog.trigger'::regtype
ORDER BY 1
