-- =============================================================================================
-- tests: domain fixtures (test template database only)
-- =============================================================================================
-- Build offices, staff and clients with one call each, as the session user (superuser) before a
-- test switches persona. Each returns the id a test needs to act as that persona.

-- A new office.
CREATE OR REPLACE FUNCTION tests.novo_escritorio(p_nome text DEFAULT 'Escritório de teste')
RETURNS uuid
LANGUAGE sql
SET search_path = ''
AS $$
    INSERT INTO crm.escritorios (nome) VALUES (p_nome) RETURNING id
$$;

-- A staff member of an office (with a login); returns the auth.users id to act as.
CREATE OR REPLACE FUNCTION tests.novo_membro(
    p_escritorio uuid, p_papel text DEFAULT 'atendente', p_ativo boolean DEFAULT true
)
RETURNS uuid
LANGUAGE sql
SET search_path = ''
AS $$
    WITH u AS (
        INSERT INTO auth.users (email)
        VALUES (p_papel || '.' || gen_random_uuid() || '@equipe.test')
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
SET search_path = ''
AS $$
    WITH u AS (
        INSERT INTO auth.users (email)
        VALUES ('cliente.' || gen_random_uuid() || '@portal.test')
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
SET search_path = ''
AS $$
    SELECT c.user_id FROM crm.clientes AS c WHERE c.id = p_cliente
$$;

COMMENT ON FUNCTION tests.novo_escritorio(text) IS 'Test fixture: a new office; returns its id.';
COMMENT ON FUNCTION tests.novo_membro(uuid, text, boolean) IS
'Test fixture: staff member with a login; returns the user id to authenticate as.';
COMMENT ON FUNCTION tests.novo_cliente(uuid, text) IS
'Test fixture: client with a portal login; returns crm.clientes.id.';
COMMENT ON FUNCTION tests.login_do_cliente(uuid) IS 'Test fixture: the auth.users id of a client.';
