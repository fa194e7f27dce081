-- Become the subscriber for the rest of the transaction, exactly as Supabase Realtime does
-- before its authorization queries: role, the topic, the JWT claims (whole and the two
-- claims PostgREST also exposes one by one) and the request headers.
SELECT
    pg_catalog.set_config('role', %(role)s, true),
    pg_catalog.set_config('realtime.topic', %(topic)s, true),
    pg_catalog.set_config('request.jwt.claims', %(claims)s, true),
    pg_catalog.set_config('request.jwt.claim.sub', %(sub)s, true),
    pg_catalog.set_config('request.jwt.claim.role', %(role)s, true),
    pg_catalog.set_config('request.headers', %(headers)s, true)
