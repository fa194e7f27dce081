-- Chat (tickets.enviar_mensagem, tickets.historico_chat, triggers/12_chat.sql): one message =
-- one private broadcast in realtime.messages + one archived row with the same id, in one
-- transaction; refusals (closed ticket, other client's or office's ticket, no user, empty and
-- oversize content) leave nothing behind; the first staff message stamps
-- primeira_resposta_em; historico_chat pages the archive newest-first-by-page, oldest first
-- within a page, with an exclusive `antes`.
--
-- Fixture ids (literal):
--   offices  A a0000000-0000-4000-8000-000000000000   B b0000000-0000-4000-8000-000000000000
--   logins   (prefix 00000000-0000-4000-8000-000000000)  staff A ...0a1, staff B ...0b1,
--            client A1 ...0c1, client A2 ...0c2
--   clients  A1 c0000000-...-0000000000a1, A2 ...0a2 (office A)
--   tickets  (prefix 70000000-0000-4000-8000-000000000)  A1 ...0a1, A1 closed ...0af, A2 ...0a2
BEGIN;
SELECT plan(44);

INSERT INTO auth.users (id, email) VALUES
    ('00000000-0000-4000-8000-0000000000a1', 'staff.a@test'),
    ('00000000-0000-4000-8000-0000000000b1', 'staff.b@test'),
    ('00000000-0000-4000-8000-0000000000c1', 'cliente.a1@test'),
    ('00000000-0000-4000-8000-0000000000c2', 'cliente.a2@test');
INSERT INTO crm.escritorios (id, nome) VALUES
    ('a0000000-0000-4000-8000-000000000000', 'Escritório A'),
    ('b0000000-0000-4000-8000-000000000000', 'Escritório B');
INSERT INTO crm.equipe (escritorio_id, user_id, papel) VALUES
    ('a0000000-0000-4000-8000-000000000000', '00000000-0000-4000-8000-0000000000a1', 'atendente'),
    ('b0000000-0000-4000-8000-000000000000', '00000000-0000-4000-8000-0000000000b1', 'atendente');
INSERT INTO crm.clientes (id, escritorio_id, user_id, nome) VALUES
    ('c0000000-0000-4000-8000-0000000000a1', 'a0000000-0000-4000-8000-000000000000',
     '00000000-0000-4000-8000-0000000000c1', 'Cliente A1'),
    ('c0000000-0000-4000-8000-0000000000a2', 'a0000000-0000-4000-8000-000000000000',
     '00000000-0000-4000-8000-0000000000c2', 'Cliente A2');
INSERT INTO tickets.tickets (id, titulo, cliente_id, status) VALUES
    ('70000000-0000-4000-8000-0000000000a1', 'Ticket A1', 'c0000000-0000-4000-8000-0000000000a1', 'aberto'),
    ('70000000-0000-4000-8000-0000000000af', 'Ticket A1 fechado', 'c0000000-0000-4000-8000-0000000000a1', 'fechado'),
    ('70000000-0000-4000-8000-0000000000a2', 'Ticket A2', 'c0000000-0000-4000-8000-0000000000a2', 'aberto');

-- Sent message ids in sending order.
CREATE TEMPORARY TABLE enviadas (n serial PRIMARY KEY, id uuid NOT NULL);
GRANT ALL ON TABLE enviadas TO authenticated, service_role;
GRANT ALL ON SEQUENCE enviadas_n_seq TO authenticated, service_role;

-- =============================================================================================
-- Contract
-- =============================================================================================
SELECT function_returns('tickets', 'enviar_mensagem', ARRAY['uuid', 'text'], 'uuid',
    'tickets.enviar_mensagem(ticket_id, conteudo) returns uuid');
SELECT is(
    pg_catalog.pg_get_function_arguments('tickets.enviar_mensagem(uuid, text)'::regprocedure),
    'ticket_id uuid, conteudo text',
    'enviar_mensagem: contract argument names and order'
);
SELECT is_definer('tickets', 'enviar_mensagem', ARRAY['uuid', 'text'],
    'enviar_mensagem is SECURITY DEFINER (API users may not write the archive)');
