-- Tickets (triggers/10_tickets.sql, functions/10_tickets.sql.j2): opening per persona with
-- tenant derivation and forged tenant columns (flow 1), per-office numero, status rules per
-- persona with forbidden transitions and columns, immutable columns, state timestamps (flow
-- 5), and the ticket_criado / ticket_atualizado broadcasts.
--
-- Every attack is tried AS the persona. Fixture ids (literal):
--   offices  A a0000000-0000-4000-8000-000000000000   B b0000000-0000-4000-8000-000000000000
--   logins   (prefix 00000000-0000-4000-8000-000000000)  staff A ...0a1, inactive staff A ...0a9,
--            staff B ...0b1, client A1 ...0c1, client A2 ...0c2, client B1 ...0d1, no link ...0ff
--   clients  A1 c0000000-...-0000000000a1, A2 ...0a2 (office A), B1 ...0b1 (office B)
-- Tickets created here are remembered by name in the temp table `ids`.
BEGIN;
SELECT plan(81);

INSERT INTO auth.users (id, email) VALUES
    ('00000000-0000-4000-8000-0000000000a1', 'staff.a@test'),
    ('00000000-0000-4000-8000-0000000000a9', 'inativo.a@test'),
    ('00000000-0000-4000-8000-0000000000b1', 'staff.b@test'),
    ('00000000-0000-4000-8000-0000000000c1', 'cliente.a1@test'),
    ('00000000-0000-4000-8000-0000000000c2', 'cliente.a2@test'),
    ('00000000-0000-4000-8000-0000000000d1', 'cliente.b1@test'),
    ('00000000-0000-4000-8000-0000000000ff', 'ninguem@test');
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
    ('c0000000-0000-4000-8000-0000000000b1', 'b0000000-0000-4000-8000-000000000000',
     '00000000-0000-4000-8000-0000000000d1', 'Cliente B1');

CREATE TEMPORARY TABLE ids (nome text PRIMARY KEY, id uuid NOT NULL);
GRANT ALL ON TABLE ids TO authenticated, service_role;
CREATE FUNCTION pg_temp.id(p_nome text) RETURNS uuid LANGUAGE sql STABLE AS
$$ SELECT i.id FROM ids AS i WHERE i.nome = p_nome $$;

-- =============================================================================================
-- Contract: functions and triggers
-- =============================================================================================
SELECT has_function('tickets', 'abrir_ticket', ARRAY['text', 'text', 'text', 'text', 'uuid'],
    'tickets.abrir_ticket(titulo, descricao, prioridade, categoria, cliente_id) exists');
SELECT function_returns('tickets', 'abrir_ticket', ARRAY['text', 'text', 'text', 'text', 'uuid'],
    'tickets.tickets', 'abrir_ticket returns tickets.tickets');
SELECT is(
    (SELECT pg_catalog.pg_get_function_arguments('tickets.abrir_ticket(text, text, text, text, uuid)'::regprocedure)),
    'titulo text, descricao text, prioridade text DEFAULT ''media''::text, categoria text DEFAULT NULL::text, cliente_id uuid DEFAULT NULL::uuid',
    'abrir_ticket: contract argument names, order and defaults'
);
SELECT isnt_definer('tickets', 'abrir_ticket', ARRAY['text', 'text', 'text', 'text', 'uuid'],
    'abrir_ticket is SECURITY INVOKER (trigger derives, RLS checks)');
SELECT triggers_are('tickets', 'tickets', ARRAY[
    'tickets_10_derivar', 'tickets_11_numerar', 'tickets_12_responsavel', 'tickets_10_regras',
    'tickets_60_broadcast_criado', 'tickets_60_broadcast_status'
] || ARRAY(
    SELECT t.tgname::text FROM pg_catalog.pg_trigger AS t
    WHERE t.tgrelid = 'tickets.tickets'::regclass AND NOT t.tgisinternal
        AND t.tgname !~ '^tickets_1[0-9]_|^tickets_6[0-9]_'
), 'tickets.tickets has the ticket triggers (plus those of other areas)');
SELECT ok(
    NOT pg_catalog.has_function_privilege('anon', 'tickets.abrir_ticket(text, text, text, text, uuid)', 'EXECUTE')
    AND pg_catalog.has_function_privilege('authenticated', 'tickets.abrir_ticket(text, text, text, text, uuid)', 'EXECUTE')
    AND pg_catalog.has_function_privilege('service_role', 'tickets.abrir_ticket(text, text, text, text, uuid)', 'EXECUTE'),
    'abrir_ticket: executable by authenticated and service_role, not by anon'
);

