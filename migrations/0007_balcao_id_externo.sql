-- Balcão Virtual: the writer's own message id, so a retried webhook never duplicates a line.
--
-- Why: the Balcão Virtual system delivers each chat line by webhook and retries on timeouts;
-- the second delivery of the same line must be a no-op. id_externo is the Balcão system's id
-- of the line (opaque text, unique per session); balcao_virtual.registrar_linha
-- (functions/22_balcao_escrita.sql) inserts ON CONFLICT (sessao_id, id_externo) DO NOTHING.
-- NULL for lines written without one (plain INSERTs, older lines): never deduplicated.
-- The unique index is built without blocking the webhook's writes by 0009 (non-transactional).

ALTER TABLE balcao_virtual.logs_conversas ADD COLUMN id_externo text;

COMMENT ON COLUMN balcao_virtual.logs_conversas.id_externo IS
'The Balcão Virtual system''s id of the line (webhook retries): unique per session; NULL when not given.';
