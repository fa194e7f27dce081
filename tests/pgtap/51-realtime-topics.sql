-- Realtime authorization (policies/realtime.sql): RLS on realtime.messages keyed on the row's
-- topic - ticket:<uuid> for the ticket's client and active staff of its office,
-- escritorio:<uuid> for active staff of the office - for direct reads, direct inserts and
-- Supabase Realtime's join probe; malformed topics are invisible and never raise.
--
-- pg_temp.sondar_canal(role, user, topic) mimics Realtime's join probe (see
-- /work/shared/SUPABASE_FACTS.md and supabase/realtime Authorization): as Realtime's own
-- connection role it inserts one probe row per extension for the topic, switches to the user
-- (role, realtime.topic, request.jwt.claims, request.jwt.claim.sub / .role, request.headers,
-- all transaction-local), SELECTs the probe rows back (the ones it sees = the extensions it may
-- receive), then INSERTs one row per extension, each under a savepoint (42501 = may not send;
-- any other error propagates and fails the test, as it would fail the join). Everything the
-- probe wrote is undone before it returns. Result: 'read=<extensions> write=<extensions>'.
--
-- Fixture ids: as in 50-policies.sql (offices a.../b..., logins 00000000-...-0000000000xx,
-- tickets 7...a1 (client A1), 7...a2 (client A2), 7...b1 (client B1)); messages 4...01-4...17.
BEGIN;
SELECT plan(63);

CREATE FUNCTION pg_temp.sondar_canal(p_role text, p_user uuid, p_topic text) RETURNS text
LANGUAGE plpgsql
AS $$
DECLARE
    v_broadcast uuid := gen_random_uuid();
    v_presence uuid := gen_random_uuid();
    v_extension text;
    v_read text;
    v_write text[] := ARRAY[]::text[];
BEGIN
    -- Read probe: the rows are written by Realtime's connection role, before the switch.
    PERFORM set_config('role', 'none', true);
    INSERT INTO realtime.messages (id, topic, extension)
    VALUES (v_broadcast, p_topic, 'broadcast'), (v_presence, p_topic, 'presence');

    PERFORM set_config('role', p_role, true);
    PERFORM set_config('realtime.topic', p_topic, true);
    PERFORM set_config('request.jwt.claims',
                       jsonb_strip_nulls(jsonb_build_object('role', p_role, 'sub', p_user))::text, true);
    PERFORM set_config('request.jwt.claim.sub', coalesce(p_user::text, ''), true);
    PERFORM set_config('request.jwt.claim.role', p_role, true);
    PERFORM set_config('request.headers', '{}', true);

    SELECT coalesce(string_agg(m.extension, ',' ORDER BY m.extension), '')
    INTO v_read
    FROM realtime.messages AS m
    WHERE m.topic = p_topic
      AND ((m.extension = 'broadcast' AND m.id = v_broadcast) OR (m.extension = 'presence' AND m.id = v_presence));

    -- Write probe: one INSERT per extension under a savepoint, always undone.
    FOREACH v_extension IN ARRAY ARRAY['broadcast', 'presence'] LOOP
        BEGIN
            INSERT INTO realtime.messages (topic, extension) VALUES (p_topic, v_extension);
            v_write := v_write || v_extension;
            RAISE EXCEPTION 'undo the write probe';
        EXCEPTION
            WHEN insufficient_privilege OR raise_exception THEN
                NULL;
        END;
    END LOOP;

    -- Back to the session user; the read probe rows go too (Realtime rolls back).
    PERFORM set_config('role', 'none', true);
    PERFORM set_config('realtime.topic', '', true);
    PERFORM set_config('request.jwt.claims', '', true);
    PERFORM set_config('request.jwt.claim.sub', '', true);
    PERFORM set_config('request.jwt.claim.role', '', true);
    DELETE FROM realtime.messages WHERE id IN (v_broadcast, v_presence);

    RETURN 'read=' || v_read || ' write=' || array_to_string(v_write, ',');
END
$$;

-- =============================================================================================
-- The catalogue
-- =============================================================================================
SELECT policies_are(
    'realtime', 'messages',
    ARRAY[
        'ticket participants receive their ticket topics', 'ticket participants send on their ticket topics',
        'staff receive their office topics', 'staff send on their office topics'
    ],
    'realtime.messages has exactly the four topic policies'
);
SELECT policy_cmd_is('realtime', 'messages', 'ticket participants receive their ticket topics', 'SELECT',
    'ticket topic: receive is FOR SELECT');
