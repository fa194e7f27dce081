-- Domain schema (migrations/0001..0006): schemas, tables, contract columns, keys, CHECK
-- domains, tenant isolation by composite foreign keys, indexes, RLS switched on, grants and
-- catalog comments.
--
-- This suite tests what the SCHEMA guarantees whoever writes a row, so it runs as the
-- superuser (RLS does not apply) and disables the user triggers of the domain tables inside its
-- transaction (ALTER TABLE ... DISABLE TRIGGER USER, undone by the final ROLLBACK): tenant
-- derivation, numbering, broadcasts and audit are tested by their own suites, and here a
-- refusal must come from the constraint under test. Foreign keys are internal triggers and
-- stay enabled.
--
-- Fixture ids (literal, so the file also runs outside psql):
--   offices   A a0000000-0000-4000-8000-000000000000   B b0000000-0000-4000-8000-000000000000
--   logins    staff A ...0a1, staff B ...0b1, client A1 ...0a2, spare ...0a3 / ...0a4
--             (prefix 00000000-0000-4000-8000-000000000)
--   clients   A1 c...0a1, A2 c...0a2 (office A), B1 c...0b1 (office B)
--   sessions  A1 5...0a1 (ativa), B1 5...0b1 (ativa)       log lines 900001, 900002 (A1), 900101 (B1)
--   tickets   A1 7...0a1 (numero 1, session A1, staff A), A2 7...0a2 (numero 2), B1 7...0b1 (numero 1)
BEGIN;
SELECT plan(262);

-- =============================================================================================
-- Schemas and who may enter them
-- =============================================================================================
SELECT has_schema('crm', 'schema crm exists');
SELECT has_schema('tickets', 'schema tickets exists');
SELECT has_schema('balcao_virtual', 'schema balcao_virtual exists');
SELECT has_schema('audit', 'schema audit exists');
SELECT has_schema('private', 'schema private exists');

SELECT schema_privs_are('crm', 'authenticated', ARRAY['USAGE'], 'authenticated may use crm');
SELECT schema_privs_are('tickets', 'authenticated', ARRAY['USAGE'], 'authenticated may use tickets');
SELECT schema_privs_are('balcao_virtual', 'authenticated', ARRAY['USAGE'], 'authenticated may use balcao_virtual');
SELECT schema_privs_are('private', 'authenticated', ARRAY['USAGE'], 'authenticated may use private (policy helpers)');
SELECT schema_privs_are('audit', 'authenticated', ARRAY[]::text[], 'authenticated may not enter audit');
SELECT schema_privs_are('crm', 'service_role', ARRAY['USAGE'], 'service_role may use crm');
SELECT schema_privs_are('tickets', 'service_role', ARRAY['USAGE'], 'service_role may use tickets');
SELECT schema_privs_are('balcao_virtual', 'service_role', ARRAY['USAGE'], 'service_role may use balcao_virtual');
SELECT schema_privs_are('private', 'service_role', ARRAY['USAGE'], 'service_role may use private');
SELECT schema_privs_are('audit', 'service_role', ARRAY['USAGE'], 'service_role may use audit');

SELECT is_empty(
    $$ SELECT n.nspname, a.privilege_type
       FROM pg_catalog.pg_namespace AS n
       CROSS JOIN LATERAL pg_catalog.aclexplode(n.nspacl) AS a
       WHERE n.nspname IN ('crm', 'tickets', 'balcao_virtual', 'audit', 'private')
         AND (a.grantee = 0 OR a.grantee = 'anon'::regrole) $$,
    'anon and PUBLIC hold no privilege on the domain schemas'
);
SELECT is_empty(
    $$ SELECT nspname FROM pg_catalog.pg_namespace
       WHERE nspname IN ('crm', 'tickets', 'balcao_virtual', 'audit', 'private')
         AND pg_catalog.obj_description(oid, 'pg_namespace') IS NULL $$,
    'every domain schema has a COMMENT'
);

-- =============================================================================================
-- Tables and primary keys
-- =============================================================================================
SELECT has_table('crm', 'escritorios', 'crm.escritorios exists');
SELECT has_table('crm', 'equipe', 'crm.equipe exists');
SELECT has_table('crm', 'clientes', 'crm.clientes exists');
SELECT has_table('crm', 'documentos', 'crm.documentos exists');
SELECT has_table('tickets', 'tickets', 'tickets.tickets exists');
SELECT has_table('tickets', 'ticket_comments', 'tickets.ticket_comments exists');
SELECT has_table('tickets', 'chat_mensagens', 'tickets.chat_mensagens exists');
SELECT has_table('tickets', 'numeracao', 'tickets.numeracao exists');
SELECT has_table('balcao_virtual', 'sessoes_ativas', 'balcao_virtual.sessoes_ativas exists');
SELECT has_table('balcao_virtual', 'logs_conversas', 'balcao_virtual.logs_conversas exists');
SELECT has_table('audit', 'eventos', 'audit.eventos exists');

SELECT col_is_pk('crm', 'escritorios', ARRAY['id'], 'crm.escritorios: pk (id)');
SELECT col_is_pk('crm', 'equipe', ARRAY['escritorio_id', 'user_id'], 'crm.equipe: pk (escritorio_id, user_id)');
SELECT col_is_pk('crm', 'clientes', ARRAY['id'], 'crm.clientes: pk (id)');
SELECT col_is_pk('crm', 'documentos', ARRAY['id'], 'crm.documentos: pk (id)');
SELECT col_is_pk('tickets', 'tickets', ARRAY['id'], 'tickets.tickets: pk (id)');
SELECT col_is_pk('tickets', 'ticket_comments', ARRAY['id'], 'tickets.ticket_comments: pk (id)');
SELECT col_is_pk('tickets', 'chat_mensagens', ARRAY['id'], 'tickets.chat_mensagens: pk (id)');
SELECT col_is_pk('tickets', 'numeracao', ARRAY['escritorio_id'], 'tickets.numeracao: pk (escritorio_id)');
SELECT col_is_pk('balcao_virtual', 'sessoes_ativas', ARRAY['id'], 'balcao_virtual.sessoes_ativas: pk (id)');
SELECT col_is_pk('balcao_virtual', 'logs_conversas', ARRAY['id'], 'balcao_virtual.logs_conversas: pk (id)');
SELECT col_is_pk('audit', 'eventos', ARRAY['id'], 'audit.eventos: pk (id)');

