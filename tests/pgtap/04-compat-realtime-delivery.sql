-- Supabase compatibility layer: local delivery (compat/0005_realtime_delivery.sql, its cost
-- cut by 0010) — one pg_notify channel per topic named by a hash, an id-only payload, at
-- commit every message sorts after every message committed before it, so (inserted_at, id)
-- is commit order; and the local hub's reads as each subscriber.
BEGIN;
SELECT plan(29);

-- Stamps below are compared with the transaction start as a UTC timestamp (the platform's
-- database time zone).
SET LOCAL timezone = 'UTC';

-- ---------------------------------------------------------------------------------------------
-- Channel and payload
-- ---------------------------------------------------------------------------------------------
SELECT has_function('realtime', 'announce_channel', ARRAY['text'], 'realtime.announce_channel(text) exists');
SELECT is(realtime.announce_channel('ticket:1'), 'rt_' || md5('ticket:1'), 'the channel is rt_ || md5(topic)');
SELECT ok(
    realtime.announce_channel(repeat('x', 9000)) ~ '^rt_[0-9a-f]{32}$',
    'any topic gives a short valid channel name (no topic text in it)'
);

INSERT INTO realtime.messages (topic, extension, event, payload, private)
VALUES ('room:1', 'broadcast', 'mensagem', '{"secret": "payload"}', true);

