-- Audit trail (flow 6): inserts, updates and deletes of clientes, tickets, comments, documentos
-- and Balcão sessions land in audit.eventos with the actor (auth.uid() and a useful role:
-- staff papel, cliente, or the request role / login); the trail cannot be updated, deleted or
-- truncated by anyone: service_role has no such privilege (42501) and the table owner and
-- superusers are stopped by eventos_00_imutavel (SK012), even in replica mode.
--
-- Personas acting through the API would also need the RLS policies (policies/); the actor
-- mapping is therefore exercised by setting the JWT claims on the superuser's own session
-- (auth.uid() = that user, no request role) and through a SECURITY DEFINER path
-- (tickets.importar_balcao) called as the real personas.
BEGIN;
SELECT plan(34);

CREATE FUNCTION pg_temp.v(p_nome text) RETURNS uuid
LANGUAGE sql STABLE AS $$ SELECT current_setting('t.' || p_nome)::uuid $$;

-- Act as a user on the superuser's session: auth.uid() = p_user, no SET ROLE (RLS not involved).
CREATE FUNCTION pg_temp.como(p_user uuid) RETURNS void
LANGUAGE sql AS $$ SELECT set_config('request.jwt.claims', json_build_object('sub', p_user)::text, true) $$;

-- The events of one row, oldest first.
CREATE FUNCTION pg_temp.eventos(p_registro uuid)
RETURNS TABLE (ator_id uuid, ator_papel text, tabela text, operacao text, antes jsonb, depois jsonb, escritorio_id uuid)
LANGUAGE sql AS $$
    SELECT e.ator_id, e.ator_papel, e.tabela, e.operacao, e.dados_antes, e.dados_depois, e.escritorio_id
    FROM audit.eventos AS e WHERE e.registro_id = p_registro::text ORDER BY e.id
$$;

DO $$
DECLARE
    a uuid := tests.novo_escritorio('A');
    c1 uuid := tests.novo_cliente(a, 'C1');
BEGIN
    PERFORM set_config('t.a', a::text, true), set_config('t.c1', c1::text, true),
            set_config('t.login_c1', tests.login_do_cliente(c1)::text, true),
            set_config('t.staff', tests.novo_membro(a, 'supervisor')::text, true);
END
$$;

-- ---------------------------------------------------------------------------------------------
-- The triggers
-- ---------------------------------------------------------------------------------------------
SELECT results_eq(
    $$ SELECT c.relnamespace::regnamespace::text COLLATE "default" || '.' || c.relname, t.tgname::text COLLATE "default"
       FROM pg_catalog.pg_trigger AS t JOIN pg_catalog.pg_class AS c ON c.oid = t.tgrelid
       WHERE t.tgname LIKE '%\_90\_auditoria\_%' AND NOT t.tgisinternal
       ORDER BY 1, 2 $$,
    $$ VALUES ('balcao_virtual.sessoes_ativas', 'sessoes_ativas_90_auditoria_delete'),
              ('balcao_virtual.sessoes_ativas', 'sessoes_ativas_90_auditoria_insert'),
              ('balcao_virtual.sessoes_ativas', 'sessoes_ativas_90_auditoria_update'),
              ('crm.clientes', 'clientes_90_auditoria_delete'),
              ('crm.clientes', 'clientes_90_auditoria_insert'),
              ('crm.clientes', 'clientes_90_auditoria_update'),
              ('crm.documentos', 'documentos_90_auditoria_delete'),
              ('crm.documentos', 'documentos_90_auditoria_insert'),
              ('crm.documentos', 'documentos_90_auditoria_update'),
              ('tickets.ticket_comments', 'ticket_comments_90_auditoria_delete'),
              ('tickets.ticket_comments', 'ticket_comments_90_auditoria_insert'),
              ('tickets.ticket_comments', 'ticket_comments_90_auditoria_update'),
              ('tickets.tickets', 'tickets_90_auditoria_delete'),
              ('tickets.tickets', 'tickets_90_auditoria_insert'),
              ('tickets.tickets', 'tickets_90_auditoria_update') $$,
    'the five audited tables have an insert, update and delete audit trigger each'
);
SELECT is_empty(
    $$ SELECT tgname FROM pg_catalog.pg_trigger
       WHERE tgname LIKE '%\_90\_auditoria\_%' AND ((tgtype & 1) = 1 OR pg_catalog.obj_description(oid, 'pg_trigger') IS NULL) $$,
    'audit triggers are statement-level (transition tables) and carry a COMMENT'
);
SELECT is_definer('audit', 'registrar_eventos', ARRAY[]::name[], 'the audit writer is SECURITY DEFINER');