-- =============================================================================================
-- Contract columns and their types (ARCHITECTURE section 5)
-- =============================================================================================
-- crm.escritorios
SELECT col_type_is('crm', 'escritorios', 'id', 'uuid', 'crm.escritorios.id is uuid');
SELECT col_type_is('crm', 'escritorios', 'nome', 'text', 'crm.escritorios.nome is text');
-- crm.equipe
SELECT col_type_is('crm', 'equipe', 'escritorio_id', 'uuid', 'crm.equipe.escritorio_id is uuid');
SELECT col_type_is('crm', 'equipe', 'user_id', 'uuid', 'crm.equipe.user_id is uuid');
SELECT col_type_is('crm', 'equipe', 'papel', 'text', 'crm.equipe.papel is text');
SELECT col_type_is('crm', 'equipe', 'ativo', 'boolean', 'crm.equipe.ativo is boolean');
-- crm.clientes
SELECT col_type_is('crm', 'clientes', 'id', 'uuid', 'crm.clientes.id is uuid');
SELECT col_type_is('crm', 'clientes', 'escritorio_id', 'uuid', 'crm.clientes.escritorio_id is uuid');
SELECT col_type_is('crm', 'clientes', 'user_id', 'uuid', 'crm.clientes.user_id is uuid');
SELECT col_type_is('crm', 'clientes', 'nome', 'text', 'crm.clientes.nome is text');
SELECT col_type_is('crm', 'clientes', 'email', 'text', 'crm.clientes.email is text');
SELECT col_type_is('crm', 'clientes', 'documento', 'text', 'crm.clientes.documento is text');
SELECT col_type_is('crm', 'clientes', 'telefone', 'text', 'crm.clientes.telefone is text');
SELECT col_type_is('crm', 'clientes', 'created_at', 'timestamp with time zone', 'crm.clientes.created_at is timestamp with time zone');
SELECT col_type_is('crm', 'clientes', 'updated_at', 'timestamp with time zone', 'crm.clientes.updated_at is timestamp with time zone');
-- crm.documentos
SELECT col_type_is('crm', 'documentos', 'id', 'uuid', 'crm.documentos.id is uuid');
SELECT col_type_is('crm', 'documentos', 'escritorio_id', 'uuid', 'crm.documentos.escritorio_id is uuid');
SELECT col_type_is('crm', 'documentos', 'cliente_id', 'uuid', 'crm.documentos.cliente_id is uuid');
SELECT col_type_is('crm', 'documentos', 'ticket_id', 'uuid', 'crm.documentos.ticket_id is uuid');
SELECT col_type_is('crm', 'documentos', 'nome_arquivo', 'text', 'crm.documentos.nome_arquivo is text');
SELECT col_type_is('crm', 'documentos', 'storage_path', 'text', 'crm.documentos.storage_path is text');
SELECT col_type_is('crm', 'documentos', 'mime_type', 'text', 'crm.documentos.mime_type is text');
SELECT col_type_is('crm', 'documentos', 'tamanho_bytes', 'bigint', 'crm.documentos.tamanho_bytes is bigint');
SELECT col_type_is('crm', 'documentos', 'enviado_por', 'uuid', 'crm.documentos.enviado_por is uuid');
SELECT col_type_is('crm', 'documentos', 'created_at', 'timestamp with time zone', 'crm.documentos.created_at is timestamp with time zone');
-- tickets.tickets
SELECT col_type_is('tickets', 'tickets', 'id', 'uuid', 'tickets.tickets.id is uuid');
SELECT col_type_is('tickets', 'tickets', 'escritorio_id', 'uuid', 'tickets.tickets.escritorio_id is uuid');
SELECT col_type_is('tickets', 'tickets', 'cliente_id', 'uuid', 'tickets.tickets.cliente_id is uuid');
SELECT col_type_is('tickets', 'tickets', 'numero', 'integer', 'tickets.tickets.numero is integer');
SELECT col_type_is('tickets', 'tickets', 'titulo', 'text', 'tickets.tickets.titulo is text');
SELECT col_type_is('tickets', 'tickets', 'descricao', 'text', 'tickets.tickets.descricao is text');
SELECT col_type_is('tickets', 'tickets', 'prioridade', 'text', 'tickets.tickets.prioridade is text');
SELECT col_type_is('tickets', 'tickets', 'status', 'text', 'tickets.tickets.status is text');
SELECT col_type_is('tickets', 'tickets', 'categoria', 'text', 'tickets.tickets.categoria is text');
SELECT col_type_is('tickets', 'tickets', 'sessao_balcao_id', 'uuid', 'tickets.tickets.sessao_balcao_id is uuid');
SELECT col_type_is('tickets', 'tickets', 'criado_por', 'uuid', 'tickets.tickets.criado_por is uuid');
SELECT col_type_is('tickets', 'tickets', 'responsavel_id', 'uuid', 'tickets.tickets.responsavel_id is uuid');
SELECT col_type_is('tickets', 'tickets', 'created_at', 'timestamp with time zone', 'tickets.tickets.created_at is timestamp with time zone');
SELECT col_type_is('tickets', 'tickets', 'updated_at', 'timestamp with time zone', 'tickets.tickets.updated_at is timestamp with time zone');
SELECT col_type_is('tickets', 'tickets', 'primeira_resposta_em', 'timestamp with time zone', 'tickets.tickets.primeira_resposta_em is timestamp with time zone');
SELECT col_type_is('tickets', 'tickets', 'resolvido_em', 'timestamp with time zone', 'tickets.tickets.resolvido_em is timestamp with time zone');
SELECT col_type_is('tickets', 'tickets', 'fechado_em', 'timestamp with time zone', 'tickets.tickets.fechado_em is timestamp with time zone');
-- tickets.ticket_comments
SELECT col_type_is('tickets', 'ticket_comments', 'id', 'uuid', 'tickets.ticket_comments.id is uuid');
SELECT col_type_is('tickets', 'ticket_comments', 'ticket_id', 'uuid', 'tickets.ticket_comments.ticket_id is uuid');
SELECT col_type_is('tickets', 'ticket_comments', 'escritorio_id', 'uuid', 'tickets.ticket_comments.escritorio_id is uuid');
SELECT col_type_is('tickets', 'ticket_comments', 'autor_id', 'uuid', 'tickets.ticket_comments.autor_id is uuid');
SELECT col_type_is('tickets', 'ticket_comments', 'autor_tipo', 'text', 'tickets.ticket_comments.autor_tipo is text');
SELECT col_type_is('tickets', 'ticket_comments', 'conteudo', 'text', 'tickets.ticket_comments.conteudo is text');
SELECT col_type_is('tickets', 'ticket_comments', 'interno', 'boolean', 'tickets.ticket_comments.interno is boolean');
SELECT col_type_is('tickets', 'ticket_comments', 'origem', 'text', 'tickets.ticket_comments.origem is text');
SELECT col_type_is('tickets', 'ticket_comments', 'balcao_log_id', 'bigint', 'tickets.ticket_comments.balcao_log_id is bigint');
SELECT col_type_is('tickets', 'ticket_comments', 'created_at', 'timestamp with time zone', 'tickets.ticket_comments.created_at is timestamp with time zone');
-- tickets.chat_mensagens
SELECT col_type_is('tickets', 'chat_mensagens', 'id', 'uuid', 'tickets.chat_mensagens.id is uuid');
SELECT col_type_is('tickets', 'chat_mensagens', 'ticket_id', 'uuid', 'tickets.chat_mensagens.ticket_id is uuid');
SELECT col_type_is('tickets', 'chat_mensagens', 'escritorio_id', 'uuid', 'tickets.chat_mensagens.escritorio_id is uuid');
SELECT col_type_is('tickets', 'chat_mensagens', 'autor_id', 'uuid', 'tickets.chat_mensagens.autor_id is uuid');
SELECT col_type_is('tickets', 'chat_mensagens', 'autor_tipo', 'text', 'tickets.chat_mensagens.autor_tipo is text');
SELECT col_type_is('tickets', 'chat_mensagens', 'conteudo', 'text', 'tickets.chat_mensagens.conteudo is text');
SELECT col_type_is('tickets', 'chat_mensagens', 'enviado_em', 'timestamp with time zone', 'tickets.chat_mensagens.enviado_em is timestamp with time zone');
-- tickets.numeracao
SELECT col_type_is('tickets', 'numeracao', 'escritorio_id', 'uuid', 'tickets.numeracao.escritorio_id is uuid');
SELECT col_type_is('tickets', 'numeracao', 'ultimo_numero', 'integer', 'tickets.numeracao.ultimo_numero is integer');
-- balcao_virtual.sessoes_ativas
SELECT col_type_is('balcao_virtual', 'sessoes_ativas', 'id', 'uuid', 'balcao_virtual.sessoes_ativas.id is uuid');
SELECT col_type_is('balcao_virtual', 'sessoes_ativas', 'escritorio_id', 'uuid', 'balcao_virtual.sessoes_ativas.escritorio_id is uuid');
SELECT col_type_is('balcao_virtual', 'sessoes_ativas', 'cliente_id', 'uuid', 'balcao_virtual.sessoes_ativas.cliente_id is uuid');
SELECT col_type_is('balcao_virtual', 'sessoes_ativas', 'atendente_id', 'uuid', 'balcao_virtual.sessoes_ativas.atendente_id is uuid');
SELECT col_type_is('balcao_virtual', 'sessoes_ativas', 'canal', 'text', 'balcao_virtual.sessoes_ativas.canal is text');
SELECT col_type_is('balcao_virtual', 'sessoes_ativas', 'status', 'text', 'balcao_virtual.sessoes_ativas.status is text');
SELECT col_type_is('balcao_virtual', 'sessoes_ativas', 'iniciada_em', 'timestamp with time zone', 'balcao_virtual.sessoes_ativas.iniciada_em is timestamp with time zone');
SELECT col_type_is('balcao_virtual', 'sessoes_ativas', 'encerrada_em', 'timestamp with time zone', 'balcao_virtual.sessoes_ativas.encerrada_em is timestamp with time zone');
-- balcao_virtual.logs_conversas
SELECT col_type_is('balcao_virtual', 'logs_conversas', 'id', 'bigint', 'balcao_virtual.logs_conversas.id is bigint');
SELECT col_type_is('balcao_virtual', 'logs_conversas', 'sessao_id', 'uuid', 'balcao_virtual.logs_conversas.sessao_id is uuid');
SELECT col_type_is('balcao_virtual', 'logs_conversas', 'escritorio_id', 'uuid', 'balcao_virtual.logs_conversas.escritorio_id is uuid');
SELECT col_type_is('balcao_virtual', 'logs_conversas', 'autor_tipo', 'text', 'balcao_virtual.logs_conversas.autor_tipo is text');
SELECT col_type_is('balcao_virtual', 'logs_conversas', 'autor_nome', 'text', 'balcao_virtual.logs_conversas.autor_nome is text');
SELECT col_type_is('balcao_virtual', 'logs_conversas', 'mensagem', 'text', 'balcao_virtual.logs_conversas.mensagem is text');
SELECT col_type_is('balcao_virtual', 'logs_conversas', 'enviado_em', 'timestamp with time zone', 'balcao_virtual.logs_conversas.enviado_em is timestamp with time zone');
-- audit.eventos
SELECT col_type_is('audit', 'eventos', 'id', 'bigint', 'audit.eventos.id is bigint');
SELECT col_type_is('audit', 'eventos', 'ocorrido_em', 'timestamp with time zone', 'audit.eventos.ocorrido_em is timestamp with time zone');
SELECT col_type_is('audit', 'eventos', 'ator_id', 'uuid', 'audit.eventos.ator_id is uuid');
SELECT col_type_is('audit', 'eventos', 'ator_papel', 'text', 'audit.eventos.ator_papel is text');
SELECT col_type_is('audit', 'eventos', 'tabela', 'text', 'audit.eventos.tabela is text');
SELECT col_type_is('audit', 'eventos', 'operacao', 'text', 'audit.eventos.operacao is text');
SELECT col_type_is('audit', 'eventos', 'registro_id', 'text', 'audit.eventos.registro_id is text');
SELECT col_type_is('audit', 'eventos', 'dados_antes', 'jsonb', 'audit.eventos.dados_antes is jsonb');
SELECT col_type_is('audit', 'eventos', 'dados_depois', 'jsonb', 'audit.eventos.dados_depois is jsonb');
SELECT col_type_is('audit', 'eventos', 'escritorio_id', 'uuid', 'audit.eventos.escritorio_id is uuid');