-- =============================================================================================
-- Opening as a client (flow 1)
-- =============================================================================================
SELECT tests.authenticate_as('00000000-0000-4000-8000-0000000000c1');

INSERT INTO ids SELECT 'a1', t.id FROM tickets.abrir_ticket('Contrato de aluguel', 'Recebi uma notificação') AS t;

SELECT tests.clear_authentication();
SELECT results_eq(
    $$ SELECT escritorio_id, cliente_id, numero, status, prioridade, criado_por, responsavel_id, descricao
       FROM tickets.tickets WHERE id = pg_temp.id('a1') $$,
    $$ VALUES ('a0000000-0000-4000-8000-000000000000'::uuid, 'c0000000-0000-4000-8000-0000000000a1'::uuid, 1,
               'aberto', 'media', '00000000-0000-4000-8000-0000000000c1'::uuid, NULL::uuid,
               'Recebi uma notificação') $$,
    'a client opens for itself: office and client from its login, numero 1, aberto, media, criado_por = login'
);
SELECT ok(
    (SELECT created_at = now() AND updated_at = now() AND primeira_resposta_em IS NULL
        AND resolvido_em IS NULL AND fechado_em IS NULL
     FROM tickets.tickets WHERE id = pg_temp.id('a1')),
    'a new ticket: created_at/updated_at now, no response/resolution/closing stamps'
);

SELECT tests.authenticate_as('00000000-0000-4000-8000-0000000000c1');
SELECT throws_ok(
    $$ INSERT INTO tickets.tickets (titulo, escritorio_id) VALUES ('Forjado', 'b0000000-0000-4000-8000-000000000000') $$,
    'SK014', 'Valor informado não confere com o seu cadastro: escritorio_id.',
    'a client sending another office''s escritorio_id is refused (SK014, column named)'
);
SELECT throws_ok(
    $$ INSERT INTO tickets.tickets (titulo, cliente_id) VALUES ('Forjado', 'c0000000-0000-4000-8000-0000000000a2') $$,
    'SK014', 'Valor informado não confere com o seu cadastro: cliente_id.',
    'a client sending another client''s cliente_id (same office) is refused (SK014)'
);
SELECT throws_ok(
    $$ SELECT tickets.abrir_ticket('Forjado', NULL, 'media', NULL, 'c0000000-0000-4000-8000-0000000000b1') $$,
    'SK014', NULL,
    'a client naming a client of another office in abrir_ticket is refused (SK014)'
);
SELECT throws_ok(
    $$ INSERT INTO tickets.tickets (titulo, cliente_id, escritorio_id)
       VALUES ('Forjado', 'c0000000-0000-4000-8000-0000000000a1', 'b0000000-0000-4000-8000-000000000000') $$,
    'SK014', 'Valor informado não confere com o seu cadastro: escritorio_id.',
    'a client sending its own cliente_id with another office is refused (SK014)'
);
SELECT throws_ok(
    $$ INSERT INTO tickets.tickets (titulo, criado_por) VALUES ('Forjado', '00000000-0000-4000-8000-0000000000a1') $$,
    'SK014', 'Valor informado não confere com o seu cadastro: criado_por.',
    'a client claiming another creator (criado_por) is refused (SK014)'
);

-- Plain INSERT through the API with every database-maintained column forged.
WITH t AS (
    INSERT INTO tickets.tickets (
        titulo, cliente_id, escritorio_id, criado_por, numero, status, responsavel_id, sessao_balcao_id,
        created_at, updated_at, primeira_resposta_em, resolvido_em, fechado_em, prioridade, categoria
    ) VALUES (
        'Via API', 'c0000000-0000-4000-8000-0000000000a1', 'a0000000-0000-4000-8000-000000000000',
        '00000000-0000-4000-8000-0000000000c1', 99, 'resolvido', '00000000-0000-4000-8000-0000000000a1', NULL,
        '2000-01-01', '2000-01-01', '2000-01-01', '2000-01-01', '2000-01-01', 'alta', 'Locação'
    ) RETURNING id
)
INSERT INTO ids SELECT 'a1_forjado', t.id FROM t;
SELECT tests.clear_authentication();
SELECT results_eq(
    $$ SELECT numero, status, criado_por, responsavel_id, created_at = now(), primeira_resposta_em,
              resolvido_em, fechado_em, prioridade, categoria
       FROM tickets.tickets WHERE id = pg_temp.id('a1_forjado') $$,
    $$ VALUES (2, 'aberto', '00000000-0000-4000-8000-0000000000c1'::uuid, NULL::uuid, true, NULL::timestamptz,
               NULL::timestamptz, NULL::timestamptz, 'alta', 'Locação') $$,
    'a client''s plain INSERT with its own tenant values: numero, status, responsavel and stamps are the database''s'
);

