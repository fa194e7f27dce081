-- =============================================================================================
-- tickets.tickets: tenant derivation, numbering, status rules, immutable columns, broadcasts
-- =============================================================================================
-- Flows 1 and 5 of ARCHITECTURE section 5. Callers are told apart by current_user in SECURITY
-- INVOKER trigger functions (see functions/10_tickets.sql.j2): private.papel_confiavel(current_user)
-- accepts service_role, the owner inside SECURITY DEFINER code, superusers and logins outside
-- the API roles as trusted code that writes rows as supplied; every other role is an API user.
--
-- Order of the BEFORE triggers (same timing fires in name order):
--   tickets_10_derivar            INSERT: office/client/author/status derived, input validated
--   tickets_11_numerar            INSERT: per-office gap-free numero, reserved (SECURITY DEFINER)
--   tickets_20_vincular_balcao    INSERT: Balcao session link (triggers/20_balcao.sql)
--   tickets_10_regras             UPDATE: immutable columns, who may change what, timestamps
-- AFTER, statement-level with transition tables (one set-based statement per firing):
--   tickets_40_confirmar_numeracao INSERT: the office counter advances for the rows that landed
--   tickets_60_broadcast_criado   INSERT: ticket_criado on escritorio:<id>
--   tickets_60_broadcast_status   UPDATE: ticket_atualizado on ticket:<id> and escritorio:<id>


-- ---------------------------------------------------------------------------------------------
-- BEFORE INSERT: derive the tenant (flow 1)
-- ---------------------------------------------------------------------------------------------