-- =============================================================================================
-- Column properties: tenancy, identities, defaults, optional links, comments
-- =============================================================================================
SELECT is_empty(
    $$ SELECT c.oid::regclass::text
       FROM pg_catalog.pg_class AS c
       WHERE c.relkind = 'r'
         AND c.relnamespace::regnamespace::text IN ('crm', 'tickets', 'balcao_virtual')
         AND c.oid <> 'crm.escritorios'::regclass
         AND NOT EXISTS (
             SELECT FROM pg_catalog.pg_attribute AS a
             WHERE a.attrelid = c.oid AND a.attname = 'escritorio_id'
               AND a.atttypid = 'uuid'::regtype AND a.attnotnull AND NOT a.attisdropped
         ) $$,
    'every tenant table carries escritorio_id uuid NOT NULL'
);
SELECT col_is_null('audit', 'eventos', 'escritorio_id', 'audit.eventos.escritorio_id is nullable (events without an office)');
SELECT results_eq(
    $$ SELECT a.attrelid::regclass::text, a.attidentity::text
       FROM pg_catalog.pg_attribute AS a
       WHERE a.attrelid IN ('balcao_virtual.logs_conversas'::regclass, 'audit.eventos'::regclass)
         AND a.attname = 'id'
       ORDER BY 1 $$,
    $$ VALUES ('audit.eventos', 'a'), ('balcao_virtual.logs_conversas', 'a') $$,
    'logs_conversas.id and eventos.id are GENERATED ALWAYS AS IDENTITY'
);

SELECT col_default_is('tickets', 'tickets', 'prioridade', 'media', 'tickets.prioridade defaults to media');
SELECT col_default_is('tickets', 'tickets', 'status', 'aberto', 'tickets.status defaults to aberto');
SELECT col_default_is('tickets', 'ticket_comments', 'interno', 'false', 'ticket_comments.interno defaults to false');
SELECT col_default_is('balcao_virtual', 'sessoes_ativas', 'canal', 'web', 'sessoes_ativas.canal defaults to web');
SELECT col_default_is('balcao_virtual', 'sessoes_ativas', 'status', 'ativa', 'sessoes_ativas.status defaults to ativa');
SELECT col_default_is('crm', 'equipe', 'ativo', 'true', 'equipe.ativo defaults to true');

SELECT col_not_null('tickets', 'tickets', 'numero', 'tickets.numero is NOT NULL');
SELECT col_is_null('tickets', 'tickets', 'sessao_balcao_id', 'tickets.sessao_balcao_id is optional');
SELECT col_is_null('tickets', 'tickets', 'responsavel_id', 'tickets.responsavel_id is optional');
SELECT col_is_null('tickets', 'tickets', 'criado_por', 'tickets.criado_por is optional (service_role inserts)');
SELECT col_is_null('tickets', 'ticket_comments', 'balcao_log_id', 'ticket_comments.balcao_log_id is optional');
SELECT col_is_null('crm', 'documentos', 'ticket_id', 'documentos.ticket_id is optional');
SELECT col_is_null('crm', 'clientes', 'user_id', 'clientes.user_id is optional (clients without a portal login)');
SELECT col_is_null('balcao_virtual', 'sessoes_ativas', 'atendente_id', 'sessoes_ativas.atendente_id is optional');
SELECT col_is_null('balcao_virtual', 'sessoes_ativas', 'encerrada_em', 'sessoes_ativas.encerrada_em is optional');

SELECT is_empty(
    $$ SELECT c.oid::regclass::text FROM pg_catalog.pg_class AS c
       WHERE c.relkind = 'r'
         AND c.relnamespace::regnamespace::text IN ('crm', 'tickets', 'balcao_virtual', 'audit')
         AND pg_catalog.obj_description(c.oid, 'pg_class') IS NULL $$,
    'every domain table has a COMMENT'
);
SELECT is_empty(
    $$ SELECT c.oid::regclass::text || '.' || a.attname
       FROM pg_catalog.pg_class AS c
       JOIN pg_catalog.pg_attribute AS a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
       WHERE c.relkind = 'r'
         AND c.relnamespace::regnamespace::text IN ('crm', 'tickets', 'balcao_virtual', 'audit')
         AND pg_catalog.col_description(c.oid, a.attnum) IS NULL $$,
    'every column of the domain tables has a COMMENT'
);
SELECT is_empty(
    $$ SELECT conrelid::regclass::text || ' ' || conname FROM pg_catalog.pg_constraint
       WHERE contype = 'c'
         AND connamespace::regnamespace::text IN ('crm', 'tickets', 'balcao_virtual', 'audit')
         AND pg_catalog.obj_description(oid, 'pg_constraint') IS NULL $$,
    'every CHECK constraint has a COMMENT saying what it guarantees'
);

-- =============================================================================================
-- Unique keys
-- =============================================================================================
SELECT col_is_unique('tickets', 'tickets', ARRAY['escritorio_id', 'numero'], 'tickets: numero unique per office');
SELECT col_is_unique(
    'tickets', 'ticket_comments', ARRAY['ticket_id', 'balcao_log_id'],
    'ticket_comments: unique (ticket_id, balcao_log_id), the exactly-once import key'
);
SELECT col_is_unique('crm', 'clientes', ARRAY['user_id'], 'clientes: one portal login, one client');
SELECT col_is_unique('crm', 'clientes', ARRAY['escritorio_id', 'id'], 'clientes: tenant key (escritorio_id, id)');
SELECT col_is_unique('tickets', 'tickets', ARRAY['escritorio_id', 'id'], 'tickets: tenant key (escritorio_id, id)');
SELECT col_is_unique(
    'tickets', 'tickets', ARRAY['escritorio_id', 'cliente_id', 'id'],
    'tickets: key (escritorio_id, cliente_id, id) for documents of the same client'
);
SELECT col_is_unique(
    'balcao_virtual', 'sessoes_ativas', ARRAY['escritorio_id', 'id'], 'sessoes_ativas: tenant key (escritorio_id, id)'
);
SELECT col_is_unique(
    'balcao_virtual', 'logs_conversas', ARRAY['escritorio_id', 'id'], 'logs_conversas: tenant key (escritorio_id, id)'
);
SELECT is(
    pg_catalog.pg_get_indexdef('balcao_virtual.sessoes_ativas_uma_ativa_por_cliente_key'::regclass),
    'CREATE UNIQUE INDEX sessoes_ativas_uma_ativa_por_cliente_key ON balcao_virtual.sessoes_ativas '
    'USING btree (cliente_id) WHERE (status = ''ativa''::text)',
    'sessoes_ativas: partial unique index, one ativa session per client'
);

-- =============================================================================================
-- Foreign keys: composite tenant keys, auth.users links, delete behaviour
-- =============================================================================================
SELECT fk_ok('tickets', 'tickets', ARRAY['escritorio_id', 'cliente_id'],
             'crm', 'clientes', ARRAY['escritorio_id', 'id'], 'tickets -> clientes inside the office');
SELECT fk_ok('tickets', 'tickets', ARRAY['escritorio_id', 'sessao_balcao_id'],
             'balcao_virtual', 'sessoes_ativas', ARRAY['escritorio_id', 'id'], 'tickets -> Balcao session inside the office');
SELECT fk_ok('tickets', 'tickets', ARRAY['escritorio_id', 'responsavel_id'],
             'crm', 'equipe', ARRAY['escritorio_id', 'user_id'], 'tickets -> responsible staff inside the office');
SELECT fk_ok('tickets', 'ticket_comments', ARRAY['escritorio_id', 'ticket_id'],
             'tickets', 'tickets', ARRAY['escritorio_id', 'id'], 'comments -> ticket inside the office');
SELECT fk_ok('tickets', 'ticket_comments', ARRAY['escritorio_id', 'balcao_log_id'],
             'balcao_virtual', 'logs_conversas', ARRAY['escritorio_id', 'id'], 'comments -> Balcao line inside the office');
SELECT fk_ok('tickets', 'chat_mensagens', ARRAY['escritorio_id', 'ticket_id'],
             'tickets', 'tickets', ARRAY['escritorio_id', 'id'], 'chat messages -> ticket inside the office');
SELECT fk_ok('balcao_virtual', 'sessoes_ativas', ARRAY['escritorio_id', 'cliente_id'],
             'crm', 'clientes', ARRAY['escritorio_id', 'id'], 'sessions -> client inside the office');
