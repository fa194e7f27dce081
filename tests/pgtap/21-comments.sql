-- Comments (triggers/11_comments.sql, tickets.comentar): author/office/origin derived per
-- persona, internal notes (clients never write nor see them), closed tickets, content rules,
-- other clients' and offices' tickets, primeira_resposta_em, the comentario / nota_interna
-- broadcasts, and rows written by trusted SECURITY DEFINER code (the Balcao import) passing
-- unchanged.
--
-- Fixture ids (literal):
--   offices  A a0000000-0000-4000-8000-000000000000   B b0000000-0000-4000-8000-000000000000
--   logins   (prefix 00000000-0000-4000-8000-000000000)  staff A ...0a1, inactive staff A ...0a9,
--            staff B ...0b1, client A1 ...0c1, client A2 ...0c2
--   clients  A1 c0000000-...-0000000000a1, A2 ...0a2 (office A), B1 ...0b1 (office B)
--   tickets  (prefix 70000000-0000-4000-8000-000000000)  A1 ...0a1, A1 closed ...0af, A2 ...0a2,
--            B1 ...0b1
BEGIN;
SELECT plan(55);

INSERT INTO auth.users (id, email) VALUES
    ('00000000-0000-4000-8000-0000000000a1', 'staff.a@test'),
    ('00000000-0000-4000-8000-0000000000a9', 'inativo.a@test'),
    ('00000000-0000-4000-8000-0000000000b1', 'staff.b@test'),
    ('00000000-0000-4000-8000-0000000000c1', 'cliente.a1@test'),
    ('00000000-0000-4000-8000-0000000000c2', 'cliente.a2@test');
INSERT INTO crm.escritorios (id, nome) VALUES
    ('a0000000-0000-4000-8000-000000000000', 'Escritório A'),
    ('b0000000-0000-4000-8000-000000000000', 'Escritório B');
INSERT INTO crm.equipe (escritorio_id, user_id, papel, ativo) VALUES
    ('a0000000-0000-4000-8000-000000000000', '00000000-0000-4000-8000-0000000000a1', 'atendente', true),
    ('a0000000-0000-4000-8000-000000000000', '00000000-0000-4000-8000-0000000000a9', 'atendente', false),
    ('b0000000-0000-4000-8000-000000000000', '00000000-0000-4000-8000-0000000000b1', 'atendente', true);
INSERT INTO crm.clientes (id, escritorio_id, user_id, nome) VALUES
    ('c0000000-0000-4000-8000-0000000000a1', 'a0000000-0000-4000-8000-000000000000',
     '00000000-0000-4000-8000-0000000000c1', 'Cliente A1'),
    ('c0000000-0000-4000-8000-0000000000a2', 'a0000000-0000-4000-8000-000000000000',
     '00000000-0000-4000-8000-0000000000c2', 'Cliente A2'),
    ('c0000000-0000-4000-8000-0000000000b1', 'b0000000-0000-4000-8000-000000000000', NULL, 'Cliente B1');
-- Tickets written by trusted code (superuser, no JWT): office from the client, status as supplied.
INSERT INTO tickets.tickets (id, titulo, cliente_id, status) VALUES
    ('70000000-0000-4000-8000-0000000000a1', 'Ticket A1', 'c0000000-0000-4000-8000-0000000000a1', 'aberto'),
    ('70000000-0000-4000-8000-0000000000af', 'Ticket A1 fechado', 'c0000000-0000-4000-8000-0000000000a1', 'fechado'),
    ('70000000-0000-4000-8000-0000000000a2', 'Ticket A2', 'c0000000-0000-4000-8000-0000000000a2', 'aberto'),
    ('70000000-0000-4000-8000-0000000000b1', 'Ticket B1', 'c0000000-0000-4000-8000-0000000000b1', 'aberto');
-- A Balcao session of client A1 with two lines logged before the ticket existed.
INSERT INTO balcao_virtual.sessoes_ativas (id, escritorio_id, cliente_id) VALUES
    ('50000000-0000-4000-8000-0000000000a1', 'a0000000-0000-4000-8000-000000000000', 'c0000000-0000-4000-8000-0000000000a1');
INSERT INTO balcao_virtual.logs_conversas (sessao_id, escritorio_id, autor_tipo, autor_nome, mensagem, enviado_em)
SELECT '50000000-0000-4000-8000-0000000000a1', 'a0000000-0000-4000-8000-000000000000', l.autor_tipo, l.nome, l.mensagem,
    now() - l.atraso
