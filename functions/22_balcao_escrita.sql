-- =============================================================================================
-- Balcão Virtual: the writer's API (service_role only)
-- =============================================================================================
-- The Balcão Virtual system (a chatbot/attendant channel outside the portal) writes its
-- conversations here with the backend key. Three calls, each validated and idempotent, so a
-- webhook can be retried blindly:
--   balcao_virtual.iniciar_sessao(cliente_id, canal = 'web', atendente_id = null)
--       -> the client's ativa session (the existing one, or a new one)
--   balcao_virtual.registrar_linha(sessao_id, autor_tipo, mensagem, autor_nome = null,
--                                  id_externo = null, enviado_em = null)
--       -> the line's id; the same id_externo twice in a session is ONE line
--   balcao_virtual.encerrar_sessao(sessao_id) -> the session, encerrada (again: unchanged)
-- What the database then does on its own (flow 2): every ticket the client opens while the
-- session is ativa is linked to it and receives the whole conversation as comments
-- (origem balcao_virtual; autor_tipo cliente -> cliente, atendente -> equipe, bot -> sistema);
-- lines registered later are appended to the linked tickets that are not fechado.
-- Plain INSERT/UPDATE as service_role still works and follows the same triggers.
-- SECURITY INVOKER: service_role holds the privileges; nobody else may EXECUTE.


-- Why: a conversation starts when the client reaches the channel; one ativa session per client
-- (unique index), so starting twice returns the same session, even when two webhooks race
-- (ON CONFLICT on that index). The office is the client's, never sent.
CREATE OR REPLACE FUNCTION balcao_virtual.iniciar_sessao(
    cliente_id uuid,
    canal text DEFAULT 'web',
    atendente_id uuid DEFAULT NULL
)
RETURNS balcao_virtual.sessoes_ativas
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_column
DECLARE
    v_escritorio uuid;
    v_sessao balcao_virtual.sessoes_ativas;
BEGIN
    SELECT c.escritorio_id INTO v_escritorio FROM crm.clientes AS c WHERE c.id = iniciar_sessao.cliente_id;
    IF v_escritorio IS NULL THEN
        RAISE EXCEPTION USING
            ERRCODE = 'SK030',
            MESSAGE = 'Cliente não encontrado.',
            HINT = 'Informe o id de crm.clientes do cliente que iniciou a conversa.';
    END IF;

    INSERT INTO balcao_virtual.sessoes_ativas AS s (escritorio_id, cliente_id, atendente_id, canal)
    VALUES (v_escritorio, iniciar_sessao.cliente_id, iniciar_sessao.atendente_id, coalesce(iniciar_sessao.canal, 'web'))
    ON CONFLICT (cliente_id) WHERE status = 'ativa' DO NOTHING
    RETURNING * INTO v_sessao;
    IF v_sessao.id IS NULL THEN
        SELECT * INTO v_sessao
        FROM balcao_virtual.sessoes_ativas AS s
        WHERE s.cliente_id = iniciar_sessao.cliente_id AND s.status = 'ativa';
    END IF;
    RETURN v_sessao;
END
$$;

COMMENT ON FUNCTION balcao_virtual.iniciar_sessao(uuid, text, uuid) IS
'Balcão writer (service_role): the client''s ativa session, created if none (idempotent, race-safe). SK030 for an '
'unknown client; canal/atendente validated by the table''s rules.';

-- Why: one line of the conversation. Idempotent by the Balcão system's own id (id_externo):
-- a retried webhook returns the first delivery's line id and adds nothing. The session is
-- share-locked first, so a concurrent encerrar_sessao either happened (SK032) or waits.
-- enviado_em is the time the line was said on the channel (kept as the imported comment's
-- created_at); it may be in the past, not in the future (SK013).
CREATE OR REPLACE FUNCTION balcao_virtual.registrar_linha(
    sessao_id uuid,
    autor_tipo text,
    mensagem text,
    autor_nome text DEFAULT NULL,
    id_externo text DEFAULT NULL,
    enviado_em timestamptz DEFAULT NULL
)
RETURNS bigint
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_column
DECLARE
    v_sessao record;
    v_id bigint;
