-- =============================================================================================
-- tests: domain fixtures (test template database only)
-- =============================================================================================
-- Build offices, staff and clients with one call each, as the session user (superuser) before a
-- test switches persona. Each returns the id a test needs to act as that persona.

-- A new office.
CREATE OR REPLACE FUNCTION tests.novo_escritorio(p_nome text DEFAULT 'Escritório de teste')
RETURNS uuid
LANGUAGE sql
SET search_path = pg_catalog, pg_temp
AS $$
    INSERT INTO crm.escritorios (nome) VALUES (p_nome) RETURNING id
$$;

-- A staff member of an office (with a login); returns the auth.users id to act as.
CREATE OR REPLACE FUNCTION tests.novo_membro(
    p_escritorio uuid, p_papel text DEFAULT 'atendente', p_ativo boolean DEFAULT true
)
RETURNS uuid
LANGUAGE sql
SET search_path = pg_catalog, pg_temp
AS $$
    WITH u AS (
        INSERT INTO auth.users (id, email, created_at, updated_at)
        SELECT new_user.id, p_papel || '.' || new_user.id || '@equipe.test', now(), now()
        FROM (SELECT gen_random_uuid() AS id) AS new_user
        RETURNING id
    )
    INSERT INTO crm.equipe (escritorio_id, user_id, papel, ativo)
    SELECT p_escritorio, u.id, p_papel, p_ativo FROM u
    RETURNING user_id
$$;

-- A client of an office with a portal login; returns crm.clientes.id
-- (its login: tests.login_do_cliente(id)).
CREATE OR REPLACE FUNCTION tests.novo_cliente(p_escritorio uuid, p_nome text DEFAULT 'Cliente')
RETURNS uuid
LANGUAGE sql
SET search_path = pg_catalog, pg_temp
AS $$
    WITH u AS (
        INSERT INTO auth.users (id, email, created_at, updated_at)
        SELECT new_user.id, 'cliente.' || new_user.id || '@portal.test', now(), now()
        FROM (SELECT gen_random_uuid() AS id) AS new_user
        RETURNING id, email
    )
    INSERT INTO crm.clientes (escritorio_id, user_id, nome, email)
    SELECT p_escritorio, u.id, p_nome, u.email FROM u
    RETURNING id
$$;

-- The portal login (auth.users id) of a client.
CREATE OR REPLACE FUNCTION tests.login_do_cliente(p_cliente uuid)
RETURNS uuid
LANGUAGE sql
STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT c.user_id FROM crm.clientes AS c WHERE c.id = p_cliente
$$;

COMMENT ON FUNCTION tests.novo_escritorio(text) IS 'Test fixture: a new office; returns its id.';
COMMENT ON FUNCTION tests.novo_membro(uuid, text, boolean) IS
'Test fixture: staff member with a login; returns the user id to authenticate as.';
COMMENT ON FUNCTION tests.novo_cliente(uuid, text) IS
'Test fixture: client with a portal login; returns crm.clientes.id.';
COMMENT ON FUNCTION tests.login_do_cliente(uuid) IS 'Test fixture: the auth.users id of a client.';

