-- =============================================================================================
-- Row level security: balcao_virtual (front-desk sessions and their log)
-- =============================================================================================
-- Conventions and the performance pattern: see policies/crm.sql. Read-only for the API (SELECT
-- grant only): the Balcao Virtual backend writes sessions and log lines as service_role, and
-- the import into tickets runs as the owner (SECURITY DEFINER triggers/functions).

-- Lint: policy names are sentences stating the rule (spaces, apostrophes), so RF05
-- (special characters in identifiers) is off for this file.
-- noqa: disable=RF05

-- =============================================================================================
-- balcao_virtual.sessoes_ativas
-- =============================================================================================

-- Why: a client sees its own front-desk sessions (CRM history on the portal).
DROP POLICY IF EXISTS "clients read their own Balcao sessions" ON balcao_virtual.sessoes_ativas;
CREATE POLICY "clients read their own Balcao sessions"
ON balcao_virtual.sessoes_ativas
FOR SELECT
TO authenticated
USING (cliente_id = (SELECT private.cliente_do_usuario()));

COMMENT ON POLICY "clients read their own Balcao sessions" ON balcao_virtual.sessoes_ativas IS
'A client reads the Balcao Virtual sessions of its own record.';

-- Why: active staff see every session of their offices (who is at the front desk now).
DROP POLICY IF EXISTS "staff read their office's Balcao sessions" ON balcao_virtual.sessoes_ativas;
CREATE POLICY "staff read their office's Balcao sessions"
ON balcao_virtual.sessoes_ativas
FOR SELECT
TO authenticated
USING (escritorio_id = ANY(ARRAY(SELECT private.escritorios_da_equipe())));

COMMENT ON POLICY "staff read their office's Balcao sessions" ON balcao_virtual.sessoes_ativas IS
'Active staff read the Balcao Virtual sessions of their offices.';

-- =============================================================================================
-- balcao_virtual.logs_conversas
-- =============================================================================================

-- Why: a client reads the conversation of its own sessions (the same lines it typed and was
-- answered with; nothing in the log is internal).
DROP POLICY IF EXISTS "clients read the log of their own Balcao sessions" ON balcao_virtual.logs_conversas;
CREATE POLICY "clients read the log of their own Balcao sessions"
ON balcao_virtual.logs_conversas
FOR SELECT
TO authenticated
USING (sessao_id = ANY(ARRAY(SELECT private.sessoes_do_cliente())));

COMMENT ON POLICY "clients read the log of their own Balcao sessions" ON balcao_virtual.logs_conversas IS
'A client reads the log lines of its own Balcao Virtual sessions.';

-- Why: active staff read every log line of their offices.
DROP POLICY IF EXISTS "staff read their office's Balcao logs" ON balcao_virtual.logs_conversas;
CREATE POLICY "staff read their office's Balcao logs"
ON balcao_virtual.logs_conversas
FOR SELECT
TO authenticated
USING (escritorio_id = ANY(ARRAY(SELECT private.escritorios_da_equipe())));

COMMENT ON POLICY "staff read their office's Balcao logs" ON balcao_virtual.logs_conversas IS
'Active staff read the Balcao Virtual log lines of their offices.';
