-- =============================================================================================
-- Row level security: crm (offices, staff, clients, documents)
-- =============================================================================================
-- RLS is enabled by the migrations and table privileges are granted there; this file only
-- states WHO sees WHICH rows. Every policy is permissive, FOR one command, TO authenticated:
-- anon holds no privilege on the schema, service_role bypasses RLS, and nothing is deleted
-- through the API (no DELETE grant, hence no DELETE policy). The matrix of persona x table x
-- operation these policies produce is policies/access_matrix.toml (tested cell by cell).
--
-- Performance pattern (ARCHITECTURE section 8), the same in every file:
--   * the caller's identity is computed once per statement: `(SELECT auth.uid())`,
--     `(SELECT private.cliente_do_usuario())` become InitPlans, never per-row calls;
--   * set-valued lookups are `col = ANY(ARRAY(SELECT private.helper()))`: the array is an
--     InitPlan parameter, so `col = ANY ($n)` stays an index condition even when OR'ed with
--     another policy (the `col IN (SELECT ...)` form becomes a hashed SubPlan *filter*, which
--     turns a client's "my tickets" list into a sequential scan of every office's tickets).

-- Lint: policy names are sentences stating the rule (spaces, apostrophes), so RF05
-- (special characters in identifiers) is off for this file.
-- noqa: disable=RF05

-- =============================================================================================
-- crm.escritorios
-- =============================================================================================

-- Why: staff work inside their offices and need their names; offices where the caller is
-- not (or no longer) active staff stay invisible.
DROP POLICY IF EXISTS "staff read their offices" ON crm.escritorios;
CREATE POLICY "staff read their offices"
ON crm.escritorios
FOR SELECT
TO authenticated
USING (id = ANY(ARRAY(SELECT private.escritorios_da_equipe())));

COMMENT ON POLICY "staff read their offices" ON crm.escritorios IS
'Active staff read the offices they work for.';

-- Why: the portal shows the client the name of its office; a client sees no other office.
DROP POLICY IF EXISTS "clients read their own office" ON crm.escritorios;
CREATE POLICY "clients read their own office"
ON crm.escritorios
FOR SELECT
TO authenticated
USING (id = (SELECT private.escritorio_do_cliente()));

COMMENT ON POLICY "clients read their own office" ON crm.escritorios IS
'A client (portal login) reads the office it is a client of.';

-- =============================================================================================
-- crm.equipe
-- =============================================================================================

-- Why: staff see who their active colleagues are (assignment, hand-over). Deactivated members
-- are an administrative matter for supervisors.
DROP POLICY IF EXISTS "staff read the active members of their offices" ON crm.equipe;
CREATE POLICY "staff read the active members of their offices"
ON crm.equipe
FOR SELECT
TO authenticated
USING (ativo AND escritorio_id = ANY(ARRAY(SELECT private.escritorios_da_equipe())));

COMMENT ON POLICY "staff read the active members of their offices" ON crm.equipe IS
'Active staff read the active memberships of their offices.';

-- Why: supervisors and admins manage the roster, including deactivated members.
DROP POLICY IF EXISTS "supervisors read every member of their offices" ON crm.equipe;
CREATE POLICY "supervisors read every member of their offices"
ON crm.equipe
FOR SELECT
TO authenticated
USING (escritorio_id = ANY(ARRAY(SELECT private.escritorios_supervisionados())));

COMMENT ON POLICY "supervisors read every member of their offices" ON crm.equipe IS
'Active supervisors and admins read every membership of their offices, inactive ones included.';

-- Why: any user may see its own memberships (also inactive ones: the portal can then tell a
-- deactivated member why the office is gone).
DROP POLICY IF EXISTS "users read their own memberships" ON crm.equipe;
CREATE POLICY "users read their own memberships"
ON crm.equipe
FOR SELECT
TO authenticated
USING (user_id = (SELECT auth.uid()));

COMMENT ON POLICY "users read their own memberships" ON crm.equipe IS
'Every user reads its own membership rows, active or not.';

-- =============================================================================================
-- crm.clientes
-- =============================================================================================

-- Why: staff attend the clients of their offices and nobody else's.
DROP POLICY IF EXISTS "staff read their office's clients" ON crm.clientes;
CREATE POLICY "staff read their office's clients"
ON crm.clientes
FOR SELECT
TO authenticated
USING (escritorio_id = ANY(ARRAY(SELECT private.escritorios_da_equipe())));

COMMENT ON POLICY "staff read their office's clients" ON crm.clientes IS
'Active staff read the clients of their offices.';

