-- CRM history (crm.historico_cliente): staff of the client's office see the client's whole
-- history (tickets, comments incl. internal notes, chat, documents, Balcão sessions) newest
-- first, keyset-paged with antes/limite, without losing events that share a timestamp; the
-- client sees its own history without internal notes; staff of another office, inactive staff
-- and other clients see nothing.
--
-- The fixture rows are written as the superuser with the domain's user triggers disabled (and
-- re-enabled before any assertion), so their timestamps are exactly the ones below whatever the
-- ticket triggers do. Times are offsets from a fixed base, 2024-01-01 12:00 UTC. Fixture ids are
-- kept in transaction-local settings t.<name>, read with pg_temp.v(name) by any persona.
BEGIN;
SELECT plan(30);

CREATE FUNCTION pg_temp.v(p_nome text) RETURNS uuid
LANGUAGE sql STABLE AS $$ SELECT current_setting('t.' || p_nome)::uuid $$;

CREATE FUNCTION pg_temp.em(p_horas numeric) RETURNS timestamptz
LANGUAGE sql IMMUTABLE AS $$ SELECT '2024-01-01 12:00+00'::timestamptz - p_horas * interval '1 hour' $$;

-- Every page of a client's history with page size p_limite, following `antes` as a client would.
CREATE FUNCTION pg_temp.paginas(p_cliente uuid, p_limite integer)
RETURNS TABLE (pagina integer, referencia_id uuid, ocorrido_em timestamptz)
LANGUAGE plpgsql AS $$
DECLARE
    v_antes timestamptz;
    v_pagina integer := 0;
    v_linhas integer;
BEGIN
    LOOP
        v_pagina := v_pagina + 1;
        RETURN QUERY SELECT v_pagina, h.referencia_id, h.ocorrido_em
                     FROM crm.historico_cliente(p_cliente, v_antes, p_limite) AS h;
        GET DIAGNOSTICS v_linhas = ROW_COUNT;
        EXIT WHEN v_linhas = 0 OR v_pagina > 50;
        SELECT min(h.ocorrido_em) INTO v_antes FROM crm.historico_cliente(p_cliente, v_antes, p_limite) AS h;
    END LOOP;
END
$$;

ALTER TABLE tickets.tickets DISABLE TRIGGER USER;
ALTER TABLE tickets.ticket_comments DISABLE TRIGGER USER;
ALTER TABLE tickets.chat_mensagens DISABLE TRIGGER USER;
ALTER TABLE crm.documentos DISABLE TRIGGER USER;
ALTER TABLE balcao_virtual.sessoes_ativas DISABLE TRIGGER USER;

-- Office A: client c1 with a full history, client c2 with one ticket, client c3 whose
-- documents share timestamps; staff: active atendente, inactive atendente. Office B: staff.
DO $$
DECLARE
    a uuid := tests.novo_escritorio('A');
    b uuid := tests.novo_escritorio('B');
    c1 uuid := tests.novo_cliente(a, 'C1');
    c2 uuid := tests.novo_cliente(a, 'C2');
    c3 uuid := tests.novo_cliente(a, 'C3');
    staff uuid := tests.novo_membro(a, 'atendente');
    tx uuid := gen_random_uuid();
    ty uuid := gen_random_uuid();
