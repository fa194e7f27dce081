-- =============================================================================================
-- Row level security: realtime.messages (who may join, receive and send on which topic)
-- =============================================================================================
-- Supabase Realtime authorizes a private channel with these policies (ARCHITECTURE section 6):
-- on join it inserts one probe row per extension for the topic (as its own role) and SELECTs
-- them back as the user - the rows the user sees are the extensions it may receive -, then
-- tries an INSERT as the user under a savepoint - 42501 means it may not send. Both run in a
-- transaction that is rolled back. Direct reads (schema-kit listen re-reads every announced
-- row as the subscriber) go through the same SELECT policies. So the policies key on the
-- row's `topic` column, which is set in every one of those cases.
--
-- Topics of the domain:
--   ticket:<uuid>       the ticket's client and active staff of its office (chat, comments,
--                       status changes)
--   escritorio:<uuid>   active staff of the office (new tickets, internal notes)
-- Any other or malformed topic ('ticket:', 'ticket:not-a-uuid', 'escritorio:xyz', '') parses
-- to NULL and is simply invisible: the parsers never raise, a NULL id matches no ticket,
-- and a policy that raised would make the join fail instead of being denied.
--
-- Only broadcast and presence rows count (the two extensions Realtime probes). What an API
-- user may write is the client-broadcast contract, private.envio_de_cliente_valido
-- (functions/30_policies_helpers.sql): a bare row (Realtime's write probe, presence) or one of
-- the client events 'digitando' / 'lido', private, with a payload object of at most 1 KB,
-- dated by the database clock, with a fresh id. The domain's own events (mensagem,
-- comentario, nota_interna, ticket_atualizado, ticket_criado) are written by the SECURITY
-- DEFINER domain code only (triggers/, functions/), which runs as the owner and bypasses these
-- policies: a client may not insert a row that subscribers would take for an archived chat
-- message or a status change, whatever its case or spacing.
-- COMMENT ON POLICY needs ownership of realtime.messages, which the platform keeps on Supabase
-- (only CREATE/DROP POLICY are allowed there, through supautils): the comments are applied on
-- the postgres target only; on Supabase the policy names and this file carry the rules.
-- anon: no policy, nothing visible, every insert refused. UPDATE/DELETE: no policy for
-- authenticated (broadcasts are immutable for API users). service_role bypasses RLS.

-- Lint: policy names are sentences stating the rule (spaces, apostrophes), so RF05
-- (special characters in identifiers) is off for this file.
-- noqa: disable=RF05

-- =============================================================================================
-- ticket:<uuid>
-- =============================================================================================

-- Why: flow 3 - only the ticket's client and active staff of its office receive its topic:
-- exactly the callers to whom tickets.tickets' own SELECT policies show the ticket, so the
-- check is "the topic's ticket is visible to you" (one rule, not a copy of it). Performance:
-- the lookup is a correlated sub-select, one primary-key probe per candidate row, and the
-- tickets policies' caller lookups are InitPlans computed once per statement - no per-row
-- helper call (a SECURITY DEFINER chain per row cost ~0.1 ms each). The topic is parsed in
-- place, exactly as private.topico_ticket() does (same pattern; NULL for anything malformed,
-- never an error): a call of that function, whose SET clause keeps it from being inlined, cost
-- ~0.2 ms per row at full scale. A policy stores its parsed expression, so the cast and the
-- operators are bound when the policy is created, not looked up in the caller's search_path.
-- LIMIT 1 (one value: the parsed id) keeps it in its own sub-query: flattened, the
-- non-leakproof cast would have to wait behind the tickets policies and the probe would become
-- a scan of every visible ticket.
DROP POLICY IF EXISTS "ticket participants receive their ticket topics" ON realtime.messages;
CREATE POLICY "ticket participants receive their ticket topics"
ON realtime.messages
FOR SELECT
TO authenticated
USING (
    extension IN ('broadcast', 'presence')
    AND topic LIKE 'ticket:%'
    AND EXISTS (
        SELECT
        FROM (
            SELECT
                CASE
                    WHEN topic ~* '^ticket:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
                        THEN SUBSTR(topic, 8)::uuid
                END AS id
            LIMIT 1  -- noqa: AM09
        ) AS alvo
        INNER JOIN tickets.tickets AS t ON alvo.id = t.id
    )
);

{% if target != 'supabase' -%}
COMMENT ON POLICY "ticket participants receive their ticket topics" ON realtime.messages IS
'Rows on topic ticket:<uuid> (broadcast, presence) are visible to whoever tickets.tickets shows the ticket to: its '
'client and active staff of its office. Malformed topics are invisible.';
{% endif %}
-- Why: flow 3 - the same participants (the ticket is visible to them, as above) may send on
-- the ticket topic (typing indicators, read receipts, presence) within the client-broadcast
-- contract, never one of the domain's events.
DROP POLICY IF EXISTS "ticket participants send on their ticket topics" ON realtime.messages;
CREATE POLICY "ticket participants send on their ticket topics"
ON realtime.messages
FOR INSERT
TO authenticated
WITH CHECK (
    private.envio_de_cliente_valido(id, extension, event, payload, private, inserted_at, updated_at)
    AND topic LIKE 'ticket:%'
    AND EXISTS (
        SELECT
        FROM (
            SELECT
                CASE
                    WHEN topic ~* '^ticket:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
                        THEN SUBSTR(topic, 8)::uuid
                END AS id
            LIMIT 1  -- noqa: AM09
        ) AS alvo
        INNER JOIN tickets.tickets AS t ON alvo.id = t.id
    )
);

{% if target != 'supabase' -%}
COMMENT ON POLICY "ticket participants send on their ticket topics" ON realtime.messages IS
'The ticket''s client and active staff of its office may insert rows on ticket:<uuid> within the client-broadcast '
'contract (private.envio_de_cliente_valido: bare probe/presence rows, or private digitando/lido events).';
{% endif %}
-- =============================================================================================
-- escritorio:<uuid>
-- =============================================================================================

-- Why: the office topic carries staff-only news (new tickets, internal notes): active staff
-- of that office only, never its clients.
DROP POLICY IF EXISTS "staff receive their office topics" ON realtime.messages;
CREATE POLICY "staff receive their office topics"
ON realtime.messages
FOR SELECT
TO authenticated
USING (
    extension IN ('broadcast', 'presence')
    AND topic LIKE 'escritorio:%'
    AND private.topico_escritorio(topic) = ANY(ARRAY(SELECT private.escritorios_da_equipe()))
);

{% if target != 'supabase' -%}
COMMENT ON POLICY "staff receive their office topics" ON realtime.messages IS
'Rows on topic escritorio:<uuid> (broadcast, presence) are visible to active staff of that office only.';
{% endif %}
-- Why: staff coordinate on their office topic (presence of who is on duty) within the
-- client-broadcast contract, never one of the domain's own events.
DROP POLICY IF EXISTS "staff send on their office topics" ON realtime.messages;
CREATE POLICY "staff send on their office topics"
ON realtime.messages
FOR INSERT
TO authenticated
WITH CHECK (
    private.envio_de_cliente_valido(id, extension, event, payload, private, inserted_at, updated_at)
    AND topic LIKE 'escritorio:%'
    AND private.topico_escritorio(topic) = ANY(ARRAY(SELECT private.escritorios_da_equipe()))
);

{% if target != 'supabase' -%}
COMMENT ON POLICY "staff send on their office topics" ON realtime.messages IS
'Active staff of the office may insert rows on escritorio:<uuid> within the client-broadcast contract '
'(private.envio_de_cliente_valido).';
{%- endif %}
