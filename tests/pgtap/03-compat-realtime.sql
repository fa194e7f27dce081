-- Supabase compatibility layer: the realtime schema (compat/0003_realtime.sql) —
-- realtime.messages in Supabase's shape, its SQL API (topic, send, broadcast_changes) with
-- Supabase's behaviour, RLS with no policies, and the local pg_notify announcement.
BEGIN;
SELECT plan(61);

-- ---------------------------------------------------------------------------------------------
-- Shape of realtime.messages
-- ---------------------------------------------------------------------------------------------
SELECT has_schema('realtime', 'schema realtime exists');
SELECT has_table('realtime', 'messages', 'table realtime.messages exists');
SELECT col_type_is('realtime', 'messages', 'topic', 'text', 'messages.topic is text');
SELECT col_type_is('realtime', 'messages', 'extension', 'text', 'messages.extension is text');
SELECT col_type_is('realtime', 'messages', 'payload', 'jsonb', 'messages.payload is jsonb');
SELECT col_type_is('realtime', 'messages', 'event', 'text', 'messages.event is text');
SELECT col_type_is('realtime', 'messages', 'private', 'boolean', 'messages.private is boolean');
SELECT col_type_is('realtime', 'messages', 'updated_at', 'timestamp without time zone', 'messages.updated_at is timestamp without time zone');
SELECT col_type_is('realtime', 'messages', 'inserted_at', 'timestamp without time zone', 'messages.inserted_at is timestamp without time zone');
SELECT col_type_is('realtime', 'messages', 'id', 'uuid', 'messages.id is uuid');
SELECT results_eq(
    $$ SELECT a.attname, a.attnotnull, pg_catalog.pg_get_expr(d.adbin, d.adrelid) COLLATE "default"
       FROM pg_catalog.pg_attribute AS a
       LEFT JOIN pg_catalog.pg_attrdef AS d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
       WHERE a.attrelid = 'realtime.messages'::regclass AND a.attnum > 0 AND NOT a.attisdropped
       ORDER BY a.attnum $$,
    $$ VALUES ('topic'::name, true, NULL::text),
              ('extension', true, NULL),
              ('payload', false, NULL),
              ('event', false, NULL),
              ('private', false, 'false'),
              ('updated_at', true, 'now()'),
              ('inserted_at', true, 'now()'),
              ('id', true, 'gen_random_uuid()'),
              ('binary_payload', false, NULL) $$,
    'messages columns: Supabase''s order, nullability and defaults'
);
SELECT col_is_pk('realtime', 'messages', ARRAY['id', 'inserted_at'], 'messages primary key is (id, inserted_at)');
SELECT is_partitioned('realtime', 'messages', 'messages is partitioned');
SELECT is(
    pg_catalog.pg_get_partkeydef('realtime.messages'::regclass),
    'RANGE (inserted_at)',
    'messages is partitioned by range of inserted_at'
);
SELECT is_empty(
    $$ SELECT c.relname FROM pg_catalog.pg_inherits AS i JOIN pg_catalog.pg_class AS c ON c.oid = i.inhrelid
       WHERE i.inhparent = 'realtime.messages'::regclass AND pg_catalog.pg_get_expr(c.relpartbound, c.oid) = 'DEFAULT' $$,
    'no DEFAULT partition, as on Supabase'
);
SELECT set_eq(
    $$ SELECT c.relname::text FROM pg_catalog.pg_inherits AS i JOIN pg_catalog.pg_class AS c ON c.oid = i.inhrelid
       WHERE i.inhparent = 'realtime.messages'::regclass $$,
    $$ SELECT 'messages_' || pg_catalog.to_char(d, 'YYYY_MM_DD')
       FROM pg_catalog.generate_series((now() AT TIME ZONE 'UTC')::date - 1, (now() AT TIME ZONE 'UTC')::date + 3,
                                       interval '1 day') AS d $$,
    'daily partitions messages_YYYY_MM_DD for yesterday .. today+3 (UTC), as Supabase Realtime makes them'
);
SELECT is(
    pg_catalog.pg_get_indexdef('realtime.messages_inserted_at_topic_index'::regclass),
    'CREATE INDEX messages_inserted_at_topic_index ON ONLY realtime.messages USING btree (inserted_at DESC, topic) WHERE ((extension = ''broadcast''::text) AND (private IS TRUE))',
    'messages_inserted_at_topic_index matches Supabase''s'
);

