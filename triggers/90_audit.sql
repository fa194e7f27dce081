-- =============================================================================================
-- Audit trail (flow 6): every insert, update and delete of the audited tables, with the actor
-- =============================================================================================
-- Audited: crm.clientes, tickets.tickets, tickets.ticket_comments, crm.documentos,
-- balcao_virtual.sessoes_ativas. One statement-level trigger per table and event (PostgreSQL
-- allows a transition table only on a single-event trigger), all running one function that
-- writes one audit.eventos row per changed row in a single INSERT ... SELECT.
--
-- Who acted:
--   ator_id    auth.uid() (NULL for service_role, maintenance and jobs);
--   ator_papel the staff papel (atendente / supervisor / admin) when the actor is active staff
--              of the row's office, else 'cliente' when the actor is a portal login, else the
--              request role (service_role, authenticated, anon) or, with no request role, the
--              login (e.g. postgres): see private.papel_da_requisicao().
-- Rows: registro_id = id::text, dados_antes / dados_depois = to_jsonb of the row, escritorio_id
-- copied. UPDATE pairs old and new rows by id; a row whose id changed still gets both halves
-- (two events, one with only the before image and one with only the after image).
-- Cascaded changes (ON DELETE CASCADE / SET NULL) fire these triggers too and are recorded with
-- the same actor.
--
-- Append-only: audit.eventos grants no UPDATE / DELETE / TRUNCATE to any API role
-- (migrations/0006), and eventos_00_imutavel refuses them for everyone else, table owner and
-- superusers included (SK012). It is ENABLE ALWAYS, so session_replication_role = replica does
-- not skip it. (An owner can still DROP or DISABLE the trigger: that is DDL, visible in the
-- catalog and in `schema-kit` drift, not a silent row change.)

-- Why: writes the audit rows for one audited statement. SECURITY DEFINER: only the owner (and
-- service_role) may insert into audit.eventos, and the API roles have no USAGE on audit.
-- Compiled by PL/pgSQL once per trigger, so n.id / n.escritorio_id resolve against each
-- audited table (all five have both columns).
CREATE OR REPLACE FUNCTION audit.registrar_eventos()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
    v_ator uuid := auth.uid();
    v_papel text := CASE
        WHEN auth.uid() IS NULL THEN private.papel_da_requisicao()
        WHEN private.cliente_do_usuario() IS NOT NULL THEN 'cliente'
        ELSE private.papel_da_requisicao()
    END;
    v_tabela text := TG_TABLE_SCHEMA || '.' || TG_TABLE_NAME;
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO audit.eventos (ator_id, ator_papel, tabela, operacao, registro_id, dados_depois, escritorio_id)
        SELECT v_ator, coalesce(e.papel, v_papel), v_tabela, 'INSERT', n.id::text, to_jsonb(n), n.escritorio_id
        FROM novas AS n
        LEFT JOIN crm.equipe AS e
            ON e.escritorio_id = n.escritorio_id AND e.user_id = v_ator AND e.ativo;
    ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO audit.eventos (
            ator_id, ator_papel, tabela, operacao, registro_id, dados_antes, dados_depois, escritorio_id
        )
        SELECT
            v_ator,
            coalesce(e.papel, v_papel),
            v_tabela,
            'UPDATE',
            coalesce(n.id, o.id)::text,
            to_jsonb(o),
            to_jsonb(n),
            coalesce(n.escritorio_id, o.escritorio_id)
        FROM novas AS n
        FULL JOIN antigas AS o ON o.id = n.id
        LEFT JOIN crm.equipe AS e
            ON e.escritorio_id = coalesce(n.escritorio_id, o.escritorio_id) AND e.user_id = v_ator AND e.ativo;
    ELSE
        INSERT INTO audit.eventos (ator_id, ator_papel, tabela, operacao, registro_id, dados_antes, escritorio_id)
        SELECT v_ator, coalesce(e.papel, v_papel), v_tabela, 'DELETE', o.id::text, to_jsonb(o), o.escritorio_id
        FROM antigas AS o
        LEFT JOIN crm.equipe AS e
            ON e.escritorio_id = o.escritorio_id AND e.user_id = v_ator AND e.ativo;
    END IF;
    RETURN NULL;
END
$$;

COMMENT ON FUNCTION audit.registrar_eventos() IS
'Statement-level audit trigger: one audit.eventos row per inserted, updated or deleted row (transition tables '
'novas / antigas), with ator_id = auth.uid() and ator_papel = staff papel, cliente or the request role.';

