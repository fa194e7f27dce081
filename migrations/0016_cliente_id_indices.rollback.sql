-- Rollback of 0016_cliente_id_indices: drop the two indexes (the keys stay, as 0015 left them).
DROP INDEX tickets.chat_mensagens_cliente_escritorio_ticket_idx;
DROP INDEX tickets.ticket_comments_cliente_escritorio_ticket_idx;
