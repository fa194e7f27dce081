-- 0003_balcao_virtual: front-desk sessions and their conversation log.
--
-- A client talks to the office in the Balcao Virtual; when the client opens a ticket during
-- an active session, the session is linked to the ticket and its log lines are imported as
-- ticket comments, exactly once (tickets.ticket_comments.balcao_log_id, migration 0004).
-- Tenancy, RLS and grant conventions: see 0002_crm.sql.

-- =============================================================================================
-- balcao_virtual.sessoes_ativas
-- =============================================================================================

-- Why: one front-desk session of a client. At most one session per client is 'ativa' at a time
-- (partial unique index below), so "the client's active session" is never ambiguous.
CREATE TABLE balcao_virtual.sessoes_ativas (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    escritorio_id uuid NOT NULL,
    cliente_id uuid NOT NULL,
    atendente_id uuid,
    canal text NOT NULL DEFAULT 'web',
    status text NOT NULL DEFAULT 'ativa',
    iniciada_em timestamptz NOT NULL DEFAULT now(),
    encerrada_em timestamptz,
    CONSTRAINT sessoes_ativas_pkey PRIMARY KEY (id),
    CONSTRAINT sessoes_ativas_tenant_key UNIQUE (escritorio_id, id),
    -- The session's client belongs to the session's office.
    CONSTRAINT sessoes_ativas_cliente_fkey FOREIGN KEY (escritorio_id, cliente_id)
    REFERENCES crm.clientes (escritorio_id, id),
    -- The attending member is staff of the same office; removing the membership unassigns the
    -- session (only atendente_id is nulled: escritorio_id stays).
    CONSTRAINT sessoes_ativas_atendente_fkey FOREIGN KEY (escritorio_id, atendente_id)
    REFERENCES crm.equipe (escritorio_id, user_id) ON DELETE SET NULL (atendente_id),
    CONSTRAINT sessoes_ativas_canal_check CHECK (canal ~ '\S'),
    CONSTRAINT sessoes_ativas_status_check CHECK (status IN ('ativa', 'encerrada')),
    CONSTRAINT sessoes_ativas_encerrada_em_check CHECK ((status = 'encerrada') = (encerrada_em IS NOT NULL)),
    CONSTRAINT sessoes_ativas_periodo_check CHECK (encerrada_em >= iniciada_em)
);

COMMENT ON TABLE balcao_virtual.sessoes_ativas IS
'Balcao Virtual sessions of a client. At most one ativa session per client; a ticket opened during it '
'links it (tickets.tickets.sessao_balcao_id) and imports its log.';
COMMENT ON COLUMN balcao_virtual.sessoes_ativas.id IS 'Session id (contract).';
COMMENT ON COLUMN balcao_virtual.sessoes_ativas.escritorio_id IS 'Office of the session (contract).';
COMMENT ON COLUMN balcao_virtual.sessoes_ativas.cliente_id IS 'Client in the session (contract), of the same office.';
COMMENT ON COLUMN balcao_virtual.sessoes_ativas.atendente_id IS
'Staff member attending (contract), crm.equipe.user_id of the same office; null when unassigned.';
COMMENT ON COLUMN balcao_virtual.sessoes_ativas.canal IS 'Channel, free text such as web or whatsapp (contract).';
COMMENT ON COLUMN balcao_virtual.sessoes_ativas.status IS 'ativa or encerrada (contract).';
COMMENT ON COLUMN balcao_virtual.sessoes_ativas.iniciada_em IS 'Session start (contract).';
COMMENT ON COLUMN balcao_virtual.sessoes_ativas.encerrada_em IS
'Session end (contract); set exactly when status = encerrada.';
COMMENT ON CONSTRAINT sessoes_ativas_tenant_key ON balcao_virtual.sessoes_ativas IS
'Tenant key: target of (escritorio_id, sessao_id) links from logs_conversas and tickets.';
COMMENT ON CONSTRAINT sessoes_ativas_canal_check ON balcao_virtual.sessoes_ativas IS 'A channel is never blank.';
COMMENT ON CONSTRAINT sessoes_ativas_status_check ON balcao_virtual.sessoes_ativas IS
'status is ativa or encerrada.';
COMMENT ON CONSTRAINT sessoes_ativas_encerrada_em_check ON balcao_virtual.sessoes_ativas IS
'encerrada_em is set if and only if the session is encerrada.';
COMMENT ON CONSTRAINT sessoes_ativas_periodo_check ON balcao_virtual.sessoes_ativas IS
'A session does not end before it starts.';

-- Why: "At most one ativa session per client": the import on ticket insert relies on it.
CREATE UNIQUE INDEX sessoes_ativas_uma_ativa_por_cliente_key
ON balcao_virtual.sessoes_ativas (cliente_id)
WHERE status = 'ativa';

COMMENT ON INDEX balcao_virtual.sessoes_ativas_uma_ativa_por_cliente_key IS
'At most one ativa session per client; also the lookup of the client''s active session.';

-- Why: foreign key index (leading columns = the FK columns) for sessoes_ativas_cliente_fkey.
CREATE INDEX sessoes_ativas_escritorio_cliente_idx
ON balcao_virtual.sessoes_ativas (escritorio_id, cliente_id);

-- Why: a client's sessions newest first (CRM history, keyset pagination).
CREATE INDEX sessoes_ativas_cliente_iniciada_idx
ON balcao_virtual.sessoes_ativas (cliente_id, iniciada_em DESC);

