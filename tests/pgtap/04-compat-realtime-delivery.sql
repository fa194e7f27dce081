-- Supabase compatibility layer: local delivery (compat/0005_realtime_delivery.sql) — one
-- pg_notify channel per topic named by a hash, an id-only payload, and inserted_at re-stamped
-- at commit so (inserted_at, id) is commit order.
BEGIN;
SELECT plan(14);

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
SELECT matches(
    (SELECT p.prosrc FROM pg_catalog.pg_proc AS p WHERE p.oid = 'realtime.announce_message()'::regprocedure),
    'realtime\.announce_channel\(new_row\.topic\)',
    'announce_message() notifies on the topic''s own channel'
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

-- Firing the deferred trigger now (as commit would) re-stamps the rows after the start of
-- this transaction, which is what inserted_at (DEFAULT now()) held until then.
SET CONSTRAINTS ALL IMMEDIATE;
SELECT ok(
    (SELECT bool_and(m.inserted_at > timezone('UTC', now())) FROM realtime.messages AS m),
    'at commit, inserted_at becomes the commit-time clock (UTC), later than the transaction start'
);

SELECT * FROM finish();
ROLLBACK;