FROM (VALUES ('cliente', 'A1', 'Olá, preciso de ajuda', interval '10 minutes'),
             ('atendente', 'Ana', repeat('Resposta. ', 300), interval '9 minutes')) AS l (autor_tipo, nome, mensagem, atraso);

-- Stand-in for the Balcao import: SECURITY DEFINER code (runs as the owner) inserting
-- comments exactly as triggers/20_balcao.sql does.
CREATE FUNCTION pg_temp.importar_como_dono(p_ticket uuid) RETURNS integer
LANGUAGE sql SECURITY DEFINER SET search_path = '' AS $$
    WITH ins AS (
        INSERT INTO tickets.ticket_comments (ticket_id, escritorio_id, autor_tipo, conteudo, origem, balcao_log_id, created_at)
        SELECT p_ticket, l.escritorio_id,
            CASE l.autor_tipo WHEN 'cliente' THEN 'cliente' WHEN 'atendente' THEN 'equipe' ELSE 'sistema' END,
            l.mensagem, 'balcao_virtual', l.id, l.enviado_em
        FROM balcao_virtual.logs_conversas AS l
        WHERE l.sessao_id = '50000000-0000-4000-8000-0000000000a1'
        ORDER BY l.id
        RETURNING 1
    ) SELECT count(*)::integer FROM ins
$$;

-- =============================================================================================
-- Contract
-- =============================================================================================
SELECT has_function('tickets', 'comentar', ARRAY['uuid', 'text', 'boolean'],
    'tickets.comentar(ticket_id, conteudo, interno) exists');
SELECT function_returns('tickets', 'comentar', ARRAY['uuid', 'text', 'boolean'], 'tickets.ticket_comments',
    'comentar returns tickets.ticket_comments');
SELECT is(
    pg_catalog.pg_get_function_arguments('tickets.comentar(uuid, text, boolean)'::regprocedure),
    'ticket_id uuid, conteudo text, interno boolean DEFAULT false',
    'comentar: contract argument names, order and default'
);
SELECT has_trigger('tickets', 'ticket_comments', 'ticket_comments_10_derivar', 'BEFORE INSERT derivation trigger exists');
SELECT has_trigger('tickets', 'ticket_comments', 'ticket_comments_60_efeitos', 'AFTER INSERT effects trigger exists');