-- ---------------------------------------------------------------------------------------------
-- RLS and grants
-- ---------------------------------------------------------------------------------------------
SELECT results_eq(
    $$ SELECT relrowsecurity, relforcerowsecurity FROM pg_catalog.pg_class
       WHERE oid = 'realtime.messages'::regclass $$,
    $$ VALUES (true, false) $$,
    'RLS is enabled (not forced) on messages'
);
-- The compat layer ships no policy (Supabase doesn't); the domain's live in policies/realtime.sql
-- (tested in 51-realtime-topics). Whatever exists, anon must get none of it.
SELECT is_empty(
    $$ SELECT policyname FROM pg_catalog.pg_policies
       WHERE schemaname = 'realtime' AND tablename = 'messages' AND roles <> '{authenticated}' $$,
    'every policy on messages is for authenticated only: anon receives nothing'
);
SELECT table_privs_are('realtime', 'messages', 'anon', ARRAY['SELECT', 'INSERT', 'UPDATE'], 'anon may SELECT, INSERT, UPDATE messages');
SELECT table_privs_are('realtime', 'messages', 'authenticated', ARRAY['SELECT', 'INSERT', 'UPDATE'], 'authenticated may SELECT, INSERT, UPDATE messages');
SELECT table_privs_are('realtime', 'messages', 'service_role', ARRAY['SELECT', 'INSERT', 'UPDATE'], 'service_role may SELECT, INSERT, UPDATE messages');
SELECT ok(
    NOT pg_catalog.has_table_privilege(
        'authenticated', ('realtime.messages_' || pg_catalog.to_char(now() AT TIME ZONE 'UTC', 'YYYY_MM_DD'))::regclass,
        'SELECT, INSERT, UPDATE'
    ),
    'the partitions themselves are not granted to the API roles'
);
SELECT schema_privs_are('realtime', 'anon', ARRAY['USAGE'], 'anon has USAGE on schema realtime');
SELECT schema_privs_are('realtime', 'authenticated', ARRAY['USAGE'], 'authenticated has USAGE on schema realtime');
SELECT schema_privs_are('realtime', 'service_role', ARRAY['USAGE'], 'service_role has USAGE on schema realtime');

-- ---------------------------------------------------------------------------------------------
-- SQL API signatures
-- ---------------------------------------------------------------------------------------------
SELECT function_returns('realtime', 'topic', ARRAY[]::name[], 'text', 'realtime.topic() returns text');
SELECT function_returns(
    'realtime', 'send', ARRAY['jsonb', 'text', 'text', 'boolean'], 'void',
    'realtime.send(payload jsonb, event text, topic text, private boolean) returns void'
);
SELECT function_returns(
    'realtime', 'broadcast_changes',
    ARRAY['text', 'text', 'text', 'text', 'text', 'record', 'record', 'text'], 'void',
    'realtime.broadcast_changes(topic_name, event_name, operation, table_name, table_schema, new, old, level) returns void'
);
SELECT is(
    pg_catalog.pg_get_function_arguments('realtime.send(jsonb, text, text, boolean)'::regprocedure),
    'payload jsonb, event text, topic text, private boolean DEFAULT true',
    'realtime.send: Supabase''s argument names, private defaults to true'
);
SELECT ok(
    (SELECT bool_and(pg_catalog.has_function_privilege(r.rolname, f.fn, 'EXECUTE'))
     FROM (VALUES ('anon'), ('authenticated'), ('service_role')) AS r (rolname)
     CROSS JOIN (VALUES
         ('realtime.topic()'::regprocedure),
         ('realtime.send(jsonb, text, text, boolean)'::regprocedure),
         ('realtime.broadcast_changes(text, text, text, text, text, record, record, text)'::regprocedure)
     ) AS f (fn)),
    'the three API roles may execute topic, send and broadcast_changes'
);

-- ---------------------------------------------------------------------------------------------
-- realtime.topic()
-- ---------------------------------------------------------------------------------------------
SELECT is(realtime.topic(), NULL, 'realtime.topic() is NULL when unset');
SELECT FROM set_config('realtime.topic', 'ticket:abc', true);
SELECT is(realtime.topic(), 'ticket:abc', 'realtime.topic() returns the setting realtime.topic');
SELECT FROM set_config('realtime.topic', '', true);
SELECT is(realtime.topic(), NULL, 'realtime.topic() is NULL when the setting is empty');

-- ---------------------------------------------------------------------------------------------
-- realtime.send()
-- ---------------------------------------------------------------------------------------------
SELECT realtime.send('{"texto": "oi"}', 'mensagem', 'room:1');
SELECT results_eq(
    $$ SELECT extension, event, private, payload ->> 'texto', payload ->> 'id' = id::text
       FROM realtime.messages WHERE topic = 'room:1' $$,
    $$ VALUES ('broadcast', 'mensagem', true, 'oi', true) $$,
    'send() inserts one private broadcast row whose payload carries the row id'
);
SELECT is(realtime.topic(), 'room:1', 'send() sets realtime.topic for the rest of the transaction');

SELECT realtime.send('{"id": "mine"}', 'mensagem', 'room:2', false);
SELECT results_eq(
    $$ SELECT payload ->> 'id', id::text <> 'mine', private FROM realtime.messages WHERE topic = 'room:2' $$,
    $$ VALUES ('mine', true, false) $$,
    'send() keeps a caller-supplied payload id, and honours private => false'
);

-- A NULL topic violates NOT NULL: Supabase's send swallows it (WARNING only; the expected
-- warnings are silenced here to keep the test output clean).
SET LOCAL client_min_messages = error;
SELECT lives_ok(
    $$ SELECT realtime.send('{}', 'null-topic', NULL) $$,
    'send() swallows a failing insert (NULL topic) instead of raising'
);
SELECT is_empty(
    $$ SELECT FROM realtime.messages WHERE event = 'null-topic' $$,
    'a swallowed send() leaves no row'
);
SELECT is(realtime.topic(), 'room:2', 'a swallowed send() leaves realtime.topic as it was');