SELECT is(
    (SELECT p.proconfig FROM pg_catalog.pg_proc AS p WHERE p.oid = 'tickets.enviar_mensagem(uuid, text)'::regprocedure),
    ARRAY['search_path=pg_catalog, pg_temp'],
    'enviar_mensagem pins search_path = pg_catalog, pg_temp'
);
SELECT is(
    pg_catalog.pg_get_function_arguments('tickets.historico_chat(uuid, timestamptz, integer)'::regprocedure),
    'ticket_id uuid, antes timestamp with time zone DEFAULT NULL::timestamp with time zone, limite integer DEFAULT 50',
    'historico_chat: contract argument names, order and defaults (limite = chat_page_size)'
);
SELECT is(
    pg_catalog.pg_get_function_result('tickets.historico_chat(uuid, timestamptz, integer)'::regprocedure),
    'TABLE(id uuid, autor_id uuid, autor_tipo text, conteudo text, enviado_em timestamp with time zone, autor_nome text)',
    'historico_chat returns table(id, autor_id, autor_tipo, conteudo, enviado_em, autor_nome)'
);
SELECT ok(
    NOT pg_catalog.has_function_privilege('anon', 'tickets.enviar_mensagem(uuid, text)', 'EXECUTE')
    AND NOT pg_catalog.has_function_privilege('anon', 'tickets.historico_chat(uuid, timestamptz, integer)', 'EXECUTE')
    AND pg_catalog.has_function_privilege('authenticated', 'tickets.enviar_mensagem(uuid, text)', 'EXECUTE')
    AND pg_catalog.has_function_privilege('authenticated', 'tickets.historico_chat(uuid, timestamptz, integer)', 'EXECUTE'),
    'chat functions: executable by authenticated, not by anon'
);

-- =============================================================================================
-- Sending: the client, then staff
-- =============================================================================================
SELECT tests.authenticate_as('00000000-0000-4000-8000-0000000000c1');
INSERT INTO enviadas (id) SELECT tickets.enviar_mensagem('70000000-0000-4000-8000-0000000000a1', 'Bom dia!');

SELECT tests.clear_authentication();
SELECT results_eq(
    $$ SELECT m.topic, m.event, m.extension, m.private, (m.payload ->> 'id')::uuid = m.id,
              (m.payload ->> 'ticket_id')::uuid, (m.payload ->> 'autor_id')::uuid, m.payload ->> 'autor_tipo',
              m.payload ->> 'conteudo'
       FROM realtime.messages AS m WHERE m.id = (SELECT id FROM enviadas WHERE n = 1) $$,
    $$ VALUES ('ticket:70000000-0000-4000-8000-0000000000a1', 'mensagem', 'broadcast', true, true,
               '70000000-0000-4000-8000-0000000000a1'::uuid, '00000000-0000-4000-8000-0000000000c1'::uuid,
               'cliente', 'Bom dia!') $$,
    'the message is broadcast: topic ticket:<id>, event mensagem, extension broadcast, private, payload'
);
SELECT results_eq(
    $$ SELECT c.ticket_id, c.escritorio_id, c.autor_id, c.autor_tipo, c.conteudo
       FROM tickets.chat_mensagens AS c WHERE c.id = (SELECT id FROM enviadas WHERE n = 1) $$,
    $$ VALUES ('70000000-0000-4000-8000-0000000000a1'::uuid, 'a0000000-0000-4000-8000-000000000000'::uuid,
               '00000000-0000-4000-8000-0000000000c1'::uuid, 'cliente', 'Bom dia!') $$,
    'the same id is archived in tickets.chat_mensagens (ticket, office, author, cliente, text)'
);
SELECT is(
    (SELECT (m.payload ->> 'enviado_em')::timestamptz FROM realtime.messages AS m
     WHERE m.id = (SELECT id FROM enviadas WHERE n = 1)),
    (SELECT c.enviado_em FROM tickets.chat_mensagens AS c WHERE c.id = (SELECT id FROM enviadas WHERE n = 1)),
    'broadcast and archive carry the same enviado_em'
);
SELECT is(
    (SELECT primeira_resposta_em FROM tickets.tickets WHERE id = '70000000-0000-4000-8000-0000000000a1'),
    NULL,
    'a client message does not stamp primeira_resposta_em'
);

