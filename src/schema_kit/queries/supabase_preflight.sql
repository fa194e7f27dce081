-- What the domain needs from the platform on the `supabase` target: one row per missing object.
select missing
from (
    values
        ('role anon', exists (select from pg_catalog.pg_roles where rolname = 'anon')),
        ('role authenticated', exists (select from pg_catalog.pg_roles where rolname = 'authenticated')),
        ('role service_role', exists (select from pg_catalog.pg_roles where rolname = 'service_role')),
        ('table auth.users', pg_catalog.to_regclass('auth.users') is not null),
        ('function auth.uid()', pg_catalog.to_regprocedure('auth.uid()') is not null),
        ('function auth.jwt()', pg_catalog.to_regprocedure('auth.jwt()') is not null),
        ('table realtime.messages', pg_catalog.to_regclass('realtime.messages') is not null),
        ('function realtime.topic()', pg_catalog.to_regprocedure('realtime.topic()') is not null),
        (
            'function realtime.send(jsonb, text, text, boolean)',
            pg_catalog.to_regprocedure('realtime.send(jsonb, text, text, boolean)') is not null
        )
) as required (missing, present)
where not present
