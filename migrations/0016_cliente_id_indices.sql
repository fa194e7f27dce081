-- transactional: false
-- 0016_cliente_id_indices: the indexes of the 0015 keys, built without blocking writes, and the
-- keys validated (0015 added them NOT VALID). Runs after the run's transaction, statement by
-- statement; every statement is re-runnable (IF NOT EXISTS; validating a valid key is a no-op).
-- squawk assumes each file runs in one transaction (.squawk.toml); this one does not (first
-- line), so its CONCURRENTLY builds are marked for squawk one by one.

-- Why: foreign key index (leading columns = the FK columns) of ticket_comments_cliente_ticket_fkey;
-- also "a client's comments".
-- squawk-ignore ban-concurrent-index-creation-in-transaction
CREATE INDEX CONCURRENTLY IF NOT EXISTS ticket_comments_cliente_escritorio_ticket_idx
ON tickets.ticket_comments (cliente_id, escritorio_id, ticket_id);

-- Why: foreign key index of chat_mensagens_cliente_ticket_fkey; also "a client's messages".
-- squawk-ignore ban-concurrent-index-creation-in-transaction
CREATE INDEX CONCURRENTLY IF NOT EXISTS chat_mensagens_cliente_escritorio_ticket_idx
ON tickets.chat_mensagens (cliente_id, escritorio_id, ticket_id);

-- Why: existing rows were backfilled by 0015; checking them takes only SHARE UPDATE EXCLUSIVE.
ALTER TABLE tickets.ticket_comments VALIDATE CONSTRAINT ticket_comments_cliente_ticket_fkey;

ALTER TABLE tickets.chat_mensagens VALIDATE CONSTRAINT chat_mensagens_cliente_ticket_fkey;
