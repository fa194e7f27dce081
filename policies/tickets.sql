-- =============================================================================================
-- Row level security: tickets (tickets, comments, chat archive, numbering)
-- =============================================================================================
-- Conventions and the performance pattern: see policies/crm.sql. Policies decide which ROWS a
-- persona reaches; the BEFORE triggers (triggers/) decide the VALUES: on INSERT they derive
-- escritorio_id / cliente_id / numero / criado_por before the WITH CHECK below is evaluated,
-- and on UPDATE they refuse immutable columns and transitions the persona may not make.
--
-- tickets.numeracao has RLS on, no grant to anon/authenticated and no policy: only the
-- SECURITY DEFINER numbering trigger (as owner) and service_role touch it.

-- Lint: policy names are sentences stating the rule (spaces, apostrophes), so RF05
-- (special characters in identifiers) is off for this file.
-- noqa: disable=RF05

-- =============================================================================================
-- tickets.tickets
-- =============================================================================================

-- Why: a client sees its own tickets, and only those (other clients of the same office
-- included).
DROP POLICY IF EXISTS "clients read their own tickets" ON tickets.tickets;
CREATE POLICY "clients read their own tickets"
ON tickets.tickets
FOR SELECT
TO authenticated
USING (cliente_id = (SELECT private.cliente_do_usuario()));

COMMENT ON POLICY "clients read their own tickets" ON tickets.tickets IS
'A client (portal login) reads the tickets of its own record.';

-- Why: active staff work every ticket of their offices.
DROP POLICY IF EXISTS "staff read their office's tickets" ON tickets.tickets;
CREATE POLICY "staff read their office's tickets"
ON tickets.tickets
FOR SELECT
TO authenticated
USING (escritorio_id = ANY(ARRAY(SELECT private.escritorios_da_equipe())));

COMMENT ON POLICY "staff read their office's tickets" ON tickets.tickets IS
'Active staff read the tickets of their offices.';

-- Why: flow 1 - a client opens tickets for itself only. The tenant derivation trigger fills
-- cliente_id / escritorio_id / criado_por from the caller's portal login before this check
-- (and refuses different values sent, SK014); anything forged that got past it fails here
-- (42501).
DROP POLICY IF EXISTS "clients open tickets for themselves" ON tickets.tickets;
CREATE POLICY "clients open tickets for themselves"
ON tickets.tickets
FOR INSERT
TO authenticated
WITH CHECK (
    cliente_id = (SELECT private.cliente_do_usuario())
    AND escritorio_id = (SELECT private.escritorio_do_cliente())
    AND criado_por = (SELECT auth.uid())
);

COMMENT ON POLICY "clients open tickets for themselves" ON tickets.tickets IS
'A client inserts tickets only for its own record and office, created by itself.';

-- Why: flow 1 - staff open tickets for clients of their own offices (the composite foreign
-- key (escritorio_id, cliente_id) keeps the client in that office), in their own name.
DROP POLICY IF EXISTS "staff open tickets in their offices" ON tickets.tickets;
CREATE POLICY "staff open tickets in their offices"
ON tickets.tickets
FOR INSERT
TO authenticated
WITH CHECK (
    escritorio_id = ANY(ARRAY(SELECT private.escritorios_da_equipe()))
    AND criado_por = (SELECT auth.uid())
);

COMMENT ON POLICY "staff open tickets in their offices" ON tickets.tickets IS
'Active staff insert tickets in their offices, for clients of those offices, created by themselves.';

-- Why: flow 5 - a client may close its ticket or reopen a resolved one. The policy gives it
-- its own rows; the status trigger limits the columns and transitions (SK008, SK010).
DROP POLICY IF EXISTS "clients update their own tickets" ON tickets.tickets;
CREATE POLICY "clients update their own tickets"
ON tickets.tickets
FOR UPDATE
TO authenticated
USING (cliente_id = (SELECT private.cliente_do_usuario()))
WITH CHECK (cliente_id = (SELECT private.cliente_do_usuario()));

COMMENT ON POLICY "clients update their own tickets" ON tickets.tickets IS
'A client updates its own tickets (triggers allow only closing / reopening).';

-- Why: flow 5 - staff move their offices' tickets through the states, assign them, etc.
DROP POLICY IF EXISTS "staff update their office's tickets" ON tickets.tickets;
CREATE POLICY "staff update their office's tickets"
ON tickets.tickets
FOR UPDATE
TO authenticated
USING (escritorio_id = ANY(ARRAY(SELECT private.escritorios_da_equipe())))
WITH CHECK (escritorio_id = ANY(ARRAY(SELECT private.escritorios_da_equipe())));

COMMENT ON POLICY "staff update their office's tickets" ON tickets.tickets IS
'Active staff update the tickets of their offices (triggers keep immutable columns).';