SELECT policy_roles_are('realtime', 'messages', 'ticket participants receive their ticket topics', ARRAY['authenticated'],
    'ticket topic: receive is TO authenticated');
SELECT policy_cmd_is('realtime', 'messages', 'ticket participants send on their ticket topics', 'INSERT',
    'ticket topic: send is FOR INSERT');
SELECT policy_roles_are('realtime', 'messages', 'ticket participants send on their ticket topics', ARRAY['authenticated'],
    'ticket topic: send is TO authenticated');
SELECT policy_cmd_is('realtime', 'messages', 'staff receive their office topics', 'SELECT',
    'office topic: receive is FOR SELECT');
SELECT policy_roles_are('realtime', 'messages', 'staff receive their office topics', ARRAY['authenticated'],
    'office topic: receive is TO authenticated');
SELECT policy_cmd_is('realtime', 'messages', 'staff send on their office topics', 'INSERT',
    'office topic: send is FOR INSERT');
SELECT policy_roles_are('realtime', 'messages', 'staff send on their office topics', ARRAY['authenticated'],
    'office topic: send is TO authenticated');

-- =============================================================================================
-- Topic parsing never raises: malformed topics are NULL, NULL is no access
-- =============================================================================================
SELECT results_eq(
    $$ SELECT private.topico_ticket(t), private.topico_escritorio(t)
       FROM (VALUES ('ticket:not-a-uuid'), ('ticket:'), ('escritorio:xyz'), (''), (NULL),
                    ('ticket:70000000-0000-4000-8000-0000000000a1:extra'),
                    ('escritorio:70000000-0000-4000-8000-0000000000a1 '),
                    ('ticket:''; SELECT 1; --')) AS v (t) $$,
    $$ SELECT NULL::uuid, NULL::uuid FROM generate_series(1, 8) $$,
    'malformed topics (and NULL) parse to NULL, without an error'
);
SELECT is(private.pode_acessar_ticket(NULL), false, 'pode_acessar_ticket(NULL) is false, not NULL, not an error');
-- Performance rule (docs/dba.md, rule 6): no correlated sub-select in these policies. Its
-- estimated cost is charged to every row the scan reads (the planner does not discount quals
-- that a cheaper one short-circuits), which pushed a plain read of 15,000 rows over
-- jit_above_cost (~50 ms of JIT compilation for a ~3 ms query). The ticket check is one
-- PL/pgSQL call, costed as such; the office check an InitPlan array computed once.
SELECT is_empty(
    $$ SELECT policyname FROM pg_catalog.pg_policies
       WHERE schemaname = 'realtime' AND tablename = 'messages'
         AND coalesce(qual, '') || ' ' || coalesce(with_check, '') ~* '\mEXISTS\M' $$,
    'realtime topic policies hold no correlated sub-select (EXISTS) costed per row'
);
SELECT set_eq(
    $$ SELECT policyname::text FROM pg_catalog.pg_policies
       WHERE schemaname = 'realtime' AND tablename = 'messages'
         AND coalesce(qual, '') || ' ' || coalesce(with_check, '') ~ 'private\.topico_ticket_visivel\(topic\)' $$,
    ARRAY['ticket participants receive their ticket topics', 'ticket participants send on their ticket topics'],
    'both ticket-topic policies decide through private.topico_ticket_visivel(topic)'
);
SELECT is(private.topico_ticket_visivel(t), false, 'topico_ticket_visivel is false for ' || coalesce(quote_literal(t), 'NULL'))
FROM (VALUES ('ticket:not-a-uuid'), (''), (NULL), ('escritorio:70000000-0000-4000-8000-0000000000a1'),
             ('ticket:70000000-0000-4000-8000-0000000000a1')) AS v (t);
-- =============================================================================================
-- Scenario (written by the backend, as service_role: the path the Balcao Virtual backend and
-- admin jobs use; triggers derive what they derive)
-- =============================================================================================
SELECT tests.cenario_politicas();

