-- Balcão Virtual import (flow 2): a ticket opened during the client's ativa session is linked
-- to it and gets the session's log as comments (log order, original timestamps, mapped
-- authors, exactly once); lines logged later are appended to the linked open tickets; ended
-- sessions and other clients' sessions link nothing; tickets.importar_balcao re-syncs
-- idempotently. The concurrent case (line logged while the ticket is being opened) is in
-- tests/test_flow_balcao.py: it needs two committing connections.
--
-- Tickets are opened as service_role (the Balcão/backend key) with explicit cliente_id and a
-- free numero, so the file passes whether or not the ticket triggers (derivation, numbering)
-- are installed. Fixture ids are kept in transaction-local settings t.<name>, read with
-- pg_temp.v(name) by any persona.
BEGIN;
SELECT plan(49);

CREATE FUNCTION pg_temp.v(p_nome text) RETURNS uuid
LANGUAGE sql STABLE AS $$ SELECT current_setting('t.' || p_nome)::uuid $$;

-- Opens a ticket for a client as the caller; returns its id. numero: next free one (the
-- numbering trigger, when installed, assigns its own).
CREATE FUNCTION pg_temp.abrir(p_cliente uuid, p_extra jsonb DEFAULT '{}') RETURNS uuid
LANGUAGE sql AS $$
    INSERT INTO tickets.tickets (escritorio_id, cliente_id, numero, titulo, sessao_balcao_id, status)
    SELECT c.escritorio_id, c.id,
           coalesce((SELECT max(t.numero) FROM tickets.tickets AS t WHERE t.escritorio_id = c.escritorio_id), 0) + 1,
           'Chamado de teste', (p_extra ->> 'sessao_balcao_id')::uuid, coalesce(p_extra ->> 'status', 'aberto')
    FROM crm.clientes AS c WHERE c.id = p_cliente
    RETURNING id
$$;

CREATE FUNCTION pg_temp.linha(p_sessao uuid, p_autor text, p_mensagem text, p_enviado timestamptz DEFAULT now())
RETURNS bigint
LANGUAGE sql AS $$
    INSERT INTO balcao_virtual.logs_conversas (sessao_id, escritorio_id, autor_tipo, autor_nome, mensagem, enviado_em)
    SELECT s.id, s.escritorio_id, p_autor, initcap(p_autor), p_mensagem, p_enviado
    FROM balcao_virtual.sessoes_ativas AS s WHERE s.id = p_sessao
    RETURNING id
$$;

-- Fixtures (superuser): office A with clients A1 (ativa session, 3 lines), A2 (ended session
-- with a line), A3 (no session), A4 (ativa session, 1 line); office B with client B1 (ativa).
DO $$
DECLARE
    a uuid := tests.novo_escritorio('A');
    b uuid := tests.novo_escritorio('B');
    a1 uuid := tests.novo_cliente(a, 'A1');
    a2 uuid := tests.novo_cliente(a, 'A2');
    a3 uuid := tests.novo_cliente(a, 'A3');
    a4 uuid := tests.novo_cliente(a, 'A4');
    b1 uuid := tests.novo_cliente(b, 'B1');
    s1 uuid;
    s2 uuid;
    s4 uuid;
    sb uuid;
