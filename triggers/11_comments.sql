-- =============================================================================================
-- tickets.ticket_comments: author and office derivation, refusals, first response, broadcasts
-- =============================================================================================
-- Flows 3 and 4 of ARCHITECTURE section 5. As for tickets (triggers/10_tickets.sql),
-- current_user in the SECURITY INVOKER BEFORE trigger tells API users from trusted code
-- (private.papel_confiavel). The Balcao Virtual import inserts its comments (origem
-- balcao_virtual, autor_tipo cliente/equipe/sistema, balcao_log_id, created_at = the line's
-- enviado_em) from SECURITY DEFINER code, i.e. as the owner: those rows pass unchanged.
--
--   ticket_comments_10_derivar    BEFORE INSERT, row: office/author/origin derived, refusals
--   ticket_comments_60_efeitos    AFTER INSERT, statement: primeira_resposta_em, broadcasts


-- ---------------------------------------------------------------------------------------------
-- BEFORE INSERT: derive and refuse (flows 3, 4)
-- ---------------------------------------------------------------------------------------------

-- Why: a comment's office, author and origin are facts, not input.
--   * API users: signed in (SK001), may use the ticket (SK004: its client or active staff of
--     its office; the same answer for a ticket that does not exist). A client writes
--     autor_tipo 'cliente' / origem 'portal' and never an internal note (SK011); staff write
--     'equipe' / 'equipe', internal or not. escritorio_id and cliente_id (the ticket's),
--     autor_id (auth.uid()), autor_tipo and origem are derived: a different value sent is REFUSED
--     (SK014, columns named), as is any balcao_log_id (only the import links Balcao lines).
--     created_at is now(), whatever was sent. Then the ticket is not fechado (SK005) and the
--     content not blank (SK006) nor over the limit (SK007).
--   * service_role (the backend key): values as supplied (missing author type and origin
--     default to 'sistema', autor_id to auth.uid()), escritorio_id / cliente_id default to the
--     ticket's (a different cliente_id fails ticket_comments_cliente_ticket_fkey);
--     the ticket must exist (SK004), be open (SK005) and the content valid (SK006/SK007).
--   * The owner / SECURITY DEFINER domain code (Balcao import, maintenance): as supplied,
--     escritorio_id / cliente_id defaulting to the ticket's; constraints still apply. The import
--     decides itself which tickets take lines: it locks them first and skips fechado ones.
-- API users and service_role read the ticket through private.ticket_para_escrita, which locks
-- it until commit: a concurrent close either happened before (SK005) or waits for this comment.
CREATE OR REPLACE FUNCTION tickets.tg_ticket_comments_derivar()
RETURNS trigger
LANGUAGE plpgsql
SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_uid uuid;
    v_ticket record;
    v_autor_tipo text;
    v_origem text;
    v_colunas text;
BEGIN
    IF private.papel_confiavel(current_user) AND current_user <> 'service_role' THEN
        -- Owner / SECURITY DEFINER code: trusted, as supplied.
        IF NEW.escritorio_id IS NULL OR NEW.cliente_id IS NULL THEN
            SELECT coalesce(NEW.escritorio_id, t.escritorio_id), coalesce(NEW.cliente_id, t.cliente_id)
            INTO NEW.escritorio_id, NEW.cliente_id
            FROM tickets.tickets AS t WHERE t.id = NEW.ticket_id;
        END IF;
        NEW.autor_tipo := coalesce(NEW.autor_tipo, 'sistema');
        NEW.origem := coalesce(NEW.origem, 'sistema');
        RETURN NEW;
    END IF;

    IF current_user = 'service_role' THEN
        -- Locked until commit (private.ticket_para_escrita): no comment after a concurrent close.
        SELECT v.escritorio_id, v.cliente_id, v.status, v.papel INTO v_ticket
        FROM private.ticket_para_escrita(NEW.ticket_id) AS v;
        IF NOT FOUND THEN
            RAISE EXCEPTION USING
                ERRCODE = 'SK004',
                MESSAGE = 'Chamado não encontrado.',
                HINT = 'Verifique o número do chamado; você só vê chamados do seu escritório ou seus.';
        END IF;
        NEW.escritorio_id := coalesce(NEW.escritorio_id, v_ticket.escritorio_id);
        NEW.cliente_id := coalesce(NEW.cliente_id, v_ticket.cliente_id);
        NEW.autor_id := coalesce(NEW.autor_id, auth.uid());
        NEW.autor_tipo := coalesce(NEW.autor_tipo, 'sistema');
        NEW.origem := coalesce(NEW.origem, 'sistema');
    ELSE
        v_uid := auth.uid();
        IF v_uid IS NULL THEN
            RAISE EXCEPTION USING
                ERRCODE = 'SK001',
                MESSAGE = 'Autenticação necessária.',
                HINT = 'Entre no portal e tente novamente.';
        END IF;

        SELECT v.escritorio_id, v.cliente_id, v.status, v.papel INTO v_ticket
        FROM private.ticket_para_escrita(NEW.ticket_id) AS v;
        IF NOT FOUND OR v_ticket.papel IS NULL THEN
            RAISE EXCEPTION USING
                ERRCODE = 'SK004',
                MESSAGE = 'Chamado não encontrado.',
                HINT = 'Verifique o número do chamado; você só vê chamados do seu escritório ou seus.';
        END IF;

        NEW.interno := coalesce(NEW.interno, false);
        IF v_ticket.papel = 'cliente' THEN
            IF NEW.interno THEN
                RAISE EXCEPTION USING
                    ERRCODE = 'SK011',
                    MESSAGE = 'Clientes não podem criar comentários internos.',
                    HINT = 'Envie o comentário sem a marcação interna.';
            END IF;
            v_autor_tipo := 'cliente';
            v_origem := 'portal';
        ELSE
            v_autor_tipo := 'equipe';
            v_origem := 'equipe';
        END IF;

        -- Office and authorship sent with a value other than the derived one: refused.
        SELECT string_agg(c.coluna, ', ' ORDER BY c.coluna)
        INTO v_colunas
        FROM (
            VALUES
                ('escritorio_id', NEW.escritorio_id IS NOT NULL AND NEW.escritorio_id <> v_ticket.escritorio_id),
                ('cliente_id', NEW.cliente_id IS NOT NULL AND NEW.cliente_id <> v_ticket.cliente_id),
                ('autor_id', NEW.autor_id IS NOT NULL AND NEW.autor_id <> v_uid),
                ('autor_tipo', NEW.autor_tipo IS NOT NULL AND NEW.autor_tipo <> v_autor_tipo),
                ('origem', NEW.origem IS NOT NULL AND NEW.origem <> v_origem),
                ('balcao_log_id', NEW.balcao_log_id IS NOT NULL)
        ) AS c (coluna, forjado)
        WHERE c.forjado;
        IF v_colunas IS NOT NULL THEN
            RAISE EXCEPTION USING
                ERRCODE = 'SK014',
                MESSAGE = pg_catalog.format('Valor informado não confere com o seu cadastro: %s.', v_colunas),
                HINT = 'Não informe esses campos: o banco os deriva do seu login e do chamado.';
        END IF;

        NEW.escritorio_id := v_ticket.escritorio_id;
        NEW.cliente_id := v_ticket.cliente_id;
        NEW.autor_id := v_uid;
        NEW.autor_tipo := v_autor_tipo;
        NEW.origem := v_origem;
        NEW.created_at := now();
    END IF;

    -- API users and service_role: an open ticket and valid content.
    IF v_ticket.status = 'fechado' THEN
        RAISE EXCEPTION USING
            ERRCODE = 'SK005',
            MESSAGE = 'Chamado fechado não aceita novas mensagens.',
            HINT = private.dica_chamado_fechado(v_ticket.papel);
    END IF;
    -- Content (SK006/SK007) is checked by ticket_comments_40_campos, for every writer.
    RETURN NEW;
END
$$;

COMMENT ON FUNCTION tickets.tg_ticket_comments_derivar() IS
'Trigger function (BEFORE INSERT on tickets.ticket_comments): for API users derives escritorio_id (ticket''s), '
'autor_id, autor_tipo/origem (cliente/portal or equipe/equipe), refusing different values sent (SK014), and '
'refuses SK001, SK004, SK005, SK006, SK007, SK011; service_role: defaults + SK004/SK005/SK006/SK007; '
'owner/SECURITY DEFINER code (Balcao import): as supplied.';

-- Why: one row trigger, first among the BEFORE INSERT triggers of the table.
CREATE OR REPLACE TRIGGER ticket_comments_10_derivar
BEFORE INSERT ON tickets.ticket_comments
FOR EACH ROW
EXECUTE FUNCTION tickets.tg_ticket_comments_derivar();

COMMENT ON TRIGGER ticket_comments_10_derivar ON tickets.ticket_comments IS
'Flows 3-4: office, author and origin derived for API users; closed tickets, blank/oversize content and client '
'internal notes refused.';


-- ---------------------------------------------------------------------------------------------
-- AFTER INSERT: first response and broadcasts
-- ---------------------------------------------------------------------------------------------

-- Why: two effects of new comments, set-based over the statement's transition table.
--   1. primeira_resposta_em: the first staff answer to the ticket. Counted: autor_tipo
--      'equipe', not internal (a note is not an answer to the client), created at or after
--      the ticket's creation (Balcao lines from before the ticket are history, not answers).
--      Stamped once (only while NULL) with the earliest such comment's created_at.
--   2. Broadcasts: a public comment -> event comentario on ticket:<ticket> (its client and
--      the office staff); an internal note -> event nota_interna on escritorio:<office>
--      (staff only: clients never see internal notes, not even live). The broadcast's id is
--      the comment's id, so payload.id = comment id. Errors propagate.
--      Except the Balcão log imported into a ticket created by this same transaction (flow 2,
--      tickets_50_importar_balcao): nobody can be subscribed to a ticket that no other
--      session can see yet (Realtime authorizes a join by reading the ticket), so those lines
--      are not broadcast - a 200-line import would otherwise post 200 messages no one
--      receives. The import names the tickets it has just created in the transaction-local
--      setting schema_kit.tickets_novos for the duration of its copy (the ticket row's xmin
--      would be a subtransaction's xid inside a savepoint, and the lines were then broadcast).
--      Lines appended later to an existing ticket are broadcast like any comment.
-- SECURITY DEFINER: it updates tickets (not the caller's to write) and posts broadcasts.
CREATE OR REPLACE FUNCTION tickets.tg_ticket_comments_efeitos()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    -- Tickets the running Balcão import has just created (private.balcao_importar_novos_tickets):
    -- their imported lines are not broadcast, nobody can be subscribed to them yet.
    v_novos uuid[] := coalesce(
        nullif(pg_catalog.current_setting('schema_kit.tickets_novos', true), '')::uuid[], '{}'
    );
BEGIN
    INSERT INTO realtime.messages (id, topic, extension, event, payload, private)
    SELECT
        n.id,
        CASE
            WHEN n.interno THEN 'escritorio:' || n.escritorio_id::text
            ELSE 'ticket:' || n.ticket_id::text
        END,
        'broadcast',
        CASE WHEN n.interno THEN 'nota_interna' ELSE 'comentario' END,
        jsonb_build_object(
            'id', n.id,
            'ticket_id', n.ticket_id,
            'autor_id', n.autor_id,
            'autor_tipo', n.autor_tipo,
            'conteudo', n.conteudo,
            'interno', n.interno,
            'origem', n.origem,
            'created_at', n.created_at
        ),
        true
    FROM novos AS n
    WHERE NOT (n.origem = 'balcao_virtual' AND n.ticket_id = ANY(v_novos));

    PERFORM private.marcar_primeira_resposta(array_agg(n.ticket_id), array_agg(n.created_at))
    FROM novos AS n
    WHERE n.autor_tipo = 'equipe' AND NOT n.interno;

    RETURN NULL;
END
$$;

COMMENT ON FUNCTION tickets.tg_ticket_comments_efeitos() IS
'Trigger function (AFTER INSERT, statement on tickets.ticket_comments): stamps tickets.primeira_resposta_em with the '
'first public staff comment; broadcasts comentario on ticket:<id> (public) or nota_interna on escritorio:<id> '
'(internal), except Balcão lines imported into a ticket created by the same transaction; payload id, ticket_id, '
'autor_id, autor_tipo, conteudo, interno, origem, created_at.';

REVOKE ALL ON FUNCTION tickets.tg_ticket_comments_efeitos() FROM public;

-- Why: set-based: one firing per statement (the Balcao import inserts many lines at once).
CREATE OR REPLACE TRIGGER ticket_comments_60_efeitos
AFTER INSERT ON tickets.ticket_comments
REFERENCING NEW TABLE AS novos
FOR EACH STATEMENT
EXECUTE FUNCTION tickets.tg_ticket_comments_efeitos();

COMMENT ON TRIGGER ticket_comments_60_efeitos ON tickets.ticket_comments IS
'First staff answer stamps primeira_resposta_em; comentario / nota_interna broadcasts.';
