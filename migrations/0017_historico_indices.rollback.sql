-- Rollback of 0017_historico_indices: drop the two indexes.
DROP INDEX tickets.chat_mensagens_cliente_enviado_idx;
DROP INDEX tickets.ticket_comments_cliente_created_idx;
