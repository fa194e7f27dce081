-- =============================================================================================
-- private: caller lookups used by the row level security policies (policies/*.sql)
-- =============================================================================================
-- Complements functions/00_private.sql. Same rules: STABLE, SECURITY DEFINER (they read
-- crm.clientes, tickets.tickets and balcao_virtual.sessoes_ativas without going through those
-- tables' own policies, which would otherwise be evaluated again for every lookup),
-- search_path = pg_catalog, pg_temp, everything schema-qualified, PL/pgSQL (planned once per
-- session, see functions/00_private.sql). Policies call them once per statement, as
-- `x = (SELECT private.f())` or `x = ANY(ARRAY(SELECT private.f()))` (InitPlans that keep the
-- comparison indexable; see policies/crm.sql), never once per row.

-- Why: a client may read its own office (name on the portal) and must not forge the office of
-- what it inserts. The office comes from the caller's portal login, never from the request.
-- NULL for staff, anon and service_role.
CREATE OR REPLACE FUNCTION private.escritorio_do_cliente()
RETURNS uuid
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RETURN (
        SELECT c.escritorio_id FROM crm.clientes AS c WHERE c.user_id = (SELECT auth.uid())
    );
END
$$;

COMMENT ON FUNCTION private.escritorio_do_cliente() IS
'crm.clientes.escritorio_id of the caller''s portal login, or NULL. For policies: '
'escritorio_id = (SELECT private.escritorio_do_cliente()).';

-- Removed: private.tickets_do_cliente() (every ticket id of the caller's client), the client
-- policies' lookup before comments and chat carried cliente_id (migrations/0015); no caller left.
DROP FUNCTION IF EXISTS private.tickets_do_cliente();

-- Why: Balcao Virtual log lines carry sessao_id but not cliente_id; "the caller's client owns
-- the session" is a lookup of the caller's sessions. Served by
-- sessoes_ativas_cliente_iniciada_idx. Empty for staff, anon and service_role.
CREATE OR REPLACE FUNCTION private.sessoes_do_cliente()
RETURNS SETOF uuid
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RETURN QUERY
    SELECT s.id
    FROM balcao_virtual.sessoes_ativas AS s
    WHERE s.cliente_id = (SELECT private.cliente_do_usuario());
END
$$;

COMMENT ON FUNCTION private.sessoes_do_cliente() IS
'Ids of the Balcao Virtual sessions of the caller''s client (portal login); empty otherwise. For policies: '
'sessao_id = ANY(ARRAY(SELECT private.sessoes_do_cliente())).';

-- Why: the contract of what an API user may write into realtime.messages (flow 3, hardening):
-- the INSERT policies on the ticket and office topics call it, so the rule is stated once.
-- Two shapes are accepted:
--   * a bare row - event NULL, payload NULL or {} - which is what Supabase Realtime's own write
--     probe inserts (as the user, under a savepoint, rolled back) and what presence uses; it
--     carries nothing a subscriber could mistake for a domain event;
--   * a client broadcast: event exactly one of the client events ('digitando': typing,
--     'lido': read up to a message), private = true (a private topic is never copied to
--     public subscribers), payload a JSON object of at most 1024 bytes.
-- For both: extension broadcast or presence; dated by the database clock (inserted_at and
-- updated_at within 5 minutes of now(): Realtime's probe stamps its own clock, so exact
-- equality would refuse it - no row dated 2100); and a fresh id (never the id of a
-- realtime.messages row or of an archived chat message: subscribers and `listen --since`
-- identify messages by id). Domain events (mensagem, comentario, nota_interna,
-- ticket_atualizado, ticket_criado - in any case or spacing) are written by the SECURITY
-- DEFINER domain code only. SECURITY DEFINER: the id check must see every topic's rows.
CREATE OR REPLACE FUNCTION private.envio_de_cliente_valido(
    p_id uuid,
    p_extension text,
    p_event text,
    p_payload jsonb,
    p_private boolean,
    p_inserted_at timestamp,
    p_updated_at timestamp
)
RETURNS boolean
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT
        p_extension IN ('broadcast', 'presence')
        AND p_inserted_at BETWEEN now()::timestamp - interval '5 minutes' AND now()::timestamp + interval '5 minutes'
        AND p_updated_at BETWEEN now()::timestamp - interval '5 minutes' AND now()::timestamp + interval '5 minutes'
        AND (
            (p_event IS NULL AND (p_payload IS NULL OR p_payload = '{}'::jsonb))
            OR (
                p_event IN ('digitando', 'lido')
                AND p_private
                AND jsonb_typeof(p_payload) = 'object'
                AND octet_length(p_payload::text) <= 1024
            )
        )
        AND NOT EXISTS (SELECT FROM realtime.messages AS m WHERE m.id = p_id)
        AND NOT EXISTS (SELECT FROM tickets.chat_mensagens AS c WHERE c.id = p_id)
$$;

COMMENT ON FUNCTION private.envio_de_cliente_valido(uuid, text, text, jsonb, boolean, timestamp, timestamp) IS
'The client-broadcast contract of realtime.messages: a bare row (event NULL, payload NULL/{}: Realtime''s write '
'probe, presence) or a private client event (digitando, lido) with an object payload <= 1024 bytes; extension '
'broadcast/presence; dated within 5 minutes of now(); an id never used by a message or archived chat message.';

-- Why: policies run as the calling role, so authenticated needs EXECUTE; nobody else (the
-- schema is not exposed through the Data API, and anon has no usage on it).
REVOKE ALL ON FUNCTION private.escritorio_do_cliente() FROM public;
REVOKE ALL ON FUNCTION private.sessoes_do_cliente() FROM public;
REVOKE ALL ON FUNCTION private.envio_de_cliente_valido(uuid, text, text, jsonb, boolean, timestamp, timestamp)
FROM public;
GRANT EXECUTE ON FUNCTION private.escritorio_do_cliente() TO authenticated, service_role;
GRANT EXECUTE ON FUNCTION private.sessoes_do_cliente() TO authenticated, service_role;
GRANT EXECUTE ON FUNCTION private.envio_de_cliente_valido(uuid, text, text, jsonb, boolean, timestamp, timestamp)
TO authenticated, service_role;
