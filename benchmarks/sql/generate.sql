-- =============================================================================================
-- Benchmark data generator: set-based, deterministic, with the skew of issue 9.
-- =============================================================================================
-- Run by `python -m benchmarks` as the table owner (a superuser) on a freshly applied database.
-- Parameters come as custom settings `bench.*` (see benchmarks/datagen.py for the two scales):
--   offices, tickets, big_office_tickets, big_client_tickets, big_thread_comments, comments,
--   chat_big, chat_spread, realtime_rows, sessions, session_lines, long_sessions,
--   long_session_lines, staff_per_office, big_office_staff, import_lines.
-- Ids are derived uuids: 8 hex digits naming the kind (md5 of 'o', 't', 'c', ...), then the row
-- number, so every primary key is loaded in ascending order (same scale, same data). Rows are loaded with
-- session_replication_role = replica: triggers (audit, broadcasts, derivation) and foreign-key
-- triggers do not fire, so the load is pure INSERT ... SELECT; the data is consistent by
-- construction (every key is computed from the same formulas), derived columns included
-- (cliente_id of comments and chat, migrations/0015).
--
-- Shape (full scale): 200 offices; office 1 holds ~100k tickets spread through the table, the other
-- 199 share the rest; client 1 (office 1) has 3,000 tickets (every 333rd), the newest of which has
-- a 2,000-comment thread and the one before it 100k chat messages; client 2 has ~1,000 history events (100 tickets, 5 comments
-- and 3 messages each, 50 documents, 50 Balcão sessions); client 3 has an ativa Balcão session
-- with a 200-line log (abrir_ticket import); other clients have 5 tickets each.

SET session_replication_role = replica;
SET synchronous_commit = off;

CREATE SCHEMA IF NOT EXISTS bench;

-- Why: the formulas in one place: ids, offices, timestamps. Generator-only helpers, deliberately
-- WITHOUT a SET clause (every name is schema-qualified instead): a SET clause stops the planner
-- from inlining a SQL function, and these run once per generated row.
CREATE OR REPLACE FUNCTION bench.p(p_name text) RETURNS bigint
LANGUAGE sql STABLE
AS $$ SELECT pg_catalog.current_setting('bench.' || p_name)::bigint $$;

CREATE OR REPLACE FUNCTION bench.uid(p_kind text, p_n bigint) RETURNS uuid
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT (pg_catalog.left(pg_catalog.md5(p_kind), 8) || pg_catalog.lpad(pg_catalog.to_hex(p_n), 24, '0'))::uuid $$;

-- Strides that spread the special clients over the whole ticket history (interleaved in the heap
-- like real data, not clustered): client 1 owns every passo_grande-th ticket, client 2 every
-- passo_historico-th (100 tickets).
CREATE OR REPLACE FUNCTION bench.passo_grande() RETURNS bigint
LANGUAGE sql STABLE
AS $$ SELECT bench.p('tickets') / bench.p('big_client_tickets') $$;

CREATE OR REPLACE FUNCTION bench.passo_historico() RETURNS bigint
LANGUAGE sql STABLE
AS $$ SELECT bench.p('tickets') / 110 $$;

-- Ticket i belongs to client k: client 1 (3,000 tickets), client 2 (100), else 5 consecutive
-- ticket numbers per client.
CREATE OR REPLACE FUNCTION bench.cliente_do_ticket(p_i bigint) RETURNS bigint
LANGUAGE sql STABLE
AS $$
    SELECT CASE
        WHEN p_i % bench.passo_grande() = 0 AND p_i / bench.passo_grande() <= bench.p('big_client_tickets') THEN 1
        WHEN (p_i - 1) % bench.passo_historico() = 0 AND (p_i - 1) / bench.passo_historico() < 100 THEN 2
        ELSE 3 + p_i / 5
    END
$$;

-- Client k's office: clients 1 and 2 and every (tickets / big_office_tickets)-th client are in
-- office 1 (so its ~100k tickets are spread through the table), the rest round robin.
CREATE OR REPLACE FUNCTION bench.escritorio_do_cliente(p_k bigint) RETURNS bigint
LANGUAGE sql STABLE
AS $$
    SELECT CASE
        WHEN p_k <= 2 OR p_k % (bench.p('tickets') / bench.p('big_office_tickets')) = 0 THEN 1
        ELSE 2 + p_k % (bench.p('offices') - 1)
    END
$$;

-- The ticket numbers of the special tickets.
CREATE OR REPLACE FUNCTION bench.ticket_conversa() RETURNS bigint  -- 2,000-comment thread
LANGUAGE sql STABLE
AS $$ SELECT bench.passo_grande() * bench.p('big_client_tickets') $$;