SELECT tests.authenticate_as('00000000-0000-4000-8000-0000000000c1');
SELECT throws_ok(
    $$ SELECT tickets.abrir_ticket('Título', NULL, 'altíssima') $$,
    'SK013', 'Valor inválido para prioridade: altíssima.',
    'an invalid prioridade is refused with SK013 (before the CHECK)'
);
SELECT throws_ok($$ SELECT tickets.abrir_ticket('   ', NULL) $$, 'SK006', 'Conteúdo vazio.',
    'a blank titulo is refused (SK006)');
SELECT throws_ok($$ SELECT tickets.abrir_ticket(NULL, NULL) $$, 'SK006', NULL, 'a NULL titulo is refused (SK006)');
SELECT throws_ok(
    $$ SELECT tickets.abrir_ticket(repeat('x', 4001), NULL) $$,
    'SK007', 'Conteúdo excede o limite de 4000 caracteres.',
    'a titulo over max_message_length is refused (SK007)'
);
SELECT throws_ok(
    $$ SELECT tickets.abrir_ticket('Título', repeat('x', 4001)) $$,
    'SK007', NULL,
    'a descricao over max_message_length is refused (SK007)'
);
SELECT lives_ok(
    $$ INSERT INTO ids SELECT 'a1_4000', t.id FROM tickets.abrir_ticket(repeat('x', 4000), NULL, NULL) AS t $$,
    'a titulo of exactly max_message_length is accepted; a NULL prioridade means media'
);

-- =============================================================================================
-- Opening as staff, other personas, service_role
-- =============================================================================================
SELECT tests.authenticate_as('00000000-0000-4000-8000-0000000000a1');
INSERT INTO ids
SELECT 'a2', t.id
FROM tickets.abrir_ticket('Pedido da equipe', NULL, 'urgente', 'Trabalhista', 'c0000000-0000-4000-8000-0000000000a2') AS t;
SELECT throws_ok(
    $$ SELECT tickets.abrir_ticket('Sem cliente', NULL) $$,
    'SK003', 'Informe o cliente do chamado.',
    'staff opening without naming a client is refused (SK003, "name the client")'
);
SELECT throws_ok(
    $$ SELECT tickets.abrir_ticket('Cliente alheio', NULL, 'media', NULL, 'c0000000-0000-4000-8000-0000000000b1') $$,
    'SK003', 'Cliente não encontrado no seu escritório.',
    'staff opening for a client of another office is refused (SK003, "not found in your office")'
);
SELECT throws_ok(
    $$ INSERT INTO tickets.tickets (titulo, cliente_id, escritorio_id)
       VALUES ('Forjado', 'c0000000-0000-4000-8000-0000000000a2', 'b0000000-0000-4000-8000-000000000000') $$,
    'SK014', 'Valor informado não confere com o seu cadastro: escritorio_id.',
    'staff sending a client of their office with another office''s escritorio_id is refused (SK014)'
);
SELECT throws_ok(
    $$ SELECT tickets.abrir_ticket('Cliente inexistente', NULL, 'media', NULL, gen_random_uuid()) $$,
    'SK003', NULL,
    'staff opening for an unknown client is refused (SK003)'
);

SELECT tests.authenticate_as('00000000-0000-4000-8000-0000000000b1');
INSERT INTO ids
SELECT 'b1', t.id
FROM tickets.abrir_ticket('Escritório B', NULL, 'baixa', NULL, 'c0000000-0000-4000-8000-0000000000b1') AS t;