SELECT tests.authenticate_as('00000000-0000-4000-8000-0000000000a1');
INSERT INTO enviadas (id) SELECT tickets.enviar_mensagem('70000000-0000-4000-8000-0000000000a1', 'Olá, em que posso ajudar?');
SELECT tests.clear_authentication();
SELECT results_eq(
    $$ SELECT c.autor_tipo, m.payload ->> 'autor_tipo'
       FROM tickets.chat_mensagens AS c INNER JOIN realtime.messages AS m ON m.id = c.id
       WHERE c.id = (SELECT id FROM enviadas WHERE n = 2) $$,
    $$ VALUES ('equipe', 'equipe') $$,
    'a staff message is autor_tipo equipe, in both rows'
);
SELECT is(
    (SELECT primeira_resposta_em FROM tickets.tickets WHERE id = '70000000-0000-4000-8000-0000000000a1'),
    (SELECT enviado_em FROM tickets.chat_mensagens WHERE id = (SELECT id FROM enviadas WHERE n = 2)),
    'the first staff message stamps primeira_resposta_em with its enviado_em'
);

-- Five more, alternating, to page through: 7 messages in all.
SELECT tests.authenticate_as('00000000-0000-4000-8000-0000000000c1');
INSERT INTO enviadas (id) SELECT tickets.enviar_mensagem('70000000-0000-4000-8000-0000000000a1', 'Mensagem 3');
SELECT tests.authenticate_as('00000000-0000-4000-8000-0000000000a1');
INSERT INTO enviadas (id) SELECT tickets.enviar_mensagem('70000000-0000-4000-8000-0000000000a1', 'Mensagem 4');
SELECT tests.authenticate_as('00000000-0000-4000-8000-0000000000c1');
INSERT INTO enviadas (id) SELECT tickets.enviar_mensagem('70000000-0000-4000-8000-0000000000a1', 'Mensagem 5');
SELECT tests.authenticate_as('00000000-0000-4000-8000-0000000000a1');
INSERT INTO enviadas (id) SELECT tickets.enviar_mensagem('70000000-0000-4000-8000-0000000000a1', 'Mensagem 6');
SELECT tests.authenticate_as('00000000-0000-4000-8000-0000000000c1');
INSERT INTO enviadas (id) SELECT tickets.enviar_mensagem('70000000-0000-4000-8000-0000000000a1', repeat('z', 4000));

SELECT tests.clear_authentication();
SELECT is(
    (SELECT primeira_resposta_em FROM tickets.tickets WHERE id = '70000000-0000-4000-8000-0000000000a1'),
    (SELECT enviado_em FROM tickets.chat_mensagens WHERE id = (SELECT id FROM enviadas WHERE n = 2)),
    'later staff messages do not move primeira_resposta_em'
);
SELECT results_eq(
    $$ SELECT (SELECT count(*)::int FROM realtime.messages WHERE event = 'mensagem'),
              (SELECT count(*)::int FROM tickets.chat_mensagens),
              (SELECT count(*)::int FROM tickets.chat_mensagens AS c
               INNER JOIN realtime.messages AS m ON m.id = c.id AND m.event = 'mensagem') $$,
    $$ VALUES (7, 7, 7) $$,
    'seven messages: seven broadcasts, seven archived rows, paired one to one by id'
);
SELECT ok(
    (SELECT bool_and(c.enviado_em < c2.enviado_em)
     FROM enviadas AS e
     INNER JOIN enviadas AS e2 ON e2.n = e.n + 1
     INNER JOIN tickets.chat_mensagens AS c ON c.id = e.id
     INNER JOIN tickets.chat_mensagens AS c2 ON c2.id = e2.id),
    'messages sent in one transaction still get increasing enviado_em'
);

-- =============================================================================================
-- Refusals leave nothing behind
-- =============================================================================================
SELECT tests.authenticate_as('00000000-0000-4000-8000-0000000000c1');
SELECT throws_ok(
    $$ SELECT tickets.enviar_mensagem('70000000-0000-4000-8000-0000000000af', 'Alô?') $$,
    'SK005', 'Chamado fechado não aceita novas mensagens.',
    'a fechado ticket takes no messages (SK005)'
);
SELECT throws_ok(
    $$ SELECT tickets.enviar_mensagem('70000000-0000-4000-8000-0000000000a2', 'Intruso') $$,
    'SK004', 'Chamado não encontrado.',
    'a client cannot chat on another client''s ticket (SK004)'
);
SELECT throws_ok(
    $$ SELECT tickets.enviar_mensagem(gen_random_uuid(), 'Fantasma') $$,
    'SK004', NULL,
    'an unknown ticket gives the same SK004'
);
SELECT throws_ok($$ SELECT tickets.enviar_mensagem('70000000-0000-4000-8000-0000000000a1', '   ') $$,
    'SK006', 'Conteúdo vazio.', 'a blank message is refused (SK006)');