BEGIN
    INSERT INTO balcao_virtual.sessoes_ativas (id, escritorio_id, cliente_id, canal, iniciada_em)
    VALUES ('5e550000-0000-4000-8000-000000000001', a, c1, 'whatsapp', pg_temp.em(10));
    INSERT INTO tickets.tickets (id, escritorio_id, cliente_id, numero, titulo, created_at, criado_por)
    VALUES (tx, a, c1, 1, 'Primeiro', pg_temp.em(9), tests.login_do_cliente(c1)),
           (ty, a, c1, 2, 'Segundo', pg_temp.em(3), staff),
           (gen_random_uuid(), a, c2, 3, 'De outro cliente', pg_temp.em(1), tests.login_do_cliente(c2));
    -- With the triggers off, the columns they derive are written here as they would be: the
    -- ticket's escritorio_id and cliente_id (the history reads comments and chat by cliente_id).
    INSERT INTO tickets.ticket_comments (id, ticket_id, escritorio_id, cliente_id, autor_id, autor_tipo, conteudo, interno, origem, created_at)
    VALUES ('c0000000-0000-4000-8000-000000000001', tx, a, c1, tests.login_do_cliente(c1), 'cliente', 'Comentário público', false, 'portal', pg_temp.em(8)),
           ('c0000000-0000-4000-8000-000000000002', tx, a, c1, staff, 'equipe', 'Nota interna da equipe', true, 'equipe', pg_temp.em(7)),
           ('c0000000-0000-4000-8000-000000000003', ty, a, c1, staff, 'equipe', 'Resposta da equipe', false, 'equipe', pg_temp.em(2));
    INSERT INTO tickets.chat_mensagens (id, ticket_id, escritorio_id, cliente_id, autor_id, autor_tipo, conteudo, enviado_em)
    VALUES ('ca000000-0000-4000-8000-000000000001', tx, a, c1, staff, 'equipe', 'Mensagem no chat', pg_temp.em(6));
    INSERT INTO crm.documentos (id, escritorio_id, cliente_id, ticket_id, nome_arquivo, storage_path, created_at)
    VALUES ('d0000000-0000-4000-8000-000000000001', a, c1, tx, 'contrato.pdf', 'a/c1/contrato.pdf', pg_temp.em(5)),
           ('d0000000-0000-4000-8000-000000000002', a, c1, NULL, 'rg.png', 'a/c1/rg.png', pg_temp.em(4)),
           ('d0000000-0000-4000-8000-00000000000a', a, c3, NULL, 'a', 'a/c3/a', pg_temp.em(1)),
           ('d0000000-0000-4000-8000-00000000000b', a, c3, NULL, 'b', 'a/c3/b', pg_temp.em(2)),
           ('d0000000-0000-4000-8000-00000000000c', a, c3, NULL, 'c', 'a/c3/c', pg_temp.em(2)),
           ('d0000000-0000-4000-8000-00000000000d', a, c3, NULL, 'd', 'a/c3/d', pg_temp.em(2)),
           ('d0000000-0000-4000-8000-00000000000e', a, c3, NULL, 'e', 'a/c3/e', pg_temp.em(3));
    PERFORM set_config('t.c1', c1::text, true), set_config('t.c2', c2::text, true),
            set_config('t.c3', c3::text, true),
            set_config('t.tx', tx::text, true), set_config('t.ty', ty::text, true),
            set_config('t.staff', staff::text, true),
            set_config('t.inativo', tests.novo_membro(a, 'supervisor', false)::text, true),
            set_config('t.staff_b', tests.novo_membro(b, 'admin')::text, true),
            set_config('t.login_c1', tests.login_do_cliente(c1)::text, true),
            set_config('t.login_c2', tests.login_do_cliente(c2)::text, true);
END
$$;

ALTER TABLE tickets.tickets ENABLE TRIGGER USER;
ALTER TABLE tickets.ticket_comments ENABLE TRIGGER USER;
ALTER TABLE tickets.chat_mensagens ENABLE TRIGGER USER;
ALTER TABLE crm.documentos ENABLE TRIGGER USER;
ALTER TABLE balcao_virtual.sessoes_ativas ENABLE TRIGGER USER;

-- The whole history of c1, as staff of its office must see it, newest first.
CREATE TEMPORARY TABLE esperado AS
SELECT * FROM (VALUES
    (pg_temp.em(2), 'comentario', pg_temp.v('ty'), 'c0000000-0000-4000-8000-000000000003'::uuid, 'Resposta da equipe'),
    (pg_temp.em(3), 'ticket', pg_temp.v('ty'), pg_temp.v('ty'), '#2 Segundo'),
    (pg_temp.em(4), 'documento', NULL, 'd0000000-0000-4000-8000-000000000002', 'rg.png'),
    (pg_temp.em(5), 'documento', pg_temp.v('tx'), 'd0000000-0000-4000-8000-000000000001', 'contrato.pdf'),
    (pg_temp.em(6), 'mensagem', pg_temp.v('tx'), 'ca000000-0000-4000-8000-000000000001', 'Mensagem no chat'),
    (pg_temp.em(7), 'nota_interna', pg_temp.v('tx'), 'c0000000-0000-4000-8000-000000000002', 'Nota interna da equipe'),
    (pg_temp.em(8), 'comentario', pg_temp.v('tx'), 'c0000000-0000-4000-8000-000000000001', 'Comentário público'),
    (pg_temp.em(9), 'ticket', pg_temp.v('tx'), pg_temp.v('tx'), '#1 Primeiro'),
    (pg_temp.em(10), 'sessao_balcao', NULL, '5e550000-0000-4000-8000-000000000001', 'Balcão Virtual (whatsapp): ativa')
) AS e (ocorrido_em, tipo, ticket_id, referencia_id, resumo);
GRANT SELECT ON esperado TO PUBLIC;