BEGIN
    INSERT INTO balcao_virtual.sessoes_ativas (escritorio_id, cliente_id, iniciada_em)
    VALUES (a, a1, now() - interval '1 hour') RETURNING id INTO s1;
    INSERT INTO balcao_virtual.sessoes_ativas (escritorio_id, cliente_id, status, iniciada_em, encerrada_em)
    VALUES (a, a2, 'encerrada', now() - interval '2 hours', now() - interval '90 minutes') RETURNING id INTO s2;
    INSERT INTO balcao_virtual.sessoes_ativas (escritorio_id, cliente_id) VALUES (a, a4) RETURNING id INTO s4;
    INSERT INTO balcao_virtual.sessoes_ativas (escritorio_id, cliente_id) VALUES (b, b1) RETURNING id INTO sb;
    PERFORM pg_temp.linha(s1, 'cliente', 'Bom dia, preciso de ajuda', now() - interval '50 minutes');
    PERFORM pg_temp.linha(s1, 'bot', 'Um atendente já vai falar com você', now() - interval '49 minutes');
    PERFORM pg_temp.linha(s1, 'atendente', 'Olá! Vou abrir um chamado', now() - interval '40 minutes');
    PERFORM pg_temp.linha(s2, 'cliente', 'Conversa antiga', now() - interval '100 minutes');
    PERFORM pg_temp.linha(s4, 'cliente', 'Linha de A4', now() - interval '5 minutes');
    PERFORM pg_temp.linha(sb, 'cliente', 'Linha de B1', now() - interval '5 minutes');
    PERFORM set_config('t.a', a::text, true), set_config('t.b', b::text, true),
            set_config('t.a1', a1::text, true), set_config('t.a2', a2::text, true),
            set_config('t.a3', a3::text, true), set_config('t.a4', a4::text, true),
            set_config('t.b1', b1::text, true),
            set_config('t.login_a1', tests.login_do_cliente(a1)::text, true),
            set_config('t.login_a3', tests.login_do_cliente(a3)::text, true),
            set_config('t.s1', s1::text, true), set_config('t.s2', s2::text, true),
            set_config('t.s4', s4::text, true), set_config('t.sb', sb::text, true),
            set_config('t.staff_a', tests.novo_membro(a, 'atendente')::text, true),
            set_config('t.staff_b', tests.novo_membro(b, 'atendente')::text, true);
END
$$;

-- ---------------------------------------------------------------------------------------------
-- The triggers exist, with their names and timing
-- ---------------------------------------------------------------------------------------------
SELECT trigger_is('tickets', 'tickets', 'tickets_20_vincular_balcao', 'private', 'balcao_vincular_sessao',
                  'tickets_20_vincular_balcao runs private.balcao_vincular_sessao');
SELECT trigger_is('tickets', 'tickets', 'tickets_50_importar_balcao', 'private', 'balcao_importar_novos_tickets',
                  'tickets_50_importar_balcao runs private.balcao_importar_novos_tickets');
SELECT trigger_is('balcao_virtual', 'logs_conversas', 'logs_conversas_50_anexar', 'private', 'balcao_anexar_linhas',
                  'logs_conversas_50_anexar runs private.balcao_anexar_linhas');
SELECT results_eq(
    $$ SELECT tgname::text COLLATE "default", (tgtype & 1) = 1, (tgtype & 2) = 2
       FROM pg_catalog.pg_trigger
       WHERE tgname IN ('tickets_20_vincular_balcao', 'tickets_50_importar_balcao', 'logs_conversas_50_anexar')
       ORDER BY tgname $$,
    $$ VALUES ('logs_conversas_50_anexar', false, false),
              ('tickets_20_vincular_balcao', true, true),
              ('tickets_50_importar_balcao', false, false) $$,
    'link is BEFORE ... FOR EACH ROW; import and append are AFTER ... FOR EACH STATEMENT'
);

-- ---------------------------------------------------------------------------------------------
-- Opening a ticket during an ativa session: link + import
-- ---------------------------------------------------------------------------------------------
SELECT tests.authenticate_as_service_role();
SELECT set_config('t.t1', pg_temp.abrir(pg_temp.v('a1')::uuid)::text, true);
SELECT tests.clear_authentication();

