-- transactional: false
-- 0017_historico_indices: "a client's comments / chat messages, newest first" as one index range
-- each, for crm.historico_cliente (issue 9: p95 <= 3 ms for a client with 1,000 events). Before,
-- those two sources were read ticket by ticket (a LATERAL probe per ticket of the client, 100
-- probes for 100 tickets), because only the ticket-keyed indexes were ordered by time. Built
-- without blocking writes; runs after the run's transaction, statement by statement, and each
-- statement is re-runnable (IF NOT EXISTS). squawk assumes each file runs in one transaction
-- (.squawk.toml); this one does not (first line), so each build is marked for squawk.

-- Why: private.eventos_do_cliente's comment branch (cliente_id = $1 ORDER BY created_at DESC).
-- squawk-ignore ban-concurrent-index-creation-in-transaction
CREATE INDEX CONCURRENTLY IF NOT EXISTS ticket_comments_cliente_created_idx
ON tickets.ticket_comments (cliente_id, created_at DESC);

-- Why: private.eventos_do_cliente's chat branch (cliente_id = $1 ORDER BY enviado_em DESC).
-- squawk-ignore ban-concurrent-index-creation-in-transaction
CREATE INDEX CONCURRENTLY IF NOT EXISTS chat_mensagens_cliente_enviado_idx
ON tickets.chat_mensagens (cliente_id, enviado_em DESC);