-- Without a policy, RLS refuses the insert: also swallowed.
SELECT tests.authenticate_as_anon();
SELECT lives_ok(
    $$ SELECT realtime.send('{}', 'refused', 'room:3') $$,
    'send() swallows an RLS refusal instead of raising'
);
SELECT tests.clear_authentication();
SET LOCAL client_min_messages = notice;
SELECT is_empty(
    $$ SELECT FROM realtime.messages WHERE event = 'refused' $$,
    'a send() refused by RLS leaves no row'
);

-- ---------------------------------------------------------------------------------------------
-- realtime.broadcast_changes(), used as Supabase documents it: from a row trigger
-- ---------------------------------------------------------------------------------------------
CREATE TABLE public.compat_probe (id integer PRIMARY KEY, nome text);
CREATE FUNCTION public.compat_probe_broadcast() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    PERFORM realtime.broadcast_changes(
        'probe:' || coalesce(NEW.id, OLD.id), TG_OP, TG_OP, TG_TABLE_NAME, TG_TABLE_SCHEMA, NEW, OLD, TG_LEVEL
    );
    RETURN NULL;
END;
$$;
CREATE TRIGGER compat_probe_broadcast
AFTER INSERT OR UPDATE OR DELETE ON public.compat_probe
FOR EACH ROW EXECUTE FUNCTION public.compat_probe_broadcast();

INSERT INTO public.compat_probe VALUES (1, 'a');
UPDATE public.compat_probe SET nome = 'b' WHERE id = 1;
DELETE FROM public.compat_probe WHERE id = 1;

SELECT set_eq(
    $$ SELECT event, payload ->> 'operation' AS operation, payload -> 'old_record' AS old_record,
              payload -> 'record' AS record
       FROM realtime.messages WHERE topic = 'probe:1' $$,
    $$ VALUES ('INSERT', 'INSERT', 'null'::jsonb, '{"id": 1, "nome": "a"}'::jsonb),
              ('UPDATE', 'UPDATE', '{"id": 1, "nome": "a"}', '{"id": 1, "nome": "b"}'),
              ('DELETE', 'DELETE', '{"id": 1, "nome": "b"}', 'null') $$,
    'broadcast_changes() sends old_record/record per operation (null when absent)'
);
SELECT set_eq(
    $$ SELECT DISTINCT k FROM realtime.messages AS m, jsonb_object_keys(m.payload) AS k WHERE m.topic = 'probe:1' $$,
    $$ VALUES ('id'), ('old_record'), ('record'), ('operation'), ('table'), ('schema') $$,
    'broadcast_changes() payload keys: old_record, record, operation, table, schema (+ id from send)'
);
SELECT is_empty(
    $$ SELECT FROM realtime.messages
       WHERE topic = 'probe:1'
         AND NOT (private AND extension = 'broadcast' AND payload ->> 'table' = 'compat_probe' AND payload ->> 'schema' = 'public') $$,
    'broadcast_changes() messages are private broadcasts naming the table and schema'
);
SELECT throws_ok(
    $$ SELECT realtime.broadcast_changes('probe:x', 'e', 'INSERT', 'compat_probe', 'public', NULL, NULL, 'STATEMENT') $$,
    'P0001',
    'Failed to process the row: function can only be triggered for each row, not for each statement',
    'broadcast_changes() refuses level STATEMENT'
);
SELECT throws_ok(
    $$ SELECT realtime.broadcast_changes('probe:x', 'e', 'TRUNCATE', 'compat_probe', 'public', NULL, NULL) $$,
    'P0001',
    'Failed to process the row: Unexpected operation type: TRUNCATE',
    'broadcast_changes() refuses operation TRUNCATE'
);
SELECT throws_ok(
    $$ SELECT realtime.broadcast_changes('probe:x', 'e', 'X', 'compat_probe', 'public', NULL, NULL) $$,
    'P0001',
    'Failed to process the row: Unexpected operation type: X',
    'broadcast_changes() refuses an unknown operation'
);

