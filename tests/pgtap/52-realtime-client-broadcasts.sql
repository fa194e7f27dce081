-- The client-broadcast contract of realtime.messages (private.envio_de_cliente_valido, used by
-- the INSERT policies of policies/realtime.sql). An API user writes into its ticket topic only:
-- a bare row (Realtime's write probe, presence) or a private 'digitando' / 'lido' event with
-- a small object payload, dated by the database clock, with a fresh id. Each attack of the
-- hardening report is replayed as client A1 on its own ticket topic: all are refused with
-- 42501 (Realtime reads insufficient_privilege as "may not send"), never another error.
BEGIN;
SELECT plan(19);

SELECT tests.cenario_politicas();
SELECT tests.authenticate_as('00000000-0000-4000-8000-0000000000a2');  -- client A1

-- Accepted: what the portal and Realtime itself send.
SELECT lives_ok(
    $$ INSERT INTO realtime.messages (topic, extension, event, payload, private)
       VALUES ('ticket:70000000-0000-4000-8000-0000000000a1', 'broadcast', 'digitando', '{"ate": "agora"}', true) $$,
    'a typing indicator (digitando) on its own ticket topic'
);
SELECT lives_ok(
    $$ INSERT INTO realtime.messages (topic, extension, event, payload, private)
       VALUES ('ticket:70000000-0000-4000-8000-0000000000a1', 'broadcast', 'lido',
               '{"ultimo_id": "80000000-0000-4000-8000-0000000000a1"}', true) $$,
    'a read receipt (lido)'
);
SELECT lives_ok(
    $$ INSERT INTO realtime.messages (topic, extension)
       VALUES ('ticket:70000000-0000-4000-8000-0000000000a1', 'broadcast') $$,
    'the bare row of Realtime''s write probe (event and payload NULL, private false by default)'
);
SELECT lives_ok(
    $$ INSERT INTO realtime.messages (topic, extension, inserted_at, updated_at)
       VALUES ('ticket:70000000-0000-4000-8000-0000000000a1', 'broadcast',
               now()::timestamp - interval '2 seconds', now()::timestamp - interval '2 seconds') $$,
    'the write probe stamped by Realtime''s own clock (a little off the database''s)'
);
SELECT lives_ok(
    $$ INSERT INTO realtime.messages (topic, extension, payload, private)
       VALUES ('ticket:70000000-0000-4000-8000-0000000000a1', 'presence', '{}', true) $$,
    'a presence row'
);

-- Refused: domain events in disguise.
SELECT throws_ok(
    $$ INSERT INTO realtime.messages (topic, extension, event, payload, private)
       VALUES ('ticket:70000000-0000-4000-8000-0000000000a1', 'broadcast', 'Mensagem',
               '{"autor_tipo": "equipe", "conteudo": "pague aqui"}', true) $$,
    '42501', NULL, 'a domain event in another case (Mensagem) with a forged autor_tipo'
);
SELECT throws_ok(
    $$ INSERT INTO realtime.messages (topic, extension, event, payload, private)
       VALUES ('ticket:70000000-0000-4000-8000-0000000000a1', 'broadcast', 'mensagem ', '{}', true) $$,
    '42501', NULL, 'a domain event with trailing whitespace (''mensagem '')'
);
SELECT throws_ok(
    $$ INSERT INTO realtime.messages (topic, extension, event, payload, private)
       VALUES ('ticket:70000000-0000-4000-8000-0000000000a1', 'broadcast', 'COMENTARIO', '{}', true) $$,
    '42501', NULL, 'a domain event in upper case (COMENTARIO)'
);
SELECT throws_ok(
    $$ INSERT INTO realtime.messages (topic, extension, event, payload, private)
       VALUES ('ticket:70000000-0000-4000-8000-0000000000a1', 'broadcast', 'qualquer_coisa', '{}', true) $$,
    '42501', NULL, 'an event outside the client events (digitando, lido)'
);
SELECT throws_ok(
    $$ INSERT INTO realtime.messages (topic, extension, event, payload, private)
       VALUES ('ticket:70000000-0000-4000-8000-0000000000a1', 'broadcast', repeat('e', 100000), '{}', true) $$,
    '42501', NULL, 'a 100 kB event name'
);
SELECT throws_ok(
    $$ INSERT INTO realtime.messages (topic, extension, payload)
       VALUES ('ticket:70000000-0000-4000-8000-0000000000a1', 'broadcast', '{"x": 1}') $$,
    '42501', NULL, 'a payload without an event (only the bare probe row may omit it)'
);

-- Refused: size, visibility, clock, identity.
SELECT throws_ok(
    $$ INSERT INTO realtime.messages (topic, extension, event, payload, private)
       VALUES ('ticket:70000000-0000-4000-8000-0000000000a1', 'broadcast', 'digitando',
               jsonb_build_object('x', repeat('a', 1000000)), true) $$,
    '42501', NULL, 'a 1 MB payload'
);
SELECT throws_ok(
    $$ INSERT INTO realtime.messages (topic, extension, event, payload, private)
       VALUES ('ticket:70000000-0000-4000-8000-0000000000a1', 'broadcast', 'digitando', '[1, 2]', true) $$,
    '42501', NULL, 'a payload that is not a JSON object'
);
SELECT throws_ok(
    $$ INSERT INTO realtime.messages (topic, extension, event, payload, private)
       VALUES ('ticket:70000000-0000-4000-8000-0000000000a1', 'broadcast', 'digitando', '{}', false) $$,
    '42501', NULL, 'private = false on a private topic (would reach public subscribers)'
);
-- (Dated inside the partition window, today+2: a date without a daily partition, e.g. 2100, is
-- refused before RLS with 23514 "no partition of relation messages", as on Supabase.)
SELECT throws_ok(
    $$ INSERT INTO realtime.messages (topic, extension, event, payload, private, inserted_at)
       VALUES ('ticket:70000000-0000-4000-8000-0000000000a1', 'broadcast', 'digitando', '{}', true,
               (now() AT TIME ZONE 'UTC') + interval '2 days') $$,
    '42501', NULL, 'a row dated two days ahead (inserted_at is the database clock)'
);
SELECT throws_ok(
    $$ INSERT INTO realtime.messages (topic, extension, event, payload, private, updated_at)
       VALUES ('ticket:70000000-0000-4000-8000-0000000000a1', 'broadcast', 'digitando', '{}', true,
               '1999-01-01') $$,
    '42501', NULL, 'a forged updated_at'
);
SELECT throws_ok(
    $$ INSERT INTO realtime.messages (id, topic, extension, event, payload, private)
       VALUES ('80000000-0000-4000-8000-0000000000a1', 'ticket:70000000-0000-4000-8000-0000000000a1',
               'broadcast', 'digitando', '{}', true) $$,
    '42501', NULL, 'the id of an archived chat message'
);
SELECT tests.authenticate_as_service_role();
INSERT INTO realtime.messages (id, topic, extension, event, payload, private)
VALUES ('40000000-0000-4000-8000-0000000000f1', 'ticket:70000000-0000-4000-8000-0000000000a1',
        'broadcast', 'mensagem', '{}', true);
SELECT tests.authenticate_as('00000000-0000-4000-8000-0000000000a2');
SELECT throws_ok(
    $$ INSERT INTO realtime.messages (id, topic, extension, event, payload, private)
       VALUES ('40000000-0000-4000-8000-0000000000f1', 'ticket:70000000-0000-4000-8000-0000000000a1',
               'broadcast', 'digitando', '{}', true) $$,
    '42501', NULL, 'the id of an existing realtime message'
);

-- Staff are held to the same contract on their office topic.
SELECT tests.authenticate_as('00000000-0000-4000-8000-0000000000a1');
SELECT throws_ok(
    $$ INSERT INTO realtime.messages (topic, extension, event, payload, private)
       VALUES ('escritorio:a0000000-0000-4000-8000-000000000000', 'broadcast', 'Ticket_Criado', '{}', true) $$,
    '42501', NULL, 'staff cannot forge ticket_criado on the office topic either'
);

SELECT * FROM finish();
ROLLBACK;