-- =============================================================================================
-- tickets.ticket_comments
-- =============================================================================================

-- Why: flow 4 - clients never see internal notes; they see every other comment of their
-- own tickets (theirs, staff answers, system notes, imported Balcao Virtual lines). The row
-- carries its ticket's client (cliente_id, derived and tied to the ticket by a foreign key,
-- migrations/0015), so the check is one comparison per row, not a lookup of every ticket of
-- the client.
DROP POLICY IF EXISTS "clients read the public comments of their tickets" ON tickets.ticket_comments;
CREATE POLICY "clients read the public comments of their tickets"
ON tickets.ticket_comments
FOR SELECT
TO authenticated
USING (NOT interno AND cliente_id = (SELECT private.cliente_do_usuario()));

COMMENT ON POLICY "clients read the public comments of their tickets" ON tickets.ticket_comments IS
'A client reads the non-internal comments of its own tickets.';

-- Why: staff see the whole thread of their offices' tickets, internal notes included.
DROP POLICY IF EXISTS "staff read every comment of their office's tickets" ON tickets.ticket_comments;
CREATE POLICY "staff read every comment of their office's tickets"
ON tickets.ticket_comments
FOR SELECT
TO authenticated
USING (escritorio_id = ANY(ARRAY(SELECT private.escritorios_da_equipe())));

COMMENT ON POLICY "staff read every comment of their office's tickets" ON tickets.ticket_comments IS
'Active staff read every comment (internal notes included) of their offices.';

-- Why: flow 4 - a client comments on its own tickets, never internally, as itself, and never
-- as an imported Balcao Virtual line (a forged balcao_log_id would take the line's slot in
-- the exactly-once key and block the real import).
-- (cliente_id is the ticket's client: set by the derivation trigger, checked by the foreign key.)
DROP POLICY IF EXISTS "clients comment publicly on their own tickets" ON tickets.ticket_comments;
CREATE POLICY "clients comment publicly on their own tickets"
ON tickets.ticket_comments
FOR INSERT
TO authenticated
WITH CHECK (
    NOT interno
    AND autor_tipo = 'cliente'
    AND autor_id = (SELECT auth.uid())
    AND balcao_log_id IS NULL
    AND cliente_id = (SELECT private.cliente_do_usuario())
);

COMMENT ON POLICY "clients comment publicly on their own tickets" ON tickets.ticket_comments IS
'A client inserts non-internal comments on its own tickets, authored by itself, not linked to a Balcao line.';

-- Why: staff comment (publicly or internally) on their offices' tickets, as themselves; the
-- composite foreign key (escritorio_id, ticket_id) keeps the ticket in that office.
DROP POLICY IF EXISTS "staff comment on their office's tickets" ON tickets.ticket_comments;
CREATE POLICY "staff comment on their office's tickets"
ON tickets.ticket_comments
FOR INSERT
TO authenticated
WITH CHECK (
    autor_tipo = 'equipe'
    AND autor_id = (SELECT auth.uid())
    AND balcao_log_id IS NULL
    AND escritorio_id = ANY(ARRAY(SELECT private.escritorios_da_equipe()))
);

COMMENT ON POLICY "staff comment on their office's tickets" ON tickets.ticket_comments IS
'Active staff insert comments (internal or not) on their offices'' tickets, authored by themselves.';

-- =============================================================================================
-- tickets.chat_mensagens
-- =============================================================================================
-- Read-only for the API (SELECT grant only): messages are written by tickets.enviar_mensagem
-- (SECURITY DEFINER), which checks access itself.

-- Why: flow 3 - the ticket's client reads its chat history (cliente_id: the ticket's client,
-- derived and tied to the ticket by a foreign key, migrations/0015).
DROP POLICY IF EXISTS "clients read the chat of their tickets" ON tickets.chat_mensagens;
CREATE POLICY "clients read the chat of their tickets"
ON tickets.chat_mensagens
FOR SELECT
TO authenticated
USING (cliente_id = (SELECT private.cliente_do_usuario()));

COMMENT ON POLICY "clients read the chat of their tickets" ON tickets.chat_mensagens IS
'A client reads the chat archive of its own tickets.';

-- Why: flow 3 - active staff of the ticket's office read its chat history.
DROP POLICY IF EXISTS "staff read the chat of their office's tickets" ON tickets.chat_mensagens;
CREATE POLICY "staff read the chat of their office's tickets"
ON tickets.chat_mensagens
FOR SELECT
TO authenticated
USING (escritorio_id = ANY(ARRAY(SELECT private.escritorios_da_equipe())));

COMMENT ON POLICY "staff read the chat of their office's tickets" ON tickets.chat_mensagens IS
'Active staff read the chat archive of their offices'' tickets.';