-- =============================================================================================
-- A client comments (flow 4)
-- =============================================================================================
SELECT tests.authenticate_as('00000000-0000-4000-8000-0000000000c1');
SELECT results_eq(
    $$ SELECT escritorio_id, autor_id, autor_tipo, origem, interno, balcao_log_id, conteudo
       FROM tickets.comentar('70000000-0000-4000-8000-0000000000a1', 'Segue o contrato') $$,
    $$ VALUES ('a0000000-0000-4000-8000-000000000000'::uuid, '00000000-0000-4000-8000-0000000000c1'::uuid,
               'cliente', 'portal', false, NULL::bigint, 'Segue o contrato') $$,
    'a client''s comment: office of the ticket, author = login, cliente/portal, not internal'
);
SELECT throws_ok(
    $$ SELECT tickets.comentar('70000000-0000-4000-8000-0000000000a1', 'Nota secreta', true) $$,
    'SK011', 'Clientes não podem criar comentários internos.',
    'a client cannot write an internal note (SK011)'
);
SELECT throws_ok(
    $$ INSERT INTO tickets.ticket_comments (ticket_id, conteudo, interno, autor_tipo, origem)
       VALUES ('70000000-0000-4000-8000-0000000000a1', 'Nota secreta', true, 'equipe', 'equipe') $$,
    'SK011', NULL,
    'a client cannot write an internal note by claiming to be staff either (SK011)'
);
SELECT throws_ok(
    $$ INSERT INTO tickets.ticket_comments (ticket_id, conteudo, autor_id, autor_tipo, origem)
       VALUES ('70000000-0000-4000-8000-0000000000a1', 'Forjado', '00000000-0000-4000-8000-0000000000a1',
               'equipe', 'equipe') $$,
    'SK014', 'Valor informado não confere com o seu cadastro: autor_id, autor_tipo, origem.',
    'a client posing as staff (autor_id, autor_tipo, origem) is refused (SK014, columns named)'
);
SELECT throws_ok(
    $$ INSERT INTO tickets.ticket_comments (ticket_id, conteudo, origem, balcao_log_id)
       VALUES ('70000000-0000-4000-8000-0000000000a1', 'Forjado', 'balcao_virtual',
               (SELECT min(id) FROM balcao_virtual.logs_conversas)) $$,
    'SK014', 'Valor informado não confere com o seu cadastro: balcao_log_id, origem.',
    'a client cannot pose as an imported Balcao line (balcao_log_id) (SK014)'
);
SELECT throws_ok(
    $$ INSERT INTO tickets.ticket_comments (ticket_id, conteudo, cliente_id)
       VALUES ('70000000-0000-4000-8000-0000000000a1', 'Forjado', 'c0000000-0000-4000-8000-0000000000a2') $$,
    'SK014', 'Valor informado não confere com o seu cadastro: cliente_id.',
    'the ticket''s client (cliente_id, key of the client read policy) cannot be forged (SK014)'
);
SELECT results_eq(
    $$ INSERT INTO tickets.ticket_comments (ticket_id, escritorio_id, conteudo, autor_id, autor_tipo, origem, created_at)
       VALUES ('70000000-0000-4000-8000-0000000000a1', 'a0000000-0000-4000-8000-000000000000', 'Explícito',
               '00000000-0000-4000-8000-0000000000c1', 'cliente', 'portal', '2000-01-01')
       RETURNING autor_id, autor_tipo, origem, created_at = now() $$,
    $$ VALUES ('00000000-0000-4000-8000-0000000000c1'::uuid, 'cliente', 'portal', true) $$,
    'a plain INSERT sending the right derived values is accepted; created_at is always now()'
);
SELECT throws_ok(
    $$ INSERT INTO tickets.ticket_comments (ticket_id, escritorio_id, conteudo)
       VALUES ('70000000-0000-4000-8000-0000000000a1', 'b0000000-0000-4000-8000-000000000000', 'Forjado') $$,
    'SK014', 'Valor informado não confere com o seu cadastro: escritorio_id.',
    'a client sending another office''s escritorio_id is refused (SK014)'
);
SELECT throws_ok(
    $$ SELECT tickets.comentar('70000000-0000-4000-8000-0000000000a2', 'Intruso') $$,
    'SK004', 'Chamado não encontrado.',
    'a client cannot comment on another client''s ticket of the same office (SK004)'
);
SELECT throws_ok(
    $$ SELECT tickets.comentar('70000000-0000-4000-8000-0000000000b1', 'Intruso') $$,
    'SK004', NULL,
    'a client cannot comment on a ticket of another office (SK004)'
);
SELECT throws_ok(
    $$ SELECT tickets.comentar(gen_random_uuid(), 'Fantasma') $$,
    'SK004', NULL,
    'an unknown ticket gives the same SK004'
);
SELECT throws_ok(
    $$ SELECT tickets.comentar('70000000-0000-4000-8000-0000000000af', 'Ainda aí?') $$,
    'SK005', 'Chamado fechado não aceita novas mensagens.',
    'a fechado ticket takes no comments (SK005)'
);
SELECT throws_ok($$ SELECT tickets.comentar('70000000-0000-4000-8000-0000000000a1', E' \n\t') $$,
    'SK006', 'Conteúdo vazio.', 'blank content is refused (SK006)');
SELECT throws_ok($$ SELECT tickets.comentar('70000000-0000-4000-8000-0000000000a1', NULL) $$,
    'SK006', NULL, 'NULL content is refused (SK006)');
SELECT throws_ok($$ SELECT tickets.comentar('70000000-0000-4000-8000-0000000000a1', repeat('y', 4001)) $$,
    'SK007', 'Conteúdo excede o limite de 4000 caracteres.', 'content over max_message_length is refused (SK007)');

SELECT tests.clear_authentication();
SELECT is(
    (SELECT primeira_resposta_em FROM tickets.tickets WHERE id = '70000000-0000-4000-8000-0000000000a1'),
    NULL,
    'client comments do not stamp primeira_resposta_em'
);