-- ---------------------------------------------------------------------------------------------
-- Inserts, updates, deletes and their actors
-- ---------------------------------------------------------------------------------------------
-- The fixture client was inserted by the superuser with no JWT: actor NULL, role = the login.
SELECT results_eq(
    $$ SELECT ator_id, ator_papel, tabela, operacao, antes, depois ->> 'nome', escritorio_id
       FROM pg_temp.eventos(pg_temp.v('c1')) $$,
    $$ VALUES (NULL::uuid, (SESSION_USER::text COLLATE "default"), 'crm.clientes', 'INSERT', NULL::jsonb, 'C1', pg_temp.v('a')) $$,
    'INSERT: after image, no before image, office copied; no JWT: ator_id NULL, ator_papel = the login'
);
SELECT is(
    (SELECT depois FROM pg_temp.eventos(pg_temp.v('c1'))),
    (SELECT to_jsonb(c) FROM crm.clientes AS c WHERE c.id = pg_temp.v('c1')),
    'the after image is the whole row'
);

-- service_role opens a ticket and starts a session.
SELECT tests.authenticate_as_service_role();
INSERT INTO tickets.tickets (escritorio_id, cliente_id, numero, titulo)
SELECT c.escritorio_id, c.id, 1, 'Auditado' FROM crm.clientes AS c WHERE c.id = pg_temp.v('c1')
RETURNING set_config('t.t1', id::text, true) IS NOT NULL AS criado;
SELECT tests.clear_authentication();
SELECT results_eq(
    $$ SELECT ator_id, ator_papel, tabela, operacao, depois ->> 'titulo' FROM pg_temp.eventos(pg_temp.v('t1')) $$,
    $$ VALUES (NULL::uuid, 'service_role', 'tickets.tickets', 'INSERT', 'Auditado') $$,
    'a ticket inserted by service_role: actor NULL, ator_papel service_role'
);

-- Staff (auth.uid() on the session) update the ticket.
SELECT pg_temp.como(pg_temp.v('staff'));
UPDATE tickets.tickets SET titulo = 'Auditado e revisto' WHERE id = pg_temp.v('t1');
SELECT tests.clear_authentication();
SELECT results_eq(
    $$ SELECT ator_id, ator_papel, operacao, antes ->> 'titulo', depois ->> 'titulo', escritorio_id
       FROM pg_temp.eventos(pg_temp.v('t1')) WHERE operacao = 'UPDATE' $$,
    $$ VALUES (pg_temp.v('staff'), 'supervisor', 'UPDATE', 'Auditado', 'Auditado e revisto', pg_temp.v('a')) $$,
    'UPDATE by staff: ator_id = auth.uid(), ator_papel = the staff papel, before and after images'
);

-- The client (its login) updates its own record.
SELECT pg_temp.como(pg_temp.v('login_c1'));
UPDATE crm.clientes SET telefone = '+55 11 99999-0000' WHERE id = pg_temp.v('c1');
SELECT tests.clear_authentication();
SELECT results_eq(
    $$ SELECT ator_id, ator_papel, antes ->> 'telefone', depois ->> 'telefone'
       FROM pg_temp.eventos(pg_temp.v('c1')) WHERE operacao = 'UPDATE' $$,
    $$ VALUES (pg_temp.v('login_c1'), 'cliente', NULL::text, '+55 11 99999-0000') $$,
    'UPDATE by the client: ator_papel cliente'
);

