-- Rollback of 0004_tickets: drop the ticket tables, reverse creation order.
--
-- CASCADE because repeatable units built on these tables (tickets.abrir_ticket returns
-- tickets.tickets, tickets.comentar returns tickets.ticket_comments, policies on
-- realtime.messages query tickets.tickets, ...) would otherwise block the drop; the next
-- apply re-creates them. 0005 (crm.documentos, which links tickets) has already been rolled
-- back, as rollbacks run newest first. Indexes, constraints, comments, grants and RLS go with
-- their tables.

DROP TABLE tickets.chat_mensagens CASCADE;

DROP TABLE tickets.ticket_comments CASCADE;

DROP TABLE tickets.tickets CASCADE;

DROP TABLE tickets.numeracao CASCADE;