-- Why: foreign key index for sessoes_ativas_atendente_fkey; also "sessions I attend".
CREATE INDEX sessoes_ativas_escritorio_atendente_idx
ON balcao_virtual.sessoes_ativas (escritorio_id, atendente_id);

-- Why: RLS from birth: until policies/ adds rules, API roles get no row.
ALTER TABLE balcao_virtual.sessoes_ativas ENABLE ROW LEVEL SECURITY;

-- Why: read-only for API users; sessions are written by the Balcao Virtual backend (service_role).
REVOKE ALL ON TABLE balcao_virtual.sessoes_ativas FROM public, anon, authenticated, service_role;
GRANT SELECT ON TABLE balcao_virtual.sessoes_ativas TO authenticated;
GRANT ALL ON TABLE balcao_virtual.sessoes_ativas TO service_role;

-- =============================================================================================
-- balcao_virtual.logs_conversas
-- =============================================================================================

-- Why: the conversation log of a session, one row per line. The identity id is the log order:
-- imports copy lines in id order and remember each line's id (balcao_log_id) to stay exact-once.
CREATE TABLE balcao_virtual.logs_conversas (
    id bigint GENERATED ALWAYS AS IDENTITY,
    sessao_id uuid NOT NULL,
    escritorio_id uuid NOT NULL,
    autor_tipo text NOT NULL,
    autor_nome text,
    mensagem text NOT NULL,
    enviado_em timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT logs_conversas_pkey PRIMARY KEY (id),
    CONSTRAINT logs_conversas_tenant_key UNIQUE (escritorio_id, id),
    -- A line belongs to a session of the same office; it lives and dies with its session.
    CONSTRAINT logs_conversas_sessao_fkey FOREIGN KEY (escritorio_id, sessao_id)
    REFERENCES balcao_virtual.sessoes_ativas (escritorio_id, id) ON DELETE CASCADE,
    CONSTRAINT logs_conversas_autor_tipo_check CHECK (autor_tipo IN ('cliente', 'atendente', 'bot')),
    CONSTRAINT logs_conversas_mensagem_check CHECK (mensagem ~ '\S')
);

COMMENT ON TABLE balcao_virtual.logs_conversas IS
'Conversation log of a Balcao Virtual session, in id order. Imported into the linked ticket as comments '
'(origem balcao_virtual, created_at = enviado_em, author mapped cliente->cliente, atendente->equipe, bot->sistema).';
COMMENT ON COLUMN balcao_virtual.logs_conversas.id IS 'Line id and log order (contract); identity, never reused.';
COMMENT ON COLUMN balcao_virtual.logs_conversas.sessao_id IS 'Session of the line (contract), same office.';
COMMENT ON COLUMN balcao_virtual.logs_conversas.escritorio_id IS 'Office of the line (contract).';
COMMENT ON COLUMN balcao_virtual.logs_conversas.autor_tipo IS
'Who wrote the line: cliente, atendente or bot (contract).';
COMMENT ON COLUMN balcao_virtual.logs_conversas.autor_nome IS
'Display name of the author as the front desk showed it (contract).';
COMMENT ON COLUMN balcao_virtual.logs_conversas.mensagem IS
'Text of the line (contract); never blank. Maximum length is configurable and enforced by functions/triggers.';
COMMENT ON COLUMN balcao_virtual.logs_conversas.enviado_em IS
'When the line was sent (contract); kept as the comment''s created_at on import.';
COMMENT ON CONSTRAINT logs_conversas_tenant_key ON balcao_virtual.logs_conversas IS
'Tenant key: target of tickets.ticket_comments (escritorio_id, balcao_log_id).';
COMMENT ON CONSTRAINT logs_conversas_autor_tipo_check ON balcao_virtual.logs_conversas IS
'autor_tipo is cliente, atendente or bot.';
COMMENT ON CONSTRAINT logs_conversas_mensagem_check ON balcao_virtual.logs_conversas IS 'A log line is never blank.';

-- Why: a session's lines in log order (the import reads them this way, set-based).
CREATE INDEX logs_conversas_sessao_id_idx
ON balcao_virtual.logs_conversas (sessao_id, id);

-- Why: foreign key index (leading columns = the FK columns) for logs_conversas_sessao_fkey.
CREATE INDEX logs_conversas_escritorio_sessao_idx
ON balcao_virtual.logs_conversas (escritorio_id, sessao_id);

-- Why: RLS from birth: until policies/ adds rules, API roles get no row.
ALTER TABLE balcao_virtual.logs_conversas ENABLE ROW LEVEL SECURITY;

-- Why: read-only for API users; the log is written by the Balcao Virtual backend (service_role).
-- Inserting into an identity column needs no sequence privilege; service_role gets USAGE,
-- SELECT anyway for tooling (currval/lastval after its own inserts). No UPDATE: setval could
-- rewind the log order.
REVOKE ALL ON TABLE balcao_virtual.logs_conversas FROM public, anon, authenticated, service_role;
GRANT SELECT ON TABLE balcao_virtual.logs_conversas TO authenticated;
GRANT ALL ON TABLE balcao_virtual.logs_conversas TO service_role;
GRANT USAGE, SELECT ON SEQUENCE balcao_virtual.logs_conversas_id_seq TO service_role;