SELECT fk_ok('balcao_virtual', 'sessoes_ativas', ARRAY['escritorio_id', 'atendente_id'],
             'crm', 'equipe', ARRAY['escritorio_id', 'user_id'], 'sessions -> attending staff inside the office');
SELECT fk_ok('balcao_virtual', 'logs_conversas', ARRAY['escritorio_id', 'sessao_id'],
             'balcao_virtual', 'sessoes_ativas', ARRAY['escritorio_id', 'id'], 'log lines -> session inside the office');
SELECT fk_ok('crm', 'documentos', ARRAY['escritorio_id', 'cliente_id'],
             'crm', 'clientes', ARRAY['escritorio_id', 'id'], 'documents -> client inside the office');
SELECT fk_ok('crm', 'documentos', ARRAY['escritorio_id', 'cliente_id', 'ticket_id'],
             'tickets', 'tickets', ARRAY['escritorio_id', 'cliente_id', 'id'], 'documents -> a ticket of the same client');
SELECT fk_ok('crm', 'equipe', ARRAY['escritorio_id'], 'crm', 'escritorios', ARRAY['id'], 'equipe -> office');
SELECT fk_ok('crm', 'clientes', ARRAY['escritorio_id'], 'crm', 'escritorios', ARRAY['id'], 'clientes -> office');
SELECT fk_ok('tickets', 'numeracao', ARRAY['escritorio_id'], 'crm', 'escritorios', ARRAY['id'], 'numeracao -> office');
SELECT fk_ok('crm', 'equipe', ARRAY['user_id'], 'auth', 'users', ARRAY['id'], 'equipe.user_id -> auth.users');
SELECT fk_ok('crm', 'clientes', ARRAY['user_id'], 'auth', 'users', ARRAY['id'], 'clientes.user_id -> auth.users');
SELECT fk_ok('tickets', 'tickets', ARRAY['criado_por'], 'auth', 'users', ARRAY['id'], 'tickets.criado_por -> auth.users');
SELECT fk_ok('tickets', 'ticket_comments', ARRAY['autor_id'], 'auth', 'users', ARRAY['id'], 'comments.autor_id -> auth.users');
SELECT fk_ok('tickets', 'chat_mensagens', ARRAY['autor_id'], 'auth', 'users', ARRAY['id'], 'chat.autor_id -> auth.users');
SELECT fk_ok('crm', 'documentos', ARRAY['enviado_por'], 'auth', 'users', ARRAY['id'], 'documentos.enviado_por -> auth.users');
SELECT hasnt_fk('audit', 'eventos', 'audit.eventos has no foreign key: the trail survives deletes');
SELECT is_empty(
    $$ SELECT conname FROM pg_catalog.pg_constraint
       WHERE contype = 'f' AND confrelid = 'realtime.messages'::regclass $$,
    'nothing references realtime.messages (its partitions are dropped after 72 h)'
);
SELECT results_eq(
    $$ SELECT c.conname::text COLLATE "default", c.confdeltype::text,
              (SELECT pg_catalog.string_agg(a.attname::text COLLATE "default", ', ' ORDER BY a.attnum)
               FROM pg_catalog.pg_attribute AS a
               WHERE a.attrelid = c.conrelid AND a.attnum = ANY (c.confdelsetcols))
       FROM pg_catalog.pg_constraint AS c
       WHERE c.contype = 'f'
         AND c.connamespace::regnamespace::text IN ('crm', 'tickets', 'balcao_virtual', 'audit')
       ORDER BY 1 $$,
    $$ VALUES
       ('chat_mensagens_autor_fkey', 'n', NULL::text),
       ('chat_mensagens_cliente_ticket_fkey', 'c', NULL),
       ('chat_mensagens_ticket_fkey', 'c', NULL),
       ('clientes_escritorio_fkey', 'a', NULL),
       ('clientes_user_fkey', 'n', NULL),
       ('documentos_cliente_fkey', 'a', NULL),
       ('documentos_enviado_por_fkey', 'n', NULL),
       ('documentos_ticket_fkey', 'n', 'ticket_id'),
       ('equipe_escritorio_fkey', 'a', NULL),
       ('equipe_user_fkey', 'c', NULL),
       ('logs_conversas_sessao_fkey', 'c', NULL),
       ('numeracao_escritorio_fkey', 'c', NULL),
       ('sessoes_ativas_atendente_fkey', 'n', 'atendente_id'),
       ('sessoes_ativas_cliente_fkey', 'a', NULL),
       ('ticket_comments_autor_fkey', 'n', NULL),
       ('ticket_comments_balcao_log_fkey', 'n', 'balcao_log_id'),
       ('ticket_comments_cliente_ticket_fkey', 'c', NULL),
       ('ticket_comments_ticket_fkey', 'c', NULL),
       ('tickets_cliente_fkey', 'a', NULL),
       ('tickets_criado_por_fkey', 'n', NULL),
       ('tickets_responsavel_fkey', 'n', 'responsavel_id'),
       ('tickets_sessao_balcao_fkey', 'n', 'sessao_balcao_id') $$,
    'delete matrix: a = no action, c = cascade, n = set null (composite keys null only the named link column)'
);

-- =============================================================================================
-- Indexes (ARCHITECTURE section 8)
-- =============================================================================================
-- The rule Supabase's advisor (splinter unindexed_foreign_keys) checks: some valid index's
-- leading columns are exactly the foreign key's columns, in order.
SELECT is_empty(
    $$ SELECT c.conrelid::regclass::text || ' ' || c.conname
       FROM pg_catalog.pg_constraint AS c
       WHERE c.contype = 'f'
         AND c.connamespace::regnamespace::text IN ('crm', 'tickets', 'balcao_virtual', 'audit')
         AND NOT EXISTS (
             SELECT FROM pg_catalog.pg_index AS i
             WHERE i.indrelid = c.conrelid AND i.indisvalid
               AND (pg_catalog.string_to_array(i.indkey::text, ' ')::smallint[])[1:pg_catalog.cardinality(c.conkey)]
                   = c.conkey
         ) $$,
    'every foreign key has an index whose leading columns are its columns'
);
SELECT ok(
    EXISTS (
        SELECT FROM pg_catalog.pg_index AS i
        WHERE i.indrelid = 'tickets.tickets'::regclass
          AND (pg_catalog.string_to_array(i.indkey::text, ' ')::smallint[])[1:2] = ARRAY[
              (SELECT attnum FROM pg_catalog.pg_attribute WHERE attrelid = i.indrelid AND attname = 'escritorio_id'),
              (SELECT attnum FROM pg_catalog.pg_attribute WHERE attrelid = i.indrelid AND attname = 'cliente_id')
          ]
    ),
    'tickets: an index leads with (escritorio_id, cliente_id) for policies'
);
SELECT is(
    pg_catalog.pg_get_indexdef('crm.equipe_user_id_idx'::regclass),
    'CREATE INDEX equipe_user_id_idx ON crm.equipe USING btree (user_id)',
    'equipe (user_id): membership lookup by auth.uid()'
);
SELECT is(
    pg_catalog.pg_get_indexdef('tickets.tickets_escritorio_status_idx'::regclass),
    'CREATE INDEX tickets_escritorio_status_idx ON tickets.tickets USING btree (escritorio_id, status)',
    'tickets (escritorio_id, status): office queue'
);
SELECT is(
    pg_catalog.pg_get_indexdef('tickets.tickets_cliente_created_idx'::regclass),
    'CREATE INDEX tickets_cliente_created_idx ON tickets.tickets USING btree (cliente_id, created_at DESC)',
    'tickets (cliente_id, created_at desc): a client''s tickets newest first'
);
SELECT is(
    pg_catalog.pg_get_indexdef('tickets.ticket_comments_ticket_created_idx'::regclass),
    'CREATE INDEX ticket_comments_ticket_created_idx ON tickets.ticket_comments USING btree (ticket_id, created_at, id)',
    'ticket_comments (ticket_id, created_at, id): the thread in order'
);
SELECT is(
    pg_catalog.pg_get_indexdef('tickets.chat_mensagens_ticket_enviado_idx'::regclass),
    'CREATE INDEX chat_mensagens_ticket_enviado_idx ON tickets.chat_mensagens USING btree (ticket_id, enviado_em DESC, id)',
    'chat_mensagens (ticket_id, enviado_em desc, id): chat history pages'
);
SELECT is(
    pg_catalog.pg_get_indexdef('balcao_virtual.logs_conversas_sessao_id_idx'::regclass),
    'CREATE INDEX logs_conversas_sessao_id_idx ON balcao_virtual.logs_conversas USING btree (sessao_id, id)',
    'logs_conversas (sessao_id, id): a session''s lines in log order'
);
SELECT is(
    pg_catalog.pg_get_indexdef('balcao_virtual.sessoes_ativas_cliente_iniciada_idx'::regclass),
    'CREATE INDEX sessoes_ativas_cliente_iniciada_idx ON balcao_virtual.sessoes_ativas USING btree (cliente_id, iniciada_em DESC)',
    'sessoes_ativas (cliente_id, iniciada_em desc): a client''s sessions newest first'
);
SELECT is(
    pg_catalog.pg_get_indexdef('crm.documentos_cliente_created_idx'::regclass),
    'CREATE INDEX documentos_cliente_created_idx ON crm.documentos USING btree (cliente_id, created_at DESC)',
    'documentos (cliente_id, created_at desc): a client''s documents newest first'
);
SELECT is(
    pg_catalog.pg_get_indexdef('crm.documentos_ticket_id_idx'::regclass),
    'CREATE INDEX documentos_ticket_id_idx ON crm.documentos USING btree (ticket_id) WHERE (ticket_id IS NOT NULL)',
    'documentos (ticket_id): the documents of a ticket'
);
SELECT is(
    pg_catalog.pg_get_indexdef('audit.eventos_escritorio_ocorrido_idx'::regclass),
    'CREATE INDEX eventos_escritorio_ocorrido_idx ON audit.eventos USING btree (escritorio_id, ocorrido_em DESC)',
    'eventos (escritorio_id, ocorrido_em desc): an office''s trail newest first'
);
SELECT is(
    pg_catalog.pg_get_indexdef('audit.eventos_tabela_registro_idx'::regclass),
    'CREATE INDEX eventos_tabela_registro_idx ON audit.eventos USING btree (tabela, registro_id)',
    'eventos (tabela, registro_id): the history of one row'
);