-- Real personas through a SECURITY DEFINER path: the comments importar_balcao adds are
-- recorded with the calling persona.
INSERT INTO balcao_virtual.sessoes_ativas (escritorio_id, cliente_id)
VALUES (pg_temp.v('a'), pg_temp.v('c1'))
RETURNING set_config('t.s1', id::text, true) IS NOT NULL AS criada;
SELECT results_eq(
    $$ SELECT tabela, operacao, depois ->> 'status' FROM pg_temp.eventos(pg_temp.v('s1')) $$,
    $$ VALUES ('balcao_virtual.sessoes_ativas', 'INSERT', 'ativa') $$,
    'a started Balcão session is audited'
);
SELECT tests.authenticate_as_service_role();
INSERT INTO tickets.tickets (escritorio_id, cliente_id, numero, titulo)
SELECT c.escritorio_id, c.id, 2, 'Com sessão' FROM crm.clientes AS c WHERE c.id = pg_temp.v('c1')
RETURNING set_config('t.t2', id::text, true) IS NOT NULL AS criado;
INSERT INTO balcao_virtual.logs_conversas (sessao_id, escritorio_id, autor_tipo, mensagem)
VALUES (pg_temp.v('s1'), pg_temp.v('a'), 'cliente', 'primeira'), (pg_temp.v('s1'), pg_temp.v('a'), 'bot', 'segunda');
SELECT tests.clear_authentication();
SELECT results_eq(
    $$ SELECT e.ator_id, e.ator_papel, e.operacao, count(*)::integer
       FROM audit.eventos AS e
       WHERE e.tabela = 'tickets.ticket_comments' AND (e.dados_depois ->> 'ticket_id')::uuid = pg_temp.v('t2')
       GROUP BY 1, 2, 3 $$,
    $$ VALUES (NULL::uuid, 'service_role', 'INSERT', 2) $$,
    'comments appended from the Balcão log are audited with the actor of the log insert'
);
DELETE FROM tickets.ticket_comments WHERE ticket_id = pg_temp.v('t2');
SELECT tests.authenticate_as(pg_temp.v('login_c1'));
SELECT is(tickets.importar_balcao(pg_temp.v('t2')), 2, 'the client re-imports 2 lines');
SELECT tests.clear_authentication();
SELECT results_eq(
    $$ SELECT e.ator_id, e.ator_papel, count(*)::integer
       FROM audit.eventos AS e
       WHERE e.tabela = 'tickets.ticket_comments' AND e.operacao = 'INSERT'
         AND (e.dados_depois ->> 'ticket_id')::uuid = pg_temp.v('t2') AND e.ator_id IS NOT NULL
       GROUP BY 1, 2 $$,
    $$ VALUES (pg_temp.v('login_c1'), 'cliente', 2) $$,
    'rows written by a SECURITY DEFINER function are audited with the calling persona (client)'
);
SELECT is(
    (SELECT count(*)::integer FROM audit.eventos
     WHERE tabela = 'tickets.ticket_comments' AND operacao = 'DELETE' AND (dados_antes ->> 'ticket_id')::uuid = pg_temp.v('t2')
       AND dados_depois IS NULL AND ator_papel = (SESSION_USER::text COLLATE "default")),
    2,
    'DELETE: one event per row with the before image only'
);

-- One statement updating several rows: one event per row, before and after paired by id.
UPDATE tickets.tickets SET prioridade = 'alta' WHERE cliente_id = pg_temp.v('c1');
SELECT is_empty(
    $$ SELECT e.id FROM audit.eventos AS e
       WHERE e.tabela = 'tickets.tickets' AND e.operacao = 'UPDATE' AND e.dados_depois ->> 'prioridade' = 'alta'
         AND (e.dados_antes ->> 'id' IS DISTINCT FROM e.registro_id OR e.dados_depois ->> 'id' IS DISTINCT FROM e.registro_id
              OR e.dados_antes ->> 'prioridade' <> 'media') $$,
    'a multi-row UPDATE pairs each before image with its own after image'
);
SELECT is(
    (SELECT count(*)::integer FROM audit.eventos
     WHERE tabela = 'tickets.tickets' AND operacao = 'UPDATE' AND dados_depois ->> 'prioridade' = 'alta'),
    2,
    '... one event per updated row'
);

-- Documents and sessions: update and delete.
INSERT INTO crm.documentos (escritorio_id, cliente_id, ticket_id, nome_arquivo, storage_path)
VALUES (pg_temp.v('a'), pg_temp.v('c1'), pg_temp.v('t1'), 'nota.pdf', pg_temp.v('a') || '/' || pg_temp.v('c1') || '/nota.pdf')
RETURNING set_config('t.d1', id::text, true) IS NOT NULL AS criado;
UPDATE crm.documentos SET mime_type = 'application/pdf' WHERE id = pg_temp.v('d1');
DELETE FROM crm.documentos WHERE id = pg_temp.v('d1');
SELECT results_eq(
    $$ SELECT tabela, operacao, antes IS NULL, depois IS NULL FROM pg_temp.eventos(pg_temp.v('d1')) $$,
    $$ VALUES ('crm.documentos', 'INSERT', true, false), ('crm.documentos', 'UPDATE', false, false),
              ('crm.documentos', 'DELETE', false, true) $$,
    'documentos: insert, update and delete are audited in order'
);
UPDATE balcao_virtual.sessoes_ativas SET status = 'encerrada', encerrada_em = now() WHERE id = pg_temp.v('s1');
SELECT results_eq(
    $$ SELECT antes ->> 'status', depois ->> 'status' FROM pg_temp.eventos(pg_temp.v('s1')) WHERE operacao = 'UPDATE' $$,
    $$ VALUES ('ativa', 'encerrada') $$,
    'ending a Balcão session is audited'
);

