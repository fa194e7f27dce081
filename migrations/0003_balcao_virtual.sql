-- 0003_balcao_virtual: front-desk sessions and their conversation log.
--
-- A client talks to the office in the Balcao Virtual; when the client opens a ticket during
-- an active session, the session is linked to the ticket and its log lines are imported as
-- ticket comments, exactly once (tickets.ticket_comments.balcao_log_id, migration 0004).
-- Tenancy, RLS and grant conventions: see 0002_crm.sql.

-- =============================================================================================
-- balcao_virtual.sessoes_ativas
-- =============================================================================================

-- One front-desk session of a client. At most one session per client is 'ativa' at a time
-- (partial unique index below), so "the client's active session" is never ambiguous.
create table balcao_virtual.sessoes_ativas (
    id uuid not null default gen_random_uuid(),
    escritorio_id uuid not null,
    cliente_id uuid not null,
    atendente_id uuid,
    canal text not null default 'web',
    status text not null default 'ativa',
    iniciada_em timestamptz not null default now(),
    encerrada_em timestamptz,
    constraint sessoes_ativas_pkey primary key (id),
    constraint sessoes_ativas_tenant_key unique (escritorio_id, id),
    -- The session's client belongs to the session's office.
    constraint sessoes_ativas_cliente_fkey foreign key (escritorio_id, cliente_id)
    references crm.clientes (escritorio_id, id),
    -- The attending member is staff of the same office; removing the membership unassigns the
    -- session (only atendente_id is nulled: escritorio_id stays).
    constraint sessoes_ativas_atendente_fkey foreign key (escritorio_id, atendente_id)
    references crm.equipe (escritorio_id, user_id) on delete set null (atendente_id),
    constraint sessoes_ativas_canal_check check (btrim(canal) <> ''),
    constraint sessoes_ativas_status_check check (status in ('ativa', 'encerrada')),
    constraint sessoes_ativas_encerrada_em_check check ((status = 'encerrada') = (encerrada_em is not null)),
    constraint sessoes_ativas_periodo_check check (encerrada_em >= iniciada_em)
);

comment on table balcao_virtual.sessoes_ativas is
'Balcao Virtual sessions of a client. At most one ativa session per client; a ticket opened during it '
'links it (tickets.tickets.sessao_balcao_id) and imports its log.';
comment on column balcao_virtual.sessoes_ativas.id is 'Session id (contract).';
comment on column balcao_virtual.sessoes_ativas.escritorio_id is 'Office of the session (contract).';
comment on column balcao_virtual.sessoes_ativas.cliente_id is 'Client in the session (contract), of the same office.';
comment on column balcao_virtual.sessoes_ativas.atendente_id is
'Staff member attending (contract), crm.equipe.user_id of the same office; null when unassigned.';
comment on column balcao_virtual.sessoes_ativas.canal is 'Channel, free text such as web or whatsapp (contract).';
comment on column balcao_virtual.sessoes_ativas.status is 'ativa or encerrada (contract).';
comment on column balcao_virtual.sessoes_ativas.iniciada_em is 'Session start (contract).';
comment on column balcao_virtual.sessoes_ativas.encerrada_em is 'Session end (contract); set exactly when status = encerrada.';
comment on constraint sessoes_ativas_tenant_key on balcao_virtual.sessoes_ativas is
'Tenant key: target of (escritorio_id, sessao_id) links from logs_conversas and tickets.';
comment on constraint sessoes_ativas_status_check on balcao_virtual.sessoes_ativas is
'status is ativa or encerrada.';
comment on constraint sessoes_ativas_encerrada_em_check on balcao_virtual.sessoes_ativas is
'encerrada_em is set if and only if the session is encerrada.';
comment on constraint sessoes_ativas_periodo_check on balcao_virtual.sessoes_ativas is
'A session does not end before it starts.';

-- "At most one ativa session per client": the import on ticket insert relies on it.
create unique index sessoes_ativas_uma_ativa_por_cliente_key
on balcao_virtual.sessoes_ativas (cliente_id)
where status = 'ativa';

comment on index balcao_virtual.sessoes_ativas_uma_ativa_por_cliente_key is
'At most one ativa session per client; also the lookup of the client''s active session.';

-- Foreign key index (leading columns = the FK columns) for sessoes_ativas_cliente_fkey.
create index sessoes_ativas_escritorio_cliente_idx
on balcao_virtual.sessoes_ativas (escritorio_id, cliente_id);

