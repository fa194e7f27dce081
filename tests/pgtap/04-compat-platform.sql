-- Supabase compatibility layer as the platform behaves (compat/0006..0009): auth.users as
-- upstream, platform owner roles, realtime.send's payload rules, binary payloads, daily
-- partitions without a DEFAULT one, and a migration role with the platform's attributes.
-- Written to run unchanged on a real project (as `postgres`, pgTAP in schema extensions).
BEGIN;
SELECT plan(38);

-- ---------------------------------------------------------------------------------------------
-- The migration role: what `postgres` is on a real project
-- ---------------------------------------------------------------------------------------------
SELECT results_eq(
    $$ SELECT rolsuper, rolbypassrls, rolcreaterole, rolcreatedb, rolreplication, rolcanlogin
       FROM pg_catalog.pg_roles WHERE rolname = session_user $$,
    $$ VALUES (false, true, true, true, true, true) $$,
    'the tests run as a NOSUPERUSER role with BYPASSRLS, CREATEROLE, CREATEDB, REPLICATION (the platform''s postgres)'
);
SELECT ok(
    pg_catalog.pg_has_role(session_user, 'anon', 'MEMBER')
    AND pg_catalog.pg_has_role(session_user, 'authenticated', 'MEMBER')
    AND pg_catalog.pg_has_role(session_user, 'service_role', 'MEMBER'),
    'the migration role is a member of the three API roles'
);

-- ---------------------------------------------------------------------------------------------
-- auth.users as upstream
-- ---------------------------------------------------------------------------------------------
SELECT col_hasnt_default('auth', 'users', 'id', 'auth.users.id has no default (GoTrue writes it)');
SELECT col_is_null('auth', 'users', 'created_at', 'auth.users.created_at is nullable');
SELECT col_hasnt_default('auth', 'users', 'created_at', 'auth.users.created_at has no default');
SELECT col_is_null('auth', 'users', 'updated_at', 'auth.users.updated_at is nullable');
SELECT col_hasnt_default('auth', 'users', 'updated_at', 'auth.users.updated_at has no default');
SELECT col_hasnt_default('auth', 'users', 'raw_app_meta_data', 'auth.users.raw_app_meta_data has no default');
SELECT col_hasnt_default('auth', 'users', 'raw_user_meta_data', 'auth.users.raw_user_meta_data has no default');
SELECT throws_ok(
    $$ INSERT INTO auth.users (email) VALUES ('sem.id@example.com') $$,
    '23502',
    NULL,
    'a user without an id is refused, as on Supabase'
);
SELECT is(
    (SELECT relrowsecurity FROM pg_catalog.pg_class WHERE oid = 'auth.users'::regclass),
    true,
    'RLS is enabled on auth.users'
);
SELECT ok(
    NOT pg_catalog.has_table_privilege('service_role', 'auth.users', 'SELECT, INSERT, UPDATE, DELETE, REFERENCES'),
    'service_role has no privilege on auth.users'
);

INSERT INTO auth.users (id, email, phone) VALUES
('00000000-0000-4000-8000-0000000000e1', 'dup@example.com', '+5511900000001');
SELECT throws_ok(
    $$ INSERT INTO auth.users (id, email) VALUES ('00000000-0000-4000-8000-0000000000e2', 'dup@example.com') $$,
    '23505',
    NULL,
    'two non-SSO accounts cannot share an e-mail'
);
SELECT lives_ok(
    $$ INSERT INTO auth.users (id, email, is_sso_user) VALUES ('00000000-0000-4000-8000-0000000000e3', 'dup@example.com', true) $$,
    'an SSO account may share an e-mail'
);
SELECT throws_ok(
    $$ INSERT INTO auth.users (id, email, phone) VALUES ('00000000-0000-4000-8000-0000000000e4', 'other@example.com', '+5511900000001') $$,
    '23505',
    NULL,
    'two accounts cannot share a phone'
);