BEGIN
    SELECT s.escritorio_id, s.status INTO v_sessao
    FROM balcao_virtual.sessoes_ativas AS s
    WHERE s.id = registrar_linha.sessao_id
    FOR SHARE OF s;
    IF NOT FOUND THEN
        RAISE EXCEPTION USING
            ERRCODE = 'SK031',
            MESSAGE = 'Sessão do Balcão Virtual não encontrada.',
            HINT = 'Inicie a sessão com balcao_virtual.iniciar_sessao e use o id devolvido.';
    END IF;

    IF registrar_linha.id_externo IS NOT NULL THEN
        SELECT l.id INTO v_id
        FROM balcao_virtual.logs_conversas AS l
        WHERE l.sessao_id = registrar_linha.sessao_id AND l.id_externo = registrar_linha.id_externo;
        IF FOUND THEN
            RETURN v_id;  -- a retried delivery: the line is already there
        END IF;
    END IF;

    IF v_sessao.status <> 'ativa' THEN
        RAISE EXCEPTION USING
            ERRCODE = 'SK032',
            MESSAGE = 'Sessão do Balcão Virtual encerrada não aceita novas linhas.',
            HINT = 'Inicie uma nova sessão para o cliente (balcao_virtual.iniciar_sessao).';
    END IF;
    IF registrar_linha.enviado_em > clock_timestamp() + interval '1 minute' THEN
        RAISE EXCEPTION USING
            ERRCODE = 'SK013',
            MESSAGE = format('Valor inválido para enviado_em: %s.', registrar_linha.enviado_em),
            HINT = 'Informe quando a linha foi enviada no canal (agora ou no passado), ou omita.';
    END IF;

    INSERT INTO balcao_virtual.logs_conversas AS l (
        sessao_id, escritorio_id, autor_tipo, autor_nome, mensagem, id_externo, enviado_em
    )
    VALUES (
        registrar_linha.sessao_id,
        v_sessao.escritorio_id,
        registrar_linha.autor_tipo,
        registrar_linha.autor_nome,
        registrar_linha.mensagem,
        registrar_linha.id_externo,
        coalesce(registrar_linha.enviado_em, now())
    )
    ON CONFLICT (sessao_id, id_externo) DO NOTHING
    RETURNING l.id INTO v_id;
    IF v_id IS NULL THEN  -- the same id_externo committed by a concurrent delivery
        SELECT l.id INTO v_id
        FROM balcao_virtual.logs_conversas AS l
        WHERE l.sessao_id = registrar_linha.sessao_id AND l.id_externo = registrar_linha.id_externo;
    END IF;
    RETURN v_id;
END
$$;

COMMENT ON FUNCTION balcao_virtual.registrar_linha(uuid, text, text, text, text, timestamptz) IS
'Balcão writer (service_role): registers one line (autor_tipo cliente/atendente/bot) in an ativa session and returns '
'its id; idempotent by id_externo. SK031 unknown session, SK032 encerrada session, SK013 future enviado_em; content '
'rules SK006/SK007/SK016/SK017.';

-- Why: the conversation ends; later lines need a new session. Idempotent: ending an
-- encerrada session returns it unchanged. Takes the same lock as a ticket opening and a line
-- append on the session row (see triggers/20_balcao.sql.j2), so it serializes with both.
CREATE OR REPLACE FUNCTION balcao_virtual.encerrar_sessao(sessao_id uuid)
RETURNS balcao_virtual.sessoes_ativas
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_column
DECLARE
    v_sessao balcao_virtual.sessoes_ativas;
BEGIN
    UPDATE balcao_virtual.sessoes_ativas AS s
    SET status = 'encerrada', encerrada_em = now()
    WHERE s.id = encerrar_sessao.sessao_id AND s.status = 'ativa'
    RETURNING * INTO v_sessao;
    IF v_sessao.id IS NULL THEN
        SELECT * INTO v_sessao FROM balcao_virtual.sessoes_ativas AS s WHERE s.id = encerrar_sessao.sessao_id;
        IF v_sessao.id IS NULL THEN
            RAISE EXCEPTION USING
                ERRCODE = 'SK031',
                MESSAGE = 'Sessão do Balcão Virtual não encontrada.',
                HINT = 'Inicie a sessão com balcao_virtual.iniciar_sessao e use o id devolvido.';
        END IF;
    END IF;
    RETURN v_sessao;
END
$$;

COMMENT ON FUNCTION balcao_virtual.encerrar_sessao(uuid) IS
'Balcão writer (service_role): ends the session (status encerrada, encerrada_em now); idempotent. SK031 unknown.';

-- Why: the Balcão system holds the backend key; portal users and anon may not write
-- conversations (the tables give them no INSERT either).
REVOKE ALL ON FUNCTION balcao_virtual.iniciar_sessao(uuid, text, uuid) FROM public, anon, authenticated;
REVOKE ALL ON FUNCTION balcao_virtual.registrar_linha(uuid, text, text, text, text, timestamptz)
FROM public, anon, authenticated;
REVOKE ALL ON FUNCTION balcao_virtual.encerrar_sessao(uuid) FROM public, anon, authenticated;
GRANT EXECUTE ON FUNCTION balcao_virtual.iniciar_sessao(uuid, text, uuid) TO service_role;
GRANT EXECUTE ON FUNCTION balcao_virtual.registrar_linha(uuid, text, text, text, text, timestamptz) TO service_role;
GRANT EXECUTE ON FUNCTION balcao_virtual.encerrar_sessao(uuid) TO service_role;