-- Why: a ticket's office and client are never taken from an API user's input. A client opens
-- for itself: cliente_id/escritorio_id come from its crm.clientes row. Staff name a client of
-- one of their offices (SK003 otherwise); the office is that client's. Anyone else: SK002; no
-- user: SK001. Two kinds of columns, two treatments:
--   * tenant and authorship (escritorio_id, cliente_id, criado_por): a value sent that differs
--     from the derived one is REFUSED (SK014, the columns named), never silently replaced,
--     so a client bug or an attack is visible;
--   * bookkeeping (numero, status, created_at, updated_at, primeira_resposta_em,
--     resolvido_em, fechado_em, sessao_balcao_id; responsavel_id for a client): always set by
--     the database, whatever was sent.
-- Trusted callers supply cliente_id (escritorio_id defaults to the client's office) and may
-- set status and timestamps (imports, seeds); numero is always assigned (tickets_11_numerar).
-- Title/description/priority are validated for every caller (SK006, SK007, SK013), before the
-- CHECK constraints, so the error is one a portal user can read.
CREATE OR REPLACE FUNCTION tickets.tg_tickets_derivar()
RETURNS trigger
LANGUAGE plpgsql
SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_uid uuid;
    v_cliente uuid;
    v_escritorio uuid;
    v_colunas text;
BEGIN
    -- Input valid for every caller.
    PERFORM private.validar_conteudo(NEW.titulo);
    PERFORM private.validar_conteudo(NEW.descricao, true);
    NEW.prioridade := coalesce(NEW.prioridade, 'media');
    IF NEW.prioridade NOT IN ('baixa', 'media', 'alta', 'urgente') THEN
        RAISE EXCEPTION USING
            ERRCODE = 'SK013',
            MESSAGE = pg_catalog.format('Valor inválido para prioridade: %s.', NEW.prioridade),
            HINT = 'Valores aceitos: baixa, media, alta, urgente.';
    END IF;

    IF private.papel_confiavel(current_user) THEN
        -- Trusted code: as supplied; the office defaults to the client's.
        IF NEW.cliente_id IS NULL THEN
            RAISE EXCEPTION USING
                ERRCODE = 'SK003',
                MESSAGE = 'Informe o cliente do chamado.',
                HINT = 'cliente_id é o id de crm.clientes (não o id de login) do cliente do chamado.';
        END IF;
        IF NEW.escritorio_id IS NULL THEN
            SELECT c.escritorio_id INTO NEW.escritorio_id FROM crm.clientes AS c WHERE c.id = NEW.cliente_id;
        END IF;
        NEW.criado_por := coalesce(NEW.criado_por, auth.uid());
        NEW.status := coalesce(NEW.status, 'aberto');
        RETURN NEW;
    END IF;

    v_uid := auth.uid();
    IF v_uid IS NULL THEN
        RAISE EXCEPTION USING
            ERRCODE = 'SK001',
            MESSAGE = 'Autenticação necessária.',
            HINT = 'Entre no portal e tente novamente.';
    END IF;

    v_cliente := private.cliente_do_usuario();

    IF v_cliente IS NOT NULL AND (NEW.cliente_id IS NULL OR NEW.cliente_id = v_cliente) THEN
        -- A client opening for itself.
        v_escritorio := private.escritorio_do_cliente_visivel(v_cliente);
        NEW.responsavel_id := NULL;
    ELSIF EXISTS (SELECT FROM private.escritorios_da_equipe()) THEN
        -- Staff opening for a client of one of their offices.
        IF NEW.cliente_id IS NOT NULL THEN
            v_escritorio := private.escritorio_do_cliente_visivel(NEW.cliente_id);
        END IF;
        IF NEW.cliente_id IS NULL THEN
            RAISE EXCEPTION USING
                ERRCODE = 'SK003',
                MESSAGE = 'Informe o cliente do chamado.',
                HINT = 'A equipe abre chamados em nome de um cliente: informe cliente_id (o id de crm.clientes).';
        ELSIF v_escritorio IS NULL THEN
            RAISE EXCEPTION USING
                ERRCODE = 'SK003',
                MESSAGE = 'Cliente não encontrado no seu escritório.',
                HINT = 'cliente_id é o id de crm.clientes (não o id de login) de um cliente do seu escritório.';
        END IF;
        v_cliente := NEW.cliente_id;
    ELSIF v_cliente IS NULL THEN
        RAISE EXCEPTION USING
            ERRCODE = 'SK002',
            MESSAGE = 'Usuário sem vínculo com um escritório.',
            HINT = 'Peça ao escritório para vincular seu login a um cadastro de cliente ou à equipe.';
    END IF;
    -- (Left over: a client naming another client; refused just below as a cliente_id mismatch.)

    -- Tenant and authorship columns sent with a value other than the derived one: refused.
    SELECT string_agg(c.coluna, ', ' ORDER BY c.coluna)
    INTO v_colunas
    FROM (
        VALUES
            ('cliente_id', NEW.cliente_id IS NOT NULL AND NEW.cliente_id IS DISTINCT FROM v_cliente),
            ('escritorio_id', NEW.escritorio_id IS NOT NULL AND NEW.escritorio_id IS DISTINCT FROM v_escritorio),
            ('criado_por', NEW.criado_por IS NOT NULL AND NEW.criado_por <> v_uid)
    ) AS c (coluna, forjado)
    WHERE c.forjado;
    IF v_colunas IS NOT NULL THEN
        RAISE EXCEPTION USING
            ERRCODE = 'SK014',
            MESSAGE = pg_catalog.format('Valor informado não confere com o seu cadastro: %s.', v_colunas),
            HINT = 'Não informe esses campos: o banco os deriva do seu login (e do cliente do chamado).';
    END IF;

    NEW.cliente_id := v_cliente;
    NEW.escritorio_id := v_escritorio;
    NEW.criado_por := v_uid;
    NEW.status := 'aberto';
    NEW.sessao_balcao_id := NULL;  -- linked by tickets_20_vincular_balcao from the client's own session
    NEW.created_at := now();
    NEW.updated_at := now();
    NEW.primeira_resposta_em := NULL;
    NEW.resolvido_em := NULL;
    NEW.fechado_em := NULL;
    RETURN NEW;
END
$$;

COMMENT ON FUNCTION tickets.tg_tickets_derivar() IS
'Trigger function (BEFORE INSERT on tickets.tickets): derives escritorio_id/cliente_id from auth.uid() for API '
'users (client: own record; staff: a client of their office) and refuses different values sent (SK014), sets '
'criado_por, status aberto and the bookkeeping columns; validates titulo, descricao, prioridade. Errors: '
'SK001-SK003, SK006, SK007, SK013, SK014.';

-- Why: runs first among the BEFORE INSERT triggers, so numbering and the Balcao link see the
-- derived office and client.
CREATE OR REPLACE TRIGGER tickets_10_derivar
BEFORE INSERT ON tickets.tickets
FOR EACH ROW
EXECUTE FUNCTION tickets.tg_tickets_derivar();

COMMENT ON TRIGGER tickets_10_derivar ON tickets.tickets IS
'Flow 1: office and client derived from the caller, never trusted from an API user''s input.';


-- ---------------------------------------------------------------------------------------------
-- BEFORE INSERT: per-office gap-free numero
-- ---------------------------------------------------------------------------------------------

-- Why: numero is 1, 2, 3... per office without gaps or duplicates under concurrency, and a
-- statement that runs this trigger but inserts no row (ON CONFLICT DO NOTHING / DO UPDATE
-- skipping or updating instead, a later BEFORE trigger dropping the row) must not consume a
-- number. So this BEFORE trigger only RESERVES: it row-locks the office's counter (an upsert
-- that changes nothing; concurrent inserts of one office queue behind it until commit, other
-- offices are unaffected) and takes the next number after both the counter and the office's
-- highest numero. Rows inserted earlier in the same statement are visible here (a BEFORE ROW
-- trigger sees the rows the outer command already inserted), so a multi-row INSERT counts
-- them. Only rows that land advance the counter (tickets_40_confirmar_numeracao, AFTER); the
-- counter also keeps a deleted last ticket's number from being handed out again. A failed or
-- rolled-back insert rolls everything back. SECURITY DEFINER because nobody but service_role
-- has privileges on tickets.numeracao; a trigger function cannot be called directly, so this
-- grants no new power. Always assigned, whatever the caller sent.
CREATE OR REPLACE FUNCTION tickets.tg_tickets_numerar()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_ultimo integer;
BEGIN
    INSERT INTO tickets.numeracao AS n (escritorio_id, ultimo_numero)
    VALUES (NEW.escritorio_id, 0)
    ON CONFLICT (escritorio_id) DO UPDATE SET ultimo_numero = n.ultimo_numero
    RETURNING n.ultimo_numero INTO v_ultimo;

    SELECT greatest(v_ultimo, coalesce(max(t.numero), 0)) + 1
    INTO NEW.numero
    FROM tickets.tickets AS t
    WHERE t.escritorio_id = NEW.escritorio_id;
    RETURN NEW;
