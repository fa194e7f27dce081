-- =============================================================================================
-- Balcão Virtual import (flow 2): the one copy routine and the re-sync function
-- =============================================================================================
-- Three paths copy Balcão Virtual log lines into tickets.ticket_comments:
--   * a new ticket linked to the client's ativa session imports the whole log
--     (triggers/20_balcao.sql.j2, tickets_50_importar_balcao);
--   * lines logged later in that ativa session are appended to the linked tickets that are not
--     fechado (logs_conversas_50_anexar);
--   * tickets.importar_balcao(ticket_id) re-syncs one ticket on demand.
-- All three go through private.balcao_copiar_linhas, so the mapping lives in one place and
-- every path is exactly-once: the unique key (ticket_id, balcao_log_id) plus
-- ON CONFLICT DO NOTHING makes a line that is already there a no-op, whoever copied it first.
--
-- Mapping of a line (balcao_virtual.logs_conversas) to a comment:
--   origem 'balcao_virtual', interno false, balcao_log_id = line id, created_at = enviado_em,
--   conteudo = mensagem verbatim (autor_nome is not copied: it stays reachable through
--   balcao_log_id, and the text is exactly what the client saw),
--   autor_tipo cliente -> cliente, atendente -> equipe, bot -> sistema,
--   autor_id = the client's portal login for cliente lines (the session's client wrote them),
--   NULL for atendente lines (the log names the attendant only by display name, and the
--   session's atendente_id may have changed since) and for bot lines.
-- Comments are inserted in (ticket, line id) order. A fechado ticket takes no new comments
-- (flow 3), so it never receives lines.

-- Why: the single implementation of "copy Balcão lines into tickets" (see the header). Runs as
-- its caller: only SECURITY DEFINER code of this project calls it (EXECUTE is revoked), so it
-- reads and writes as the owner. For each ticket in p_tickets it copies the lines of the
-- ticket's linked session (only if that session belongs to the ticket's client), restricted to
-- p_linhas when given. Returns the number of comments added. VOLATILE: its INSERT takes a fresh
-- snapshot, so lines and tickets committed while the caller waited for a session lock are seen.
-- PL/pgSQL so that the copy is planned once per session, not on every call (a SQL function
-- re-plans its body each time: ~1.5 ms of a 200-line import).
CREATE OR REPLACE FUNCTION private.balcao_copiar_linhas(p_tickets uuid[], p_linhas bigint[] DEFAULT NULL)
RETURNS integer
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_copiadas integer;
BEGIN
    INSERT INTO tickets.ticket_comments (
        ticket_id, escritorio_id, cliente_id, autor_id, autor_tipo, conteudo, interno, origem, balcao_log_id, created_at
    )
    SELECT
        t.id,
        t.escritorio_id,
        t.cliente_id,
        CASE WHEN l.autor_tipo = 'cliente' THEN c.user_id END,
        CASE l.autor_tipo WHEN 'cliente' THEN 'cliente' WHEN 'atendente' THEN 'equipe' ELSE 'sistema' END,
        l.mensagem,
        FALSE,
        'balcao_virtual',
        l.id,
        l.enviado_em
    FROM tickets.tickets AS t
    INNER JOIN balcao_virtual.sessoes_ativas AS s
        ON s.escritorio_id = t.escritorio_id AND s.id = t.sessao_balcao_id AND s.cliente_id = t.cliente_id
    INNER JOIN crm.clientes AS c
        ON c.escritorio_id = s.escritorio_id AND c.id = s.cliente_id
    INNER JOIN balcao_virtual.logs_conversas AS l
        ON l.sessao_id = s.id AND l.escritorio_id = s.escritorio_id
    WHERE t.id = ANY(p_tickets)
        AND t.status <> 'fechado'
        AND (p_linhas IS NULL OR l.id = ANY(p_linhas))
    ORDER BY t.id, l.id
    ON CONFLICT (ticket_id, balcao_log_id) DO NOTHING;
    GET DIAGNOSTICS v_copiadas = ROW_COUNT;
    RETURN v_copiadas;
END
$$;

COMMENT ON FUNCTION private.balcao_copiar_linhas(uuid[], bigint[]) IS
'Copy the linked session''s Balcão Virtual lines (all, or only p_linhas) into each ticket of p_tickets that is not '
'fechado, exactly once (ON CONFLICT (ticket_id, balcao_log_id) DO NOTHING); returns comments added. Internal.';

-- Why: contract function (ARCHITECTURE §5) for backends and staff: bring a ticket up to date
-- with its Balcão session (e.g. after lines were logged while the ticket was fechado and it was
-- reopened, or after an import run under REPEATABLE READ missed concurrent lines). Idempotent:
-- a second call adds nothing and returns 0.
-- Access: the ticket's client or active staff of its office (private.pode_acessar_ticket), or a
-- trusted caller (service_role, maintenance login). Anything else, and an unknown ticket, is
-- SK004 (the same answer, so ids cannot be probed). A ticket without a linked session returns 0
-- (nothing to sync is not an error); a fechado ticket raises SK005 (it takes no new comments).
-- SECURITY DEFINER: clients may not insert comments as another author, nor read the session
-- tables as RLS would need.
CREATE OR REPLACE FUNCTION tickets.importar_balcao(ticket_id uuid)
RETURNS integer
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_ticket record;
BEGIN
    -- Locked until commit, like every write under a ticket (private.ticket_para_escrita): the
    -- status below is the committed one, and a close waits for this re-sync. No row: unknown
    -- ticket, or one an API caller may not use.
    SELECT v.status, v.papel, t.id, t.sessao_balcao_id
    INTO v_ticket
    FROM private.ticket_para_escrita(importar_balcao.ticket_id) AS v
    INNER JOIN tickets.tickets AS t ON t.id = importar_balcao.ticket_id;

    IF NOT FOUND THEN
        RAISE EXCEPTION 'Chamado não encontrado.'
            USING ERRCODE = 'SK004',
                  HINT = 'Verifique o número do chamado; você só vê chamados do seu escritório ou seus.';
    END IF;

    IF v_ticket.sessao_balcao_id IS NULL THEN
        RETURN 0;
    END IF;

    IF v_ticket.status = 'fechado' THEN
        RAISE EXCEPTION 'Chamado fechado não aceita novas mensagens.'
            USING ERRCODE = 'SK005',
                  HINT = private.dica_chamado_fechado(v_ticket.papel);
    END IF;

    RETURN private.balcao_copiar_linhas(ARRAY[v_ticket.id], NULL);
END
$$;

COMMENT ON FUNCTION tickets.importar_balcao(uuid) IS
'Re-sync the ticket''s linked Balcão Virtual session log into its comments; returns the number of comments added '
'(0 when up to date or when no session is linked). Idempotent. Ticket''s client, its office''s active staff or '
'service_role; SK004 otherwise or for an unknown ticket; SK005 for a fechado ticket.';

REVOKE ALL ON FUNCTION private.balcao_copiar_linhas(uuid[], bigint[]) FROM public;
REVOKE ALL ON FUNCTION tickets.importar_balcao(uuid) FROM public;
GRANT EXECUTE ON FUNCTION tickets.importar_balcao(uuid) TO authenticated, service_role;
