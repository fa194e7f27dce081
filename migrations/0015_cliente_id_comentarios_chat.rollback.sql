-- Rollback of 0015_cliente_id_comentarios_chat: drop the derived client columns (their
-- constraints, indexes and comments go with them).
--
-- CASCADE because the client read policies (repeatable units) use the columns and would block
-- the drop; the next apply re-creates them.
ALTER TABLE tickets.chat_mensagens DROP COLUMN cliente_id CASCADE;
ALTER TABLE tickets.ticket_comments DROP COLUMN cliente_id CASCADE;