-- =============================================================================================
-- Messages on every kind of topic (written by the backend)
-- =============================================================================================
SELECT tests.authenticate_as_service_role();
INSERT INTO realtime.messages (id, topic, extension, event, payload, private) VALUES
('40000000-0000-4000-8000-000000000001', 'ticket:70000000-0000-4000-8000-0000000000a1', 'broadcast', 'mensagem', '{}', true),
('40000000-0000-4000-8000-000000000002', 'ticket:70000000-0000-4000-8000-0000000000a1', 'presence', NULL, '{}', true),
('40000000-0000-4000-8000-000000000003', 'ticket:70000000-0000-4000-8000-0000000000a1', 'postgres_changes', 'x', '{}', true),
('40000000-0000-4000-8000-000000000004', 'escritorio:a0000000-0000-4000-8000-000000000000', 'broadcast', 'ticket_criado', '{}', true),
('40000000-0000-4000-8000-000000000005', 'ticket:70000000-0000-4000-8000-0000000000b1', 'broadcast', 'mensagem', '{}', true),
('40000000-0000-4000-8000-000000000006', 'ticket:70000000-0000-4000-8000-0000000000a2', 'broadcast', 'mensagem', '{}', true),
('40000000-0000-4000-8000-000000000011', 'ticket:not-a-uuid', 'broadcast', 'x', '{}', true),
('40000000-0000-4000-8000-000000000012', 'ticket:', 'broadcast', 'x', '{}', true),
('40000000-0000-4000-8000-000000000013', 'escritorio:xyz', 'broadcast', 'x', '{}', true),
('40000000-0000-4000-8000-000000000014', '', 'broadcast', 'x', '{}', true),
('40000000-0000-4000-8000-000000000015', 'ticket:70000000-0000-4000-8000-0000000000a1:extra', 'broadcast', 'x', '{}', true),
('40000000-0000-4000-8000-000000000016', 'ticket:70000000-0000-4000-8000-00000000ffff', 'broadcast', 'x', '{}', true),
('40000000-0000-4000-8000-000000000017', 'escritorio:', 'presence', NULL, '{}', true);
SELECT tests.clear_authentication();

-- =============================================================================================
-- Who receives what (direct reads: schema-kit listen re-reads every announced row this way)
-- =============================================================================================
SELECT tests.authenticate_as('00000000-0000-4000-8000-0000000000a2');  -- client A1
SELECT results_eq(
    $$ SELECT id FROM realtime.messages WHERE id::text LIKE '40000000-%' ORDER BY id $$,
    $$ VALUES ('40000000-0000-4000-8000-000000000001'::uuid), ('40000000-0000-4000-8000-000000000002'::uuid) $$,
    'a client receives broadcast and presence of its own ticket topic only (not other extensions, offices, clients, malformed topics)'
);
SELECT tests.authenticate_as('00000000-0000-4000-8000-0000000000a3');  -- client A2
SELECT results_eq(
    $$ SELECT id FROM realtime.messages WHERE id::text LIKE '40000000-%' ORDER BY id $$,
    $$ VALUES ('40000000-0000-4000-8000-000000000006'::uuid) $$,
    'another client of the same office receives only its own ticket topic'
);
SELECT tests.authenticate_as('00000000-0000-4000-8000-0000000000a1');  -- atendente A
SELECT results_eq(
    $$ SELECT id FROM realtime.messages WHERE id::text LIKE '40000000-%' ORDER BY id $$,
    $$ VALUES ('40000000-0000-4000-8000-000000000001'::uuid), ('40000000-0000-4000-8000-000000000002'::uuid),
              ('40000000-0000-4000-8000-000000000004'::uuid), ('40000000-0000-4000-8000-000000000006'::uuid) $$,
    'staff receive every ticket topic of their office and the office topic'
);
SELECT tests.authenticate_as('00000000-0000-4000-8000-0000000000a5');  -- supervisor A
SELECT results_eq(
    $$ SELECT id FROM realtime.messages WHERE id::text LIKE '40000000-%' ORDER BY id $$,
    $$ VALUES ('40000000-0000-4000-8000-000000000001'::uuid), ('40000000-0000-4000-8000-000000000002'::uuid),
              ('40000000-0000-4000-8000-000000000004'::uuid), ('40000000-0000-4000-8000-000000000006'::uuid) $$,
    'a supervisor receives the same topics as the office staff'
);
SELECT tests.authenticate_as('00000000-0000-4000-8000-0000000000a6');  -- inactive atendente A
SELECT is_empty(
    $$ SELECT id FROM realtime.messages WHERE id::text LIKE '40000000-%' $$,
    'inactive staff receive nothing'
);
SELECT tests.authenticate_as('00000000-0000-4000-8000-0000000000b1');  -- admin B
SELECT results_eq(
    $$ SELECT id FROM realtime.messages WHERE id::text LIKE '40000000-%' ORDER BY id $$,
    $$ VALUES ('40000000-0000-4000-8000-000000000005'::uuid) $$,
    'staff of office B receive only office B''s topics'
);
SELECT tests.authenticate_as_anon();
SELECT is_empty(
    $$ SELECT id FROM realtime.messages WHERE id::text LIKE '40000000-%' $$,
    'anon receives nothing (and no error)'
);
SELECT tests.authenticate_as('00000000-0000-4000-8000-0000000000a1');  -- atendente A
SELECT is_empty(
    $$ SELECT id FROM realtime.messages
       WHERE topic IN ('ticket:not-a-uuid', 'ticket:', 'escritorio:xyz', '', 'escritorio:',
                       'ticket:70000000-0000-4000-8000-0000000000a1:extra',
                       'ticket:70000000-0000-4000-8000-00000000ffff') $$,
    'malformed and unknown topics are simply not visible (no error), even to staff'
);