SELECT tests.authenticate_as('00000000-0000-4000-8000-0000000000a9');
SELECT throws_ok(
    $$ SELECT tickets.abrir_ticket('Inativo', NULL, 'media', NULL, 'c0000000-0000-4000-8000-0000000000a1') $$,
    'SK002', 'Usuário sem vínculo com um escritório.',
    'inactive staff cannot open tickets (SK002)'
);
SELECT tests.authenticate_as('00000000-0000-4000-8000-0000000000ff');
SELECT throws_ok(
    $$ SELECT tickets.abrir_ticket('Sem vínculo', NULL) $$,
    'SK002', NULL,
    'a login that is neither client nor staff cannot open tickets (SK002)'
);

-- authenticated without a sub claim (a JWT with no user).
SELECT tests.clear_authentication();
SELECT set_config('request.jwt.claims', '{"role": "authenticated"}', true);
SELECT set_config('role', 'authenticated', true);
SELECT throws_ok(
    $$ SELECT tickets.abrir_ticket('Sem usuário', NULL) $$,
    'SK001', 'Autenticação necessária.',
    'authenticated without auth.uid() is refused (SK001)'
);

SELECT tests.authenticate_as_anon();
SELECT throws_ok($$ SELECT tickets.abrir_ticket('Anônimo', NULL) $$, '42501', NULL,
    'anon may not call abrir_ticket');
SELECT throws_ok($$ INSERT INTO tickets.tickets (titulo) VALUES ('Anônimo') $$, '42501', NULL,
    'anon may not insert tickets');

SELECT tests.authenticate_as_service_role();
WITH t AS (
    INSERT INTO tickets.tickets (titulo, cliente_id, status)
    VALUES ('Importado', 'c0000000-0000-4000-8000-0000000000a1', 'em_atendimento')
    RETURNING id
)
INSERT INTO ids SELECT 'a_servico', t.id FROM t;
SELECT results_eq(
    $$ SELECT escritorio_id, numero, status, criado_por FROM tickets.tickets WHERE id = pg_temp.id('a_servico') $$,
    $$ VALUES ('a0000000-0000-4000-8000-000000000000'::uuid, 5, 'em_atendimento', NULL::uuid) $$,
    'service_role: office defaults to the client''s, numero assigned, status as supplied, no criado_por'
);
SELECT throws_ok(
    $$ INSERT INTO tickets.tickets (titulo, escritorio_id) VALUES ('Sem cliente', 'a0000000-0000-4000-8000-000000000000') $$,
    'SK003', NULL,
    'service_role must name the client (SK003)'
);
SELECT throws_ok(
    $$ INSERT INTO tickets.tickets (titulo, cliente_id, escritorio_id)
       VALUES ('Cruzado', 'c0000000-0000-4000-8000-0000000000a1', 'b0000000-0000-4000-8000-000000000000') $$,
    '23503', NULL,
    'service_role pointing a client into another office fails the composite foreign key'
);
SELECT throws_ok(
    $$ INSERT INTO tickets.tickets (titulo, cliente_id, numero) VALUES (' ', 'c0000000-0000-4000-8000-0000000000a1', 1) $$,
    'SK006', NULL,
    'service_role: content rules apply to every caller (SK006)'
);

-- =============================================================================================
-- Numbering: per office, gap-free, whatever was sent or failed
-- =============================================================================================
SELECT tests.clear_authentication();
SELECT results_eq(
    $$ SELECT numero FROM tickets.tickets WHERE escritorio_id = 'a0000000-0000-4000-8000-000000000000' ORDER BY numero $$,
    $$ VALUES (1), (2), (3), (4), (5) $$,
    'office A: numero 1..5, no gaps despite refused and failed inserts'
);
SELECT results_eq(
    $$ SELECT numero FROM tickets.tickets WHERE escritorio_id = 'b0000000-0000-4000-8000-000000000000' $$,
    $$ VALUES (1) $$,
    'office B numbers on its own: its first ticket is 1'
);
SELECT results_eq(
    $$ SELECT escritorio_id, ultimo_numero FROM tickets.numeracao ORDER BY escritorio_id $$,
    $$ VALUES ('a0000000-0000-4000-8000-000000000000'::uuid, 5), ('b0000000-0000-4000-8000-000000000000'::uuid, 1) $$,
    'tickets.numeracao holds the last number per office'
);
SELECT results_eq(
    $$ SELECT escritorio_id, cliente_id, numero, criado_por FROM tickets.tickets WHERE id = pg_temp.id('a2') $$,
    $$ VALUES ('a0000000-0000-4000-8000-000000000000'::uuid, 'c0000000-0000-4000-8000-0000000000a2'::uuid, 4,
               '00000000-0000-4000-8000-0000000000a1'::uuid) $$,
    'staff open for a client of their office: office from the client, criado_por = staff login'
);
SELECT is(
    (SELECT numero FROM tickets.tickets WHERE id = pg_temp.id('a1_4000')), 3,
    'numbers follow the order of the inserts'
);