-- Why: staff keep their clients' records up to date; the new row must still belong to one
-- of their offices. (Which columns may change is the triggers' business: escritorio_id,
-- user_id, id and created_at must never change through the API.)
DROP POLICY IF EXISTS "staff update their office's clients" ON crm.clientes;
CREATE POLICY "staff update their office's clients"
ON crm.clientes
FOR UPDATE
TO authenticated
USING (escritorio_id = ANY(ARRAY(SELECT private.escritorios_da_equipe())))
WITH CHECK (escritorio_id = ANY(ARRAY(SELECT private.escritorios_da_equipe())));

COMMENT ON POLICY "staff update their office's clients" ON crm.clientes IS
'Active staff update the clients of their offices; the row must stay in one of their offices.';

-- Why: a client reads its own record (the one its portal login is linked to) and no other.
DROP POLICY IF EXISTS "clients read their own record" ON crm.clientes;
CREATE POLICY "clients read their own record"
ON crm.clientes
FOR SELECT
TO authenticated
USING (user_id = (SELECT auth.uid()));

COMMENT ON POLICY "clients read their own record" ON crm.clientes IS
'A client (portal login) reads its own crm.clientes row.';

-- Why (decision): a client keeps its own contact details (email, telefone) current from the
-- portal. The new row must still be the caller's own record in the caller's office: the
-- helpers read the committed row (statement snapshot), so moving the record to another
-- office, re-linking the login or changing the id fails here with 42501. Restricting the
-- client to the contact columns (nome and documento are the office's records) is the job of
-- a BEFORE UPDATE trigger on crm.clientes.
DROP POLICY IF EXISTS "clients update their own contact details" ON crm.clientes;
CREATE POLICY "clients update their own contact details"
ON crm.clientes
FOR UPDATE
TO authenticated
USING (user_id = (SELECT auth.uid()))
WITH CHECK (
    user_id = (SELECT auth.uid())
    AND id = (SELECT private.cliente_do_usuario())
    AND escritorio_id = (SELECT private.escritorio_do_cliente())
);

COMMENT ON POLICY "clients update their own contact details" ON crm.clientes IS
'A client updates its own row; id, user_id and escritorio_id cannot change (columns: see triggers).';

-- =============================================================================================
-- crm.documentos
-- =============================================================================================

-- Why: a client sees the documents filed under its own record, whoever uploaded them.
DROP POLICY IF EXISTS "clients read their own documents" ON crm.documentos;
CREATE POLICY "clients read their own documents"
ON crm.documentos
FOR SELECT
TO authenticated
USING (cliente_id = (SELECT private.cliente_do_usuario()));

COMMENT ON POLICY "clients read their own documents" ON crm.documentos IS
'A client reads the documents of its own record.';

-- Why: staff see every document of their offices' clients.
DROP POLICY IF EXISTS "staff read their office's documents" ON crm.documentos;
CREATE POLICY "staff read their office's documents"
ON crm.documentos
FOR SELECT
TO authenticated
USING (escritorio_id = ANY(ARRAY(SELECT private.escritorios_da_equipe())));

COMMENT ON POLICY "staff read their office's documents" ON crm.documentos IS
'Active staff read the documents of their offices.';

-- Why: a client uploads documents for itself only: client and office are the caller's own
-- (never trusted from the request) and the uploader is the caller. An attached ticket_id is
-- held to the same client by the foreign key (escritorio_id, cliente_id, ticket_id).
DROP POLICY IF EXISTS "clients upload their own documents" ON crm.documentos;
CREATE POLICY "clients upload their own documents"
ON crm.documentos
FOR INSERT
TO authenticated
WITH CHECK (
    cliente_id = (SELECT private.cliente_do_usuario())
    AND escritorio_id = (SELECT private.escritorio_do_cliente())
    AND enviado_por = (SELECT auth.uid())
);

COMMENT ON POLICY "clients upload their own documents" ON crm.documentos IS
'A client inserts documents of its own record, in its own office, with enviado_por = itself.';

-- Why: staff file documents for the clients of their offices (the composite foreign key keeps
-- the client in that office); the uploader is the caller.
DROP POLICY IF EXISTS "staff upload documents of their office's clients" ON crm.documentos;
CREATE POLICY "staff upload documents of their office's clients"
ON crm.documentos
FOR INSERT
TO authenticated
WITH CHECK (
    escritorio_id = ANY(ARRAY(SELECT private.escritorios_da_equipe()))
    AND enviado_por = (SELECT auth.uid())
);

COMMENT ON POLICY "staff upload documents of their office's clients" ON crm.documentos IS
'Active staff insert documents in their offices, with enviado_por = themselves.';