-- =============================================================================================
-- Staff comment: internal notes, first response
-- =============================================================================================
SELECT tests.authenticate_as('00000000-0000-4000-8000-0000000000a1');
SELECT results_eq(
    $$ SELECT autor_id, autor_tipo, origem, interno
       FROM tickets.comentar('70000000-0000-4000-8000-0000000000a1', 'Cliente parece nervoso', true) $$,
    $$ VALUES ('00000000-0000-4000-8000-0000000000a1'::uuid, 'equipe', 'equipe', true) $$,
    'staff write internal notes: equipe/equipe, interno'
);
SELECT tests.clear_authentication();
SELECT is(
    (SELECT primeira_resposta_em FROM tickets.tickets WHERE id = '70000000-0000-4000-8000-0000000000a1'),
    NULL,
    'an internal note is not an answer: primeira_resposta_em stays NULL'
);

SELECT tests.authenticate_as('00000000-0000-4000-8000-0000000000a1');
SELECT results_eq(
    $$ SELECT autor_tipo, origem, interno
       FROM tickets.comentar('70000000-0000-4000-8000-0000000000a1', 'Recebemos, vamos analisar.') $$,
    $$ VALUES ('equipe', 'equipe', false) $$,
    'staff answer publicly: equipe/equipe, not internal'
);
SELECT tests.clear_authentication();
SELECT is(
    (SELECT primeira_resposta_em FROM tickets.tickets WHERE id = '70000000-0000-4000-8000-0000000000a1'),
    now(),
    'the first public staff comment stamps primeira_resposta_em'
);
-- Only once: set it back to an old value (trusted) and answer again.
UPDATE tickets.tickets SET primeira_resposta_em = '2001-01-01' WHERE id = '70000000-0000-4000-8000-0000000000a1';
SELECT tests.authenticate_as('00000000-0000-4000-8000-0000000000a1');
SELECT lives_ok(
    $$ SELECT tickets.comentar('70000000-0000-4000-8000-0000000000a1', 'Mais uma resposta') $$,
    'staff answer again'
);
SELECT tests.clear_authentication();
SELECT is(
    (SELECT primeira_resposta_em FROM tickets.tickets WHERE id = '70000000-0000-4000-8000-0000000000a1'),
    '2001-01-01'::timestamptz,
    'primeira_resposta_em is stamped once, never moved by later answers'
);

SELECT tests.authenticate_as('00000000-0000-4000-8000-0000000000a1');
SELECT throws_ok(
    $$ SELECT tickets.comentar('70000000-0000-4000-8000-0000000000af', 'Nota no fechado', true) $$,
    'SK005', NULL,
    'staff cannot comment on a fechado ticket either, not even internally (SK005)'
);
SELECT throws_ok(
    $$ SELECT tickets.comentar('70000000-0000-4000-8000-0000000000b1', 'Outro escritório') $$,
    'SK004', NULL,
    'staff cannot comment on a ticket of another office (SK004)'
);
-- One statement, two staff answers on ticket A2: one set-based firing stamps and broadcasts both.
SELECT results_eq(
    $$ WITH ins AS (
           INSERT INTO tickets.ticket_comments (ticket_id, conteudo)
           VALUES ('70000000-0000-4000-8000-0000000000a2', 'Primeira'), ('70000000-0000-4000-8000-0000000000a2', 'Segunda')
           RETURNING autor_tipo
       ) SELECT autor_tipo, count(*)::int FROM ins GROUP BY autor_tipo $$,
    $$ VALUES ('equipe', 2) $$,
    'staff insert two comments in one statement'
);
SELECT tests.clear_authentication();
SELECT is(
    (SELECT primeira_resposta_em FROM tickets.tickets WHERE id = '70000000-0000-4000-8000-0000000000a2'),
    now(),
    'a multi-row insert stamps primeira_resposta_em'
);

SELECT tests.authenticate_as('00000000-0000-4000-8000-0000000000a9');
SELECT throws_ok(
    $$ SELECT tickets.comentar('70000000-0000-4000-8000-0000000000a1', 'Inativo') $$,
    'SK004', NULL,
    'inactive staff cannot comment (SK004)'
);
SELECT tests.authenticate_as('00000000-0000-4000-8000-0000000000b1');
SELECT throws_ok(
    $$ INSERT INTO tickets.ticket_comments (ticket_id, escritorio_id, conteudo)
       VALUES ('70000000-0000-4000-8000-0000000000a1', 'b0000000-0000-4000-8000-000000000000', 'Cruzado') $$,
    'SK004', NULL,
    'staff of another office cannot comment by sending their own escritorio_id (SK004)'
);