-- Why: flow 6 for crm.clientes (insert, update, delete).
CREATE OR REPLACE TRIGGER clientes_90_auditoria_insert
AFTER INSERT ON crm.clientes
REFERENCING NEW TABLE AS novas
FOR EACH STATEMENT
EXECUTE FUNCTION audit.registrar_eventos();

CREATE OR REPLACE TRIGGER clientes_90_auditoria_update
AFTER UPDATE ON crm.clientes
REFERENCING OLD TABLE AS antigas NEW TABLE AS novas
FOR EACH STATEMENT
EXECUTE FUNCTION audit.registrar_eventos();

CREATE OR REPLACE TRIGGER clientes_90_auditoria_delete
AFTER DELETE ON crm.clientes
REFERENCING OLD TABLE AS antigas
FOR EACH STATEMENT
EXECUTE FUNCTION audit.registrar_eventos();

COMMENT ON TRIGGER clientes_90_auditoria_insert ON crm.clientes IS 'Audit trail: inserted clients.';
COMMENT ON TRIGGER clientes_90_auditoria_update ON crm.clientes IS 'Audit trail: updated clients (before and after).';
COMMENT ON TRIGGER clientes_90_auditoria_delete ON crm.clientes IS 'Audit trail: deleted clients.';

-- Why: flow 6 for tickets.tickets (insert, update, delete).
CREATE OR REPLACE TRIGGER tickets_90_auditoria_insert
AFTER INSERT ON tickets.tickets
REFERENCING NEW TABLE AS novas
FOR EACH STATEMENT
EXECUTE FUNCTION audit.registrar_eventos();

CREATE OR REPLACE TRIGGER tickets_90_auditoria_update
AFTER UPDATE ON tickets.tickets
REFERENCING OLD TABLE AS antigas NEW TABLE AS novas
FOR EACH STATEMENT
EXECUTE FUNCTION audit.registrar_eventos();

CREATE OR REPLACE TRIGGER tickets_90_auditoria_delete
AFTER DELETE ON tickets.tickets
REFERENCING OLD TABLE AS antigas
FOR EACH STATEMENT
EXECUTE FUNCTION audit.registrar_eventos();

COMMENT ON TRIGGER tickets_90_auditoria_insert ON tickets.tickets IS 'Audit trail: inserted tickets.';
COMMENT ON TRIGGER tickets_90_auditoria_update ON tickets.tickets IS 'Audit trail: updated tickets (before and after).';
COMMENT ON TRIGGER tickets_90_auditoria_delete ON tickets.tickets IS 'Audit trail: deleted tickets.';

-- Why: flow 6 for tickets.ticket_comments (insert, update, delete).
CREATE OR REPLACE TRIGGER ticket_comments_90_auditoria_insert
AFTER INSERT ON tickets.ticket_comments
REFERENCING NEW TABLE AS novas
FOR EACH STATEMENT
EXECUTE FUNCTION audit.registrar_eventos();

CREATE OR REPLACE TRIGGER ticket_comments_90_auditoria_update
AFTER UPDATE ON tickets.ticket_comments
REFERENCING OLD TABLE AS antigas NEW TABLE AS novas
FOR EACH STATEMENT
EXECUTE FUNCTION audit.registrar_eventos();

CREATE OR REPLACE TRIGGER ticket_comments_90_auditoria_delete
AFTER DELETE ON tickets.ticket_comments
REFERENCING OLD TABLE AS antigas
FOR EACH STATEMENT
EXECUTE FUNCTION audit.registrar_eventos();

COMMENT ON TRIGGER ticket_comments_90_auditoria_insert ON tickets.ticket_comments IS
'Audit trail: inserted comments (Balcão imports included).';
COMMENT ON TRIGGER ticket_comments_90_auditoria_update ON tickets.ticket_comments IS
'Audit trail: updated comments (before and after).';
COMMENT ON TRIGGER ticket_comments_90_auditoria_delete ON tickets.ticket_comments IS
'Audit trail: deleted comments.';

-- Why: flow 6 for crm.documentos (insert, update, delete).
CREATE OR REPLACE TRIGGER documentos_90_auditoria_insert
AFTER INSERT ON crm.documentos
REFERENCING NEW TABLE AS novas
FOR EACH STATEMENT
EXECUTE FUNCTION audit.registrar_eventos();