-- =============================================================================================
-- Who may send what (direct inserts)
-- =============================================================================================
SELECT tests.authenticate_as('00000000-0000-4000-8000-0000000000a2');  -- client A1
SELECT lives_ok(
    $$ INSERT INTO realtime.messages (topic, extension, event, payload, private)
       VALUES ('ticket:70000000-0000-4000-8000-0000000000a1', 'broadcast', 'digitando', '{}', true) $$,
    'a client sends a broadcast on its own ticket topic'
);
SELECT lives_ok(
    $$ INSERT INTO realtime.messages (topic, extension, payload, private)
       VALUES ('ticket:70000000-0000-4000-8000-0000000000a1', 'presence', '{}', true) $$,
    'a client tracks presence on its own ticket topic'
);
SELECT throws_ok(
    $$ INSERT INTO realtime.messages (topic, extension, event, payload, private)
       VALUES ('ticket:70000000-0000-4000-8000-0000000000a1', 'broadcast', 'mensagem', '{"conteudo": "falso"}', true) $$,
    '42501', NULL,
    'a client cannot forge a chat message event (mensagem is written by tickets.enviar_mensagem only)'
);
SELECT throws_ok(
    $$ INSERT INTO realtime.messages (topic, extension, event, payload, private)
       VALUES ('ticket:70000000-0000-4000-8000-0000000000a1', 'broadcast', 'ticket_atualizado', '{}', true) $$,
    '42501', NULL,
    'a client cannot forge a status-change event'
);
SELECT throws_ok(
    $$ INSERT INTO realtime.messages (topic, extension, event, payload, private)
       VALUES ('ticket:70000000-0000-4000-8000-0000000000a1', 'postgres_changes', 'x', '{}', true) $$,
    '42501', NULL,
    'a client cannot insert rows of another extension'
);
SELECT throws_ok(
    $$ INSERT INTO realtime.messages (topic, extension, event, payload, private)
       VALUES ('ticket:70000000-0000-4000-8000-0000000000a2', 'broadcast', 'digitando', '{}', true) $$,
    '42501', NULL,
    'a client cannot send on another client''s ticket topic'
);
SELECT throws_ok(
    $$ INSERT INTO realtime.messages (topic, extension, event, payload, private)
       VALUES ('escritorio:a0000000-0000-4000-8000-000000000000', 'broadcast', 'digitando', '{}', true) $$,
    '42501', NULL,
    'a client cannot send on its office topic'
);
SELECT throws_ok(
    $$ INSERT INTO realtime.messages (topic, extension, event, payload, private)
       VALUES ('ticket:not-a-uuid', 'broadcast', 'digitando', '{}', true) $$,
    '42501', NULL,
    'a send on a malformed topic is refused with 42501, never another error'
);
SELECT is_empty(
    $$ UPDATE realtime.messages SET payload = '{"conteudo": "editado"}'
       WHERE id = '40000000-0000-4000-8000-000000000001' RETURNING id $$,
    'a client cannot edit a broadcast of its own ticket (no UPDATE policy: zero rows)'
);