SELECT results_eq(
    $$ SELECT realtime.announcement(m)::jsonb FROM realtime.messages AS m WHERE m.topic = 'room:1' $$,
    $$ SELECT jsonb_build_object('id', m.id) FROM realtime.messages AS m WHERE m.topic = 'room:1' $$,
    'the announcement is {"id"} only: no topic, event, extension nor payload'
);
SELECT is(
    (SELECT p.proconfig FROM pg_catalog.pg_proc AS p WHERE p.oid = 'realtime.announce_message()'::regprocedure),
    ARRAY['search_path=pg_catalog, pg_temp'],
    'announce_message() pins search_path = pg_catalog, pg_temp'
);
SELECT is(
    (SELECT p.proconfig FROM pg_catalog.pg_proc AS p WHERE p.oid = 'realtime.announcement(realtime.messages)'::regprocedure),
    ARRAY['search_path=pg_catalog, pg_temp'],
    'announcement() pins search_path = pg_catalog, pg_temp'
);
-- The trigger writes the channel and the payload inline (0010: the functions carry a SET
-- clause and were planned per row); the two must stay the same as the functions.
SELECT matches(
    (SELECT p.prosrc FROM pg_catalog.pg_proc AS p WHERE p.oid = 'realtime.announce_message()'::regprocedure),
    '''rt_'' OPERATOR\(pg_catalog\.\|\|\) pg_catalog\.md5\(new_row\.topic\)',
    'announce_message() notifies on the topic''s own channel, as announce_channel() names it'
);
SELECT matches(
    (SELECT p.prosrc FROM pg_catalog.pg_proc AS p WHERE p.oid = 'realtime.announce_message()'::regprocedure),
    'pg_catalog\.json_build_object\(''id'', new_row\.id\)::text',
    'announce_message() sends the id only, as announcement() writes it'
);
SELECT matches(
    (SELECT p.prosrc FROM pg_catalog.pg_proc AS p WHERE p.oid = 'realtime.announcement(realtime.messages)'::regprocedure),
    'json_build_object\(''id'', m\.id\)::text',
    'announcement() is still the id-only payload the trigger writes'
);
SELECT lives_ok(
    $$ INSERT INTO realtime.messages (topic, extension, event) VALUES (repeat('t', 9000), 'broadcast', 'huge') $$,
    'a message with a huge topic is still inserted (the announcement stays tiny)'
);

-- ---------------------------------------------------------------------------------------------
-- Commit order
-- ---------------------------------------------------------------------------------------------
SELECT has_trigger('realtime', 'messages', 'stamp_commit_order', 'messages has the stamp_commit_order trigger');
SELECT results_eq(
    $$ SELECT t.tgconstraint <> 0, t.tgdeferrable, t.tginitdeferred, (t.tgtype & 1) <> 0 AS row_level,
              (t.tgtype & 4) <> 0 AS on_insert
       FROM pg_catalog.pg_trigger AS t
       JOIN pg_catalog.pg_constraint AS c ON c.oid = t.tgconstraint
       WHERE t.tgrelid = 'realtime.messages'::regclass AND t.tgname = 'stamp_commit_order' $$,
    $$ VALUES (true, true, true, true, true) $$,
    'stamp_commit_order is a deferred (commit-time) row-level AFTER INSERT constraint trigger'
);
SELECT is_definer('realtime', 'stamp_commit_order', ARRAY[]::name[], 'stamp_commit_order() is SECURITY DEFINER');
SELECT is(
    (SELECT p.proconfig FROM pg_catalog.pg_proc AS p WHERE p.oid = 'realtime.stamp_commit_order()'::regprocedure),
    ARRAY['search_path=pg_catalog, pg_temp'],
    'stamp_commit_order() pins search_path = pg_catalog, pg_temp'
);
SELECT ok(
    NOT has_function_privilege('authenticated', 'realtime.stamp_commit_order()', 'EXECUTE'),
    'the API roles cannot call stamp_commit_order() directly'
);

SELECT ok(
    NOT has_sequence_privilege('authenticated', 'realtime.commit_order_stamp', 'USAGE')
    AND NOT has_sequence_privilege('service_role', 'realtime.commit_order_stamp', 'UPDATE'),
    'the API roles can neither read nor move the committed stamp'
);

-- Firing the deferred triggers now (as commit would), in insertion order: room:1 (stamped with
-- the transaction start, later than anything committed before) keeps its stamp; the huge-topic
-- row, stamped with the same transaction start, would not sort after room:1 and is re-stamped.
SET CONSTRAINTS ALL IMMEDIATE;
SELECT ok(
    (SELECT m.inserted_at = timezone('UTC', now()) FROM realtime.messages AS m WHERE m.topic = 'room:1'),
    'a message already later than every committed one keeps its stamp (no second row version)'
);
SELECT ok(
    (SELECT m.inserted_at > timezone('UTC', now()) FROM realtime.messages AS m WHERE m.event = 'huge'),
    'a message stamped no later than one committed before it is re-stamped after it'
);

INSERT INTO realtime.messages (topic, extension, event, inserted_at)
VALUES ('room:2', 'broadcast', 'past', timezone('UTC', now()) - INTERVAL '1 hour');
SELECT ok(
    (SELECT m.inserted_at > (SELECT max(o.inserted_at) FROM realtime.messages AS o WHERE o.event <> 'past')
     FROM realtime.messages AS m WHERE m.event = 'past'),
    'a row written with an earlier stamp sorts after every message committed before it'
);

INSERT INTO realtime.messages (topic, extension, event, inserted_at)
VALUES ('room:3', 'broadcast', 'future', timezone('UTC', now()) + INTERVAL '1 day');
SELECT ok(
    (SELECT m.inserted_at > (SELECT o.inserted_at FROM realtime.messages AS o WHERE o.event = 'past')
            AND m.inserted_at <= timezone('UTC', clock_timestamp())
     FROM realtime.messages AS m WHERE m.event = 'future'),
    'a row written with a future stamp is re-stamped with the clock (UTC), after the others'
);

-- ---------------------------------------------------------------------------------------------
-- The local hub's reads (0010, 0011)
-- ---------------------------------------------------------------------------------------------
SELECT has_function('realtime', 'read_as_subscribers', ARRAY['jsonb'], 'realtime.read_as_subscribers(jsonb) exists');
SELECT isnt_definer('realtime', 'read_as_subscribers', ARRAY['jsonb'], 'read_as_subscribers() runs as its caller');
SELECT is(
    (SELECT p.proconfig FROM pg_catalog.pg_proc AS p WHERE p.oid = 'realtime.read_as_subscribers(jsonb)'::regprocedure),
    ARRAY['search_path=pg_catalog, pg_temp', 'plan_cache_mode=force_generic_plan', 'jit=off', 'role=none',
          'realtime.topic=', 'request.jwt.claims=', 'request.jwt.claim.sub=', 'request.jwt.claim.role=',
          'request.headers='],
    'read_as_subscribers() pins search_path, keeps generic plans and no JIT, and restores the caller''s role and '
    'Realtime settings on return'
);
SELECT ok(
    NOT has_function_privilege('anon', 'realtime.read_as_subscribers(jsonb)', 'EXECUTE')
    AND NOT has_function_privilege('authenticated', 'realtime.read_as_subscribers(jsonb)', 'EXECUTE')
    AND NOT has_function_privilege('service_role', 'realtime.read_as_subscribers(jsonb)', 'EXECUTE'),
    'the API roles cannot call read_as_subscribers()'
);

INSERT INTO realtime.messages (topic, extension, event, payload, private)
VALUES ('room:9', 'broadcast', 'aberta', '{"n": 1}', false), ('room:9', 'broadcast', 'fechada', '{"n": 2}', true);
SELECT results_eq(
    $$ SELECT r.read_no, r.event FROM realtime.read_as_subscribers(
           jsonb_build_array(jsonb_build_object('topic', 'room:9', 'after_at', '-infinity',
                                                'after_id', '00000000-0000-0000-0000-000000000000',
                                                'limit', 10))) AS r $$,
    $$ VALUES (1, 'aberta'::text) $$,
    'a read without claims is public: the caller''s read of public rows only'
);
SELECT set_config('request.jwt.claims', '{"sub": "the caller"}', true);
SELECT is_empty(
    $$ SELECT r.event FROM realtime.read_as_subscribers(
           jsonb_build_array(jsonb_build_object('topic', 'room:9', 'after_at', '-infinity',
                                                'after_id', '00000000-0000-0000-0000-000000000000',
                                                'limit', 10, 'role', 'authenticated',
                                                'claims', '{"role": "authenticated"}', 'sub', '',
                                                'headers', '{}'))) AS r $$,
    'a private read runs as its subscriber, under RLS (no policy lets a user read room:9)'
);
-- 0011: a private read without claims (`realtime serve`: the join's verdict decides) reads the
-- topic's private rows as the caller, and runs before any switch to a subscriber's role, even
-- when listed after a subscriber's read.
SELECT results_eq(
    $$ SELECT r.read_no, r.event FROM realtime.read_as_subscribers(
           jsonb_build_array(jsonb_build_object('topic', 'room:9', 'after_at', '-infinity',
                                                'after_id', '00000000-0000-0000-0000-000000000000',
                                                'limit', 10, 'private', true))) AS r $$,
    $$ VALUES (1, 'fechada'::text) $$,
    'a private read without claims is the caller''s read of private rows only'
);
SELECT results_eq(
    $$ SELECT r.read_no, r.event FROM realtime.read_as_subscribers(
           jsonb_build_array(
               jsonb_build_object('topic', 'room:9', 'after_at', '-infinity',
                                  'after_id', '00000000-0000-0000-0000-000000000000',
                                  'limit', 10, 'role', 'authenticated',
                                  'claims', '{"role": "authenticated"}', 'sub', '', 'headers', '{}'),
               jsonb_build_object('topic', 'room:9', 'after_at', '-infinity',
                                  'after_id', '00000000-0000-0000-0000-000000000000',
                                  'limit', 10, 'private', true))) AS r $$,
    $$ VALUES (2, 'fechada'::text) $$,
    'a caller''s private read listed after a subscriber''s still runs as the caller, not as that subscriber'
);
SELECT results_eq(
    $$ SELECT current_user::text, coalesce(current_setting('request.jwt.claims', true), '') $$,
    $$ VALUES (session_user::text, '{"sub": "the caller"}') $$,
    'read_as_subscribers() leaves the caller as it was: its role, its own claims'
);

SELECT * FROM finish();
ROLLBACK;