CREATE OR REPLACE FUNCTION bench.ticket_chat() RETURNS bigint  -- 100k chat messages
LANGUAGE sql STABLE
AS $$ SELECT bench.passo_grande() * (bench.p('big_client_tickets') - 1) $$;

CREATE OR REPLACE FUNCTION bench.ticket_historico(p_h bigint) RETURNS bigint  -- client 2's h-th
LANGUAGE sql STABLE
AS $$ SELECT 1 + (p_h % 100) * bench.passo_historico() $$;

-- Ticket i's creation time: two years, oldest first.
CREATE OR REPLACE FUNCTION bench.criado(p_i bigint) RETURNS timestamptz
LANGUAGE sql STABLE
AS $$
    SELECT timestamptz '2024-01-01 00:00:00+00'
        + (p_i::float8 / bench.p('tickets')::float8) * interval '730 days'
$$;

-- Offices -------------------------------------------------------------------------------------
INSERT INTO crm.escritorios (id, nome)
SELECT bench.uid('o', o), 'Escritório ' || o
FROM generate_series(1, bench.p('offices')) AS o;

-- Staff: big_office_staff in office 1, staff_per_office elsewhere ----------------------------
CREATE TABLE bench.equipe_n AS
SELECT o, s
FROM generate_series(1, bench.p('offices')) AS o
CROSS JOIN LATERAL generate_series(
    1, CASE WHEN o = 1 THEN bench.p('big_office_staff') ELSE bench.p('staff_per_office') END
) AS s;

INSERT INTO auth.users (id, email)
SELECT bench.uid('s' || o || '-', s), 'equipe' || o || '-' || s || '@bench.invalid'
FROM bench.equipe_n;

INSERT INTO crm.equipe (escritorio_id, user_id, papel)
SELECT bench.uid('o', o), bench.uid('s' || o || '-', s),
       CASE WHEN s = 1 THEN 'admin' WHEN s = 2 THEN 'supervisor' ELSE 'atendente' END
FROM bench.equipe_n;

-- Clients (each with a portal login) ----------------------------------------------------------
CREATE TABLE bench.clientes_n AS
SELECT k, bench.escritorio_do_cliente(k) AS o
FROM generate_series(1, 3 + bench.p('tickets') / 5) AS k;

INSERT INTO auth.users (id, email)
SELECT bench.uid('cu', k), 'cliente' || k || '@bench.invalid'
FROM bench.clientes_n;

INSERT INTO crm.clientes (id, escritorio_id, user_id, nome, email)
SELECT bench.uid('c', k), bench.uid('o', o), bench.uid('cu', k), 'Cliente ' || k, 'cliente' || k || '@bench.invalid'
FROM bench.clientes_n;

-- Tickets: numero gap-free per office in creation order; ~20% aberto ------------------------
CREATE TABLE bench.tickets_n AS
SELECT i, k, c.o, row_number() OVER (PARTITION BY c.o ORDER BY i) AS numero
FROM (SELECT i, bench.cliente_do_ticket(i) AS k FROM generate_series(1, bench.p('tickets')) AS i) AS t
INNER JOIN bench.clientes_n AS c USING (k);

INSERT INTO tickets.tickets (
    id, escritorio_id, cliente_id, numero, titulo, descricao, prioridade, status, criado_por,
    created_at, updated_at, primeira_resposta_em, resolvido_em, fechado_em
)
SELECT
    bench.uid('t', i), bench.uid('o', o), bench.uid('c', k), numero,
    'Chamado ' || i, 'Descrição do chamado ' || i,
    (ARRAY['baixa', 'media', 'alta', 'urgente'])[1 + i % 4],
    x.status,
    bench.uid('cu', k),
    bench.criado(i), bench.criado(i),
    CASE WHEN x.status <> 'aberto' THEN bench.criado(i) + interval '1 hour' END,
    CASE WHEN x.status IN ('resolvido', 'fechado') THEN bench.criado(i) + interval '1 day' END,
    CASE WHEN x.status = 'fechado' THEN bench.criado(i) + interval '2 days' END
FROM bench.tickets_n
CROSS JOIN LATERAL (
    SELECT CASE
        -- the special tickets and the pool of chat tickets stay open
        WHEN k = 2 OR (k = 1 AND i >= bench.ticket_chat()) THEN 'aberto'
        WHEN i % 10 < 2 THEN 'aberto'
        WHEN i % 10 < 4 THEN 'em_atendimento'
        WHEN i % 10 < 5 THEN 'aguardando_cliente'
        WHEN i % 10 < 7 THEN 'resolvido'
        ELSE 'fechado'
    END AS status
) AS x;