-- =============================================================================================
-- Status rules: the client (flow 5)
-- =============================================================================================
SELECT tests.authenticate_as('00000000-0000-4000-8000-0000000000c1');
SELECT throws_ok(
    $$ UPDATE tickets.tickets SET status = 'em_atendimento' WHERE id = pg_temp.id('a1') $$,
    'SK008', 'Mudança de status não permitida: aberto → em_atendimento.',
    'client: aberto -> em_atendimento is refused (SK008)'
);
SELECT throws_ok(
    $$ UPDATE tickets.tickets SET status = 'resolvido' WHERE id = pg_temp.id('a1') $$,
    'SK008', NULL,
    'client: aberto -> resolvido is refused (SK008)'
);
SELECT throws_ok(
    $$ UPDATE tickets.tickets SET titulo = 'Outro título' WHERE id = pg_temp.id('a1') $$,
    'SK010', 'Alteração não permitida pelo cliente: titulo.',
    'client: changing titulo is refused (SK010)'
);
SELECT throws_ok(
    $$ UPDATE tickets.tickets SET prioridade = 'urgente', status = 'fechado' WHERE id = pg_temp.id('a1') $$,
    'SK010', 'Alteração não permitida pelo cliente: prioridade.',
    'client: changing prioridade along with a valid status is refused (SK010)'
);
SELECT throws_ok(
    $$ UPDATE tickets.tickets SET responsavel_id = '00000000-0000-4000-8000-0000000000a1' WHERE id = pg_temp.id('a1') $$,
    'SK010', NULL,
    'client: assigning a responsible is refused (SK010)'
);
SELECT throws_ok(
    $$ UPDATE tickets.tickets SET fechado_em = now() WHERE id = pg_temp.id('a1') $$,
    'SK010', NULL,
    'client: writing a stamp column is refused (SK010)'
);
SELECT throws_ok(
    $$ UPDATE tickets.tickets SET cliente_id = 'c0000000-0000-4000-8000-0000000000a2' WHERE id = pg_temp.id('a1') $$,
    'SK009', 'Campo imutável: cliente_id.',
    'client: moving the ticket to another client is refused (SK009)'
);
SELECT is_empty(
    $$ UPDATE tickets.tickets SET status = 'fechado' WHERE id = pg_temp.id('a2') RETURNING id $$,
    'client: another client''s ticket is not updated (RLS: zero rows)'
);
SELECT is_empty(
    $$ UPDATE tickets.tickets SET status = 'fechado' WHERE id = pg_temp.id('b1') RETURNING id $$,
    'client: a ticket of another office is not updated (RLS: zero rows)'
);

-- =============================================================================================
-- Status rules: staff, timestamps, and the client's allowed moves
-- =============================================================================================
-- updated_at is set back with the rules trigger off (superuser), to see the next update move it.
SELECT tests.clear_authentication();
ALTER TABLE tickets.tickets DISABLE TRIGGER tickets_10_regras;
UPDATE tickets.tickets SET updated_at = '2000-01-01' WHERE id = pg_temp.id('a1');
ALTER TABLE tickets.tickets ENABLE TRIGGER tickets_10_regras;

SELECT tests.authenticate_as('00000000-0000-4000-8000-0000000000a1');
SELECT results_eq(
    $$ UPDATE tickets.tickets SET status = 'em_atendimento', responsavel_id = '00000000-0000-4000-8000-0000000000a1'
       WHERE id = pg_temp.id('a1') RETURNING status, responsavel_id, updated_at = now() $$,
    $$ VALUES ('em_atendimento', '00000000-0000-4000-8000-0000000000a1'::uuid, true) $$,
    'staff: aberto -> em_atendimento with a responsible; updated_at = now()'
);
SELECT results_eq(
    $$ UPDATE tickets.tickets SET status = 'resolvido' WHERE id = pg_temp.id('a1')
       RETURNING status, resolvido_em BETWEEN now() AND clock_timestamp(), fechado_em IS NULL $$,
    $$ VALUES ('resolvido', true, true) $$,
    'staff: em_atendimento -> resolvido stamps resolvido_em (the clock once the row is locked)'
);