-- =============================================================================================
-- Row level security: on (not forced) for every table, from the migration that creates it
-- =============================================================================================
SELECT results_eq(
    $$ SELECT c.oid::regclass::text, c.relrowsecurity, c.relforcerowsecurity
       FROM pg_catalog.pg_class AS c
       WHERE c.relkind IN ('r', 'p')
         AND c.relnamespace::regnamespace::text IN ('crm', 'tickets', 'balcao_virtual', 'audit', 'private')
       ORDER BY 1 $$,
    $$ VALUES
       ('audit.eventos', true, false),
       ('balcao_virtual.logs_conversas', true, false),
       ('balcao_virtual.sessoes_ativas', true, false),
       ('crm.clientes', true, false),
       ('crm.documentos', true, false),
       ('crm.equipe', true, false),
       ('crm.escritorios', true, false),
       ('tickets.chat_mensagens', true, false),
       ('tickets.numeracao', true, false),
       ('tickets.ticket_comments', true, false),
       ('tickets.tickets', true, false) $$,
    'RLS is enabled (not forced) on every domain table, and these are all the tables'
);

-- =============================================================================================
-- Privileges: the most each API role may ever do (RLS and triggers narrow it per row)
-- =============================================================================================
SELECT table_privs_are('crm', 'escritorios', 'authenticated', ARRAY['SELECT'], 'authenticated: escritorios SELECT');
SELECT table_privs_are('crm', 'equipe', 'authenticated', ARRAY['SELECT'], 'authenticated: equipe SELECT');
SELECT table_privs_are('crm', 'clientes', 'authenticated', ARRAY['SELECT', 'UPDATE'], 'authenticated: clientes SELECT, UPDATE');
SELECT table_privs_are('crm', 'documentos', 'authenticated', ARRAY['SELECT', 'INSERT'], 'authenticated: documentos SELECT, INSERT');
SELECT table_privs_are(
    'tickets', 'tickets', 'authenticated', ARRAY['SELECT', 'INSERT', 'UPDATE'], 'authenticated: tickets SELECT, INSERT, UPDATE'
);
SELECT table_privs_are(
    'tickets', 'ticket_comments', 'authenticated', ARRAY['SELECT', 'INSERT'], 'authenticated: ticket_comments SELECT, INSERT'
);
SELECT table_privs_are('tickets', 'chat_mensagens', 'authenticated', ARRAY['SELECT'], 'authenticated: chat_mensagens SELECT');
SELECT table_privs_are('tickets', 'numeracao', 'authenticated', ARRAY[]::text[], 'authenticated: nothing on numeracao');
SELECT table_privs_are(
    'balcao_virtual', 'sessoes_ativas', 'authenticated', ARRAY['SELECT'], 'authenticated: sessoes_ativas SELECT'
);
SELECT table_privs_are(
    'balcao_virtual', 'logs_conversas', 'authenticated', ARRAY['SELECT'], 'authenticated: logs_conversas SELECT'
);
SELECT table_privs_are('audit', 'eventos', 'authenticated', ARRAY[]::text[], 'authenticated: nothing on audit.eventos');

SELECT table_privs_are(
    'crm', 'escritorios', 'service_role',
    ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER'], 'service_role: ALL on escritorios'
);
SELECT table_privs_are(
    'crm', 'equipe', 'service_role',
    ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER'], 'service_role: ALL on equipe'
);
SELECT table_privs_are(
    'crm', 'clientes', 'service_role',
    ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER'], 'service_role: ALL on clientes'
);
SELECT table_privs_are(
    'crm', 'documentos', 'service_role',
    ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER'], 'service_role: ALL on documentos'
);
SELECT table_privs_are(
    'tickets', 'tickets', 'service_role',
    ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER'], 'service_role: ALL on tickets'
);
SELECT table_privs_are(
    'tickets', 'ticket_comments', 'service_role',
    ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER'], 'service_role: ALL on ticket_comments'
);
SELECT table_privs_are(
    'tickets', 'chat_mensagens', 'service_role',
    ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER'], 'service_role: ALL on chat_mensagens'
);
SELECT table_privs_are(
    'tickets', 'numeracao', 'service_role',
    ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER'], 'service_role: ALL on numeracao'
);
SELECT table_privs_are(
    'balcao_virtual', 'sessoes_ativas', 'service_role',
    ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER'], 'service_role: ALL on sessoes_ativas'
);
SELECT table_privs_are(
    'balcao_virtual', 'logs_conversas', 'service_role',
    ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER'], 'service_role: ALL on logs_conversas'
);
SELECT table_privs_are(
    'audit', 'eventos', 'service_role', ARRAY['SELECT', 'INSERT'],
    'service_role: only SELECT, INSERT on audit.eventos (append-only, no UPDATE/DELETE/TRUNCATE)'
);

SELECT is_empty(
    $$ SELECT c.oid::regclass::text, a.privilege_type
       FROM pg_catalog.pg_class AS c
       CROSS JOIN LATERAL pg_catalog.aclexplode(c.relacl) AS a
       WHERE c.relnamespace::regnamespace::text IN ('crm', 'tickets', 'balcao_virtual', 'audit', 'private')
         AND (a.grantee = 0 OR a.grantee = 'anon'::regrole) $$,
    'anon and PUBLIC hold no privilege on any domain table or sequence'
);
SELECT is_empty(
    $$ SELECT c.oid::regclass::text, p.privilege
       FROM pg_catalog.pg_class AS c
       CROSS JOIN (VALUES ('DELETE'), ('TRUNCATE')) AS p (privilege)
       WHERE c.relkind = 'r'
         AND c.relnamespace::regnamespace::text IN ('crm', 'tickets', 'balcao_virtual', 'audit')
         AND pg_catalog.has_table_privilege('authenticated', c.oid, p.privilege) $$,
    'authenticated may DELETE or TRUNCATE nothing: state changes instead'
);
SELECT sequence_privs_are(
    'balcao_virtual', 'logs_conversas_id_seq', 'service_role', ARRAY['USAGE', 'SELECT'],
    'service_role: USAGE, SELECT on the log id sequence (no setval)'
);
SELECT sequence_privs_are(
    'audit', 'eventos_id_seq', 'service_role', ARRAY['USAGE', 'SELECT'],
    'service_role: USAGE, SELECT on the audit id sequence (no setval)'
);
SELECT is_empty(
    $$ SELECT c.oid::regclass::text, a.privilege_type
       FROM pg_catalog.pg_class AS c
       CROSS JOIN LATERAL pg_catalog.aclexplode(c.relacl) AS a
       WHERE c.relkind = 'S'
         AND c.relnamespace::regnamespace::text IN ('crm', 'tickets', 'balcao_virtual', 'audit')
         AND a.grantee = 'authenticated'::regrole $$,
    'authenticated holds no privilege on the identity sequences'
);

-- =============================================================================================
-- Fixture (superuser, user triggers off; see the header)
-- =============================================================================================
ALTER TABLE crm.escritorios DISABLE TRIGGER USER;
ALTER TABLE crm.equipe DISABLE TRIGGER USER;
ALTER TABLE crm.clientes DISABLE TRIGGER USER;
ALTER TABLE crm.documentos DISABLE TRIGGER USER;
ALTER TABLE tickets.numeracao DISABLE TRIGGER USER;
ALTER TABLE tickets.tickets DISABLE TRIGGER USER;
ALTER TABLE tickets.ticket_comments DISABLE TRIGGER USER;
ALTER TABLE tickets.chat_mensagens DISABLE TRIGGER USER;
ALTER TABLE balcao_virtual.sessoes_ativas DISABLE TRIGGER USER;
ALTER TABLE balcao_virtual.logs_conversas DISABLE TRIGGER USER;
ALTER TABLE audit.eventos DISABLE TRIGGER USER;