-- The policy scenario shared by 50-policies and 51-realtime-topics, with fixed ids the suites
-- refer to: offices A and B, their staff (incl. a supervisor and an inactive member), clients,
-- tickets, comments (public + internal), chat, documents, Balcão sessions and log lines.
-- Written as service_role, the path the back-office and the Balcão Virtual backend use, so
-- triggers derive what they derive; call it as the session user. The logins are created first
-- as the session user: service_role has no privilege on auth.users (as on Supabase, where
-- GoTrue creates users).
CREATE OR REPLACE FUNCTION tests.cenario_politicas()
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $cenario$
BEGIN
    INSERT INTO auth.users (id, email, created_at, updated_at)
    SELECT u.id::uuid, u.email, now(), now() FROM (VALUES
    ('00000000-0000-4000-8000-0000000000a1', 'atendente.a@equipe.test'),
    ('00000000-0000-4000-8000-0000000000a5', 'supervisor.a@equipe.test'),
    ('00000000-0000-4000-8000-0000000000a6', 'inativo.a@equipe.test'),
    ('00000000-0000-4000-8000-0000000000a2', 'cliente.a1@portal.test'),
    ('00000000-0000-4000-8000-0000000000a3', 'cliente.a2@portal.test'),
    ('00000000-0000-4000-8000-0000000000b1', 'admin.b@equipe.test'),
    ('00000000-0000-4000-8000-0000000000b2', 'cliente.b1@portal.test')
    ) AS u (id, email);

    PERFORM tests.authenticate_as_service_role();

    INSERT INTO crm.escritorios (id, nome) VALUES
    ('a0000000-0000-4000-8000-000000000000', 'Escritório A'),
    ('b0000000-0000-4000-8000-000000000000', 'Escritório B');

    INSERT INTO crm.equipe (escritorio_id, user_id, papel, ativo) VALUES
    ('a0000000-0000-4000-8000-000000000000', '00000000-0000-4000-8000-0000000000a1', 'atendente', true),
    ('a0000000-0000-4000-8000-000000000000', '00000000-0000-4000-8000-0000000000a5', 'supervisor', true),
    ('a0000000-0000-4000-8000-000000000000', '00000000-0000-4000-8000-0000000000a6', 'atendente', false),
    ('b0000000-0000-4000-8000-000000000000', '00000000-0000-4000-8000-0000000000b1', 'admin', true);

    INSERT INTO crm.clientes (id, escritorio_id, user_id, nome, email) VALUES
    ('c0000000-0000-4000-8000-0000000000a1', 'a0000000-0000-4000-8000-000000000000',
     '00000000-0000-4000-8000-0000000000a2', 'Cliente A1', 'cliente.a1@portal.test'),
    ('c0000000-0000-4000-8000-0000000000a2', 'a0000000-0000-4000-8000-000000000000',
     '00000000-0000-4000-8000-0000000000a3', 'Cliente A2', 'cliente.a2@portal.test'),
    ('c0000000-0000-4000-8000-0000000000b1', 'b0000000-0000-4000-8000-000000000000',
     '00000000-0000-4000-8000-0000000000b2', 'Cliente B1', 'cliente.b1@portal.test');

    INSERT INTO tickets.tickets (id, escritorio_id, cliente_id, numero, titulo) VALUES
    ('70000000-0000-4000-8000-0000000000a1', 'a0000000-0000-4000-8000-000000000000',
     'c0000000-0000-4000-8000-0000000000a1', 1, 'Chamado de A1'),
    ('70000000-0000-4000-8000-0000000000a2', 'a0000000-0000-4000-8000-000000000000',
     'c0000000-0000-4000-8000-0000000000a2', 2, 'Chamado de A2'),
    ('70000000-0000-4000-8000-0000000000b1', 'b0000000-0000-4000-8000-000000000000',
     'c0000000-0000-4000-8000-0000000000b1', 1, 'Chamado de B1');

    INSERT INTO tickets.ticket_comments (id, ticket_id, escritorio_id, autor_id, autor_tipo, conteudo, interno, origem)
    VALUES
    ('60000000-0000-4000-8000-0000000000a1', '70000000-0000-4000-8000-0000000000a1',
     'a0000000-0000-4000-8000-000000000000', '00000000-0000-4000-8000-0000000000a1', 'equipe',
     'Resposta pública', false, 'equipe'),
    ('60000000-0000-4000-8000-0000000000a9', '70000000-0000-4000-8000-0000000000a1',
     'a0000000-0000-4000-8000-000000000000', '00000000-0000-4000-8000-0000000000a1', 'equipe',
     'Nota interna', true, 'equipe'),
    ('60000000-0000-4000-8000-0000000000b1', '70000000-0000-4000-8000-0000000000b1',
     'b0000000-0000-4000-8000-000000000000', '00000000-0000-4000-8000-0000000000b1', 'equipe',
     'Resposta em B', false, 'equipe');

    INSERT INTO tickets.chat_mensagens (id, ticket_id, escritorio_id, autor_id, autor_tipo, conteudo) VALUES
    ('80000000-0000-4000-8000-0000000000a1', '70000000-0000-4000-8000-0000000000a1',
     'a0000000-0000-4000-8000-000000000000', '00000000-0000-4000-8000-0000000000a2', 'cliente', 'Olá'),
    ('80000000-0000-4000-8000-0000000000b1', '70000000-0000-4000-8000-0000000000b1',
     'b0000000-0000-4000-8000-000000000000', '00000000-0000-4000-8000-0000000000b2', 'cliente', 'Oi');

    INSERT INTO crm.documentos (id, escritorio_id, cliente_id, ticket_id, nome_arquivo, storage_path) VALUES
    ('d0000000-0000-4000-8000-0000000000a1', 'a0000000-0000-4000-8000-000000000000',
     'c0000000-0000-4000-8000-0000000000a1', '70000000-0000-4000-8000-0000000000a1', 'a1.pdf',
     'a0000000-0000-4000-8000-000000000000/c0000000-0000-4000-8000-0000000000a1/a1.pdf'),
    ('d0000000-0000-4000-8000-0000000000a2', 'a0000000-0000-4000-8000-000000000000',
     'c0000000-0000-4000-8000-0000000000a2', NULL, 'a2.pdf',
     'a0000000-0000-4000-8000-000000000000/c0000000-0000-4000-8000-0000000000a2/a2.pdf'),
    ('d0000000-0000-4000-8000-0000000000b1', 'b0000000-0000-4000-8000-000000000000',
     'c0000000-0000-4000-8000-0000000000b1', NULL, 'b1.pdf',
     'b0000000-0000-4000-8000-000000000000/c0000000-0000-4000-8000-0000000000b1/b1.pdf');

    INSERT INTO balcao_virtual.sessoes_ativas (id, escritorio_id, cliente_id) VALUES
    ('50000000-0000-4000-8000-0000000000a1', 'a0000000-0000-4000-8000-000000000000',
     'c0000000-0000-4000-8000-0000000000a1'),
    ('50000000-0000-4000-8000-0000000000b1', 'b0000000-0000-4000-8000-000000000000',
     'c0000000-0000-4000-8000-0000000000b1');

    INSERT INTO balcao_virtual.logs_conversas (id, sessao_id, escritorio_id, autor_tipo, autor_nome, mensagem)
    OVERRIDING SYSTEM VALUE VALUES
    (900001, '50000000-0000-4000-8000-0000000000a1', 'a0000000-0000-4000-8000-000000000000',
     'cliente', 'Cliente A1', 'Bom dia'),
    (900101, '50000000-0000-4000-8000-0000000000b1', 'b0000000-0000-4000-8000-000000000000',
     'cliente', 'Cliente B1', 'Boa tarde');
    PERFORM tests.clear_authentication();
END
$cenario$;

COMMENT ON FUNCTION tests.cenario_politicas() IS
'Test fixture: the fixed-id scenario of the policy suites (two offices, every persona, every row kind).';