SELECT tests.authenticate_as('00000000-0000-4000-8000-0000000000c1');
SELECT results_eq(
    $$ UPDATE tickets.tickets SET status = 'aberto' WHERE id = pg_temp.id('a1')
       RETURNING status, resolvido_em IS NULL, fechado_em IS NULL $$,
    $$ VALUES ('aberto', true, true) $$,
    'client: resolvido -> aberto (reopen) is allowed and clears resolvido_em'
);

SELECT tests.authenticate_as('00000000-0000-4000-8000-0000000000a1');
UPDATE tickets.tickets SET status = 'resolvido' WHERE id = pg_temp.id('a1');
SELECT tests.authenticate_as('00000000-0000-4000-8000-0000000000c1');
SELECT results_eq(
    $$ UPDATE tickets.tickets SET status = 'fechado' WHERE id = pg_temp.id('a1')
       RETURNING status, resolvido_em < fechado_em, fechado_em BETWEEN now() AND clock_timestamp() $$,
    $$ VALUES ('fechado', true, true) $$,
    'client: resolvido -> fechado is allowed; fechado_em stamped, resolvido_em kept'
);
SELECT throws_ok(
    $$ UPDATE tickets.tickets SET status = 'aberto' WHERE id = pg_temp.id('a1') $$,
    'SK008', 'Mudança de status não permitida: fechado → aberto.',
    'client: fechado -> aberto is refused (SK008)'
);
SELECT lives_ok(
    $$ UPDATE tickets.tickets SET status = 'fechado' WHERE id = pg_temp.id('a1') $$,
    'client: an UPDATE that keeps the status is a no-op, not an error'
);

SELECT tests.authenticate_as('00000000-0000-4000-8000-0000000000a1');
SELECT throws_ok(
    $$ UPDATE tickets.tickets SET status = 'em_atendimento' WHERE id = pg_temp.id('a1') $$,
    'SK008', 'Mudança de status não permitida: fechado → em_atendimento.',
    'staff: fechado -> em_atendimento is refused (SK008: a closed ticket only reopens)'
);
SELECT results_eq(
    $$ UPDATE tickets.tickets SET status = 'aberto' WHERE id = pg_temp.id('a1')
       RETURNING status, resolvido_em IS NULL, fechado_em IS NULL $$,
    $$ VALUES ('aberto', true, true) $$,
    'staff: fechado -> aberto (reopen) clears resolvido_em and fechado_em'
);

SELECT tests.authenticate_as('00000000-0000-4000-8000-0000000000c1');
SELECT results_eq(
    $$ UPDATE tickets.tickets SET status = 'fechado' WHERE id = pg_temp.id('a1_forjado') RETURNING status $$,
    $$ VALUES ('fechado') $$,
    'client: aberto -> fechado is allowed (close at any time)'
);

SELECT tests.authenticate_as('00000000-0000-4000-8000-0000000000a1');
SELECT lives_ok(
    $$ UPDATE tickets.tickets SET titulo = 'Título revisto', prioridade = 'alta', categoria = 'Cível',
       descricao = 'Mais detalhes' WHERE id = pg_temp.id('a2') $$,
    'staff: titulo, prioridade, categoria and descricao are editable'
);
SELECT throws_ok(
    $$ UPDATE tickets.tickets SET primeira_resposta_em = now() WHERE id = pg_temp.id('a2') $$,
    'SK015', 'Campo mantido pelo sistema: primeira_resposta_em.',
    'staff: writing primeira_resposta_em is refused (SK015)'
);
SELECT throws_ok(
    $$ UPDATE tickets.tickets SET status = 'pendente' WHERE id = pg_temp.id('a2') $$,
    'SK013', 'Valor inválido para status: pendente.',
    'staff: an unknown status is refused with SK013 (before the CHECK)'
);
SELECT throws_ok(
    $$ UPDATE tickets.tickets SET prioridade = 'maxima' WHERE id = pg_temp.id('a2') $$,
    'SK013', NULL,
    'staff: an unknown prioridade is refused (SK013)'
);
SELECT throws_ok(
    $$ UPDATE tickets.tickets SET titulo = '' WHERE id = pg_temp.id('a2') $$,
    'SK006', NULL,
    'staff: a blank titulo is refused (SK006)'
);
SELECT throws_ok(
    $$ UPDATE tickets.tickets SET responsavel_id = '00000000-0000-4000-8000-0000000000b1' WHERE id = pg_temp.id('a2') $$,
    'SK019', NULL,
    'staff: the responsible must be active staff of the same office (SK019, before the composite foreign key)'
);
SELECT is_empty(
    $$ UPDATE tickets.tickets SET status = 'em_atendimento' WHERE id = pg_temp.id('b1') RETURNING id $$,
    'staff: a ticket of another office is not updated (RLS: zero rows)'
);