INSERT INTO auth.users (id, email) VALUES
    ('00000000-0000-4000-8000-0000000000a1', 'staff-a@domain-schema.test'),
    ('00000000-0000-4000-8000-0000000000b1', 'staff-b@domain-schema.test'),
    ('00000000-0000-4000-8000-0000000000a2', 'client-a1@domain-schema.test'),
    ('00000000-0000-4000-8000-0000000000a3', 'spare-1@domain-schema.test'),
    ('00000000-0000-4000-8000-0000000000a4', 'spare-2@domain-schema.test');

INSERT INTO crm.escritorios (id, nome) VALUES
    ('a0000000-0000-4000-8000-000000000000', 'Escritorio A'),
    ('b0000000-0000-4000-8000-000000000000', 'Escritorio B');

INSERT INTO crm.equipe (escritorio_id, user_id, papel) VALUES
    ('a0000000-0000-4000-8000-000000000000', '00000000-0000-4000-8000-0000000000a1', 'atendente'),
    ('b0000000-0000-4000-8000-000000000000', '00000000-0000-4000-8000-0000000000b1', 'atendente');

INSERT INTO crm.clientes (id, escritorio_id, user_id, nome) VALUES
    ('c0000000-0000-4000-8000-0000000000a1', 'a0000000-0000-4000-8000-000000000000',
     '00000000-0000-4000-8000-0000000000a2', 'Cliente A1'),
    ('c0000000-0000-4000-8000-0000000000a2', 'a0000000-0000-4000-8000-000000000000', NULL, 'Cliente A2'),
    ('c0000000-0000-4000-8000-0000000000b1', 'b0000000-0000-4000-8000-000000000000', NULL, 'Cliente B1');

INSERT INTO balcao_virtual.sessoes_ativas (id, escritorio_id, cliente_id, atendente_id) VALUES
    ('50000000-0000-4000-8000-0000000000a1', 'a0000000-0000-4000-8000-000000000000',
     'c0000000-0000-4000-8000-0000000000a1', '00000000-0000-4000-8000-0000000000a1'),
    ('50000000-0000-4000-8000-0000000000b1', 'b0000000-0000-4000-8000-000000000000',
     'c0000000-0000-4000-8000-0000000000b1', NULL);

INSERT INTO balcao_virtual.logs_conversas (id, sessao_id, escritorio_id, autor_tipo, mensagem)
OVERRIDING SYSTEM VALUE VALUES
    (900001, '50000000-0000-4000-8000-0000000000a1', 'a0000000-0000-4000-8000-000000000000', 'cliente', 'Ola'),
    (900002, '50000000-0000-4000-8000-0000000000a1', 'a0000000-0000-4000-8000-000000000000', 'bot', 'Em que posso ajudar?'),
    (900101, '50000000-0000-4000-8000-0000000000b1', 'b0000000-0000-4000-8000-000000000000', 'cliente', 'Bom dia');

INSERT INTO tickets.tickets (id, escritorio_id, cliente_id, numero, titulo, sessao_balcao_id, responsavel_id) VALUES
    ('70000000-0000-4000-8000-0000000000a1', 'a0000000-0000-4000-8000-000000000000',
     'c0000000-0000-4000-8000-0000000000a1', 1, 'Ticket A1',
     '50000000-0000-4000-8000-0000000000a1', '00000000-0000-4000-8000-0000000000a1'),
    ('70000000-0000-4000-8000-0000000000a2', 'a0000000-0000-4000-8000-000000000000',
     'c0000000-0000-4000-8000-0000000000a2', 2, 'Ticket A2', NULL, NULL),
    ('70000000-0000-4000-8000-0000000000b1', 'b0000000-0000-4000-8000-000000000000',
     'c0000000-0000-4000-8000-0000000000b1', 1, 'Ticket B1', NULL, NULL);

INSERT INTO tickets.ticket_comments (ticket_id, escritorio_id, autor_tipo, conteudo, origem, balcao_log_id) VALUES
    ('70000000-0000-4000-8000-0000000000a1', 'a0000000-0000-4000-8000-000000000000',
     'cliente', 'Ola', 'balcao_virtual', 900001);

INSERT INTO tickets.chat_mensagens (ticket_id, escritorio_id, autor_id, autor_tipo, conteudo) VALUES
    ('70000000-0000-4000-8000-0000000000a1', 'a0000000-0000-4000-8000-000000000000',
     '00000000-0000-4000-8000-0000000000a2', 'cliente', 'Alguem ai?');

INSERT INTO crm.documentos (escritorio_id, cliente_id, ticket_id, nome_arquivo, storage_path) VALUES
    ('a0000000-0000-4000-8000-000000000000', 'c0000000-0000-4000-8000-0000000000a1',
     '70000000-0000-4000-8000-0000000000a1', 'contrato.pdf', 'a/c1/contrato.pdf');

-- =============================================================================================
-- CHECK domains: every listed value is accepted, anything else is refused (23514)
-- =============================================================================================
SELECT lives_ok(
    $$ INSERT INTO tickets.tickets (escritorio_id, cliente_id, numero, titulo, prioridade, status, categoria) VALUES
       ('a0000000-0000-4000-8000-000000000000', 'c0000000-0000-4000-8000-0000000000a2', 10, 't', 'baixa', 'aberto', 'fiscal'),
       ('a0000000-0000-4000-8000-000000000000', 'c0000000-0000-4000-8000-0000000000a2', 11, 't', 'media', 'em_atendimento', NULL),
       ('a0000000-0000-4000-8000-000000000000', 'c0000000-0000-4000-8000-0000000000a2', 12, 't', 'alta', 'aguardando_cliente', NULL),
       ('a0000000-0000-4000-8000-000000000000', 'c0000000-0000-4000-8000-0000000000a2', 13, 't', 'urgente', 'resolvido', NULL),
       ('a0000000-0000-4000-8000-000000000000', 'c0000000-0000-4000-8000-0000000000a2', 14, 't', 'media', 'fechado', NULL) $$,
    'tickets accept every prioridade and every status'
);
SELECT throws_ok(
    $$ INSERT INTO tickets.tickets (escritorio_id, cliente_id, numero, titulo, prioridade)
       VALUES ('a0000000-0000-4000-8000-000000000000', 'c0000000-0000-4000-8000-0000000000a2', 20, 't', 'critica') $$,
    '23514', 'new row for relation "tickets" violates check constraint "tickets_prioridade_check"',
    'an unknown prioridade is refused'
);
SELECT throws_ok(
    $$ INSERT INTO tickets.tickets (escritorio_id, cliente_id, numero, titulo, status)
       VALUES ('a0000000-0000-4000-8000-000000000000', 'c0000000-0000-4000-8000-0000000000a2', 20, 't', 'pendente') $$,
    '23514', 'new row for relation "tickets" violates check constraint "tickets_status_check"',
    'an unknown status is refused'
);
SELECT throws_ok(
    $$ INSERT INTO tickets.tickets (escritorio_id, cliente_id, numero, titulo)
       VALUES ('a0000000-0000-4000-8000-000000000000', 'c0000000-0000-4000-8000-0000000000a2', 20, E' \n\t ') $$,
    '23514', 'new row for relation "tickets" violates check constraint "tickets_titulo_check"',
    'a blank titulo (whitespace only) is refused'
);
SELECT throws_ok(
    $$ INSERT INTO tickets.tickets (escritorio_id, cliente_id, numero, titulo)
       VALUES ('a0000000-0000-4000-8000-000000000000', 'c0000000-0000-4000-8000-0000000000a2', 0, 't') $$,
    '23514', 'new row for relation "tickets" violates check constraint "tickets_numero_check"',
    'numero starts at 1'
);

SELECT lives_ok(
    $$ INSERT INTO crm.equipe (escritorio_id, user_id, papel) VALUES
       ('a0000000-0000-4000-8000-000000000000', '00000000-0000-4000-8000-0000000000a3', 'supervisor'),
       ('a0000000-0000-4000-8000-000000000000', '00000000-0000-4000-8000-0000000000a4', 'admin') $$,
    'equipe accepts every papel (atendente in the fixture, supervisor, admin)'
);
SELECT throws_ok(
    $$ INSERT INTO crm.equipe (escritorio_id, user_id, papel)
       VALUES ('b0000000-0000-4000-8000-000000000000', '00000000-0000-4000-8000-0000000000a3', 'gerente') $$,
    '23514', 'new row for relation "equipe" violates check constraint "equipe_papel_check"',
    'an unknown papel is refused'
);

