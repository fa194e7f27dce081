-- Functions that run with another role's rights must never run the caller's objects. Generic
-- over the catalog: a new function that forgets a rule fails here by name.
--
-- The safe form is exactly `search_path = pg_catalog, pg_temp` (pg_temp explicitly LAST). An
-- empty search_path is NOT safe: when pg_temp is not named, PostgreSQL searches the caller's
-- temporary schema first for relations and types, so a caller's pg_temp.uuid domain would run
-- its CHECK inside the function, as the owner (tests/test_hardening_definer.py shows the attack).
-- Scope:
--   * every function of the domain schemas, definer or invoker: invoker helpers and trigger
--     functions run as the owner whenever definer code calls them or fires their triggers;
--   * every SECURITY DEFINER function anywhere outside the system schemas (compat included);
--   * every function that sets a search_path at all (no function may pin an unsafe one).
BEGIN;
SELECT plan(6);

CREATE TEMP VIEW funcoes_vigiadas AS
SELECT p.oid, p.oid::regprocedure::text AS assinatura, p.prosecdef, p.proconfig, p.prorettype, n.nspname
FROM pg_catalog.pg_proc AS p
JOIN pg_catalog.pg_namespace AS n ON n.oid = p.pronamespace
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
  AND n.nspname NOT LIKE 'pg_temp%'
  AND n.nspname NOT LIKE 'pg_toast_temp%'
  AND NOT EXISTS (  -- extension members (pgTAP) are not ours
      SELECT FROM pg_catalog.pg_depend AS d
      WHERE d.classid = 'pg_catalog.pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
  );

SELECT cmp_ok(
    (SELECT count(*) FROM funcoes_vigiadas WHERE prosecdef)::int, '>=', 15,
    'the project has its SECURITY DEFINER functions (sanity check of the catalog query)'
);

SELECT is_empty(
    $$ SELECT assinatura FROM funcoes_vigiadas
       WHERE nspname IN ('crm', 'tickets', 'balcao_virtual', 'audit', 'private')
         AND proconfig IS DISTINCT FROM ARRAY['search_path=pg_catalog, pg_temp'] $$,
    'every domain function pins exactly search_path = pg_catalog, pg_temp'
);

SELECT is_empty(
    $$ SELECT assinatura FROM funcoes_vigiadas
       WHERE prosecdef
         AND NOT coalesce('search_path=pg_catalog, pg_temp' = ANY(proconfig), false) $$,
    'every SECURITY DEFINER function (domain and compat) pins search_path = pg_catalog, pg_temp'
);

SELECT is_empty(
    $$ SELECT assinatura || ' ' || c.config FROM funcoes_vigiadas, unnest(proconfig) AS c (config)
       WHERE c.config LIKE 'search_path=%' AND c.config <> 'search_path=pg_catalog, pg_temp' $$,
    'no function pins any other search_path (e.g. an empty one, or pg_temp not last)'
);

SELECT is_empty(
    $$ SELECT assinatura FROM funcoes_vigiadas
       WHERE prosecdef AND prorettype <> 'trigger'::regtype
         AND pg_catalog.has_function_privilege('anon', oid, 'EXECUTE') $$,
    'anon may execute no SECURITY DEFINER function'
);

SELECT is_empty(
    $$ SELECT assinatura FROM funcoes_vigiadas
       WHERE nspname = 'private' AND prosecdef
         AND pg_catalog.has_function_privilege('public', oid, 'EXECUTE') $$,
    'no private definer helper is executable by PUBLIC'
);

SELECT * FROM finish();
ROLLBACK;