SELECT throws_ok($$ SELECT tickets.enviar_mensagem('70000000-0000-4000-8000-0000000000a1', '') $$,
    'SK006', NULL, 'an empty message is refused (SK006)');
SELECT throws_ok($$ SELECT tickets.enviar_mensagem('70000000-0000-4000-8000-0000000000a1', NULL) $$,
    'SK006', NULL, 'a NULL message is refused (SK006)');
SELECT throws_ok($$ SELECT tickets.enviar_mensagem('70000000-0000-4000-8000-0000000000a1', repeat('z', 4001)) $$,
    'SK007', 'Conteúdo excede o limite de 4000 caracteres.', 'a message over max_message_length is refused (SK007)');
SELECT tests.authenticate_as('00000000-0000-4000-8000-0000000000b1');
SELECT throws_ok(
    $$ SELECT tickets.enviar_mensagem('70000000-0000-4000-8000-0000000000a1', 'Outro escritório') $$,
    'SK004', NULL,
    'staff of another office cannot chat on the ticket (SK004)'
);
SELECT tests.authenticate_as_service_role();
SELECT throws_ok(
    $$ SELECT tickets.enviar_mensagem('70000000-0000-4000-8000-0000000000a1', 'Sem autor') $$,
    'SK001', 'Autenticação necessária.',
    'service_role without a user cannot chat: a message needs an author (SK001)'
);
SELECT tests.authenticate_as_anon();
SELECT throws_ok(
    $$ SELECT tickets.enviar_mensagem('70000000-0000-4000-8000-0000000000a1', 'Anônimo') $$,
    '42501', NULL,
    'anon may not call enviar_mensagem'
);

-- A failure after the broadcast row was written (here: an extra CHECK on the archive, added
-- for this test only) fails the whole call: no broadcast without its archived row.
SELECT tests.clear_authentication();
ALTER TABLE tickets.chat_mensagens ADD CONSTRAINT teste_falha_arquivo CHECK (conteudo <> 'falha no arquivo');
SELECT tests.authenticate_as('00000000-0000-4000-8000-0000000000c1');
SELECT throws_ok(
    $$ SELECT tickets.enviar_mensagem('70000000-0000-4000-8000-0000000000a1', 'falha no arquivo') $$,
    '23514', NULL,
    'a failing archive insert is not swallowed: the call fails'
);
SELECT tests.clear_authentication();
ALTER TABLE tickets.chat_mensagens DROP CONSTRAINT teste_falha_arquivo;
SELECT results_eq(
    $$ SELECT (SELECT count(*)::int FROM realtime.messages WHERE event = 'mensagem'),
              (SELECT count(*)::int FROM tickets.chat_mensagens) $$,
    $$ VALUES (7, 7) $$,
    'refused and failed sends left no row in realtime.messages nor in the archive'
);