-- ---------------------------------------------------------------------------------------------
-- Staff of the client's office
-- ---------------------------------------------------------------------------------------------
SELECT tests.authenticate_as(pg_temp.v('staff'));
SELECT results_eq(
    $$ SELECT * FROM crm.historico_cliente(pg_temp.v('c1')) $$,
    $$ SELECT * FROM esperado ORDER BY ocorrido_em DESC $$,
    'staff see the client''s whole history (tickets, comments, internal notes, chat, documents, sessions) newest first'
);
SELECT results_eq(
    $$ SELECT referencia_id FROM crm.historico_cliente(pg_temp.v('c1'), NULL, 4) $$,
    $$ SELECT referencia_id FROM esperado ORDER BY ocorrido_em DESC LIMIT 4 $$,
    'limite: the first page holds the newest 4 events'
);
SELECT results_eq(
    $$ SELECT referencia_id FROM crm.historico_cliente(pg_temp.v('c1'), pg_temp.em(5), 4) $$,
    $$ SELECT referencia_id FROM esperado WHERE ocorrido_em < pg_temp.em(5) ORDER BY ocorrido_em DESC LIMIT 4 $$,
    'antes is exclusive: the next page starts strictly before it'
);
SELECT results_eq(
    $$ SELECT pagina, referencia_id FROM pg_temp.paginas(pg_temp.v('c1'), 4) $$,
    $$ SELECT ((row_number() OVER (ORDER BY ocorrido_em DESC) - 1) / 4 + 1)::integer, referencia_id
       FROM esperado ORDER BY ocorrido_em DESC $$,
    'following antes page by page (4, 4, 1, then empty) yields every event once, in order'
);
SELECT is_empty(
    $$ SELECT * FROM crm.historico_cliente(pg_temp.v('c1'), pg_temp.em(10)) $$,
    'nothing before the oldest event'
);
SELECT is(
    (SELECT count(*)::integer FROM crm.historico_cliente(pg_temp.v('c1'), NULL, NULL)),
    9,
    'limite NULL means the default page size'
);
SELECT throws_ok(
    $$ SELECT * FROM crm.historico_cliente(pg_temp.v('c1'), NULL, 0) $$,
    'SK013', NULL,
    'limite 0 is refused (SK013)'
);
SELECT throws_ok(
    $$ SELECT * FROM crm.historico_cliente(pg_temp.v('c1'), NULL, 1000000) $$,
    'SK013', NULL,
    'a huge limite is refused (SK013)'
);
SELECT is_empty(
    $$ SELECT * FROM crm.historico_cliente(pg_temp.v('c1')) WHERE ticket_id IN (
           SELECT t.id FROM tickets.tickets AS t WHERE t.cliente_id = pg_temp.v('c2')) $$,
    'another client''s ticket is not part of the history'
);
SELECT is_empty(
    format('SELECT * FROM crm.historico_cliente(%L)', gen_random_uuid()),
    'an unknown client has an empty history'
);

-- Events that share a timestamp are never split across pages (c3: a at -1h; b, c, d at -2h; e at -3h).
SELECT results_eq(
    $$ SELECT pagina, referencia_id FROM pg_temp.paginas(pg_temp.v('c3'), 2) ORDER BY pagina, referencia_id $$,
    $$ VALUES (1, 'd0000000-0000-4000-8000-00000000000a'::uuid),
              (2, 'd0000000-0000-4000-8000-00000000000b'), (2, 'd0000000-0000-4000-8000-00000000000c'),
              (2, 'd0000000-0000-4000-8000-00000000000d'),
              (3, 'd0000000-0000-4000-8000-00000000000e') $$,
    'a page stops before a group of simultaneous events, and a group larger than limite comes whole: nothing is skipped'
);
SELECT results_eq(
    $$ SELECT pagina, referencia_id FROM pg_temp.paginas(pg_temp.v('c3'), 4) ORDER BY pagina, referencia_id $$,
    $$ VALUES (1, 'd0000000-0000-4000-8000-00000000000a'::uuid),
              (1, 'd0000000-0000-4000-8000-00000000000b'), (1, 'd0000000-0000-4000-8000-00000000000c'),
              (1, 'd0000000-0000-4000-8000-00000000000d'),
              (2, 'd0000000-0000-4000-8000-00000000000e') $$,
    'a page that ends exactly at the end of a group keeps it'
);

-- ---------------------------------------------------------------------------------------------
-- The client itself
-- ---------------------------------------------------------------------------------------------
SELECT tests.authenticate_as(pg_temp.v('login_c1'));
SELECT results_eq(
    $$ SELECT * FROM crm.historico_cliente(pg_temp.v('c1')) $$,
    $$ SELECT * FROM esperado WHERE tipo <> 'nota_interna' ORDER BY ocorrido_em DESC $$,
    'the client sees its own history without internal notes'
);
SELECT results_eq(
    $$ SELECT referencia_id FROM crm.historico_cliente(pg_temp.v('c1'), pg_temp.em(6), 2) $$,
    $$ VALUES ('c0000000-0000-4000-8000-000000000001'::uuid), (pg_temp.v('tx')) $$,
    '... also when paging across where the internal note was'
);
SELECT is_empty(
    $$ SELECT * FROM crm.historico_cliente(pg_temp.v('c2')) $$,
    'a client sees nothing of another client''s history'
);