INSERT INTO tickets.numeracao (escritorio_id, ultimo_numero)
SELECT bench.uid('o', o), max(numero) FROM bench.tickets_n GROUP BY o;

-- Comments: a 2,000-comment thread on client 1's newest ticket, 5 per history ticket, the rest
-- spread pseudo-randomly; 10% internal notes (never by the client). ------------------------
INSERT INTO tickets.ticket_comments (
    id, ticket_id, escritorio_id, cliente_id, autor_id, autor_tipo, conteudo, interno, origem, created_at
)
SELECT
    bench.uid('m', j), bench.uid('t', x.i), bench.uid('o', t.o), bench.uid('c', t.k),
    CASE WHEN j % 2 = 0 THEN bench.uid('cu', t.k) ELSE bench.uid('s' || t.o || '-', 1) END,
    CASE WHEN j % 2 = 0 THEN 'cliente' ELSE 'equipe' END,
    'Comentário ' || j,
    j % 2 = 1 AND j % 5 = 0,
    CASE WHEN j % 2 = 0 THEN 'portal' ELSE 'equipe' END,
    bench.criado(x.i) + j * interval '1 second'
FROM generate_series(1, bench.p('comments')) AS j
CROSS JOIN LATERAL (
    SELECT CASE
        WHEN j <= bench.p('big_thread_comments') THEN bench.ticket_conversa()
        WHEN j <= bench.p('big_thread_comments') + 500 THEN bench.ticket_historico(j)
        ELSE 1 + (j * 7919) % bench.p('tickets')
    END AS i
) AS x
INNER JOIN bench.tickets_n AS t ON t.i = x.i;

-- Chat: 100k messages on client 1's second-newest ticket, 3 per history ticket, one on each of
-- chat_spread other tickets. ------------------------------------------------------------------
INSERT INTO tickets.chat_mensagens (id, ticket_id, escritorio_id, cliente_id, autor_id, autor_tipo, conteudo, enviado_em)
SELECT
    bench.uid('ch', j), bench.uid('t', x.i), bench.uid('o', t.o), bench.uid('c', t.k),
    CASE WHEN j % 2 = 0 THEN bench.uid('cu', t.k) ELSE bench.uid('s' || t.o || '-', 1) END,
    CASE WHEN j % 2 = 0 THEN 'cliente' ELSE 'equipe' END,
    'Mensagem ' || j,
    bench.criado(x.i) + j * interval '1 second'
FROM generate_series(1, bench.p('chat_big') + 300 + bench.p('chat_spread')) AS j
CROSS JOIN LATERAL (
    SELECT CASE
        WHEN j <= bench.p('chat_big') THEN bench.ticket_chat()
        WHEN j <= bench.p('chat_big') + 300 THEN bench.ticket_historico(j)
        ELSE 1 + (j * 104729) % bench.p('tickets')
    END AS i
) AS x
INNER JOIN bench.tickets_n AS t ON t.i = x.i;

-- Documents: one per 5 tickets, 50 for the history client. ----------------------------------
INSERT INTO crm.documentos (id, escritorio_id, cliente_id, ticket_id, nome_arquivo, storage_path, mime_type, tamanho_bytes, enviado_por, created_at)
SELECT
    bench.uid('d', d), bench.uid('o', t.o), bench.uid('c', t.k), bench.uid('t', x.i),
    'documento' || d || '.pdf', 'docs/' || d || '.pdf', 'application/pdf', 1000 + d, bench.uid('cu', t.k),
    bench.criado(x.i) + interval '5 minutes'
FROM generate_series(1, bench.p('tickets') / 5 + 50) AS d
CROSS JOIN LATERAL (
    SELECT CASE
        WHEN d <= 50 THEN bench.ticket_historico((d - 1) * 2)
        ELSE 1 + (d * 31) % bench.p('tickets')
    END AS i
) AS x
INNER JOIN bench.tickets_n AS t ON t.i = x.i;

-- Balcão Virtual: closed sessions (50 of the history client, long_sessions with long logs),
-- and client 3's ativa session with import_lines lines. -------------------------------------
CREATE TABLE bench.sessoes_n AS
SELECT
    n,
    CASE WHEN n <= 50 THEN 2 WHEN n = bench.p('sessions') THEN 3 ELSE 4 + (n * 13) % 1000 END AS k,
    CASE
        WHEN n = bench.p('sessions') THEN bench.p('import_lines')
        WHEN n % (bench.p('sessions') / greatest(bench.p('long_sessions'), 1)) = 0 THEN bench.p('long_session_lines')
        ELSE bench.p('session_lines')
    END AS linhas
FROM generate_series(1, bench.p('sessions')) AS n;

