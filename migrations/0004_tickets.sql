-- 0004_tickets: tickets, their per-office numbering, comments and the durable chat archive.
--
-- Conventions: see 0002_crm.sql. Rules that depend on the caller or on configuration (tenant
-- derivation, transitions, immutable columns, content length) live in triggers/ and functions/.

-- =============================================================================================
-- tickets.numeracao
-- =============================================================================================

-- Why: the per-office counter behind the gap-free tickets.numero. The numbering trigger runs
--   INSERT ... VALUES (office, 1) ON CONFLICT (escritorio_id)
--   DO UPDATE SET ultimo_numero = numeracao.ultimo_numero + 1 RETURNING ultimo_numero
-- The upsert row-locks the office's counter until commit: concurrent inserts of one office
-- serialize (other offices are not blocked), and a rolled-back ticket rolls back its increment
-- too, so committed numbers have no gaps.
CREATE TABLE tickets.numeracao (
    escritorio_id uuid NOT NULL,
    ultimo_numero integer NOT NULL DEFAULT 0,
    CONSTRAINT numeracao_pkey PRIMARY KEY (escritorio_id),
    -- The counter belongs to the office (an office can only be deleted once it has no
    -- clients, hence no tickets).
    CONSTRAINT numeracao_escritorio_fkey FOREIGN KEY (escritorio_id)
    REFERENCES crm.escritorios (id) ON DELETE CASCADE,
    CONSTRAINT numeracao_ultimo_numero_check CHECK (ultimo_numero >= 0)
);

COMMENT ON TABLE tickets.numeracao IS
'Per-office ticket counter: the last numero handed out. Incremented by an upsert that row-locks the '
'office''s counter until commit, making tickets.numero gap-free and duplicate-free under concurrency.';
COMMENT ON COLUMN tickets.numeracao.escritorio_id IS 'Office whose tickets this counter numbers.';
COMMENT ON COLUMN tickets.numeracao.ultimo_numero IS
'Last numero given to a committed or in-flight ticket of the office; 0 = none yet.';
COMMENT ON CONSTRAINT numeracao_ultimo_numero_check ON tickets.numeracao IS 'The counter never goes negative.';

-- Why: RLS from birth: until policies/ adds rules, API roles get no row.
ALTER TABLE tickets.numeracao ENABLE ROW LEVEL SECURITY;

-- Why: no grant to authenticated: the numbering trigger function must be SECURITY DEFINER,
-- otherwise a client could bump its office's counter and create gaps.
REVOKE ALL ON TABLE tickets.numeracao FROM public, anon, authenticated, service_role;
GRANT ALL ON TABLE tickets.numeracao TO service_role;

-- =============================================================================================
-- tickets.tickets
-- =============================================================================================

-- Why: a client's support ticket. Every link stays inside the office: client, Balcao session
-- and responsible staff member are composite foreign keys leading with escritorio_id.
CREATE TABLE tickets.tickets (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    escritorio_id uuid NOT NULL,
    cliente_id uuid NOT NULL,
    numero integer NOT NULL,
    titulo text NOT NULL,
    descricao text,
    prioridade text NOT NULL DEFAULT 'media',
    status text NOT NULL DEFAULT 'aberto',
    categoria text,
    sessao_balcao_id uuid,
    criado_por uuid,
    responsavel_id uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    primeira_resposta_em timestamptz,
    resolvido_em timestamptz,
    fechado_em timestamptz,
    CONSTRAINT tickets_pkey PRIMARY KEY (id),
    CONSTRAINT tickets_tenant_key UNIQUE (escritorio_id, id),
    CONSTRAINT tickets_numero_key UNIQUE (escritorio_id, numero),
    -- Target of crm.documentos (escritorio_id, cliente_id, ticket_id): a document can only be
    -- attached to a ticket of its own client. Its leading columns also index the client FK.
    CONSTRAINT tickets_cliente_tenant_key UNIQUE (escritorio_id, cliente_id, id),
    -- The ticket's client is a client of the ticket's office.
    CONSTRAINT tickets_cliente_fkey FOREIGN KEY (escritorio_id, cliente_id)
    REFERENCES crm.clientes (escritorio_id, id),
    -- The linked Balcao session is a session of the same office; deleting the session unlinks
    -- (only sessao_balcao_id is nulled). That it is the ticket client's own session is ensured
    -- by the link trigger, which only picks the client's ativa session.
    CONSTRAINT tickets_sessao_balcao_fkey FOREIGN KEY (escritorio_id, sessao_balcao_id)
    REFERENCES balcao_virtual.sessoes_ativas (escritorio_id, id) ON DELETE SET NULL (sessao_balcao_id),
    -- The responsible member is staff of the same office; removing the membership unassigns.
    CONSTRAINT tickets_responsavel_fkey FOREIGN KEY (escritorio_id, responsavel_id)
    REFERENCES crm.equipe (escritorio_id, user_id) ON DELETE SET NULL (responsavel_id),
    -- The creating login; the ticket stays when the login is deleted.
    CONSTRAINT tickets_criado_por_fkey FOREIGN KEY (criado_por)
    REFERENCES auth.users (id) ON DELETE SET NULL,
    CONSTRAINT tickets_numero_check CHECK (numero > 0),
    CONSTRAINT tickets_titulo_check CHECK (titulo ~ '\S'),
    CONSTRAINT tickets_categoria_check CHECK (categoria ~ '\S'),
    CONSTRAINT tickets_prioridade_check CHECK (prioridade IN ('baixa', 'media', 'alta', 'urgente')),
    CONSTRAINT tickets_status_check CHECK (
        status IN ('aberto', 'em_atendimento', 'aguardando_cliente', 'resolvido', 'fechado')
    )
);