-- ---------------------------------------------------------------------------------------------
-- Everyone else
-- ---------------------------------------------------------------------------------------------
SELECT tests.authenticate_as(pg_temp.v('staff_b'));
SELECT is_empty(
    $$ SELECT * FROM crm.historico_cliente(pg_temp.v('c1')) $$,
    'staff (even an admin) of another office see nothing'
);
SELECT tests.authenticate_as(pg_temp.v('inativo'));
SELECT is_empty(
    $$ SELECT * FROM crm.historico_cliente(pg_temp.v('c1')) $$,
    'inactive staff of the office see nothing'
);
SELECT tests.authenticate_as(pg_temp.v('login_c2'));
SELECT is_empty(
    $$ SELECT * FROM crm.historico_cliente(pg_temp.v('c1')) $$,
    'another client of the same office sees nothing'
);
SELECT tests.authenticate_as_anon();
SELECT throws_ok(
    $$ SELECT * FROM crm.historico_cliente(pg_temp.v('c1')) $$,
    '42501', NULL,
    'anon may not execute historico_cliente'
);
SELECT tests.authenticate_as_service_role();
SELECT results_eq(
    $$ SELECT * FROM crm.historico_cliente(pg_temp.v('c1')) $$,
    $$ SELECT * FROM esperado ORDER BY ocorrido_em DESC $$,
    'service_role sees the whole history'
);
SELECT tests.clear_authentication();

-- Deactivating the member takes effect immediately.
UPDATE crm.equipe SET ativo = false WHERE user_id = pg_temp.v('staff');
SELECT tests.authenticate_as(pg_temp.v('staff'));
SELECT is_empty(
    $$ SELECT * FROM crm.historico_cliente(pg_temp.v('c1')) $$,
    'a member who was deactivated no longer sees the history'
);
SELECT tests.clear_authentication();

-- ---------------------------------------------------------------------------------------------
-- Definition
-- ---------------------------------------------------------------------------------------------
SELECT has_function('crm', 'historico_cliente', ARRAY['uuid', 'timestamp with time zone', 'integer'],
                    'crm.historico_cliente(uuid, timestamptz, integer) exists');
SELECT function_returns('crm', 'historico_cliente', ARRAY['uuid', 'timestamp with time zone', 'integer'],
                        'setof record', 'it returns a set of rows');
SELECT results_eq(
    $$ SELECT unnest(p.proargnames)::text COLLATE "default", unnest(p.proargmodes)::text COLLATE "default"
       FROM pg_catalog.pg_proc AS p WHERE p.oid = 'crm.historico_cliente(uuid, timestamptz, integer)'::regprocedure $$,
    $$ VALUES ('cliente_id', 'i'), ('antes', 'i'), ('limite', 'i'), ('ocorrido_em', 't'), ('tipo', 't'),
              ('ticket_id', 't'), ('referencia_id', 't'), ('resumo', 't') $$,
    'contract argument and column names, in order'
);
SELECT is(
    (SELECT pg_catalog.pg_get_function_arguments('crm.historico_cliente(uuid, timestamptz, integer)'::regprocedure)),
    'cliente_id uuid, antes timestamp with time zone DEFAULT NULL::timestamp with time zone, limite integer DEFAULT 100',
    'antes defaults to NULL and limite to the configured history_page_size'
);
SELECT is_definer('crm', 'historico_cliente', ARRAY['uuid', 'timestamp with time zone', 'integer'],
                  'historico_cliente is SECURITY DEFINER');
SELECT ok(
    (SELECT p.proconfig = ARRAY['search_path=pg_catalog, pg_temp'] FROM pg_catalog.pg_proc AS p
     WHERE p.oid = 'crm.historico_cliente(uuid, timestamptz, integer)'::regprocedure),
    'historico_cliente pins search_path = pg_catalog, pg_temp'
);
SELECT function_privs_are('crm', 'historico_cliente', ARRAY['uuid', 'timestamp with time zone', 'integer'],
                          'authenticated', ARRAY['EXECUTE'], 'authenticated may execute historico_cliente');
SELECT function_privs_are('private', 'eventos_do_cliente',
                          ARRAY['uuid', 'timestamp with time zone', 'timestamp with time zone', 'integer', 'boolean'],
                          'authenticated', ARRAY[]::text[], 'the unchecked reader is not executable by API roles');
SELECT isnt(
    pg_catalog.obj_description('crm.historico_cliente(uuid, timestamptz, integer)'::regprocedure, 'pg_proc'),
    NULL,
    'historico_cliente carries a COMMENT'
);

SELECT * FROM finish();
ROLLBACK;