SELECT is(
    (SELECT sessao_balcao_id FROM tickets.tickets WHERE id = pg_temp.v('t1')),
    pg_temp.v('s1'),
    'a ticket opened during the client''s ativa session is linked to it'
);
SELECT is(
    (SELECT count(*)::integer FROM tickets.ticket_comments WHERE ticket_id = pg_temp.v('t1')),
    3,
    'every line of the session is imported'
);
SELECT results_eq(
    $$ SELECT c.balcao_log_id, c.autor_tipo, c.conteudo, c.created_at, c.origem, c.interno, c.escritorio_id
       FROM tickets.ticket_comments AS c
       WHERE c.ticket_id = pg_temp.v('t1')
       ORDER BY c.created_at, c.id $$,
    $$ SELECT l.id, CASE l.autor_tipo WHEN 'cliente' THEN 'cliente' WHEN 'atendente' THEN 'equipe' ELSE 'sistema' END,
              l.mensagem, l.enviado_em, 'balcao_virtual', false, l.escritorio_id
       FROM balcao_virtual.logs_conversas AS l
       WHERE l.sessao_id = pg_temp.v('s1')
       ORDER BY l.id $$,
    'lines imported in log order: original enviado_em as created_at, text verbatim, authors mapped, origem balcao_virtual'
);
SELECT results_eq(
    $$ SELECT c.autor_tipo, c.autor_id
       FROM tickets.ticket_comments AS c
       WHERE c.ticket_id = pg_temp.v('t1')
       ORDER BY c.balcao_log_id $$,
    $$ VALUES ('cliente', pg_temp.v('login_a1')), ('sistema', NULL::uuid), ('equipe', NULL) $$,
    'autor_id: the client''s login for client lines, NULL for bot and attendant lines'
);
SELECT is(
    (SELECT array_agg(c.balcao_log_id ORDER BY c.created_at, c.id) FROM tickets.ticket_comments AS c
     WHERE c.ticket_id = pg_temp.v('t1')),
    (SELECT array_agg(l.id ORDER BY l.id) FROM balcao_virtual.logs_conversas AS l WHERE l.sessao_id = pg_temp.v('s1')),
    'the ticket thread (created_at order) follows the log order'
);

-- A sessao_balcao_id sent by the caller is never trusted.
SELECT tests.authenticate_as_service_role();
SELECT set_config('t.t_forjado',
                  pg_temp.abrir(pg_temp.v('a3'), jsonb_build_object('sessao_balcao_id', pg_temp.v('s1')))::text, true);
SELECT set_config('t.t_forjado2',
                  pg_temp.abrir(pg_temp.v('a1'), jsonb_build_object('sessao_balcao_id', pg_temp.v('s2')))::text, true);
SELECT tests.clear_authentication();
SELECT is(
    (SELECT sessao_balcao_id FROM tickets.tickets WHERE id = pg_temp.v('t_forjado')),
    NULL,
    'a client without session gets no link even when another client''s session id is sent'
);
SELECT is(
    (SELECT count(*)::integer FROM tickets.ticket_comments WHERE ticket_id = pg_temp.v('t_forjado')),
    0,
    '... and no lines of that session'
);
SELECT is(
    (SELECT sessao_balcao_id FROM tickets.tickets WHERE id = pg_temp.v('t_forjado2')),
    pg_temp.v('s1'),
    'a sent sessao_balcao_id is replaced by the client''s own ativa session'
);
SELECT is(
    (SELECT count(*)::integer FROM tickets.ticket_comments WHERE ticket_id = pg_temp.v('t_forjado2')),
    3,
    '... whose log is imported (and nothing of the sent session)'
);

-- Ended sessions and other clients' sessions.
SELECT tests.authenticate_as_service_role();
SELECT set_config('t.t_a2', pg_temp.abrir(pg_temp.v('a2'))::text, true);
SELECT tests.clear_authentication();
SELECT is(
    (SELECT sessao_balcao_id FROM tickets.tickets WHERE id = pg_temp.v('t_a2')),
    NULL,
    'an ended (encerrada) session links nothing'
);
SELECT is(
    (SELECT count(*)::integer FROM tickets.ticket_comments WHERE ticket_id = pg_temp.v('t_a2')),
    0,
    'an ended session imports nothing'
);
SELECT is(
    (SELECT count(*)::integer FROM tickets.tickets WHERE sessao_balcao_id = pg_temp.v('sb')),
    0,
    'the ativa session of a client of another office is linked to no ticket of office A'
);

-- Several tickets in one statement (set-based): each gets its own client's session.
SELECT tests.authenticate_as_service_role();
INSERT INTO tickets.tickets (escritorio_id, cliente_id, numero, titulo)
SELECT c.escritorio_id, c.id,
       1000 + row_number() OVER (ORDER BY c.nome), 'Lote ' || c.nome
