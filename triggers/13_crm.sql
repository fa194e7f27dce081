-- =============================================================================================
-- crm: updated_at and the rules for editing a client record
-- =============================================================================================
-- Tickets, sessions and documents point at a client through (escritorio_id, cliente_id), and a
-- portal login reaches its data only through crm.clientes.user_id. So for API callers a client
-- record's identity columns never change: otherwise staff could move a client into another of
-- their offices or attach any login to a client's history. Linking a portal login is an
-- onboarding step of the back-office (service_role). A client may correct only its contact
-- fields. Trusted code (service_role, owner, superuser) is not restricted here.

-- Stamp updated_at on every update (crm.escritorios, crm.equipe, crm.clientes).
CREATE OR REPLACE FUNCTION crm.tg_tocar_updated_at()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    NEW.updated_at := pg_catalog.now();
    RETURN NEW;
END
$$;

COMMENT ON FUNCTION crm.tg_tocar_updated_at() IS
'BEFORE UPDATE: updated_at = now(), whatever the caller sent.';

CREATE OR REPLACE TRIGGER escritorios_80_updated_at
BEFORE UPDATE ON crm.escritorios
FOR EACH ROW
EXECUTE FUNCTION crm.tg_tocar_updated_at();

CREATE OR REPLACE TRIGGER equipe_80_updated_at
BEFORE UPDATE ON crm.equipe
FOR EACH ROW
EXECUTE FUNCTION crm.tg_tocar_updated_at();

CREATE OR REPLACE TRIGGER clientes_80_updated_at
BEFORE UPDATE ON crm.clientes
FOR EACH ROW
EXECUTE FUNCTION crm.tg_tocar_updated_at();

-- Identity columns are immutable for API callers (SK009); a client edits only email and
-- telefone of its own record (SK010). RLS already limits which rows each persona may update.
CREATE OR REPLACE FUNCTION crm.tg_clientes_regras()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_colunas text;
BEGIN
    IF private.papel_confiavel(current_user) THEN
        RETURN NEW;
    END IF;

    v_colunas := private.colunas_alteradas(
        to_jsonb(OLD), to_jsonb(NEW), ARRAY['id', 'escritorio_id', 'user_id', 'created_at']
    );
    IF v_colunas IS NOT NULL THEN
        RAISE EXCEPTION USING
            ERRCODE = 'SK009',
            MESSAGE = pg_catalog.format('Campo imutável: %s.', v_colunas),
            HINT = 'Identidade, escritório e login do cliente só mudam pelo back-office do escritório.';
    END IF;

    IF OLD.user_id = (SELECT auth.uid()) THEN
        v_colunas := private.colunas_alteradas(to_jsonb(OLD), to_jsonb(NEW), ARRAY['nome', 'documento']);
    ELSE
        v_colunas := NULL;
    END IF;
    IF v_colunas IS NOT NULL THEN
        RAISE EXCEPTION USING
            ERRCODE = 'SK010',
            MESSAGE = pg_catalog.format('Alteração não permitida pelo cliente: %s.', v_colunas),
            HINT = 'No seu cadastro você altera só e-mail e telefone; o resto, peça ao escritório.';
    END IF;
    RETURN NEW;
END
$$;

COMMENT ON FUNCTION crm.tg_clientes_regras() IS
'BEFORE UPDATE on crm.clientes for API callers: id, escritorio_id, user_id, created_at immutable (SK009); '
'a client changes only email and telefone of its own record (SK010).';

CREATE OR REPLACE TRIGGER clientes_10_regras
BEFORE UPDATE ON crm.clientes
FOR EACH ROW
EXECUTE FUNCTION crm.tg_clientes_regras();
