-- SECURITY DEFINER functions run as their owner, bypassing RLS: each must pin search_path (so a
-- caller's objects can never shadow what it calls) and none may be executable by anon. Generic
-- over the catalog: a new function that forgets either fails here by name.
BEGIN;
SELECT plan(4);

CREATE TEMP VIEW definer_functions AS
SELECT p.oid, p.oid::regprocedure::text AS assinatura, p.proconfig, p.prorettype
FROM pg_catalog.pg_proc AS p
JOIN pg_catalog.pg_namespace AS n ON n.oid = p.pronamespace
WHERE p.prosecdef
  AND n.nspname IN ('crm', 'tickets', 'balcao_virtual', 'audit', 'private', 'auth', 'realtime');

SELECT cmp_ok(
    (SELECT count(*) FROM definer_functions)::int, '>=', 10,
    'the domain has its SECURITY DEFINER functions (sanity check of the catalog query)'
);

SELECT is_empty(
    $$ SELECT assinatura FROM definer_functions
       WHERE NOT coalesce(proconfig @> ARRAY['search_path=""'], false) $$,
    'every SECURITY DEFINER function sets search_path = '''''
);

SELECT is_empty(
    $$ SELECT assinatura FROM definer_functions
       WHERE prorettype <> 'trigger'::regtype
         AND pg_catalog.has_function_privilege('anon', oid, 'EXECUTE') $$,
    'anon may execute no SECURITY DEFINER function'
);

SELECT is_empty(
    $$ SELECT assinatura FROM definer_functions
       WHERE assinatura LIKE 'private.%'
         AND pg_catalog.has_function_privilege('public', oid, 'EXECUTE') $$,
    'no private helper is executable by PUBLIC'
);

SELECT * FROM finish();
ROLLBACK;