-- =============================================================================================
-- Immutable columns, for every caller
-- =============================================================================================
SELECT throws_ok(
    $$ UPDATE tickets.tickets SET numero = 42 WHERE id = pg_temp.id('a2') $$,
    'SK009', 'Campo imutável: numero.',
    'staff: numero never changes (SK009)'
);
SELECT throws_ok(
    $$ UPDATE tickets.tickets SET cliente_id = 'c0000000-0000-4000-8000-0000000000a1' WHERE id = pg_temp.id('a2') $$,
    'SK009', 'Campo imutável: cliente_id.',
    'staff: cliente_id never changes (SK009)'
);
SELECT throws_ok(
    $$ UPDATE tickets.tickets SET criado_por = '00000000-0000-4000-8000-0000000000c2' WHERE id = pg_temp.id('a2') $$,
    'SK009', 'Campo imutável: criado_por.',
    'staff: criado_por never changes (SK009)'
);
SELECT throws_ok(
    $$ UPDATE tickets.tickets SET criado_por = NULL WHERE id = pg_temp.id('a2') $$,
    'SK009', NULL,
    'staff: criado_por cannot be erased through the API either (SK009)'
);
SELECT tests.authenticate_as_service_role();
SELECT throws_ok(
    $$ UPDATE tickets.tickets SET escritorio_id = 'b0000000-0000-4000-8000-000000000000', numero = 7
       WHERE id = pg_temp.id('a2') $$,
    'SK009', 'Campo imutável: escritorio_id, numero.',
    'service_role: escritorio_id and numero never change either (SK009, both named)'
);
SELECT lives_ok(
    $$ UPDATE tickets.tickets SET status = 'aguardando_cliente' WHERE id = pg_temp.id('a2') $$,
    'service_role: any status transition (trusted backend)'
);

-- Deleting the creator's login nulls criado_por (foreign key ON DELETE SET NULL): allowed.
SELECT tests.clear_authentication();
SELECT lives_ok(
    $$ DELETE FROM auth.users WHERE id = '00000000-0000-4000-8000-0000000000c1' $$,
    'deleting the login that created tickets is not blocked by the immutable criado_por'
);
SELECT is(
    (SELECT count(*)::int FROM tickets.tickets WHERE criado_por IS NULL AND cliente_id = 'c0000000-0000-4000-8000-0000000000a1'),
    4,
    'its tickets keep everything but criado_por, now NULL (ON DELETE SET NULL)'
);
SELECT is(
    (SELECT criado_por FROM tickets.tickets WHERE id = pg_temp.id('a_servico')),
    NULL,
    'a ticket created by service_role has no criado_por'
);