-- ---------------------------------------------------------------------------------------------
-- RLS without policies: the API roles see and write nothing; service_role bypasses it
-- ---------------------------------------------------------------------------------------------
INSERT INTO auth.users (id, email) VALUES ('00000000-0000-4000-8000-0000000000c1', 'cliente@example.com');

SELECT tests.authenticate_as('00000000-0000-4000-8000-0000000000c1');
SELECT is_empty($$ SELECT id FROM realtime.messages $$, 'authenticated reads no message without a policy');
SELECT throws_ok(
    $$ INSERT INTO realtime.messages (topic, extension) VALUES ('room:1', 'broadcast') $$,
    '42501',
    NULL,
    'authenticated cannot insert a message without a policy'
);
SELECT is_empty(
    $$ UPDATE realtime.messages SET event = 'hijacked' RETURNING id $$,
    'authenticated updates no message without a policy'
);

SELECT tests.authenticate_as_anon();
SELECT is_empty($$ SELECT id FROM realtime.messages $$, 'anon reads no message without a policy');
SELECT throws_ok(
    $$ INSERT INTO realtime.messages (topic, extension) VALUES ('room:1', 'broadcast') $$,
    '42501',
    NULL,
    'anon cannot insert a message without a policy'
);
SELECT throws_ok(
    pg_catalog.format('SELECT id FROM realtime.%I', 'messages_' || pg_catalog.to_char(now() AT TIME ZONE 'UTC', 'YYYY_MM_DD')),
    '42501',
    NULL,
    'anon cannot read the partition directly'
);

SELECT tests.authenticate_as_service_role();
SELECT isnt_empty($$ SELECT id FROM realtime.messages WHERE topic = 'room:1' $$, 'service_role reads every message');
SELECT lives_ok(
    $$ INSERT INTO realtime.messages (topic, extension, event) VALUES ('room:9', 'broadcast', 'by-service') $$,
    'service_role inserts messages'
);
SELECT tests.clear_authentication();

-- ---------------------------------------------------------------------------------------------
-- Local delivery: the pg_notify announcement
-- ---------------------------------------------------------------------------------------------
SELECT has_trigger('realtime', 'messages', 'announce_message', 'messages has the announce_message trigger');
SELECT trigger_is('realtime', 'messages', 'announce_message', 'realtime', 'announce_message', 'the trigger runs realtime.announce_message()');
SELECT results_eq(
    $$ SELECT (t.tgtype & 1) = 0 AS statement_level, (t.tgtype & 2) = 0 AS after, (t.tgtype & 4) <> 0 AS on_insert,
              (t.tgtype & 24) = 0 AS not_update_or_delete, t.tgnewtable
       FROM pg_catalog.pg_trigger AS t
       WHERE t.tgrelid = 'realtime.messages'::regclass AND t.tgname = 'announce_message' $$,
    $$ VALUES (true, true, true, true, 'new_rows'::name) $$,
    'announce_message is AFTER INSERT FOR EACH STATEMENT with transition table new_rows (set-based)'
);
SELECT is_definer('realtime', 'announce_message', ARRAY[]::name[], 'announce_message() is SECURITY DEFINER');
SELECT is(
    (SELECT p.proconfig FROM pg_catalog.pg_proc AS p WHERE p.oid = 'realtime.announce_message()'::regprocedure),
    ARRAY['search_path=pg_catalog, pg_temp'],
    'announce_message() pins search_path = pg_catalog, pg_temp (pg_temp last)'
);
-- The announcement's channel and payload: 04-compat-realtime-delivery.sql (compat 0005).

SELECT * FROM finish();
ROLLBACK;