INSERT INTO balcao_virtual.sessoes_ativas (id, escritorio_id, cliente_id, canal, status, iniciada_em, encerrada_em)
SELECT
    bench.uid('bs', n), bench.uid('o', c.o), bench.uid('c', s.k), 'web',
    CASE WHEN n = bench.p('sessions') THEN 'ativa' ELSE 'encerrada' END,
    timestamptz '2024-01-01 00:00:00+00' + n * interval '1 hour',
    CASE WHEN n <> bench.p('sessions') THEN timestamptz '2024-01-01 00:30:00+00' + n * interval '1 hour' END
FROM bench.sessoes_n AS s
INNER JOIN bench.clientes_n AS c USING (k);

INSERT INTO balcao_virtual.logs_conversas (sessao_id, escritorio_id, autor_tipo, autor_nome, mensagem, enviado_em)
SELECT
    bench.uid('bs', s.n), bench.uid('o', c.o),
    (ARRAY['cliente', 'atendente', 'bot'])[1 + l % 3],
    'Autor ' || l % 3,
    'Linha ' || l || ' da sessão ' || s.n,
    timestamptz '2024-01-01 00:00:00+00' + s.n * interval '1 hour' + l * interval '1 second'
FROM bench.sessoes_n AS s
INNER JOIN bench.clientes_n AS c USING (k)
CROSS JOIN LATERAL generate_series(1, s.linhas) AS l
ORDER BY s.n, l;

-- realtime.messages: realtime_rows broadcasts over many ticket topics, 50 on the chat ticket. --
INSERT INTO realtime.messages (id, topic, extension, event, payload, private, inserted_at, updated_at)
SELECT
    bench.uid('rt', r),
    'ticket:' || bench.uid('t', CASE WHEN r <= 50 THEN bench.ticket_chat() ELSE 1 + (r * 7) % bench.p('tickets') END),
    'broadcast', 'mensagem', jsonb_build_object('n', r), TRUE,
    now()::timestamp - r * interval '1 second', now()::timestamp - r * interval '1 second'
FROM generate_series(1, bench.p('realtime_rows')) AS r;

-- The personas and objects the scenarios use, by name. --------------------------------------
CREATE TABLE bench.alvos (nome text PRIMARY KEY, valor uuid NOT NULL);
INSERT INTO bench.alvos (nome, valor) VALUES
('big_office', bench.uid('o', 1)),
('big_office_staff', bench.uid('s1-', 3)),
('big_client', bench.uid('c', 1)),
('big_client_user', bench.uid('cu', 1)),
('big_thread_ticket', bench.uid('t', bench.ticket_conversa())),
('chat_ticket', bench.uid('t', bench.ticket_chat())),
('typical_ticket', bench.uid('t', (
    SELECT min(t.i) FROM bench.tickets_n AS t WHERE t.o = 1 AND t.k > 2 AND t.i > bench.p('tickets') / 2
))),
('history_client', bench.uid('c', 2)),
('history_client_user', bench.uid('cu', 2)),
('history_ticket', bench.uid('t', bench.ticket_historico(0))),
('import_client_user', bench.uid('cu', 3)),
('import_session', bench.uid('bs', bench.p('sessions'))),
('long_session', bench.uid('bs', bench.p('sessions') / greatest(bench.p('long_sessions'), 1))),
('long_session_staff_user', bench.uid(
    's' || (SELECT c.o FROM bench.sessoes_n AS s INNER JOIN bench.clientes_n AS c USING (k)
            WHERE s.n = bench.p('sessions') / greatest(bench.p('long_sessions'), 1)) || '-', 1)),
('long_session_client_user', bench.uid('cu', (SELECT k FROM bench.sessoes_n WHERE n = bench.p('sessions') / greatest(bench.p('long_sessions'), 1))));

-- Chat senders for the throughput runs: the history client's 100 open tickets, each with its
-- client and one staff member of office 1, alternating.
CREATE TABLE bench.remetentes (
    n integer PRIMARY KEY, user_id uuid NOT NULL, ticket_id uuid NOT NULL, escritorio_id uuid NOT NULL
);
INSERT INTO bench.remetentes (n, user_id, ticket_id, escritorio_id)
SELECT
    g,
    CASE WHEN g % 2 = 0 THEN bench.uid('cu', 2) ELSE bench.uid('s1-', 3 + g % 5) END,
    bench.uid('t', bench.ticket_historico(g)),
    bench.uid('o', 1)
FROM generate_series(1, 200) AS g;

DROP TABLE bench.equipe_n, bench.clientes_n, bench.tickets_n, bench.sessoes_n;
RESET session_replication_role;