END
$$;

COMMENT ON FUNCTION tickets.tg_tickets_numerar() IS
'Trigger function (BEFORE INSERT on tickets.tickets): row-locks the office''s counter in tickets.numeracao and sets '
'numero := 1 + the greater of the counter and the office''s highest numero (gap-free, duplicate-free under '
'concurrency). Reserves only: tickets_40_confirmar_numeracao advances the counter for rows that land.';

REVOKE ALL ON FUNCTION tickets.tg_tickets_numerar() FROM public;

-- Why: after the office is derived (tickets_10_derivar), before anything else sees the row.
CREATE OR REPLACE TRIGGER tickets_11_numerar
BEFORE INSERT ON tickets.tickets
FOR EACH ROW
EXECUTE FUNCTION tickets.tg_tickets_numerar();

COMMENT ON TRIGGER tickets_11_numerar ON tickets.tickets IS
'Per-office gap-free numero from tickets.numeracao.';


-- ---------------------------------------------------------------------------------------------
-- BEFORE INSERT/UPDATE: the assignee is active staff of the office
-- ---------------------------------------------------------------------------------------------

-- Why: the composite foreign key only proves responsavel_id is (or was) a member of the
-- ticket's office; a deactivated member cannot even see the ticket, so assigning one would
-- hide it from everyone responsible. Refused for every writer (SK019). Deactivating a member
-- later does not unassign their tickets (a supervisor reassigns them).
CREATE OR REPLACE FUNCTION tickets.tg_tickets_responsavel()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF NOT private.membro_ativo(NEW.escritorio_id, NEW.responsavel_id) THEN
        RAISE EXCEPTION USING
            ERRCODE = 'SK019',
            MESSAGE = 'Responsável não é membro ativo da equipe do escritório.',
            HINT = 'Atribua o chamado a um membro ativo da equipe deste escritório.';
    END IF;
    RETURN NEW;