FROM crm.clientes AS c
WHERE c.id IN (pg_temp.v('a4'), pg_temp.v('b1'));
SELECT tests.clear_authentication();
SELECT results_eq(
    $$ SELECT t.titulo, t.sessao_balcao_id, c.conteudo
       FROM tickets.tickets AS t
       JOIN tickets.ticket_comments AS c ON c.ticket_id = t.id
       WHERE t.titulo LIKE 'Lote %'
       ORDER BY t.titulo $$,
    $$ VALUES ('Lote A4', pg_temp.v('s4'), 'Linha de A4'), ('Lote B1', pg_temp.v('sb'), 'Linha de B1') $$,
    'a multi-row insert links and imports each ticket''s own session'
);

-- ---------------------------------------------------------------------------------------------
-- Lines logged later are appended to the linked tickets that are not fechado
-- ---------------------------------------------------------------------------------------------
SELECT tests.authenticate_as_service_role();
SELECT set_config('t.l4', pg_temp.linha(pg_temp.v('s1'), 'cliente', 'Mais uma coisa')::text, true);
SELECT tests.clear_authentication();
SELECT results_eq(
    $$ SELECT c.ticket_id, c.autor_tipo, c.conteudo, c.created_at
       FROM tickets.ticket_comments AS c
       WHERE c.balcao_log_id = current_setting('t.l4')::bigint
       ORDER BY c.ticket_id $$,
    $$ SELECT t.id, 'cliente', 'Mais uma coisa', l.enviado_em
       FROM tickets.tickets AS t, balcao_virtual.logs_conversas AS l
       WHERE t.id IN (pg_temp.v('t1'), pg_temp.v('t_forjado2')) AND l.id = current_setting('t.l4')::bigint
       ORDER BY t.id $$,
    'a line logged later is appended once to every open ticket linked to the session'
);
SELECT is(
    (SELECT count(*)::integer FROM tickets.ticket_comments WHERE ticket_id = pg_temp.v('t1')),
    4,
    'the first ticket now has 4 lines'
);

-- Two lines of two sessions in one statement.
SELECT tests.authenticate_as_service_role();
INSERT INTO balcao_virtual.logs_conversas (sessao_id, escritorio_id, autor_tipo, mensagem)
VALUES (pg_temp.v('s1'), pg_temp.v('a'), 'atendente', 'Lote s1'),
       (pg_temp.v('s4'), pg_temp.v('a'), 'bot', 'Lote s4');
SELECT tests.clear_authentication();
SELECT results_eq(
    $$ SELECT t.id, c.conteudo, c.autor_tipo
       FROM tickets.ticket_comments AS c JOIN tickets.tickets AS t ON t.id = c.ticket_id
       WHERE c.conteudo LIKE 'Lote s%'
       ORDER BY t.id $$,
    $$ SELECT t.id, CASE t.sessao_balcao_id WHEN pg_temp.v('s1') THEN 'Lote s1' ELSE 'Lote s4' END,
              CASE t.sessao_balcao_id WHEN pg_temp.v('s1') THEN 'equipe' ELSE 'sistema' END
       FROM tickets.tickets AS t
       WHERE t.sessao_balcao_id IN (pg_temp.v('s1'), pg_temp.v('s4'))
       ORDER BY t.id $$,
    'a multi-session insert of lines appends each line to its own session''s tickets only'
);

-- A fechado ticket takes no new lines.
UPDATE tickets.tickets SET status = 'fechado', fechado_em = now() WHERE id = pg_temp.v('t_forjado2');
SELECT tests.authenticate_as_service_role();
SELECT set_config('t.l6', pg_temp.linha(pg_temp.v('s1'), 'bot', 'Depois do fechamento')::text, true);
SELECT tests.clear_authentication();
SELECT is(
    (SELECT array_agg(c.ticket_id) FROM tickets.ticket_comments AS c WHERE c.balcao_log_id = current_setting('t.l6')::bigint),
    ARRAY[pg_temp.v('t1')],
    'a line logged later reaches the open linked ticket, not the fechado one'
);

-- A line longer than max_message_length is refused before anything is copied.
SELECT tests.authenticate_as_service_role();
SELECT throws_ok(
    $$ SELECT pg_temp.linha(pg_temp.v('s1'), 'cliente', repeat('x', 4001)) $$,
    'SK007', NULL,
    'a log line over the configured maximum length is refused (SK007)'
);
SELECT tests.clear_authentication();