-- A client's sessions newest first (CRM history, keyset pagination).
create index sessoes_ativas_cliente_iniciada_idx
on balcao_virtual.sessoes_ativas (cliente_id, iniciada_em desc);

-- Foreign key index for sessoes_ativas_atendente_fkey; also "sessions I attend".
create index sessoes_ativas_escritorio_atendente_idx
on balcao_virtual.sessoes_ativas (escritorio_id, atendente_id);

alter table balcao_virtual.sessoes_ativas enable row level security;

-- Read-only for API users; sessions are written by the Balcao Virtual backend (service_role).
revoke all on table balcao_virtual.sessoes_ativas from public, anon, authenticated, service_role;
grant select on table balcao_virtual.sessoes_ativas to authenticated;
grant all on table balcao_virtual.sessoes_ativas to service_role;

-- =============================================================================================
-- balcao_virtual.logs_conversas
-- =============================================================================================

-- The conversation log of a session, one row per line. The identity id is the log order:
-- imports copy lines in id order and remember each line's id (balcao_log_id) to stay exact-once.
create table balcao_virtual.logs_conversas (
    id bigint generated always as identity,
    sessao_id uuid not null,
    escritorio_id uuid not null,
    autor_tipo text not null,
    autor_nome text,
    mensagem text not null,
    enviado_em timestamptz not null default now(),
    constraint logs_conversas_pkey primary key (id),
    constraint logs_conversas_tenant_key unique (escritorio_id, id),
    -- A line belongs to a session of the same office; it lives and dies with its session.
    constraint logs_conversas_sessao_fkey foreign key (escritorio_id, sessao_id)
    references balcao_virtual.sessoes_ativas (escritorio_id, id) on delete cascade,
    constraint logs_conversas_autor_tipo_check check (autor_tipo in ('cliente', 'atendente', 'bot')),
    constraint logs_conversas_mensagem_check check (btrim(mensagem) <> '')
);

comment on table balcao_virtual.logs_conversas is
'Conversation log of a Balcao Virtual session, in id order. Imported into the linked ticket as comments '
'(origem balcao_virtual, created_at = enviado_em, author mapped cliente->cliente, atendente->equipe, bot->sistema).';
comment on column balcao_virtual.logs_conversas.id is 'Line id and log order (contract); identity, never reused.';
comment on column balcao_virtual.logs_conversas.sessao_id is 'Session of the line (contract), same office.';
comment on column balcao_virtual.logs_conversas.escritorio_id is 'Office of the line (contract).';
comment on column balcao_virtual.logs_conversas.autor_tipo is 'Who wrote the line: cliente, atendente or bot (contract).';
comment on column balcao_virtual.logs_conversas.autor_nome is 'Display name of the author as the front desk showed it (contract).';
comment on column balcao_virtual.logs_conversas.mensagem is
'Text of the line (contract); never blank. Maximum length is configurable and enforced by functions/triggers.';
comment on column balcao_virtual.logs_conversas.enviado_em is 'When the line was sent (contract); kept as the comment''s created_at on import.';
comment on constraint logs_conversas_tenant_key on balcao_virtual.logs_conversas is
'Tenant key: target of tickets.ticket_comments (escritorio_id, balcao_log_id).';
comment on constraint logs_conversas_autor_tipo_check on balcao_virtual.logs_conversas is
'autor_tipo is cliente, atendente or bot.';
comment on constraint logs_conversas_mensagem_check on balcao_virtual.logs_conversas is 'A log line is never blank.';

-- A session's lines in log order (the import reads them this way, set-based).
create index logs_conversas_sessao_id_idx
on balcao_virtual.logs_conversas (sessao_id, id);

-- Foreign key index (leading columns = the FK columns) for logs_conversas_sessao_fkey.
create index logs_conversas_escritorio_sessao_idx
on balcao_virtual.logs_conversas (escritorio_id, sessao_id);

alter table balcao_virtual.logs_conversas enable row level security;

-- Read-only for API users; the log is written by the Balcao Virtual backend (service_role).
-- Inserting into an identity column needs no sequence privilege; service_role gets USAGE,
-- SELECT anyway for tooling (currval/lastval after its own inserts). No UPDATE: setval could
-- rewind the log order.
revoke all on table balcao_virtual.logs_conversas from public, anon, authenticated, service_role;
grant select on table balcao_virtual.logs_conversas to authenticated;
grant all on table balcao_virtual.logs_conversas to service_role;
grant usage, select on sequence balcao_virtual.logs_conversas_id_seq to service_role;