END
$$;

COMMENT ON FUNCTION tickets.tg_tickets_responsavel() IS
'Trigger function (BEFORE INSERT OR UPDATE OF responsavel_id on tickets.tickets): the assignee must be active staff '
'of the ticket''s office (SK019).';

-- Why: only when an assignee is set: ordinary inserts and updates pay nothing.
CREATE OR REPLACE TRIGGER tickets_12_responsavel
BEFORE INSERT OR UPDATE OF responsavel_id ON tickets.tickets
FOR EACH ROW
WHEN (new.responsavel_id IS NOT NULL)
EXECUTE FUNCTION tickets.tg_tickets_responsavel();

COMMENT ON TRIGGER tickets_12_responsavel ON tickets.tickets IS
'The assignee (responsavel_id) is active staff of the ticket''s office.';


-- ---------------------------------------------------------------------------------------------
-- BEFORE UPDATE: immutable columns, status rules, timestamps (flow 5)
-- ---------------------------------------------------------------------------------------------

-- Why: what may change on a ticket depends on who asks.
--   * Everyone, service_role included: escritorio_id, cliente_id, numero, criado_por never
--     change (SK009). criado_por becomes NULL only through its foreign key's ON DELETE SET
--     NULL, which runs as the table owner once the login is deleted.
--   * A client (API user who is the ticket's client, not staff of its office) changes ONLY
--     status (SK010 for any other column) and only to close (any open state -> fechado) or to
--     reopen a resolved ticket (resolvido -> aberto); anything else SK008.
--   * Staff (active staff of the office) move the ticket between aberto, em_atendimento,
--     aguardando_cliente, resolvido and fechado freely, except that a fechado ticket can only
--     be reopened (fechado -> aberto), SK008 otherwise. They edit titulo, descricao,
--     prioridade, categoria and responsavel_id; the columns the database maintains
--     (created_at, primeira_resposta_em, resolvido_em, fechado_em, sessao_balcao_id) are
--     refused (SK015). updated_at is always overwritten.
--   * Any other API user: SK004 (RLS normally hides the row before this point).
--   * Trusted code: any transition, any column except the immutable ones.
-- For everyone: status/prioridade must be valid (SK013), titulo/descricao valid content
-- (SK006/SK007); entering resolvido stamps resolvido_em, entering fechado stamps fechado_em,
-- going back to an open state clears both; updated_at = now().
CREATE OR REPLACE FUNCTION tickets.tg_tickets_regras()
RETURNS trigger
LANGUAGE plpgsql
SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_papel text;
    v_colunas text;
BEGIN
    -- Immutable for everyone, service_role included. The one exception: criado_por becomes
    -- NULL through its foreign key's ON DELETE SET NULL when the login is deleted; that update
    -- runs as the table owner (never as an API role) and the login is already gone.
    v_colunas := private.colunas_alteradas(
        to_jsonb(OLD), to_jsonb(NEW), ARRAY['escritorio_id', 'cliente_id', 'numero', 'criado_por']
    );
    -- (a separate statement: API roles may not read auth.users, and it is only read here)
    IF v_colunas = 'criado_por' AND NEW.criado_por IS NULL
        AND current_user <> 'service_role' AND private.papel_confiavel(current_user) THEN
        IF NOT EXISTS (SELECT FROM auth.users AS u WHERE u.id = OLD.criado_por) THEN
            v_colunas := NULL;
        END IF;
    END IF;
    IF v_colunas IS NOT NULL THEN
        RAISE EXCEPTION USING
            ERRCODE = 'SK009',
            MESSAGE = pg_catalog.format('Campo imutável: %s.', v_colunas),
            HINT = 'Esses campos são definidos na abertura e nunca mudam.';
    END IF;

    IF NEW.status IS NULL
        OR NEW.status NOT IN ('aberto', 'em_atendimento', 'aguardando_cliente', 'resolvido', 'fechado') THEN
        RAISE EXCEPTION USING
            ERRCODE = 'SK013',
            MESSAGE = pg_catalog.format('Valor inválido para status: %s.', coalesce(NEW.status, 'nulo')),
            HINT = 'Valores aceitos: aberto, em_atendimento, aguardando_cliente, resolvido, fechado.';
    END IF;

    IF NOT private.papel_confiavel(current_user) THEN
        v_papel := private.papel_no_ticket(OLD.escritorio_id, OLD.cliente_id);

        IF v_papel = 'cliente' THEN
            -- Every column but status, updated_at included: a client sending updated_at is
            -- refused like any other column (it is stamped below for the status change).
            SELECT string_agg(n.key, ', ' ORDER BY n.key)
            INTO v_colunas
            FROM jsonb_each(to_jsonb(NEW)) AS n
            INNER JOIN jsonb_each(to_jsonb(OLD)) AS o ON n.key = o.key
            WHERE n.key <> 'status' AND n.value IS DISTINCT FROM o.value;
            IF v_colunas IS NOT NULL THEN
                RAISE EXCEPTION USING
                    ERRCODE = 'SK010',
                    MESSAGE = pg_catalog.format('Alteração não permitida pelo cliente: %s.', v_colunas),
                    HINT = 'Clientes só alteram o status do próprio chamado.';
            END IF;
            IF NEW.status IS DISTINCT FROM OLD.status
                AND NOT (NEW.status = 'fechado' OR (OLD.status = 'resolvido' AND NEW.status = 'aberto')) THEN
                RAISE EXCEPTION USING
                    ERRCODE = 'SK008',
                    MESSAGE = pg_catalog.format('Mudança de status não permitida: %s → %s.', OLD.status, NEW.status),
                    HINT = 'Clientes só podem fechar o chamado ou reabrir um chamado resolvido.';
            END IF;
        ELSIF v_papel = 'equipe' THEN
            v_colunas := private.colunas_alteradas(
                to_jsonb(OLD), to_jsonb(NEW),
                ARRAY['created_at', 'primeira_resposta_em', 'resolvido_em', 'fechado_em', 'sessao_balcao_id']
            );
            IF v_colunas IS NOT NULL THEN
                RAISE EXCEPTION USING
                    ERRCODE = 'SK015',
                    MESSAGE = pg_catalog.format('Campo mantido pelo sistema: %s.', v_colunas),
                    HINT = 'Esses campos são preenchidos automaticamente; altere status, título, descrição, '
                        'prioridade, categoria ou responsável.';
            END IF;
            IF OLD.status = 'fechado' AND NEW.status NOT IN ('fechado', 'aberto') THEN
                RAISE EXCEPTION USING
                    ERRCODE = 'SK008',
                    MESSAGE = pg_catalog.format('Mudança de status não permitida: %s → %s.', OLD.status, NEW.status),
                    HINT = 'Um chamado fechado só pode ser reaberto (→ aberto).';
            END IF;
        ELSE
            RAISE EXCEPTION USING
                ERRCODE = 'SK004',
                MESSAGE = 'Chamado não encontrado.',
                HINT = 'Verifique o número do chamado; você só vê chamados do seu escritório ou seus.';
        END IF;
    END IF;

    -- Valid content and priority for everyone (friendly errors before the CHECKs).
    IF NEW.titulo IS DISTINCT FROM OLD.titulo THEN
        PERFORM private.validar_conteudo(NEW.titulo);
    END IF;
    IF NEW.descricao IS DISTINCT FROM OLD.descricao THEN
        PERFORM private.validar_conteudo(NEW.descricao, true);
    END IF;
    IF NEW.prioridade IS NULL OR NEW.prioridade NOT IN ('baixa', 'media', 'alta', 'urgente') THEN
        RAISE EXCEPTION USING
            ERRCODE = 'SK013',
            MESSAGE = pg_catalog.format('Valor inválido para prioridade: %s.', coalesce(NEW.prioridade, 'nulo')),
            HINT = 'Valores aceitos: baixa, media, alta, urgente.';
    END IF;

    -- Timestamps of the states. clock_timestamp(), not now(): the row is locked by now, so the
    -- moment is after every write that held the ticket (private.ticket_para_escrita) and
    -- committed before this change; a transaction that began earlier must not date the close
    -- before them.
    IF NEW.status IS DISTINCT FROM OLD.status THEN
        IF NEW.status = 'resolvido' THEN
            NEW.resolvido_em := clock_timestamp();
            NEW.fechado_em := NULL;
        ELSIF NEW.status = 'fechado' THEN
            NEW.fechado_em := clock_timestamp();
        ELSE
            NEW.resolvido_em := NULL;
            NEW.fechado_em := NULL;
        END IF;
    END IF;
    NEW.updated_at := now();
    RETURN NEW;
END
$$;

COMMENT ON FUNCTION tickets.tg_tickets_regras() IS
'Trigger function (BEFORE UPDATE on tickets.tickets): immutable escritorio_id/cliente_id/numero/criado_por '
'(SK009), client may only close or reopen a resolved ticket (SK010, SK008), staff transitions (fechado only '
'reopens, SK008) and database-maintained columns (SK015), valid values (SK013, SK006, SK007); stamps resolvido_em/'
'fechado_em and updated_at.';

-- Why: every UPDATE of a ticket passes the rules, whoever issues it.
CREATE OR REPLACE TRIGGER tickets_10_regras
BEFORE UPDATE ON tickets.tickets
FOR EACH ROW
EXECUTE FUNCTION tickets.tg_tickets_regras();

COMMENT ON TRIGGER tickets_10_regras ON tickets.tickets IS
'Flow 5: immutable columns, who may change which column and status, state timestamps, updated_at.';


-- ---------------------------------------------------------------------------------------------
-- AFTER INSERT: the counter advances for the rows that landed
-- ---------------------------------------------------------------------------------------------

-- Why: the other half of tickets_11_numerar. Only rows that were really inserted are in the
-- statement's transition table (a row skipped by ON CONFLICT is not), so only they move the
-- office's counter; the row lock taken by the BEFORE trigger is still held. Statement-level:
-- one UPDATE per statement. SECURITY DEFINER for the same reason as the BEFORE trigger.
CREATE OR REPLACE FUNCTION tickets.tg_tickets_confirmar_numeracao()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    UPDATE tickets.numeracao AS n
    SET ultimo_numero = l.ultimo
    FROM (
        SELECT novo.escritorio_id, max(novo.numero) AS ultimo
        FROM novos AS novo
        GROUP BY novo.escritorio_id
    ) AS l
    WHERE n.escritorio_id = l.escritorio_id AND n.ultimo_numero < l.ultimo;
    RETURN NULL;
END
$$;

COMMENT ON FUNCTION tickets.tg_tickets_confirmar_numeracao() IS
'Trigger function (AFTER INSERT, statement on tickets.tickets): advances each office''s counter in '
'tickets.numeracao to the highest numero that was really inserted (rows skipped by ON CONFLICT consume nothing).';

REVOKE ALL ON FUNCTION tickets.tg_tickets_confirmar_numeracao() FROM public;

-- Why: first of the AFTER INSERT statement triggers; see tickets.tg_tickets_confirmar_numeracao.
CREATE OR REPLACE TRIGGER tickets_40_confirmar_numeracao
AFTER INSERT ON tickets.tickets
REFERENCING NEW TABLE AS novos
FOR EACH STATEMENT
EXECUTE FUNCTION tickets.tg_tickets_confirmar_numeracao();

COMMENT ON TRIGGER tickets_40_confirmar_numeracao ON tickets.tickets IS
'The office counter advances only for tickets that were inserted: numero stays gap-free.';


-- ---------------------------------------------------------------------------------------------
-- AFTER INSERT: ticket_criado on the office topic
-- ---------------------------------------------------------------------------------------------

-- Why: staff watching the office queue (topic escritorio:<office>) see new tickets live.
-- Statement-level over the transition table: one INSERT into realtime.messages for the whole
-- statement. The broadcast's id is the ticket's id, so payload.id = ticket id (as
-- realtime.send, the payload carries the message id). Errors propagate: no ticket without its
-- broadcast. SECURITY DEFINER: API users may not post broadcasts themselves.
CREATE OR REPLACE FUNCTION tickets.tg_tickets_broadcast_criado()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    INSERT INTO realtime.messages (id, topic, extension, event, payload, private)
    SELECT
        n.id,
        'escritorio:' || n.escritorio_id::text,
        'broadcast',
        'ticket_criado',
        jsonb_build_object(
            'id', n.id,
            'ticket_id', n.id,
            'escritorio_id', n.escritorio_id,
            'numero', n.numero,
            'titulo', n.titulo,
            'prioridade', n.prioridade,
            'cliente_id', n.cliente_id,
            'status', n.status,
            'created_at', n.created_at
        ),
        true
    FROM novos AS n;
    RETURN NULL;
END
$$;

COMMENT ON FUNCTION tickets.tg_tickets_broadcast_criado() IS
'Trigger function (AFTER INSERT, statement): one private broadcast ticket_criado per new ticket on '
'escritorio:<escritorio_id>; payload id (= ticket_id), escritorio_id, numero, titulo, prioridade, cliente_id, '
'status, created_at.';

REVOKE ALL ON FUNCTION tickets.tg_tickets_broadcast_criado() FROM public;

-- Why: set-based: one firing per statement, whatever the number of rows.
CREATE OR REPLACE TRIGGER tickets_60_broadcast_criado
AFTER INSERT ON tickets.tickets
REFERENCING NEW TABLE AS novos
FOR EACH STATEMENT
EXECUTE FUNCTION tickets.tg_tickets_broadcast_criado();

COMMENT ON TRIGGER tickets_60_broadcast_criado ON tickets.tickets IS
'Broadcasts ticket_criado on escritorio:<id> for every new ticket.';


-- ---------------------------------------------------------------------------------------------
-- AFTER UPDATE: ticket_atualizado on status changes
-- ---------------------------------------------------------------------------------------------

-- Why: the ticket's participants (topic ticket:<id>: its client and the office staff) and the
-- office queue (topic escritorio:<office>: staff) see status changes live. Only rows whose
-- status changed broadcast; two messages per change, one per topic. Statement-level over the
-- OLD/NEW transition tables joined by id: one INSERT for the whole statement. Errors
-- propagate. SECURITY DEFINER: API users may not post broadcasts themselves.
CREATE OR REPLACE FUNCTION tickets.tg_tickets_broadcast_status()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    -- The message id is generated first (materialized) so the payload can carry it, as
    -- realtime.send does.
    WITH mudancas AS MATERIALIZED (
        SELECT
            gen_random_uuid() AS id,
            topico.topic,
            jsonb_build_object(
                'ticket_id', n.id,
                'escritorio_id', n.escritorio_id,
                'numero', n.numero,
                'status_anterior', o.status,
                'status', n.status,
                'updated_at', n.updated_at
            ) AS payload
        FROM novos AS n
        INNER JOIN antigos AS o ON n.id = o.id
        CROSS JOIN LATERAL (
            VALUES ('ticket:' || n.id::text), ('escritorio:' || n.escritorio_id::text)
        ) AS topico (topic)
        WHERE n.status IS DISTINCT FROM o.status
    )

    INSERT INTO realtime.messages (id, topic, extension, event, payload, private)
    SELECT c.id, c.topic, 'broadcast', 'ticket_atualizado', c.payload || jsonb_build_object('id', c.id), true
    FROM mudancas AS c;
    RETURN NULL;
END
$$;

COMMENT ON FUNCTION tickets.tg_tickets_broadcast_status() IS
'Trigger function (AFTER UPDATE, statement): for each ticket whose status changed, private broadcast '
'ticket_atualizado on ticket:<id> and on escritorio:<escritorio_id>; payload id (message), ticket_id, '
'escritorio_id, numero, status_anterior, status, updated_at.';

REVOKE ALL ON FUNCTION tickets.tg_tickets_broadcast_status() FROM public;

-- Why: set-based: one firing per statement; transition tables need no column list.
CREATE OR REPLACE TRIGGER tickets_60_broadcast_status
AFTER UPDATE ON tickets.tickets
REFERENCING OLD TABLE AS antigos NEW TABLE AS novos
FOR EACH STATEMENT
EXECUTE FUNCTION tickets.tg_tickets_broadcast_status();

COMMENT ON TRIGGER tickets_60_broadcast_status ON tickets.tickets IS
'Broadcasts ticket_atualizado on ticket:<id> and escritorio:<id> when a ticket''s status changes.';