-- ---------------------------------------------------------------------------------------------
-- tickets.importar_balcao
-- ---------------------------------------------------------------------------------------------
SELECT tests.authenticate_as_service_role();
SELECT is(tickets.importar_balcao(pg_temp.v('t1')), 0, 'importar_balcao on an up-to-date ticket adds nothing');
SELECT tests.clear_authentication();

-- Lose two imported comments (as the owner) and re-sync.
DELETE FROM tickets.ticket_comments
WHERE ticket_id = pg_temp.v('t1') AND balcao_log_id IN (
    SELECT l.id FROM balcao_virtual.logs_conversas AS l WHERE l.sessao_id = pg_temp.v('s1') ORDER BY l.id LIMIT 2
);
SELECT tests.authenticate_as(pg_temp.v('login_a1'));
SELECT is(tickets.importar_balcao(pg_temp.v('t1')), 2, 'importar_balcao re-imports the missing lines (the client may call it)');
SELECT is(tickets.importar_balcao(pg_temp.v('t1')), 0, 'importar_balcao twice adds nothing the second time');
SELECT tests.authenticate_as(pg_temp.v('staff_a'));
SELECT is(tickets.importar_balcao(pg_temp.v('t1')), 0, 'staff of the ticket''s office may call importar_balcao');
SELECT is(tickets.importar_balcao(pg_temp.v('t_forjado')), 0, 'a ticket without linked session: importar_balcao returns 0');
SELECT throws_ok(
    format('SELECT tickets.importar_balcao(%L)', pg_temp.v('t_forjado2')),
    'SK005', NULL,
    'importar_balcao on a fechado ticket is refused (SK005)'
);
SELECT throws_ok(
    format('SELECT tickets.importar_balcao(%L)', gen_random_uuid()),
    'SK004', NULL,
    'importar_balcao on an unknown ticket: SK004'
);
SELECT tests.authenticate_as(pg_temp.v('staff_b'));
SELECT throws_ok(
    format('SELECT tickets.importar_balcao(%L)', pg_temp.v('t1')),
    'SK004', NULL,
    'staff of another office may not call importar_balcao on the ticket (SK004)'
);
SELECT tests.authenticate_as(pg_temp.v('login_a3'));
SELECT throws_ok(
    format('SELECT tickets.importar_balcao(%L)', pg_temp.v('t1')),
    'SK004', NULL,
    'another client may not call importar_balcao on the ticket (SK004)'
);
SELECT tests.authenticate_as_anon();
SELECT throws_ok(
    format('SELECT tickets.importar_balcao(%L)', pg_temp.v('t1')),
    '42501', NULL,
    'anon may not execute importar_balcao'
);
SELECT tests.clear_authentication();
SELECT is(
    (SELECT count(*)::integer FROM tickets.ticket_comments WHERE ticket_id = pg_temp.v('t1')),
    (SELECT count(*)::integer FROM balcao_virtual.logs_conversas WHERE sessao_id = pg_temp.v('s1')),
    'after all of it the ticket holds each line of its session exactly once'
);
SELECT is_empty(
    $$ SELECT balcao_log_id FROM tickets.ticket_comments WHERE ticket_id = pg_temp.v('t1')
       GROUP BY balcao_log_id HAVING count(*) > 1 $$,
    'no line is duplicated in the ticket'
);

-- ---------------------------------------------------------------------------------------------
-- The link is fixed; ending the session stops the append
-- ---------------------------------------------------------------------------------------------
SELECT throws_ok(
    format('UPDATE tickets.tickets SET sessao_balcao_id = %L WHERE id = %L', pg_temp.v('s4'), pg_temp.v('t1')),
    'SK020', NULL,
    'sessao_balcao_id cannot be re-pointed to another session (SK020)'
);
SELECT tests.authenticate_as_service_role();
SELECT throws_ok(
    format('UPDATE tickets.tickets SET sessao_balcao_id = %L WHERE id = %L', pg_temp.v('s4'), pg_temp.v('t1')),
    'SK020', NULL,
    '... not even by service_role'
);
SELECT tests.clear_authentication();