CREATE OR REPLACE TRIGGER documentos_90_auditoria_update
AFTER UPDATE ON crm.documentos
REFERENCING OLD TABLE AS antigas NEW TABLE AS novas
FOR EACH STATEMENT
EXECUTE FUNCTION audit.registrar_eventos();

CREATE OR REPLACE TRIGGER documentos_90_auditoria_delete
AFTER DELETE ON crm.documentos
REFERENCING OLD TABLE AS antigas
FOR EACH STATEMENT
EXECUTE FUNCTION audit.registrar_eventos();

COMMENT ON TRIGGER documentos_90_auditoria_insert ON crm.documentos IS 'Audit trail: inserted documents.';
COMMENT ON TRIGGER documentos_90_auditoria_update ON crm.documentos IS
'Audit trail: updated documents (before and after).';
COMMENT ON TRIGGER documentos_90_auditoria_delete ON crm.documentos IS 'Audit trail: deleted documents.';

-- Why: flow 6 for balcao_virtual.sessoes_ativas (insert, update, delete).
CREATE OR REPLACE TRIGGER sessoes_ativas_90_auditoria_insert
AFTER INSERT ON balcao_virtual.sessoes_ativas
REFERENCING NEW TABLE AS novas
FOR EACH STATEMENT
EXECUTE FUNCTION audit.registrar_eventos();

CREATE OR REPLACE TRIGGER sessoes_ativas_90_auditoria_update
AFTER UPDATE ON balcao_virtual.sessoes_ativas
REFERENCING OLD TABLE AS antigas NEW TABLE AS novas
FOR EACH STATEMENT
EXECUTE FUNCTION audit.registrar_eventos();

CREATE OR REPLACE TRIGGER sessoes_ativas_90_auditoria_delete
AFTER DELETE ON balcao_virtual.sessoes_ativas
REFERENCING OLD TABLE AS antigas
FOR EACH STATEMENT
EXECUTE FUNCTION audit.registrar_eventos();

COMMENT ON TRIGGER sessoes_ativas_90_auditoria_insert ON balcao_virtual.sessoes_ativas IS
'Audit trail: started Balcão sessions.';
COMMENT ON TRIGGER sessoes_ativas_90_auditoria_update ON balcao_virtual.sessoes_ativas IS
'Audit trail: updated Balcão sessions (before and after).';
COMMENT ON TRIGGER sessoes_ativas_90_auditoria_delete ON balcao_virtual.sessoes_ativas IS
'Audit trail: deleted Balcão sessions.';

-- ---------------------------------------------------------------------------------------------
-- audit.eventos: append-only
-- ---------------------------------------------------------------------------------------------

-- Why: flow 6: nobody may rewrite the trail. Grants already keep the API roles out; this stops
-- the owner and superusers (who bypass grants), with the documented SK012.
CREATE OR REPLACE FUNCTION audit.recusar_alteracao()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = ''
AS $$
BEGIN
    RAISE EXCEPTION 'A trilha de auditoria não pode ser alterada.'
        USING ERRCODE = 'SK012',
              HINT = 'Eventos de auditoria são somente de inserção.';
END
$$;

COMMENT ON FUNCTION audit.recusar_alteracao() IS
'Trigger of audit.eventos: refuses UPDATE, DELETE and TRUNCATE for everyone (SK012).';

-- Why: see audit.recusar_alteracao. Statement-level, so it also refuses statements that would
-- touch no row, and TRUNCATE (which has no row triggers).
CREATE OR REPLACE TRIGGER eventos_00_imutavel
BEFORE UPDATE OR DELETE OR TRUNCATE ON audit.eventos
FOR EACH STATEMENT
EXECUTE FUNCTION audit.recusar_alteracao();

-- Why: fire even under session_replication_role = replica (which skips ordinary triggers).
ALTER TABLE audit.eventos ENABLE ALWAYS TRIGGER eventos_00_imutavel;

COMMENT ON TRIGGER eventos_00_imutavel ON audit.eventos IS
'Append-only trail: UPDATE, DELETE and TRUNCATE are refused for everyone, superusers included (SK012). ENABLE ALWAYS.';

REVOKE ALL ON FUNCTION audit.registrar_eventos() FROM public;
REVOKE ALL ON FUNCTION audit.recusar_alteracao() FROM public;