SELECT tests.authenticate_as('00000000-0000-4000-8000-0000000000a1');  -- atendente A
SELECT lives_ok(
    $$ INSERT INTO realtime.messages (topic, extension, event, payload, private)
       VALUES ('ticket:70000000-0000-4000-8000-0000000000a2', 'broadcast', 'digitando', '{}', true) $$,
    'staff send on any ticket topic of their office'
);
SELECT lives_ok(
    $$ INSERT INTO realtime.messages (topic, extension, payload, private)
       VALUES ('escritorio:a0000000-0000-4000-8000-000000000000', 'presence', '{}', true) $$,
    'staff track presence on their office topic'
);
SELECT throws_ok(
    $$ INSERT INTO realtime.messages (topic, extension, event, payload, private)
       VALUES ('escritorio:a0000000-0000-4000-8000-000000000000', 'broadcast', 'ticket_criado', '{}', true) $$,
    '42501', NULL,
    'staff cannot forge a new-ticket event on their office topic'
);
SELECT throws_ok(
    $$ INSERT INTO realtime.messages (topic, extension, event, payload, private)
       VALUES ('escritorio:a0000000-0000-4000-8000-000000000000', 'broadcast', 'nota_interna', '{}', true) $$,
    '42501', NULL,
    'staff cannot forge an internal-note event (nota_interna is written by the comment trigger only)'
);

SELECT tests.authenticate_as('00000000-0000-4000-8000-0000000000b1');  -- admin B
SELECT throws_ok(
    $$ INSERT INTO realtime.messages (topic, extension, event, payload, private)
       VALUES ('ticket:70000000-0000-4000-8000-0000000000a1', 'broadcast', 'digitando', '{}', true) $$,
    '42501', NULL,
    'staff of office B cannot send on office A''s ticket topic'
);
SELECT throws_ok(
    $$ INSERT INTO realtime.messages (topic, extension, event, payload, private)
       VALUES ('escritorio:a0000000-0000-4000-8000-000000000000', 'broadcast', 'digitando', '{}', true) $$,
    '42501', NULL,
    'staff of office B cannot send on office A''s topic'
);

SELECT tests.authenticate_as_anon();
SELECT throws_ok(
    $$ INSERT INTO realtime.messages (topic, extension, event, payload, private)
       VALUES ('ticket:70000000-0000-4000-8000-0000000000a1', 'broadcast', 'digitando', '{}', true) $$,
    '42501', NULL,
    'anon cannot send on a ticket topic'
);
SELECT tests.clear_authentication();