-- =============================================================================================
-- Other callers
-- =============================================================================================
SELECT tests.clear_authentication();
SELECT set_config('request.jwt.claims', '{"role": "authenticated"}', true);
SELECT set_config('role', 'authenticated', true);
SELECT throws_ok(
    $$ SELECT tickets.comentar('70000000-0000-4000-8000-0000000000a1', 'Sem usuário') $$,
    'SK001', 'Autenticação necessária.',
    'authenticated without auth.uid() is refused (SK001)'
);
SELECT tests.authenticate_as_anon();
SELECT throws_ok(
    $$ SELECT tickets.comentar('70000000-0000-4000-8000-0000000000a1', 'Anônimo') $$,
    '42501', NULL,
    'anon may not call comentar'
);
SELECT tests.authenticate_as_service_role();
SELECT results_eq(
    $$ SELECT escritorio_id, autor_id, autor_tipo, origem
       FROM tickets.comentar('70000000-0000-4000-8000-0000000000a1', 'Aviso do sistema') $$,
    $$ VALUES ('a0000000-0000-4000-8000-000000000000'::uuid, NULL::uuid, 'sistema', 'sistema') $$,
    'service_role without author fields writes a system note in the ticket''s office'
);
SELECT throws_ok(
    $$ SELECT tickets.comentar('70000000-0000-4000-8000-0000000000af', 'Aviso') $$,
    'SK005', NULL,
    'service_role: a fechado ticket takes no comments (SK005)'
);
SELECT throws_ok(
    $$ SELECT tickets.comentar(gen_random_uuid(), 'Aviso') $$,
    'SK004', NULL,
    'service_role: unknown ticket (SK004)'
);

-- =============================================================================================
-- Trusted SECURITY DEFINER code (the Balcao import) passes unchanged, whoever triggered it
-- =============================================================================================
SELECT tests.authenticate_as('00000000-0000-4000-8000-0000000000c1');
SELECT is(
    pg_temp.importar_como_dono('70000000-0000-4000-8000-0000000000a1'),
    2,
    'definer code running during a client''s request inserts the imported lines'
);
SELECT tests.clear_authentication();
SELECT results_eq(
    $$ SELECT c.autor_id, c.autor_tipo, c.origem, c.interno, c.created_at, char_length(c.conteudo)
       FROM tickets.ticket_comments AS c
       WHERE c.ticket_id = '70000000-0000-4000-8000-0000000000a1' AND c.balcao_log_id IS NOT NULL
       ORDER BY c.balcao_log_id $$,
    $$ SELECT NULL::uuid, v.autor_tipo, 'balcao_virtual', false, l.enviado_em, char_length(l.mensagem)
       FROM balcao_virtual.logs_conversas AS l
       CROSS JOIN LATERAL (VALUES (CASE l.autor_tipo WHEN 'cliente' THEN 'cliente' ELSE 'equipe' END)) AS v (autor_tipo)
       ORDER BY l.id $$,
    'imported rows keep author type, origin, original enviado_em and full text'
);
SELECT is(
    (SELECT primeira_resposta_em FROM tickets.tickets WHERE id = '70000000-0000-4000-8000-0000000000a1'),
    '2001-01-01'::timestamptz,
    'an imported staff line older than the ticket is history, not a first answer'
);
SELECT lives_ok(
    $$ SELECT pg_temp.importar_como_dono('70000000-0000-4000-8000-0000000000af') $$,
    'trusted definer code may append to a fechado ticket (the import owns its rules)'
);

-- =============================================================================================
-- Who sees internal notes (RLS: policies/ — the SELECT policy of ticket_comments)
-- =============================================================================================
SELECT tests.authenticate_as('00000000-0000-4000-8000-0000000000c1');
SELECT is_empty(
    $$ SELECT id FROM tickets.ticket_comments WHERE interno $$,
    'the client never sees internal notes'
);
SELECT isnt_empty(
    $$ SELECT id FROM tickets.ticket_comments
       WHERE ticket_id = '70000000-0000-4000-8000-0000000000a1' AND autor_tipo = 'equipe' AND NOT interno $$,
    'the client sees the staff''s public answers on its ticket'
);
SELECT is_empty(
    $$ SELECT id FROM tickets.ticket_comments WHERE ticket_id = '70000000-0000-4000-8000-0000000000a2' $$,
    'the client does not see comments of another client''s ticket'
);
SELECT tests.authenticate_as('00000000-0000-4000-8000-0000000000a1');
SELECT isnt_empty(
    $$ SELECT id FROM tickets.ticket_comments WHERE interno $$,
    'staff of the office see internal notes'
);
SELECT tests.authenticate_as('00000000-0000-4000-8000-0000000000b1');
SELECT is_empty(
    $$ SELECT id FROM tickets.ticket_comments WHERE escritorio_id = 'a0000000-0000-4000-8000-000000000000' $$,
    'staff of another office see no comment of office A'
);

