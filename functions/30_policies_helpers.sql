-- =============================================================================================
-- private: caller lookups used by the row level security policies (policies/*.sql)
-- =============================================================================================
-- Complements functions/00_private.sql. Same rules: STABLE, SECURITY DEFINER (they read
-- crm.clientes, tickets.tickets and balcao_virtual.sessoes_ativas without going through those
-- tables' own policies, which would otherwise be evaluated again for every lookup), empty
-- search_path, everything schema-qualified. Policies call them once per statement, as
-- `x = (SELECT private.f())` or `x = ANY(ARRAY(SELECT private.f()))` (InitPlans that keep the
-- comparison indexable; see policies/crm.sql), never once per row.

-- Why: a client may read its own office (name on the portal) and must not forge the office of
-- what it inserts. The office comes from the caller's portal login, never from the request.
-- NULL for staff, anon and service_role.
CREATE OR REPLACE FUNCTION private.escritorio_do_cliente()
RETURNS uuid
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT c.escritorio_id FROM crm.clientes AS c WHERE c.user_id = (SELECT auth.uid())
$$;

COMMENT ON FUNCTION private.escritorio_do_cliente() IS
'crm.clientes.escritorio_id of the caller''s portal login, or NULL. For policies: '
'escritorio_id = (SELECT private.escritorio_do_cliente()).';

-- Why: comments and chat rows carry ticket_id but not cliente_id, so "the caller's client owns
-- the ticket" is a lookup of the caller's tickets. Served by tickets_cliente_created_idx.
-- Empty for staff, anon and service_role.
CREATE OR REPLACE FUNCTION private.tickets_do_cliente()
RETURNS SETOF uuid
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT t.id
    FROM tickets.tickets AS t
    WHERE t.cliente_id = (SELECT private.cliente_do_usuario())
$$;

COMMENT ON FUNCTION private.tickets_do_cliente() IS
'Ids of the tickets of the caller''s client (portal login); empty otherwise. For policies: '
'ticket_id = ANY(ARRAY(SELECT private.tickets_do_cliente())).';

-- Why: Balcao Virtual log lines carry sessao_id but not cliente_id; "the caller's client owns
-- the session" is a lookup of the caller's sessions. Served by
-- sessoes_ativas_cliente_iniciada_idx. Empty for staff, anon and service_role.
CREATE OR REPLACE FUNCTION private.sessoes_do_cliente()
RETURNS SETOF uuid
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT s.id
    FROM balcao_virtual.sessoes_ativas AS s
    WHERE s.cliente_id = (SELECT private.cliente_do_usuario())
$$;

COMMENT ON FUNCTION private.sessoes_do_cliente() IS
'Ids of the Balcao Virtual sessions of the caller''s client (portal login); empty otherwise. For policies: '
'sessao_id = ANY(ARRAY(SELECT private.sessoes_do_cliente())).';

-- Why: policies run as the calling role, so authenticated needs EXECUTE; nobody else (the
-- schema is not exposed through the Data API, and anon has no usage on it).
REVOKE ALL ON FUNCTION private.escritorio_do_cliente() FROM public;
REVOKE ALL ON FUNCTION private.tickets_do_cliente() FROM public;
REVOKE ALL ON FUNCTION private.sessoes_do_cliente() FROM public;
GRANT EXECUTE ON FUNCTION private.escritorio_do_cliente() TO authenticated, service_role;
GRANT EXECUTE ON FUNCTION private.tickets_do_cliente() TO authenticated, service_role;
GRANT EXECUTE ON FUNCTION private.sessoes_do_cliente() TO authenticated, service_role;
