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
-- exactly the callers to whom tickets.tickets' own SELECT policies show the ticket
-- (private.topico_ticket_visivel: private.pode_acessar_ticket of the parsed topic; false for a
-- malformed topic, never an error). Performance: the helper is a PL/pgSQL call, costed as
-- such, that runs only on rows left by the cheaper quals (the reader's `topic = ...`); an
-- in-place sub-select was costed per row of the whole scan and pushed a plain read of the
-- table over jit_above_cost (docs/dba.md, "Performance patterns").
DROP POLICY IF EXISTS "ticket participants receive their ticket topics" ON realtime.messages;
CREATE POLICY "ticket participants receive their ticket topics"
ON realtime.messages
FOR SELECT
TO authenticated
USING (
    extension IN ('broadcast', 'presence')
    AND topic LIKE 'ticket:%'
    AND private.topico_ticket_visivel(topic)
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
    AND private.topico_ticket_visivel(topic)
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