-- =============================================================================================
-- History: keyset pages, oldest first within a page, exclusive `antes`
-- =============================================================================================
SELECT tests.authenticate_as('00000000-0000-4000-8000-0000000000c1');
SELECT results_eq(
    $$ SELECT h.id FROM tickets.historico_chat('70000000-0000-4000-8000-0000000000a1') AS h $$,
    $$ SELECT id FROM enviadas ORDER BY n $$,
    'historico_chat with defaults: every message (fewer than chat_page_size), oldest first'
);
SELECT results_eq(
    $$ SELECT h.id FROM tickets.historico_chat('70000000-0000-4000-8000-0000000000a1', NULL, 3) AS h $$,
    $$ SELECT id FROM enviadas WHERE n IN (5, 6, 7) ORDER BY n $$,
    'first page of 3: the newest three, oldest first'
);
SELECT results_eq(
    $$ SELECT h.id FROM tickets.historico_chat(
           '70000000-0000-4000-8000-0000000000a1',
           (SELECT c.enviado_em FROM tickets.chat_mensagens AS c WHERE c.id = (SELECT id FROM enviadas WHERE n = 5)),
           3) AS h $$,
    $$ SELECT id FROM enviadas WHERE n IN (2, 3, 4) ORDER BY n $$,
    'next page: antes = the oldest enviado_em shown (exclusive) gives the three before it'
);
SELECT results_eq(
    $$ SELECT h.id FROM tickets.historico_chat(
           '70000000-0000-4000-8000-0000000000a1',
           (SELECT c.enviado_em FROM tickets.chat_mensagens AS c WHERE c.id = (SELECT id FROM enviadas WHERE n = 2)),
           3) AS h $$,
    $$ SELECT id FROM enviadas WHERE n = 1 $$,
    'last page: only what is left'
);
SELECT is_empty(
    $$ SELECT h.id FROM tickets.historico_chat(
           '70000000-0000-4000-8000-0000000000a1',
           (SELECT c.enviado_em FROM tickets.chat_mensagens AS c WHERE c.id = (SELECT id FROM enviadas WHERE n = 1))) AS h $$,
    'before the first message: an empty page'
);
SELECT results_eq(
    $$ SELECT h.autor_id, h.autor_tipo, h.conteudo, h.enviado_em
       FROM tickets.historico_chat('70000000-0000-4000-8000-0000000000a1', NULL, 1) AS h $$,
    $$ SELECT c.autor_id, c.autor_tipo, c.conteudo, c.enviado_em FROM tickets.chat_mensagens AS c
       WHERE c.id = (SELECT id FROM enviadas WHERE n = 7) $$,
    'rows carry author, author type, text and enviado_em from the archive'
);
SELECT throws_ok(
    $$ SELECT * FROM tickets.historico_chat('70000000-0000-4000-8000-0000000000a1', NULL, 0) $$,
    'SK013', 'Valor inválido para limite: 0.',
    'limite 0 is refused (SK013)'
);
SELECT throws_ok(
    $$ SELECT * FROM tickets.historico_chat('70000000-0000-4000-8000-0000000000a1', NULL, 501) $$,
    'SK013', NULL,
    'limite above 10 x chat_page_size is refused (SK013)'
);
SELECT throws_ok(
    $$ SELECT * FROM tickets.historico_chat('70000000-0000-4000-8000-0000000000a1', NULL, NULL) $$,
    'SK013', NULL,
    'a NULL limite is refused (SK013)'
);
SELECT lives_ok(
    $$ SELECT * FROM tickets.historico_chat('70000000-0000-4000-8000-0000000000a1', NULL, 500) $$,
    'limite 500 (10 x chat_page_size) is accepted'
);

SELECT tests.authenticate_as('00000000-0000-4000-8000-0000000000c2');
SELECT throws_ok(
    $$ SELECT * FROM tickets.historico_chat('70000000-0000-4000-8000-0000000000a1') $$,
    'SK004', NULL,
    'another client cannot read the chat (SK004)'
);
SELECT tests.authenticate_as('00000000-0000-4000-8000-0000000000b1');
SELECT throws_ok(
    $$ SELECT * FROM tickets.historico_chat('70000000-0000-4000-8000-0000000000a1') $$,
    'SK004', NULL,
    'staff of another office cannot read the chat (SK004)'
);
SELECT tests.authenticate_as('00000000-0000-4000-8000-0000000000a1');
SELECT is(
    (SELECT count(*)::int FROM tickets.historico_chat('70000000-0000-4000-8000-0000000000a1')),
    7,
    'staff of the office read the whole chat'
);
SELECT tests.authenticate_as_service_role();
SELECT is(
    (SELECT count(*)::int FROM tickets.historico_chat('70000000-0000-4000-8000-0000000000a1', NULL, 2)),
    2,
    'service_role reads any chat'
);
SELECT tests.authenticate_as_anon();
SELECT throws_ok(
    $$ SELECT * FROM tickets.historico_chat('70000000-0000-4000-8000-0000000000a1') $$,
    '42501', NULL,
    'anon may not call historico_chat'
);

-- migrations/0015: the client read policy keys on cliente_id (enviar_mensagem writes it, the
-- chat_mensagens_10_cliente trigger fills it for any other writer).
SELECT tests.clear_authentication();
INSERT INTO tickets.chat_mensagens (ticket_id, escritorio_id, autor_tipo, conteudo)
SELECT t.id, t.escritorio_id, 'sistema', 'Mensagem de manutenção' FROM tickets.tickets AS t ORDER BY t.id LIMIT 1;
SELECT is_empty(
    $$ SELECT m.id FROM tickets.chat_mensagens AS m INNER JOIN tickets.tickets AS t ON t.id = m.ticket_id
       WHERE m.cliente_id IS DISTINCT FROM t.cliente_id $$,
    'every chat message carries its ticket''s client (cliente_id), whoever wrote it'
);

SELECT * FROM finish();
ROLLBACK;