COMMENT ON TABLE tickets.tickets IS
'Support tickets of a client. numero is per office, 1, 2, 3... without gaps (tickets.numeracao). '
'escritorio_id, cliente_id, numero and criado_por never change (enforced in triggers/).';
COMMENT ON COLUMN tickets.tickets.id IS 'Ticket id (contract); the realtime topic is ticket:<id>.';
COMMENT ON COLUMN tickets.tickets.escritorio_id IS
'Office (contract); derived from the client on insert, never changes.';
COMMENT ON COLUMN tickets.tickets.cliente_id IS
'Client (contract), of the same office; derived from auth.uid() for clients, never changes.';
COMMENT ON COLUMN tickets.tickets.numero IS
'Number within the office (contract): 1, 2, 3... gap-free; assigned on insert, never changes.';
COMMENT ON COLUMN tickets.tickets.titulo IS 'Title (contract); never blank.';
COMMENT ON COLUMN tickets.tickets.descricao IS 'Description (contract); optional.';
COMMENT ON COLUMN tickets.tickets.prioridade IS 'baixa, media (default), alta or urgente (contract).';
COMMENT ON COLUMN tickets.tickets.status IS
'aberto (default), em_atendimento, aguardando_cliente, resolvido or fechado (contract).';
COMMENT ON COLUMN tickets.tickets.categoria IS 'Free-text category (contract); null or not blank.';
COMMENT ON COLUMN tickets.tickets.sessao_balcao_id IS
'Balcao Virtual session linked on insert (contract): the client''s ativa session at that moment, if any.';
COMMENT ON COLUMN tickets.tickets.criado_por IS
'Login that created the ticket, auth.users.id (contract); null for service_role inserts.';
COMMENT ON COLUMN tickets.tickets.responsavel_id IS
'Staff member responsible (contract), crm.equipe.user_id of the same office; null = unassigned.';
COMMENT ON COLUMN tickets.tickets.created_at IS 'Creation time (contract).';
COMMENT ON COLUMN tickets.tickets.updated_at IS 'Last change (contract); maintained by a trigger.';
COMMENT ON COLUMN tickets.tickets.primeira_resposta_em IS
'First staff comment or chat message (contract); stamped once by a trigger.';
COMMENT ON COLUMN tickets.tickets.resolvido_em IS 'When the ticket was resolved (contract).';
COMMENT ON COLUMN tickets.tickets.fechado_em IS 'When the ticket was closed (contract).';
COMMENT ON CONSTRAINT tickets_tenant_key ON tickets.tickets IS
'Tenant key: target of the (escritorio_id, ticket_id) links of comments and chat messages.';
COMMENT ON CONSTRAINT tickets_numero_key ON tickets.tickets IS 'numero is unique within the office.';
COMMENT ON CONSTRAINT tickets_cliente_tenant_key ON tickets.tickets IS
'Target of crm.documentos (escritorio_id, cliente_id, ticket_id): a document attaches only to its client''s tickets.';
COMMENT ON CONSTRAINT tickets_numero_check ON tickets.tickets IS 'Numbers start at 1.';
COMMENT ON CONSTRAINT tickets_titulo_check ON tickets.tickets IS 'A title is never blank.';
COMMENT ON CONSTRAINT tickets_categoria_check ON tickets.tickets IS 'A category is null or not blank.';
COMMENT ON CONSTRAINT tickets_prioridade_check ON tickets.tickets IS 'prioridade is baixa, media, alta or urgente.';
COMMENT ON CONSTRAINT tickets_status_check ON tickets.tickets IS
'status is aberto, em_atendimento, aguardando_cliente, resolvido or fechado (transitions: triggers/).';