-- =============================================================================================
-- Broadcasts
-- =============================================================================================
SELECT results_eq(
    $$ SELECT m.event, m.extension, m.private, m.id = (m.payload ->> 'id')::uuid, (m.payload ->> 'numero')::int,
              m.payload ->> 'titulo', m.payload ->> 'prioridade', (m.payload ->> 'cliente_id')::uuid,
              m.payload ->> 'status'
       FROM realtime.messages AS m
       WHERE m.topic = 'escritorio:a0000000-0000-4000-8000-000000000000' AND m.event = 'ticket_criado'
         AND (m.payload ->> 'ticket_id')::uuid = pg_temp.id('a1') $$,
    $$ VALUES ('ticket_criado', 'broadcast', true, true, 1, 'Contrato de aluguel', 'media',
               'c0000000-0000-4000-8000-0000000000a1'::uuid, 'aberto') $$,
    'a new ticket broadcasts ticket_criado (private) on escritorio:<office> with its numero, titulo, prioridade, client, status'
);
SELECT results_eq(
    $$ SELECT topic, count(*)::int FROM realtime.messages WHERE event = 'ticket_criado' GROUP BY topic ORDER BY topic $$,
    $$ VALUES ('escritorio:a0000000-0000-4000-8000-000000000000', 5),
              ('escritorio:b0000000-0000-4000-8000-000000000000', 1) $$,
    'exactly one ticket_criado per ticket, on its own office''s topic only'
);
SELECT is_empty(
    $$ SELECT FROM realtime.messages
       WHERE event = 'ticket_criado' AND topic LIKE 'ticket:%' $$,
    'ticket_criado is not sent on ticket topics'
);
SELECT results_eq(
    $$ SELECT m.payload ->> 'status_anterior', m.payload ->> 'status', (m.payload ->> 'numero')::int,
              m.private, m.extension
       FROM realtime.messages AS m
       WHERE m.topic = 'ticket:' || pg_temp.id('a1') AND m.event = 'ticket_atualizado'
       ORDER BY m.payload ->> 'status_anterior', m.payload ->> 'status' $$,
    $$ VALUES ('aberto', 'em_atendimento', 1, true, 'broadcast'), ('aberto', 'resolvido', 1, true, 'broadcast'),
              ('em_atendimento', 'resolvido', 1, true, 'broadcast'), ('fechado', 'aberto', 1, true, 'broadcast'),
              ('resolvido', 'aberto', 1, true, 'broadcast'), ('resolvido', 'fechado', 1, true, 'broadcast') $$,
    'every status change of a ticket broadcasts ticket_atualizado on ticket:<id> (refused ones and no-ops do not)'
);
SELECT is(
    (SELECT count(*)::int FROM realtime.messages
     WHERE topic = 'escritorio:a0000000-0000-4000-8000-000000000000' AND event = 'ticket_atualizado'
       AND (payload ->> 'ticket_id')::uuid = pg_temp.id('a1')),
    6,
    'the same six ticket_atualizado also reach the office topic (staff queue)'
);
SELECT is_empty(
    $$ SELECT FROM realtime.messages AS m
       WHERE m.event = 'ticket_atualizado' AND m.id IS DISTINCT FROM (m.payload ->> 'id')::uuid $$,
    'ticket_atualizado payloads carry their message id (as realtime.send)'
);
SELECT results_eq(
    $$ SELECT m.topic, m.payload ->> 'status_anterior', m.payload ->> 'status'
       FROM realtime.messages AS m
       WHERE m.event = 'ticket_atualizado' AND (m.payload ->> 'ticket_id')::uuid = pg_temp.id('a2')
       ORDER BY m.topic $$,
    $$ VALUES ('escritorio:a0000000-0000-4000-8000-000000000000', 'aberto', 'aguardando_cliente'),
              ('ticket:' || pg_temp.id('a2'), 'aberto', 'aguardando_cliente') $$,
    'editing titulo/prioridade does not broadcast; the status change does, on both topics'
);

-- One statement changing the status of two tickets: one set-based firing, four messages.
CREATE TEMPORARY TABLE antes_do_lote AS SELECT count(*) AS n FROM realtime.messages WHERE event = 'ticket_atualizado';
SELECT tests.authenticate_as('00000000-0000-4000-8000-0000000000a1');
SELECT results_eq(
    $$ WITH u AS (
           UPDATE tickets.tickets SET status = 'em_atendimento'
           WHERE id IN (pg_temp.id('a2'), pg_temp.id('a1_4000')) RETURNING id
       ) SELECT count(*)::int FROM u $$,
    $$ VALUES (2) $$,
    'staff moves two tickets in one statement'
);
SELECT tests.clear_authentication();
SELECT is(
    (SELECT count(*) FROM realtime.messages WHERE event = 'ticket_atualizado') - (SELECT n FROM antes_do_lote),
    4::bigint,
    'a multi-row status change broadcasts once per ticket and topic (2 tickets x 2 topics)'
);

SELECT * FROM finish();
ROLLBACK;