-- =============================================================================================
-- Broadcasts
-- =============================================================================================
SELECT tests.clear_authentication();
SELECT results_eq(
    $$ SELECT m.extension, m.private, m.id = c.id, (m.payload ->> 'id')::uuid = c.id,
              (m.payload ->> 'ticket_id')::uuid, m.payload ->> 'autor_tipo', m.payload ->> 'conteudo',
              m.payload ->> 'origem', (m.payload ->> 'created_at')::timestamptz = c.created_at
       FROM tickets.ticket_comments AS c
       INNER JOIN realtime.messages AS m ON m.id = c.id
       WHERE c.conteudo = 'Segue o contrato' $$,
    $$ VALUES ('broadcast', true, true, true, '70000000-0000-4000-8000-0000000000a1'::uuid, 'cliente',
               'Segue o contrato', 'portal', true) $$,
    'a public comment broadcasts comentario (private) with the comment''s id, ticket, author type, text, origin, date'
);
SELECT is_empty(
    $$ SELECT c.id FROM tickets.ticket_comments AS c
       WHERE NOT c.interno AND c.origem <> 'balcao_virtual' AND NOT EXISTS (
           SELECT FROM realtime.messages AS m
           WHERE m.id = c.id AND m.event = 'comentario' AND m.topic = 'ticket:' || c.ticket_id
       ) $$,
    'every public comment (portal, staff, system) has its comentario on ticket:<id>'
);
-- Only the import at ticket creation skips broadcasting its lines (it names the tickets it has
-- just created: tests/test_flow_balcao.py, also inside a savepoint). Lines written by any other
-- path, such as the owner's stand-in above, are broadcast like every public comment.
SELECT is_empty(
    $$ SELECT c.id FROM tickets.ticket_comments AS c
       WHERE NOT c.interno AND c.origem = 'balcao_virtual' AND NOT EXISTS (
           SELECT FROM realtime.messages AS m
           WHERE m.id = c.id AND m.event = 'comentario' AND m.topic = 'ticket:' || c.ticket_id
       ) $$,
'Balcao lines written outside the import at ticket creation are broadcast like any public comment'
);
SELECT results_eq(
    $$ SELECT m.topic, m.event, m.payload ->> 'conteudo'
       FROM tickets.ticket_comments AS c
       INNER JOIN realtime.messages AS m ON m.id = c.id
       WHERE c.interno $$,
    $$ VALUES ('escritorio:a0000000-0000-4000-8000-000000000000', 'nota_interna', 'Cliente parece nervoso') $$,
    'an internal note broadcasts nota_interna on the office topic only'
);
SELECT is_empty(
    $$ SELECT FROM realtime.messages AS m
       WHERE m.topic LIKE 'ticket:%' AND m.payload ->> 'conteudo' = 'Cliente parece nervoso' $$,
    'an internal note never reaches the ticket topic (the client''s channel)'
);
SELECT is(
    (SELECT count(*)::int FROM realtime.messages
     WHERE topic = 'ticket:70000000-0000-4000-8000-0000000000a2' AND event = 'comentario'),
    2,
    'the multi-row insert broadcast both comments'
);
SELECT is_empty(
    $$ SELECT FROM realtime.messages
       WHERE payload ->> 'conteudo' IN ('Nota secreta', 'Intruso', 'Fantasma', 'Ainda aí?', 'Inativo', 'Cruzado', 'Aviso') $$,
    'refused comments leave no broadcast behind'
);

-- migrations/0015: the client read policy keys on cliente_id, so every writer must leave the
-- ticket's own client there (API users, service_role, the Balcao import).
SELECT is_empty(
    $$ SELECT c.id FROM tickets.ticket_comments AS c INNER JOIN tickets.tickets AS t ON t.id = c.ticket_id
       WHERE c.cliente_id IS DISTINCT FROM t.cliente_id $$,
    'every comment carries its ticket''s client (cliente_id), whoever wrote it'
);

SELECT * FROM finish();
ROLLBACK;
