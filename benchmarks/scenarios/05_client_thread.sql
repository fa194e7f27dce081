-- title: client: public comments of its 2,000-comment ticket
-- persona: big_client_user
-- goal: ratio 1.3
-- product
SELECT c.id, c.autor_tipo, c.conteudo, c.created_at
FROM tickets.ticket_comments AS c
WHERE c.ticket_id = {big_thread_ticket}
ORDER BY c.created_at, c.id;
-- baseline
SELECT c.id, c.autor_tipo, c.conteudo, c.created_at
FROM tickets.ticket_comments AS c
WHERE c.ticket_id = {big_thread_ticket} AND NOT c.interno
ORDER BY c.created_at, c.id;