-- Indexes: tickets_cliente_tenant_key (above) indexes tickets_cliente_fkey and policies
-- filtering (escritorio_id, cliente_id).

-- Why: office queue by state: staff lists and policies filter (escritorio_id, status).
CREATE INDEX tickets_escritorio_status_idx ON tickets.tickets (escritorio_id, status);

-- Why: a client's tickets newest first (portal list, CRM history with keyset pagination).
CREATE INDEX tickets_cliente_created_idx ON tickets.tickets (cliente_id, created_at DESC);

-- Why: foreign key index for tickets_sessao_balcao_fkey; also finds the open tickets linked to a
-- session when later log lines are appended. Partial: most tickets have no session.
CREATE INDEX tickets_escritorio_sessao_balcao_idx
ON tickets.tickets (escritorio_id, sessao_balcao_id)
WHERE sessao_balcao_id IS NOT NULL;

-- Why: foreign key index for tickets_responsavel_fkey; also "tickets assigned to me".
CREATE INDEX tickets_escritorio_responsavel_idx ON tickets.tickets (escritorio_id, responsavel_id);

-- Why: foreign key index for tickets_criado_por_fkey (deleting a login).
CREATE INDEX tickets_criado_por_idx ON tickets.tickets (criado_por);

-- Why: RLS from birth: until policies/ adds rules, API roles get no row.
ALTER TABLE tickets.tickets ENABLE ROW LEVEL SECURITY;

-- Why: clients open and update (close/reopen) their tickets, staff work them; RLS and triggers
-- decide rows, columns and transitions. No DELETE: a ticket is closed, not deleted.
REVOKE ALL ON TABLE tickets.tickets FROM public, anon, authenticated, service_role;
GRANT SELECT, INSERT, UPDATE ON TABLE tickets.tickets TO authenticated;
GRANT ALL ON TABLE tickets.tickets TO service_role;

-- =============================================================================================
-- tickets.ticket_comments
-- =============================================================================================

-- Why: the ticket's thread. A client's comment is never internal, and a Balcao line is
-- imported at most once per ticket.
CREATE TABLE tickets.ticket_comments (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    ticket_id uuid NOT NULL,
    escritorio_id uuid NOT NULL,
    autor_id uuid,
    autor_tipo text NOT NULL,
    conteudo text NOT NULL,
    interno boolean NOT NULL DEFAULT FALSE,
    origem text NOT NULL,
    balcao_log_id bigint,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT ticket_comments_pkey PRIMARY KEY (id),
    -- Exactly-once import; the importer's ON CONFLICT (ticket_id, balcao_log_id) targets it.
    -- Comments without a Balcao line (null balcao_log_id) are not constrained by it.
    CONSTRAINT ticket_comments_ticket_balcao_log_key UNIQUE (ticket_id, balcao_log_id),
    -- The comment's ticket is a ticket of the same office; comments go with their ticket.
    CONSTRAINT ticket_comments_ticket_fkey FOREIGN KEY (escritorio_id, ticket_id)
    REFERENCES tickets.tickets (escritorio_id, id) ON DELETE CASCADE,
    -- The imported line is a line of the same office; deleting the line keeps the comment.
    CONSTRAINT ticket_comments_balcao_log_fkey FOREIGN KEY (escritorio_id, balcao_log_id)
    REFERENCES balcao_virtual.logs_conversas (escritorio_id, id) ON DELETE SET NULL (balcao_log_id),
    CONSTRAINT ticket_comments_autor_fkey FOREIGN KEY (autor_id)
    REFERENCES auth.users (id) ON DELETE SET NULL,
    CONSTRAINT ticket_comments_autor_tipo_check CHECK (
        autor_tipo IN ('cliente', 'equipe', 'sistema', 'balcao_virtual')
    ),
    CONSTRAINT ticket_comments_origem_check CHECK (origem IN ('portal', 'equipe', 'balcao_virtual', 'sistema')),
    CONSTRAINT ticket_comments_conteudo_check CHECK (conteudo ~ '\S'),
    CONSTRAINT ticket_comments_cliente_nao_interno_check CHECK (autor_tipo <> 'cliente' OR NOT interno),
    CONSTRAINT ticket_comments_balcao_log_origem_check CHECK (balcao_log_id IS NULL OR origem = 'balcao_virtual')
);