-- A cascaded delete is audited too (ticket -> its comments).
DELETE FROM tickets.tickets WHERE id = pg_temp.v('t2');
SELECT results_eq(
    $$ SELECT tabela, count(*)::integer FROM audit.eventos
       WHERE operacao = 'DELETE' AND (registro_id = pg_temp.v('t2')::text OR (dados_antes ->> 'ticket_id')::uuid = pg_temp.v('t2'))
       GROUP BY tabela ORDER BY tabela $$,
    $$ VALUES ('tickets.ticket_comments', 4), ('tickets.tickets', 1) $$,
    'deleting a ticket audits the ticket and its cascaded comments'
);
SELECT lives_ok(
    $$ UPDATE tickets.tickets SET titulo = titulo WHERE false $$,
    'a statement that changes no row writes no event and does not fail'
);
DELETE FROM balcao_virtual.sessoes_ativas WHERE id = pg_temp.v('s1');
SELECT is(
    (SELECT count(*)::integer FROM pg_temp.eventos(pg_temp.v('s1')) WHERE operacao = 'DELETE' AND depois IS NULL),
    1,
    'deleting a session is audited'
);

-- ---------------------------------------------------------------------------------------------
-- Append-only
-- ---------------------------------------------------------------------------------------------
SELECT throws_ok($$ UPDATE audit.eventos SET ator_papel = 'forjado' $$, 'SK012', NULL,
                 'superuser: UPDATE of audit.eventos is refused (SK012)');
SELECT throws_ok($$ DELETE FROM audit.eventos $$, 'SK012', NULL,
                 'superuser: DELETE of audit.eventos is refused (SK012)');
SELECT throws_ok($$ DELETE FROM audit.eventos WHERE false $$, 'SK012', NULL,
                 'superuser: even a DELETE matching no row is refused (statement-level)');
SELECT throws_ok($$ TRUNCATE audit.eventos $$, 'SK012', NULL,
                 'superuser: TRUNCATE of audit.eventos is refused (SK012)');
SET LOCAL session_replication_role = replica;
SELECT throws_ok($$ DELETE FROM audit.eventos $$, 'SK012', NULL,
                 'superuser in replica mode (ordinary triggers off): still refused (ENABLE ALWAYS)');
SET LOCAL session_replication_role = origin;
SELECT is(
    (SELECT tgenabled::text FROM pg_catalog.pg_trigger
     WHERE tgrelid = 'audit.eventos'::regclass AND tgname = 'eventos_00_imutavel'),
    'A',
    'eventos_00_imutavel is ENABLE ALWAYS'
);

SELECT tests.authenticate_as_service_role();
SELECT throws_ok($$ UPDATE audit.eventos SET ator_papel = 'forjado' $$, '42501', NULL,
                 'service_role: UPDATE of audit.eventos is refused (no privilege)');
SELECT throws_ok($$ DELETE FROM audit.eventos $$, '42501', NULL,
                 'service_role: DELETE of audit.eventos is refused (no privilege)');
SELECT throws_ok($$ TRUNCATE audit.eventos $$, '42501', NULL,
                 'service_role: TRUNCATE of audit.eventos is refused (no privilege)');
SELECT lives_ok(
    $$ INSERT INTO audit.eventos (tabela, operacao, registro_id, ator_papel)
       VALUES ('jobs.exemplo', 'INSERT', '1', 'service_role') $$,
    'service_role may still append its own events'
);
SELECT isnt_empty($$ SELECT 1 FROM audit.eventos LIMIT 1 $$, 'service_role reads the trail');
SELECT tests.authenticate_as(pg_temp.v('staff'));
SELECT throws_ok($$ SELECT 1 FROM audit.eventos $$, '42501', NULL, 'authenticated cannot read the trail');
SELECT throws_ok($$ DELETE FROM audit.eventos $$, '42501', NULL, 'authenticated cannot delete the trail');
SELECT tests.clear_authentication();

SELECT is(
    (SELECT count(*)::integer FROM audit.eventos WHERE ator_papel = 'forjado'),
    0,
    'after all attempts no event was changed'
);

SELECT * FROM finish();
ROLLBACK;
