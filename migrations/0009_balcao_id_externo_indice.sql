-- transactional: false
-- Balcão Virtual: the idempotency key of registrar_linha, built while the webhook writes.
--
-- Why: (sessao_id, id_externo) unique makes a retried delivery one line (NULLs are distinct:
-- lines without an id are never merged); it leads with sessao_id, like the session's log
-- reads. CONCURRENTLY, after the run's transaction, so writes to logs_conversas never wait for
-- the build; IF NOT EXISTS so a re-run is a no-op (an INVALID leftover is rebuilt by apply).
-- Until it exists (the seconds after the commit of a deploy that adds it), registrar_linha
-- fails rather than duplicate: the webhook's retry lands once the index is there.
CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS logs_conversas_sessao_id_externo_key
ON balcao_virtual.logs_conversas (sessao_id, id_externo);