SELECT lives_ok(
    $$ INSERT INTO tickets.ticket_comments (ticket_id, escritorio_id, autor_tipo, conteudo, interno, origem) VALUES
       ('70000000-0000-4000-8000-0000000000a2', 'a0000000-0000-4000-8000-000000000000', 'cliente', 'c', false, 'portal'),
       ('70000000-0000-4000-8000-0000000000a2', 'a0000000-0000-4000-8000-000000000000', 'equipe', 'c', true, 'equipe'),
       ('70000000-0000-4000-8000-0000000000a2', 'a0000000-0000-4000-8000-000000000000', 'sistema', 'c', false, 'sistema'),
       ('70000000-0000-4000-8000-0000000000a2', 'a0000000-0000-4000-8000-000000000000', 'balcao_virtual', 'c', false, 'balcao_virtual') $$,
    'ticket_comments accept every autor_tipo and origem, and staff internal notes'
);
SELECT throws_ok(
    $$ INSERT INTO tickets.ticket_comments (ticket_id, escritorio_id, autor_tipo, conteudo, origem)
       VALUES ('70000000-0000-4000-8000-0000000000a2', 'a0000000-0000-4000-8000-000000000000', 'bot', 'c', 'portal') $$,
    '23514', 'new row for relation "ticket_comments" violates check constraint "ticket_comments_autor_tipo_check"',
    'an unknown comment autor_tipo is refused'
);
SELECT throws_ok(
    $$ INSERT INTO tickets.ticket_comments (ticket_id, escritorio_id, autor_tipo, conteudo, origem)
       VALUES ('70000000-0000-4000-8000-0000000000a2', 'a0000000-0000-4000-8000-000000000000', 'equipe', 'c', 'email') $$,
    '23514', 'new row for relation "ticket_comments" violates check constraint "ticket_comments_origem_check"',
    'an unknown origem is refused'
);
SELECT throws_ok(
    $$ INSERT INTO tickets.ticket_comments (ticket_id, escritorio_id, autor_tipo, conteudo, interno, origem)
       VALUES ('70000000-0000-4000-8000-0000000000a2', 'a0000000-0000-4000-8000-000000000000', 'cliente', 'c', true, 'portal') $$,
    '23514', 'new row for relation "ticket_comments" violates check constraint "ticket_comments_cliente_nao_interno_check"',
    'a client''s comment is never interno'
);
SELECT throws_ok(
    $$ INSERT INTO tickets.ticket_comments (ticket_id, escritorio_id, autor_tipo, conteudo, origem)
       VALUES ('70000000-0000-4000-8000-0000000000a2', 'a0000000-0000-4000-8000-000000000000', 'equipe', E'\n\n', 'equipe') $$,
    '23514', 'new row for relation "ticket_comments" violates check constraint "ticket_comments_conteudo_check"',
    'a blank comment is refused'
);
SELECT throws_ok(
    $$ INSERT INTO tickets.ticket_comments (ticket_id, escritorio_id, autor_tipo, conteudo, origem, balcao_log_id)
       VALUES ('70000000-0000-4000-8000-0000000000a1', 'a0000000-0000-4000-8000-000000000000', 'sistema', 'c', 'sistema', 900002) $$,
    '23514', 'new row for relation "ticket_comments" violates check constraint "ticket_comments_balcao_log_origem_check"',
    'a comment linked to a Balcao line has origem balcao_virtual'
);

SELECT lives_ok(
    $$ INSERT INTO tickets.chat_mensagens (ticket_id, escritorio_id, autor_tipo, conteudo) VALUES
       ('70000000-0000-4000-8000-0000000000a2', 'a0000000-0000-4000-8000-000000000000', 'cliente', 'm'),
       ('70000000-0000-4000-8000-0000000000a2', 'a0000000-0000-4000-8000-000000000000', 'equipe', 'm'),
       ('70000000-0000-4000-8000-0000000000a2', 'a0000000-0000-4000-8000-000000000000', 'sistema', 'm') $$,
    'chat_mensagens accept every autor_tipo'
);
SELECT throws_ok(
    $$ INSERT INTO tickets.chat_mensagens (ticket_id, escritorio_id, autor_tipo, conteudo)
       VALUES ('70000000-0000-4000-8000-0000000000a2', 'a0000000-0000-4000-8000-000000000000', 'balcao_virtual', 'm') $$,
    '23514', 'new row for relation "chat_mensagens" violates check constraint "chat_mensagens_autor_tipo_check"',
    'an unknown chat autor_tipo is refused'
);
SELECT throws_ok(
    $$ INSERT INTO tickets.chat_mensagens (ticket_id, escritorio_id, autor_tipo, conteudo)
       VALUES ('70000000-0000-4000-8000-0000000000a2', 'a0000000-0000-4000-8000-000000000000', 'cliente', '   ') $$,
    '23514', 'new row for relation "chat_mensagens" violates check constraint "chat_mensagens_conteudo_check"',
    'a blank chat message is refused'
);

SELECT lives_ok(
    $$ INSERT INTO balcao_virtual.logs_conversas (sessao_id, escritorio_id, autor_tipo, mensagem) VALUES
       ('50000000-0000-4000-8000-0000000000a1', 'a0000000-0000-4000-8000-000000000000', 'cliente', 'l'),
       ('50000000-0000-4000-8000-0000000000a1', 'a0000000-0000-4000-8000-000000000000', 'atendente', 'l'),
       ('50000000-0000-4000-8000-0000000000a1', 'a0000000-0000-4000-8000-000000000000', 'bot', 'l') $$,
    'logs_conversas accept every autor_tipo'
);
SELECT throws_ok(
    $$ INSERT INTO balcao_virtual.logs_conversas (sessao_id, escritorio_id, autor_tipo, mensagem)
       VALUES ('50000000-0000-4000-8000-0000000000a1', 'a0000000-0000-4000-8000-000000000000', 'equipe', 'l') $$,
    '23514', 'new row for relation "logs_conversas" violates check constraint "logs_conversas_autor_tipo_check"',
    'an unknown log autor_tipo is refused'
);
SELECT throws_ok(
    $$ INSERT INTO balcao_virtual.logs_conversas (sessao_id, escritorio_id, autor_tipo, mensagem)
       VALUES ('50000000-0000-4000-8000-0000000000a1', 'a0000000-0000-4000-8000-000000000000', 'bot', E'\t') $$,
    '23514', 'new row for relation "logs_conversas" violates check constraint "logs_conversas_mensagem_check"',
    'a blank log line is refused'
);

SELECT throws_ok(
    $$ INSERT INTO balcao_virtual.sessoes_ativas (escritorio_id, cliente_id, status)
       VALUES ('a0000000-0000-4000-8000-000000000000', 'c0000000-0000-4000-8000-0000000000a2', 'pausada') $$,
    '23514', 'new row for relation "sessoes_ativas" violates check constraint "sessoes_ativas_status_check"',
    'an unknown session status is refused'
);
SELECT throws_ok(
    $$ INSERT INTO balcao_virtual.sessoes_ativas (escritorio_id, cliente_id, status)
       VALUES ('a0000000-0000-4000-8000-000000000000', 'c0000000-0000-4000-8000-0000000000a2', 'encerrada') $$,
    '23514', 'new row for relation "sessoes_ativas" violates check constraint "sessoes_ativas_encerrada_em_check"',
    'an encerrada session has encerrada_em'
);

SELECT lives_ok(
    $$ INSERT INTO audit.eventos (tabela, operacao, dados_antes, dados_depois) VALUES
       ('tickets.tickets', 'INSERT', NULL, '{}'),
       ('tickets.tickets', 'UPDATE', '{}', '{}'),
       ('tickets.tickets', 'DELETE', '{}', NULL) $$,
    'audit.eventos accepts INSERT, UPDATE and DELETE events'
);
SELECT throws_ok(
    $$ INSERT INTO audit.eventos (tabela, operacao) VALUES ('tickets.tickets', 'TRUNCATE') $$,
    '23514', 'new row for relation "eventos" violates check constraint "eventos_operacao_check"',
    'an unknown audit operacao is refused'
);

-- =============================================================================================
-- Uniqueness at work
-- =============================================================================================
SELECT lives_ok(
    $$ INSERT INTO balcao_virtual.sessoes_ativas (escritorio_id, cliente_id, status, iniciada_em, encerrada_em)
       VALUES ('a0000000-0000-4000-8000-000000000000', 'c0000000-0000-4000-8000-0000000000a1', 'encerrada',
               now() - interval '1 day', now() - interval '23 hours') $$,
    'a client with an ativa session may have ended ones'
);
SELECT throws_ok(
    $$ INSERT INTO balcao_virtual.sessoes_ativas (escritorio_id, cliente_id)
       VALUES ('a0000000-0000-4000-8000-000000000000', 'c0000000-0000-4000-8000-0000000000a1') $$,
    '23505', 'duplicate key value violates unique constraint "sessoes_ativas_uma_ativa_por_cliente_key"',
    'a second ativa session for the same client is refused'
);
SELECT throws_ok(
    $$ INSERT INTO tickets.tickets (escritorio_id, cliente_id, numero, titulo)
       VALUES ('a0000000-0000-4000-8000-000000000000', 'c0000000-0000-4000-8000-0000000000a2', 1, 't') $$,
    '23505', 'duplicate key value violates unique constraint "tickets_numero_key"',
    'a numero is used once per office (office B also has numero 1)'
);
SELECT throws_ok(
    $$ INSERT INTO tickets.ticket_comments (ticket_id, escritorio_id, autor_tipo, conteudo, origem, balcao_log_id)
       VALUES ('70000000-0000-4000-8000-0000000000a1', 'a0000000-0000-4000-8000-000000000000',
               'cliente', 'Ola', 'balcao_virtual', 900001) $$,
    '23505', 'duplicate key value violates unique constraint "ticket_comments_ticket_balcao_log_key"',
    'a Balcao line is imported into a ticket at most once'
);
SELECT is(
    (SELECT pg_catalog.count(*) FROM tickets.ticket_comments
     WHERE ticket_id = '70000000-0000-4000-8000-0000000000a2' AND balcao_log_id IS NULL),
    4::bigint,
    'comments without a Balcao line are not limited by the import key'
);