COMMENT ON TABLE tickets.ticket_comments IS
'Comments of a ticket: portal, staff, internal notes (interno, never shown to clients), system notes and '
'Balcao Virtual lines imported exactly once (unique (ticket_id, balcao_log_id)).';
COMMENT ON COLUMN tickets.ticket_comments.id IS 'Comment id (contract).';
COMMENT ON COLUMN tickets.ticket_comments.ticket_id IS 'Ticket (contract), of the same office.';
COMMENT ON COLUMN tickets.ticket_comments.escritorio_id IS 'Office (contract); the ticket''s office.';
COMMENT ON COLUMN tickets.ticket_comments.autor_id IS
'Author login, auth.users.id (contract); null for system notes and bot lines.';
COMMENT ON COLUMN tickets.ticket_comments.autor_tipo IS 'cliente, equipe, sistema or balcao_virtual (contract).';
COMMENT ON COLUMN tickets.ticket_comments.conteudo IS
'Text (contract); never blank. Maximum length is configurable and enforced by functions/triggers.';
COMMENT ON COLUMN tickets.ticket_comments.interno IS
'Internal staff note (contract): never written by nor shown to a client.';
COMMENT ON COLUMN tickets.ticket_comments.origem IS 'portal, equipe, balcao_virtual or sistema (contract).';
COMMENT ON COLUMN tickets.ticket_comments.balcao_log_id IS
'Imported Balcao Virtual line, balcao_virtual.logs_conversas.id (contract); null for other comments.';
COMMENT ON COLUMN tickets.ticket_comments.created_at IS
'Creation time (contract); for imported lines the line''s enviado_em.';
COMMENT ON CONSTRAINT ticket_comments_ticket_balcao_log_key ON tickets.ticket_comments IS
'A Balcao Virtual line is imported into a ticket at most once.';
COMMENT ON CONSTRAINT ticket_comments_autor_tipo_check ON tickets.ticket_comments IS
'autor_tipo is cliente, equipe, sistema or balcao_virtual.';
COMMENT ON CONSTRAINT ticket_comments_origem_check ON tickets.ticket_comments IS
'origem is portal, equipe, balcao_virtual or sistema.';
COMMENT ON CONSTRAINT ticket_comments_conteudo_check ON tickets.ticket_comments IS 'A comment is never blank.';
COMMENT ON CONSTRAINT ticket_comments_cliente_nao_interno_check ON tickets.ticket_comments IS
'A client''s comment is never internal.';
COMMENT ON CONSTRAINT ticket_comments_balcao_log_origem_check ON tickets.ticket_comments IS
'A comment linked to a Balcao Virtual line has origem balcao_virtual.';

-- Why: the ticket's thread in order (ORDER BY created_at, id; keyset pagination).
CREATE INDEX ticket_comments_ticket_created_idx ON tickets.ticket_comments (ticket_id, created_at, id);

-- Why: foreign key index (leading columns = the FK columns) for ticket_comments_ticket_fkey.
CREATE INDEX ticket_comments_escritorio_ticket_idx ON tickets.ticket_comments (escritorio_id, ticket_id);

-- Why: foreign key index for ticket_comments_balcao_log_fkey. Partial: most comments have no line.
CREATE INDEX ticket_comments_escritorio_balcao_log_idx
ON tickets.ticket_comments (escritorio_id, balcao_log_id)
WHERE balcao_log_id IS NOT NULL;

-- Why: foreign key index for ticket_comments_autor_fkey (deleting a login).
CREATE INDEX ticket_comments_autor_id_idx ON tickets.ticket_comments (autor_id);

-- Why: RLS from birth: until policies/ adds rules, API roles get no row.
ALTER TABLE tickets.ticket_comments ENABLE ROW LEVEL SECURITY;