-- ---------------------------------------------------------------------------------------------
-- Platform objects belong to the platform
-- ---------------------------------------------------------------------------------------------
SELECT is(
    (SELECT nspowner::regrole::text FROM pg_catalog.pg_namespace WHERE nspname = 'realtime'),
    'supabase_realtime_admin',
    'schema realtime belongs to supabase_realtime_admin'
);
SELECT is(
    (SELECT relowner::regrole::text FROM pg_catalog.pg_class WHERE oid = 'realtime.messages'::regclass),
    'supabase_realtime_admin',
    'realtime.messages belongs to supabase_realtime_admin'
);
SELECT is_empty(
    $$ SELECT p.oid::regprocedure::text FROM pg_catalog.pg_proc AS p
       WHERE p.pronamespace = 'realtime'::regnamespace AND p.proname <> 'refuse_platform_ddl'
         AND p.proowner <> 'supabase_realtime_admin'::regrole $$,
    'every realtime function belongs to supabase_realtime_admin'
);
SELECT ok(
    NOT pg_catalog.pg_has_role(session_user, 'supabase_auth_admin', 'MEMBER'),
    'the migration role does not own auth (not a member of supabase_auth_admin)'
);
SELECT throws_ok(
    $$ CREATE INDEX messages_topic_probe ON realtime.messages (topic) $$,
    '42501',
    NULL,
    'the migration role cannot index realtime.messages (ownership needed, as on Supabase)'
);
SELECT throws_ok(
    $$ COMMENT ON TABLE realtime.messages IS 'mine' $$,
    '42501',
    NULL,
    'the migration role cannot comment on realtime.messages'
);
SELECT throws_ok(
    $$ CREATE FUNCTION realtime.probe() RETURNS integer LANGUAGE sql AS 'SELECT 1' $$,
    '42501',
    NULL,
    'the migration role cannot add a function to realtime'
);
SELECT throws_ok(
    $$ ALTER TABLE auth.users ADD COLUMN probe integer $$,
    '42501',
    NULL,
    'the migration role cannot alter auth.users'
);
SELECT lives_ok(
    $$ CREATE POLICY "probe policy" ON realtime.messages FOR SELECT TO authenticated USING (false) $$,
    'the migration role may create a policy on realtime.messages (supautils'' policy grants)'
);
SELECT lives_ok(
    $$ DROP POLICY "probe policy" ON realtime.messages $$,
    'the migration role may drop a policy on realtime.messages'
);

-- ---------------------------------------------------------------------------------------------
-- realtime.send: JSON objects only; binary payloads
-- ---------------------------------------------------------------------------------------------
SET LOCAL client_min_messages = error;  -- the expected WARNINGs (checked in Python) stay quiet
SELECT lives_ok($$ SELECT realtime.send('[1, 2]', 'array', 'room:p') $$, 'send() with an array payload does not raise');
SELECT lives_ok($$ SELECT realtime.send('"texto"', 'scalar', 'room:p') $$, 'send() with a scalar payload does not raise');
SET LOCAL client_min_messages = notice;
SELECT is_empty(
    $$ SELECT FROM realtime.messages WHERE topic = 'room:p' $$,
    'array and scalar payloads leave no row (jsonb_set refuses them, as upstream)'
);
SELECT col_type_is('realtime', 'messages', 'binary_payload', 'bytea', 'messages.binary_payload is bytea');
SELECT throws_ok(
    $$ INSERT INTO realtime.messages (topic, extension, payload, binary_payload)
       VALUES ('room:b', 'broadcast', '{}', '\x01') $$,
    '23514',
    NULL,
    'a message cannot carry both payload and binary_payload (messages_payload_exclusive)'
);
SELECT realtime.send_binary('\x0102', 'bin', 'room:b');
SELECT results_eq(
    $$ SELECT binary_payload, payload IS NULL FROM realtime.messages WHERE topic = 'room:b' $$,
    $$ VALUES ('\x0102'::bytea, true) $$,
    'send_binary() inserts one message with the binary payload'
);

-- ---------------------------------------------------------------------------------------------
-- Daily partitions, no DEFAULT one
-- ---------------------------------------------------------------------------------------------
SELECT throws_ok(
    $$ INSERT INTO realtime.messages (topic, extension, inserted_at)
       VALUES ('room:old', 'broadcast', (now() AT TIME ZONE 'UTC') - interval '10 days') $$,
    '23514',
    NULL,
    'a message outside the partition window is refused (no partition of relation messages)'
);
SELECT lives_ok(
    $$ INSERT INTO realtime.messages (topic, extension, inserted_at)
       VALUES ('room:soon', 'broadcast', (now() AT TIME ZONE 'UTC') + interval '3 days') $$,
    'a message dated today+3 finds its partition'
);
SELECT is(
    (SELECT relowner::regrole::text FROM pg_catalog.pg_class
     WHERE oid = ('realtime.messages_' || pg_catalog.to_char(now() AT TIME ZONE 'UTC', 'YYYY_MM_DD'))::regclass),
    'supabase_realtime_admin',
    'the daily partitions belong to supabase_realtime_admin'
);
SELECT is(
    pg_catalog.obj_description(
        ('realtime.messages_' || pg_catalog.to_char(now() AT TIME ZONE 'UTC', 'YYYY_MM_DD'))::regclass, 'pg_class'
    ) LIKE 'Daily partition of realtime.messages (UTC day %',
    true,
    'each daily partition says what it is'
);
SELECT is_definer(
    'realtime', 'maintain_partitions', ARRAY['timestamp with time zone', 'interval'],
    'maintain_partitions() is SECURITY DEFINER (its caller needs no ownership)'
);
SELECT ok(
    NOT pg_catalog.has_function_privilege('authenticated', 'realtime.maintain_partitions(timestamptz, interval)', 'EXECUTE')
    AND NOT pg_catalog.has_function_privilege('anon', 'realtime.maintain_partitions(timestamptz, interval)', 'EXECUTE'),
    'the API roles cannot run the partition maintenance'
);
SELECT is_empty(
    $$ SELECT * FROM realtime.maintain_partitions() $$,
    'maintenance on an up-to-date database changes nothing'
);

SELECT * FROM finish();
ROLLBACK;