UPDATE balcao_virtual.sessoes_ativas SET status = 'encerrada', encerrada_em = now() WHERE id = pg_temp.v('s1');
SELECT tests.authenticate_as_service_role();
SELECT set_config('t.l7', pg_temp.linha(pg_temp.v('s1'), 'bot', 'Sessão encerrada')::text, true);
SELECT tests.clear_authentication();
SELECT is(
    (SELECT count(*)::integer FROM tickets.ticket_comments WHERE balcao_log_id = current_setting('t.l7')::bigint),
    0,
    'a line logged after the session ended is not appended'
);
SELECT tests.authenticate_as_service_role();
SELECT set_config('t.t1b', pg_temp.abrir(pg_temp.v('a1'))::text, true);
SELECT tests.clear_authentication();
SELECT is(
    (SELECT sessao_balcao_id FROM tickets.tickets WHERE id = pg_temp.v('t1b')),
    NULL,
    'once the session ended, a new ticket of the client is not linked'
);
SELECT lives_ok(
    format('UPDATE tickets.tickets SET sessao_balcao_id = NULL WHERE id = %L', pg_temp.v('t1')),
    'unlinking (NULL, as ON DELETE SET NULL does) is allowed'
);

-- ---------------------------------------------------------------------------------------------
-- Security of the definitions
-- ---------------------------------------------------------------------------------------------
SELECT is_definer('private', 'balcao_vincular_sessao', ARRAY[]::name[], 'the link trigger function is SECURITY DEFINER');
SELECT is_definer('private', 'balcao_importar_novos_tickets', ARRAY[]::name[], 'the import trigger function is SECURITY DEFINER');
SELECT is_definer('private', 'balcao_anexar_linhas', ARRAY[]::name[], 'the append trigger function is SECURITY DEFINER');
SELECT is_definer('tickets', 'importar_balcao', ARRAY['uuid']::name[], 'importar_balcao is SECURITY DEFINER');
SELECT is_empty(
    $$ SELECT p.oid::regprocedure FROM pg_catalog.pg_proc AS p
       WHERE p.oid IN ('private.balcao_vincular_sessao()'::regprocedure,
                       'private.balcao_importar_novos_tickets()'::regprocedure,
                       'private.balcao_anexar_linhas()'::regprocedure,
                       'private.balcao_copiar_linhas(uuid[], bigint[])'::regprocedure,
                       'tickets.importar_balcao(uuid)'::regprocedure)
         AND NOT coalesce(p.proconfig = ARRAY['search_path=pg_catalog, pg_temp'], false) $$,
    'every Balcão function pins search_path = pg_catalog, pg_temp'
);
SELECT function_privs_are('tickets', 'importar_balcao', ARRAY['uuid'], 'authenticated', ARRAY['EXECUTE'],
                          'authenticated may execute importar_balcao');
SELECT function_privs_are('tickets', 'importar_balcao', ARRAY['uuid'], 'anon', ARRAY[]::text[],
                          'anon may not execute importar_balcao');
SELECT function_privs_are('private', 'balcao_copiar_linhas', ARRAY['uuid[]', 'bigint[]'], 'authenticated',
                          ARRAY[]::text[], 'the copy routine is not executable by API roles');
SELECT is(
    (SELECT pg_catalog.obj_description('tickets.importar_balcao(uuid)'::regprocedure, 'pg_proc') IS NOT NULL
        AND pg_catalog.obj_description('private.balcao_copiar_linhas(uuid[], bigint[])'::regprocedure, 'pg_proc') IS NOT NULL),
    true,
    'the Balcão functions carry a COMMENT'
);
SELECT is(
    (SELECT count(*)::integer FROM pg_catalog.pg_trigger
     WHERE tgname IN ('tickets_20_vincular_balcao', 'tickets_21_sessao_balcao_fixa', 'tickets_50_importar_balcao',
                      'logs_conversas_50_anexar')
       AND pg_catalog.obj_description(oid, 'pg_trigger') IS NOT NULL),
    4,
    'the Balcão triggers carry a COMMENT'
);

SELECT * FROM finish();
ROLLBACK;