-- =============================================================================================
-- Realtime's join probe, per persona and topic
-- =============================================================================================
SELECT is(
    pg_temp.sondar_canal('authenticated', '00000000-0000-4000-8000-0000000000a2', 'ticket:70000000-0000-4000-8000-0000000000a1'),
    'read=broadcast,presence write=broadcast,presence',
    'join probe: a client joins its own ticket topic (read and write)'
);
SELECT is(
    pg_temp.sondar_canal('authenticated', '00000000-0000-4000-8000-0000000000a3', 'ticket:70000000-0000-4000-8000-0000000000a1'),
    'read= write=',
    'join probe: another client of the same office is denied'
);
SELECT is(
    pg_temp.sondar_canal('authenticated', '00000000-0000-4000-8000-0000000000a1', 'ticket:70000000-0000-4000-8000-0000000000a1'),
    'read=broadcast,presence write=broadcast,presence',
    'join probe: staff of the office join the ticket topic'
);
SELECT is(
    pg_temp.sondar_canal('authenticated', '00000000-0000-4000-8000-0000000000a5', 'ticket:70000000-0000-4000-8000-0000000000a2'),
    'read=broadcast,presence write=broadcast,presence',
    'join probe: a supervisor joins any ticket topic of its office'
);
SELECT is(
    pg_temp.sondar_canal('authenticated', '00000000-0000-4000-8000-0000000000a6', 'ticket:70000000-0000-4000-8000-0000000000a1'),
    'read= write=',
    'join probe: inactive staff are denied'
);
SELECT is(
    pg_temp.sondar_canal('authenticated', '00000000-0000-4000-8000-0000000000b1', 'ticket:70000000-0000-4000-8000-0000000000a1'),
    'read= write=',
    'join probe: staff of another office are denied'
);
SELECT is(
    pg_temp.sondar_canal('anon', NULL, 'ticket:70000000-0000-4000-8000-0000000000a1'),
    'read= write=',
    'join probe: anon is denied'
);
SELECT is(
    pg_temp.sondar_canal('authenticated', '00000000-0000-4000-8000-0000000000a1', 'escritorio:a0000000-0000-4000-8000-000000000000'),
    'read=broadcast,presence write=broadcast,presence',
    'join probe: staff join their office topic'
);
SELECT is(
    pg_temp.sondar_canal('authenticated', '00000000-0000-4000-8000-0000000000a2', 'escritorio:a0000000-0000-4000-8000-000000000000'),
    'read= write=',
    'join probe: a client is denied its office topic'
);
SELECT is(
    pg_temp.sondar_canal('authenticated', '00000000-0000-4000-8000-0000000000b1', 'escritorio:a0000000-0000-4000-8000-000000000000'),
    'read= write=',
    'join probe: staff of another office are denied the office topic'
);
SELECT is(
    pg_temp.sondar_canal('authenticated', '00000000-0000-4000-8000-0000000000b1', 'escritorio:b0000000-0000-4000-8000-000000000000'),
    'read=broadcast,presence write=broadcast,presence',
    'join probe: the admin of office B joins office B''s topic'
);
SELECT is(
    pg_temp.sondar_canal('authenticated', '00000000-0000-4000-8000-0000000000a1', 'ticket:not-a-uuid'),
    'read= write=',
    'join probe: ticket:not-a-uuid is denied without an error'
);
SELECT is(
    pg_temp.sondar_canal('authenticated', '00000000-0000-4000-8000-0000000000a1', 'ticket:'),
    'read= write=',
    'join probe: ticket: (empty id) is denied without an error'
);
SELECT is(
    pg_temp.sondar_canal('authenticated', '00000000-0000-4000-8000-0000000000a1', 'escritorio:xyz'),
    'read= write=',
    'join probe: escritorio:xyz is denied without an error'
);
SELECT is(
    pg_temp.sondar_canal('authenticated', '00000000-0000-4000-8000-0000000000a1', ''),
    'read= write=',
    'join probe: the empty topic is denied without an error'
);
SELECT is(
    pg_temp.sondar_canal('authenticated', '00000000-0000-4000-8000-0000000000a1', 'ticket:70000000-0000-4000-8000-0000000000a1:extra'),
    'read= write=',
    'join probe: a ticket topic with trailing garbage is denied'
);
SELECT is(
    pg_temp.sondar_canal('authenticated', '00000000-0000-4000-8000-0000000000a1', 'ticket:70000000-0000-4000-8000-00000000ffff'),
    'read= write=',
    'join probe: the topic of a ticket that does not exist is denied'
);
SELECT is(
    pg_temp.sondar_canal('authenticated', '00000000-0000-4000-8000-0000000000a1', 'ticket:70000000-0000-4000-8000-0000000000b1'),
    'read= write=',
    'join probe: staff are denied a ticket topic of another office'
);
SELECT is(
    pg_temp.sondar_canal('authenticated', NULL, 'ticket:70000000-0000-4000-8000-0000000000a1'),
    'read= write=',
    'join probe: an authenticated JWT without sub is denied'
);

-- Deactivating a member takes effect at the next authorization (Realtime re-checks on join and
-- on a new JWT; nothing is cached in the database).
UPDATE crm.equipe SET ativo = false
WHERE escritorio_id = 'a0000000-0000-4000-8000-000000000000' AND user_id = '00000000-0000-4000-8000-0000000000a1';
SELECT is(
    pg_temp.sondar_canal('authenticated', '00000000-0000-4000-8000-0000000000a1', 'ticket:70000000-0000-4000-8000-0000000000a1'),
    'read= write=',
    'join probe: a member deactivated a moment ago is denied at once'
);

SELECT is_empty(
    $$ SELECT id FROM realtime.messages WHERE event IS NULL AND payload IS NULL $$,
    'the join probes left no row behind'
);

SELECT * FROM finish();
ROLLBACK;
