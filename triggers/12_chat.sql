-- =============================================================================================
-- tickets.chat_mensagens: the first staff chat message stamps primeira_resposta_em
-- =============================================================================================
-- Flow 3 of ARCHITECTURE section 5. Chat messages are written by tickets.enviar_mensagem
-- (SECURITY DEFINER, with its own checks and lock) or by service_role; this file holds the
-- rules that must hold for every writer.
--
--   chat_mensagens_10_ticket_aberto       BEFORE INSERT, row: the ticket is locked and not fechado
--   chat_mensagens_60_primeira_resposta   AFTER INSERT, row, WHEN the author is staff


-- Why: "a fechado ticket takes no new messages" for every writer, under concurrency: a row
-- written by service_role (the backend key) locks its ticket until commit
-- (private.ticket_para_escrita) and is refused on a fechado ticket (SK005). tickets.enviar_mensagem
-- runs as the owner and has already locked and checked the ticket itself, so the owner's own
-- domain code is not checked twice.
-- It also sets cliente_id, the key of the client read policy (migrations/0015), to the ticket's
-- client (the owner's code supplies it; maintenance rows that leave it out get it filled); a
-- value that is not the ticket's client fails chat_mensagens_cliente_ticket_fkey anyway.
CREATE OR REPLACE FUNCTION tickets.tg_chat_mensagens_ticket_aberto()
RETURNS trigger
LANGUAGE plpgsql
SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_status text;
    v_cliente uuid;
BEGIN
    IF private.papel_confiavel(current_user) AND current_user <> 'service_role' THEN
        -- the owner's domain code (tickets.enviar_mensagem, which supplies cliente_id) or
        -- maintenance: only the derived client, when left out.
        IF NEW.cliente_id IS NULL THEN
            SELECT t.cliente_id INTO NEW.cliente_id FROM tickets.tickets AS t WHERE t.id = NEW.ticket_id;
        END IF;
        RETURN NEW;
    END IF;
    SELECT v.status, v.cliente_id INTO v_status, v_cliente FROM private.ticket_para_escrita(NEW.ticket_id) AS v;
    IF NOT FOUND THEN
        RAISE EXCEPTION USING
            ERRCODE = 'SK004',
            MESSAGE = 'Chamado não encontrado.',
            HINT = 'Verifique o número do chamado; você só vê chamados do seu escritório ou seus.';
    END IF;
    IF v_status = 'fechado' THEN
        RAISE EXCEPTION USING
            ERRCODE = 'SK005',
            MESSAGE = 'Chamado fechado não aceita novas mensagens.',
            HINT = private.dica_chamado_fechado(NULL);
    END IF;
    NEW.cliente_id := v_cliente;
    RETURN NEW;
END
$$;

COMMENT ON FUNCTION tickets.tg_chat_mensagens_ticket_aberto() IS
'Trigger function (BEFORE INSERT on tickets.chat_mensagens): for writers other than the owner''s domain code, locks '
'the ticket until commit and refuses a fechado ticket (SK005) or an unknown one (SK004); sets cliente_id to the '
'ticket''s client (filled only when missing for the owner''s code).';

CREATE OR REPLACE TRIGGER chat_mensagens_10_ticket_aberto
BEFORE INSERT ON tickets.chat_mensagens
FOR EACH ROW
EXECUTE FUNCTION tickets.tg_chat_mensagens_ticket_aberto();

COMMENT ON TRIGGER chat_mensagens_10_ticket_aberto ON tickets.chat_mensagens IS
'No chat message on a fechado ticket, whoever writes it, even racing the close.';


-- Why: "the first staff comment or message stamps primeira_resposta_em"; the rule itself is
-- private.marcar_primeira_resposta. SECURITY DEFINER: the sender may not be allowed to update
-- the ticket row itself (and the update must not depend on it).
-- Performance: a row trigger WHEN the author is staff, not a statement trigger over the
-- transition table. Chat messages arrive one per statement (tickets.enviar_mensagem), and a
-- client's message - half of every conversation - can never stamp anything: with the WHEN
-- clause it fires nothing at all, where the statement trigger cost ~45 us per message
-- (capturing the transition table, a query over it, a call) to find that out.
CREATE OR REPLACE FUNCTION tickets.tg_chat_mensagens_primeira_resposta()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM private.marcar_primeira_resposta(ARRAY[NEW.ticket_id], ARRAY[NEW.enviado_em]);
    RETURN NULL;
END
$$;

COMMENT ON FUNCTION tickets.tg_chat_mensagens_primeira_resposta() IS
'Trigger function (AFTER INSERT, row, staff messages only on tickets.chat_mensagens): stamps '
'tickets.primeira_resposta_em with the first staff message (once, only while NULL).';

REVOKE ALL ON FUNCTION tickets.tg_chat_mensagens_primeira_resposta() FROM public;

-- (Until 2026-11 a statement trigger of the same name; CREATE OR REPLACE turns it into this one.)
CREATE OR REPLACE TRIGGER chat_mensagens_60_primeira_resposta
AFTER INSERT ON tickets.chat_mensagens
FOR EACH ROW
WHEN (new.autor_tipo = 'equipe')
EXECUTE FUNCTION tickets.tg_chat_mensagens_primeira_resposta();

COMMENT ON TRIGGER chat_mensagens_60_primeira_resposta ON tickets.chat_mensagens IS
'The first staff chat message stamps tickets.primeira_resposta_em.';
