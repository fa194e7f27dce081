-- =============================================================================================
-- tickets.chat_mensagens: the first staff chat message stamps primeira_resposta_em
-- =============================================================================================
-- Flow 3 of ARCHITECTURE section 5. Chat messages are written by tickets.enviar_mensagem
-- (SECURITY DEFINER, with its own checks) or by service_role; this file only adds the effect
-- on the ticket, so it holds for every writer.
--
--   chat_mensagens_60_primeira_resposta   AFTER INSERT, statement


-- Why: "the first staff comment or message stamps primeira_resposta_em". Set-based over the
-- statement's transition table; the rule itself is private.marcar_primeira_resposta. SECURITY DEFINER: the sender
-- may not be allowed to update the ticket row itself (and the update must not depend on it).
CREATE OR REPLACE FUNCTION tickets.tg_chat_mensagens_primeira_resposta()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM private.marcar_primeira_resposta(array_agg(n.ticket_id), array_agg(n.enviado_em))
    FROM novos AS n
    WHERE n.autor_tipo = 'equipe';
    RETURN NULL;
END
$$;

COMMENT ON FUNCTION tickets.tg_chat_mensagens_primeira_resposta() IS
'Trigger function (AFTER INSERT, statement on tickets.chat_mensagens): stamps tickets.primeira_resposta_em with the '
'first staff message (once, only while NULL).';

REVOKE ALL ON FUNCTION tickets.tg_chat_mensagens_primeira_resposta() FROM public;

-- Why: one firing per statement, whatever the number of messages.
CREATE OR REPLACE TRIGGER chat_mensagens_60_primeira_resposta
AFTER INSERT ON tickets.chat_mensagens
REFERENCING NEW TABLE AS novos
FOR EACH STATEMENT
EXECUTE FUNCTION tickets.tg_chat_mensagens_primeira_resposta();

COMMENT ON TRIGGER chat_mensagens_60_primeira_resposta ON tickets.chat_mensagens IS
'The first staff chat message stamps tickets.primeira_resposta_em.';
