-- =============================================================================================
-- crm.documentos: what the database stamps, the storage layout, closed tickets
-- =============================================================================================
-- A document row is metadata of a file in object storage. Three rules the caller may not bend:
--   * created_at is the database's clock for API users (a client dating a document 2999-01-01
--     would pin it to the top of the office's CRM history); trusted code (imports) may supply it;
--   * storage_path follows one layout, `<escritorio_id>/<cliente_id>/<file>`, for every writer,
--     so Supabase Storage policies can authorize by folder (storage.foldername(name)[1] is the
--     office, [2] the client) and no row can point into another office's or client's folder
--     (no '..', no extra segments, no leading slash) - SK018;
--   * attaching to a ticket locks it (private.ticket_para_escrita): a fechado ticket takes no new
--     document, even racing the close (SK005).
-- tamanho_bytes, when given, is not negative (SK013). Text bounds: documentos_40_campos.

-- Why: see the header. SECURITY INVOKER; the ticket lock goes through the definer helper.
CREATE OR REPLACE FUNCTION crm.tg_documentos_regras()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_pasta text[] := string_to_array(NEW.storage_path, '/');
    v_ticket record;
BEGIN
    IF TG_OP = 'INSERT' AND NOT private.papel_confiavel(current_user) THEN
        NEW.created_at := now();
    END IF;

    IF NEW.tamanho_bytes < 0 THEN
        RAISE EXCEPTION USING
            ERRCODE = 'SK013',
            MESSAGE = format('Valor inválido para tamanho_bytes: %s.', NEW.tamanho_bytes),
            HINT = 'Informe o tamanho do arquivo em bytes (zero ou mais).';
    END IF;

    IF NEW.storage_path IS NOT NULL AND NOT (
        cardinality(v_pasta) = 3
        AND v_pasta[1] = NEW.escritorio_id::text
        AND v_pasta[2] = NEW.cliente_id::text
        AND v_pasta[3] NOT IN ('', '.', '..')
        AND v_pasta[3] !~ '[[:cntrl:]\\]'
    ) THEN
        RAISE EXCEPTION USING
            ERRCODE = 'SK018',
            MESSAGE = 'Caminho de armazenamento inválido.',
            HINT = format('Use %s/%s/<nome do arquivo>, sem barras no nome do arquivo.',
                          NEW.escritorio_id, NEW.cliente_id);
    END IF;

    IF NEW.ticket_id IS NOT NULL
        AND (TG_OP = 'INSERT' OR NEW.ticket_id IS DISTINCT FROM OLD.ticket_id)
        AND NOT (private.papel_confiavel(current_user) AND current_user <> 'service_role') THEN
        SELECT v.status, v.papel INTO v_ticket FROM private.ticket_para_escrita(NEW.ticket_id) AS v;
        IF v_ticket.status = 'fechado' THEN
            RAISE EXCEPTION USING
                ERRCODE = 'SK005',
                MESSAGE = 'Chamado fechado não aceita novos documentos.',
                HINT = 'Envie o documento sem vínculo com o chamado. ' || private.dica_chamado_fechado(v_ticket.papel);
        END IF;
        -- No row (a ticket the caller may not use): the foreign key and RLS decide, as before.
    END IF;
    RETURN NEW;
END
$$;

COMMENT ON FUNCTION crm.tg_documentos_regras() IS
'Trigger function (BEFORE INSERT OR UPDATE on crm.documentos): created_at = now() for API users; storage_path is '
'<escritorio_id>/<cliente_id>/<file> (SK018); tamanho_bytes >= 0 (SK013); no document attached to a fechado ticket, '
'which is locked until commit (SK005).';

CREATE OR REPLACE TRIGGER documentos_10_regras
BEFORE INSERT OR UPDATE ON crm.documentos
FOR EACH ROW
EXECUTE FUNCTION crm.tg_documentos_regras();

COMMENT ON TRIGGER documentos_10_regras ON crm.documentos IS
'Database clock for created_at, one storage layout, no document on a closed ticket.';
