-- =============================================================================================
-- Row level security: audit (the append-only trail)
-- =============================================================================================
-- Deliberately NO policy on audit.eventos. The trail is closed to the API personas at three
-- levels, each sufficient on its own:
--   1. anon and authenticated have no USAGE on schema audit (migrations/0001_schemas.sql);
--   2. they hold no privilege on audit.eventos (migrations/0006_audit.sql);
--   3. RLS is enabled with no policy, so even a grant added by mistake shows zero rows and
--      refuses every insert.
-- service_role (BYPASSRLS) reads it and may append (grants: SELECT, INSERT only); the audit
-- triggers write it as the owner (SECURITY DEFINER). Nobody updates or deletes it (no grant,
-- and the append-only trigger refuses with SK012).
--
-- Should office admins read their own office's trail one day, do not open the schema: expose a
-- SECURITY DEFINER function in an exposed schema that filters on
-- escritorio_id = ANY(ARRAY(SELECT private.escritorios_supervisionados())).

-- Why: this file is the place a DBA looks for "who reads the audit trail"; it fails the apply
-- (whole run rolled back) if the closure above was broken by a later change, instead of
-- letting the trail leak silently.
DO $$
DECLARE
    v_problem text;
BEGIN
    SELECT string_agg(problem, '; ' ORDER BY problem)
    INTO v_problem
    FROM (
        SELECT pg_catalog.format('policy %I exists on audit.eventos', p.policyname) AS problem
        FROM pg_catalog.pg_policies AS p
        WHERE p.schemaname = 'audit' AND p.tablename = 'eventos'
        UNION ALL
        SELECT pg_catalog.format('%s holds %s on audit.eventos', r.rolname, priv.name)
        FROM (VALUES ('anon'), ('authenticated')) AS r (rolname)
        CROSS JOIN (VALUES ('SELECT'), ('INSERT'), ('UPDATE'), ('DELETE'), ('TRUNCATE')) AS priv (name)
        WHERE pg_catalog.has_table_privilege(r.rolname, 'audit.eventos', priv.name)
        UNION ALL
        SELECT pg_catalog.format('%s may use schema audit', r.rolname)
        FROM (VALUES ('anon'), ('authenticated')) AS r (rolname)
        WHERE pg_catalog.has_schema_privilege(r.rolname, 'audit', 'USAGE')
        UNION ALL
        SELECT 'row level security is disabled on audit.eventos'
        FROM pg_catalog.pg_class AS c
        WHERE c.oid = 'audit.eventos'::regclass AND NOT c.relrowsecurity
    ) AS problems;

    IF v_problem IS NOT NULL THEN
        RAISE EXCEPTION 'audit.eventos must stay closed to the API roles: %', v_problem
            USING HINT = 'See policies/audit.sql: the trail is read by service_role only.';
    END IF;
END
$$;