-- The numbering upsert the ticket trigger runs: row-locking, one increment per call.
WITH n AS (
    INSERT INTO tickets.numeracao AS t (escritorio_id, ultimo_numero)
    VALUES ('a0000000-0000-4000-8000-000000000000', 1)
    ON CONFLICT (escritorio_id) DO UPDATE SET ultimo_numero = t.ultimo_numero + 1
    RETURNING ultimo_numero
)
SELECT is(n.ultimo_numero, 1, 'numeracao: the first upsert for an office hands out 1') FROM n;
WITH n AS (
    INSERT INTO tickets.numeracao AS t (escritorio_id, ultimo_numero)
    VALUES ('a0000000-0000-4000-8000-000000000000', 1)
    ON CONFLICT (escritorio_id) DO UPDATE SET ultimo_numero = t.ultimo_numero + 1
    RETURNING ultimo_numero
)
SELECT is(n.ultimo_numero, 2, 'numeracao: the next upsert hands out 2') FROM n;

-- =============================================================================================
-- Tenant isolation: no row can point into another office (23503)
-- =============================================================================================
SELECT throws_ok(
    $$ INSERT INTO tickets.tickets (escritorio_id, cliente_id, numero, titulo)
       VALUES ('a0000000-0000-4000-8000-000000000000', 'c0000000-0000-4000-8000-0000000000b1', 30, 't') $$,
    '23503', 'insert or update on table "tickets" violates foreign key constraint "tickets_cliente_fkey"',
    'a ticket of office A cannot name a client of office B'
);
SELECT throws_ok(
    $$ INSERT INTO tickets.tickets (escritorio_id, cliente_id, numero, titulo, responsavel_id)
       VALUES ('a0000000-0000-4000-8000-000000000000', 'c0000000-0000-4000-8000-0000000000a2', 31, 't',
               '00000000-0000-4000-8000-0000000000b1') $$,
    '23503', 'insert or update on table "tickets" violates foreign key constraint "tickets_responsavel_fkey"',
    'a ticket of office A cannot be assigned to staff of office B'
);
SELECT throws_ok(
    $$ INSERT INTO tickets.tickets (escritorio_id, cliente_id, numero, titulo, sessao_balcao_id)
       VALUES ('a0000000-0000-4000-8000-000000000000', 'c0000000-0000-4000-8000-0000000000a2', 32, 't',
               '50000000-0000-4000-8000-0000000000b1') $$,
    '23503', 'insert or update on table "tickets" violates foreign key constraint "tickets_sessao_balcao_fkey"',
    'a ticket of office A cannot link a Balcao session of office B'
);
SELECT throws_ok(
    $$ INSERT INTO tickets.ticket_comments (ticket_id, escritorio_id, autor_tipo, conteudo, origem)
       VALUES ('70000000-0000-4000-8000-0000000000b1', 'a0000000-0000-4000-8000-000000000000', 'equipe', 'c', 'equipe') $$,
    '23503', 'insert or update on table "ticket_comments" violates foreign key constraint "ticket_comments_ticket_fkey"',
    'a comment of office A cannot land on a ticket of office B'
);
SELECT throws_ok(
    $$ INSERT INTO tickets.ticket_comments (ticket_id, escritorio_id, autor_tipo, conteudo, origem, balcao_log_id)
       VALUES ('70000000-0000-4000-8000-0000000000a1', 'a0000000-0000-4000-8000-000000000000',
               'cliente', 'c', 'balcao_virtual', 900101) $$,
    '23503', 'insert or update on table "ticket_comments" violates foreign key constraint "ticket_comments_balcao_log_fkey"',
    'a comment of office A cannot import a Balcao line of office B'
);
SELECT throws_ok(
    $$ INSERT INTO tickets.chat_mensagens (ticket_id, escritorio_id, autor_tipo, conteudo)
       VALUES ('70000000-0000-4000-8000-0000000000b1', 'a0000000-0000-4000-8000-000000000000', 'equipe', 'm') $$,
    '23503', 'insert or update on table "chat_mensagens" violates foreign key constraint "chat_mensagens_ticket_fkey"',
    'a chat message of office A cannot land on a ticket of office B'
);
SELECT throws_ok(
    $$ INSERT INTO balcao_virtual.logs_conversas (sessao_id, escritorio_id, autor_tipo, mensagem)
       VALUES ('50000000-0000-4000-8000-0000000000b1', 'a0000000-0000-4000-8000-000000000000', 'bot', 'l') $$,
    '23503', 'insert or update on table "logs_conversas" violates foreign key constraint "logs_conversas_sessao_fkey"',
    'a log line of office A cannot land in a session of office B'
);
SELECT throws_ok(
    $$ INSERT INTO balcao_virtual.sessoes_ativas (escritorio_id, cliente_id, atendente_id)
       VALUES ('a0000000-0000-4000-8000-000000000000', 'c0000000-0000-4000-8000-0000000000a2',
               '00000000-0000-4000-8000-0000000000b1') $$,
    '23503', 'insert or update on table "sessoes_ativas" violates foreign key constraint "sessoes_ativas_atendente_fkey"',
    'a session of office A cannot be attended by staff of office B'
);
SELECT throws_ok(
    $$ INSERT INTO crm.documentos (escritorio_id, cliente_id, ticket_id, nome_arquivo, storage_path)
       VALUES ('a0000000-0000-4000-8000-000000000000', 'c0000000-0000-4000-8000-0000000000a2',
               '70000000-0000-4000-8000-0000000000a1', 'x.pdf', 'a/c2/x.pdf') $$,
    '23503', 'insert or update on table "documentos" violates foreign key constraint "documentos_ticket_fkey"',
    'a document cannot be attached to another client''s ticket, even in the same office'
);
SELECT throws_ok(
    $$ UPDATE tickets.tickets SET escritorio_id = 'b0000000-0000-4000-8000-000000000000'
       WHERE id = '70000000-0000-4000-8000-0000000000a2' $$,
    '23503', NULL,
    'a ticket cannot be moved into another office (its client and comments stay behind)'
);

-- =============================================================================================
-- Delete behaviour: composite SET NULL clears only the link, history stays in its office
-- =============================================================================================
DELETE FROM crm.equipe
WHERE escritorio_id = 'a0000000-0000-4000-8000-000000000000' AND user_id = '00000000-0000-4000-8000-0000000000a1';
SELECT results_eq(
    $$ SELECT t.escritorio_id, t.responsavel_id, s.escritorio_id, s.atendente_id
       FROM tickets.tickets AS t, balcao_virtual.sessoes_ativas AS s
       WHERE t.id = '70000000-0000-4000-8000-0000000000a1' AND s.id = '50000000-0000-4000-8000-0000000000a1' $$,
    $$ VALUES ('a0000000-0000-4000-8000-000000000000'::uuid, NULL::uuid,
               'a0000000-0000-4000-8000-000000000000'::uuid, NULL::uuid) $$,
    'removing a staff membership unassigns its tickets and sessions, escritorio_id untouched'
);

DELETE FROM balcao_virtual.sessoes_ativas WHERE id = '50000000-0000-4000-8000-0000000000a1';
SELECT results_eq(
    $$ SELECT (SELECT sessao_balcao_id FROM tickets.tickets WHERE id = '70000000-0000-4000-8000-0000000000a1'),
              (SELECT balcao_log_id FROM tickets.ticket_comments
               WHERE ticket_id = '70000000-0000-4000-8000-0000000000a1' AND conteudo = 'Ola'),
              (SELECT pg_catalog.count(*) FROM balcao_virtual.logs_conversas
               WHERE sessao_id = '50000000-0000-4000-8000-0000000000a1') $$,
    $$ VALUES (NULL::uuid, NULL::bigint, 0::bigint) $$,
    'deleting a session deletes its log and unlinks ticket and imported comments, which stay'
);

DELETE FROM tickets.tickets WHERE id = '70000000-0000-4000-8000-0000000000a1';
SELECT results_eq(
    $$ SELECT (SELECT pg_catalog.count(*) FROM tickets.ticket_comments
               WHERE ticket_id = '70000000-0000-4000-8000-0000000000a1'),
              (SELECT pg_catalog.count(*) FROM tickets.chat_mensagens
               WHERE ticket_id = '70000000-0000-4000-8000-0000000000a1'),
              (SELECT pg_catalog.count(*) FROM crm.documentos
               WHERE cliente_id = 'c0000000-0000-4000-8000-0000000000a1' AND ticket_id IS NULL) $$,
    $$ VALUES (0::bigint, 0::bigint, 1::bigint) $$,
    'deleting a ticket deletes its comments and chat archive and detaches its documents'
);

SELECT * FROM finish();
ROLLBACK;