-- Why: clients and staff read and add comments (RLS hides internal notes from clients); comments
-- are never edited or deleted through the API.
REVOKE ALL ON TABLE tickets.ticket_comments FROM public, anon, authenticated, service_role;
GRANT SELECT, INSERT ON TABLE tickets.ticket_comments TO authenticated;
GRANT ALL ON TABLE tickets.ticket_comments TO service_role;

-- =============================================================================================
-- tickets.chat_mensagens
-- =============================================================================================

-- Why: the chat outlives realtime.messages. Each message goes, in one transaction, to
-- realtime.messages (live delivery) and here with the same id. Deliberately NO foreign key to
-- realtime.messages: Supabase drops its partitions after 72 h.
CREATE TABLE tickets.chat_mensagens (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    ticket_id uuid NOT NULL,
    escritorio_id uuid NOT NULL,
    autor_id uuid,
    autor_tipo text NOT NULL,
    conteudo text NOT NULL,
    enviado_em timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT chat_mensagens_pkey PRIMARY KEY (id),
    -- The message's ticket is a ticket of the same office; messages go with their ticket.
    CONSTRAINT chat_mensagens_ticket_fkey FOREIGN KEY (escritorio_id, ticket_id)
    REFERENCES tickets.tickets (escritorio_id, id) ON DELETE CASCADE,
    CONSTRAINT chat_mensagens_autor_fkey FOREIGN KEY (autor_id)
    REFERENCES auth.users (id) ON DELETE SET NULL,
    CONSTRAINT chat_mensagens_autor_tipo_check CHECK (autor_tipo IN ('cliente', 'equipe', 'sistema')),
    CONSTRAINT chat_mensagens_conteudo_check CHECK (conteudo ~ '\S')
);

COMMENT ON TABLE tickets.chat_mensagens IS
'Durable chat archive of a ticket. id = the realtime.messages id of the same message (written in one '
'transaction by tickets.enviar_mensagem); no FK to realtime.messages, whose partitions are dropped after 72 h.';
COMMENT ON COLUMN tickets.chat_mensagens.id IS 'Message id (contract) = realtime.messages.id of the broadcast.';
COMMENT ON COLUMN tickets.chat_mensagens.ticket_id IS 'Ticket (contract), of the same office.';
COMMENT ON COLUMN tickets.chat_mensagens.escritorio_id IS 'Office (contract); the ticket''s office.';
COMMENT ON COLUMN tickets.chat_mensagens.autor_id IS
'Author login, auth.users.id (contract); null for system messages.';
COMMENT ON COLUMN tickets.chat_mensagens.autor_tipo IS 'cliente, equipe or sistema (contract).';
COMMENT ON COLUMN tickets.chat_mensagens.conteudo IS
'Text (contract); never blank. Maximum length is configurable and enforced by functions/triggers.';
COMMENT ON COLUMN tickets.chat_mensagens.enviado_em IS 'When the message was sent (contract).';
COMMENT ON CONSTRAINT chat_mensagens_autor_tipo_check ON tickets.chat_mensagens IS
'autor_tipo is cliente, equipe or sistema.';
COMMENT ON CONSTRAINT chat_mensagens_conteudo_check ON tickets.chat_mensagens IS 'A chat message is never blank.';

-- Why: chat history pages: newest messages before a point, per ticket (historico_chat).
CREATE INDEX chat_mensagens_ticket_enviado_idx ON tickets.chat_mensagens (ticket_id, enviado_em DESC, id);

-- Why: foreign key index (leading columns = the FK columns) for chat_mensagens_ticket_fkey.
CREATE INDEX chat_mensagens_escritorio_ticket_idx ON tickets.chat_mensagens (escritorio_id, ticket_id);

-- Why: foreign key index for chat_mensagens_autor_fkey (deleting a login).
CREATE INDEX chat_mensagens_autor_id_idx ON tickets.chat_mensagens (autor_id);

-- Why: RLS from birth: until policies/ adds rules, API roles get no row.
ALTER TABLE tickets.chat_mensagens ENABLE ROW LEVEL SECURITY;

-- Why: read-only for API users: messages are sent through tickets.enviar_mensagem, which writes
-- realtime.messages and this archive together (so it needs to run as the owner).
REVOKE ALL ON TABLE tickets.chat_mensagens FROM public, anon, authenticated, service_role;
GRANT SELECT ON TABLE tickets.chat_mensagens TO authenticated;
GRANT ALL ON TABLE tickets.chat_mensagens TO service_role;
